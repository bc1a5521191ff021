import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { STRONG_PASSWORD, seedAccount } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { SmtpSink } from '../helpers/smtp.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

for (const dialect of DIALECTS) {
  describe(`S39 sign-in from a new browser [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url, TRUST_PROXY: '127.0.0.1' } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
      await seedAccount(t, { code: '12345', email: 'client@librairie.fr' });
    });

    async function signIn(browser: Browser, ip = '203.0.113.57') {
      // Signed in already: "Se déconnecter" first (the browser keeps its own cookies).
      const page = await browser.get('/espace-pro');
      if (page.statusCode === 200) assert.equal((await browser.post('/deconnexion', { _csrf: csrfToken(page.body) })).statusCode, 303);
      const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD }, { 'user-agent': FIREFOX, 'x-forwarded-for': ip });
      assert.equal(res.statusCode, 303);
      await t.outbox.drain();
    }
    const notices = () => smtp.to('client@librairie.fr').filter((m) => /Nouvelle connexion à votre Espace Pro/.test(m.subject ?? ''));

    test('S39 the first login after activation tells nothing; a known browser tells nothing; a new browser is told once, with when, which browser and about where', async () => {
      // inject() comes from 127.0.0.1; trust it as the proxy so X-Forwarded-For gives the client IP.
      const home = new Browser(t.app);
      await signIn(home);
      assert.equal(notices().length, 0, 'first login after activation');
      await signIn(home);
      assert.equal(notices().length, 0, 'the same browser again');

      const other = new Browser(t.app);
      await signIn(other, '198.51.100.23');
      const mails = notices();
      assert.equal(mails.length, 1, 'a new browser: one notice');
      const text = mails[0]!.text ?? '';
      assert.match(text, /Firefox sur Windows/);
      assert.match(text, /198\.51\.100\.x/, 'approximate place: IP /24');
      assert.doesNotMatch(text, /198\.51\.100\.23/, 'never the whole address');
      assert.match(text, /jeudi 15 janvier 2026 à 10:00/, 'date and time in the display time zone');
      assert.match(text, /Mot de passe oublié \? \/ Première connexion/, 'what to do if it was not them');

      await signIn(other, '198.51.100.23');
      assert.equal(notices().length, 1, 'that browser is known now');
      const audit = await t.db.selectFrom('audit_log').select('event').where('event', '=', 'login.new_browser').execute();
      assert.equal(audit.length, 1, 'S34 audited');
    });

    test('S21 S39 the browser cookie holds only a random value, never the identifier', async () => {
      const browser = new Browser(t.app);
      await signIn(browser);
      const value = browser.jar.get('__Host-ep_browser');
      assert.match(value ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.ok(!(value ?? '').includes('12345'));
      const row = await t.db.selectFrom('known_browsers').selectAll().executeTakeFirstOrThrow();
      assert.notEqual(row.id, value, 'only its SHA-256 is stored');
    });
  });
}
