import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sha256 } from '../../src/shared/crypto.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { SmtpSink } from '../helpers/smtp.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const NEW_PASSWORD = 'trois pommes vertes au marché';

for (const dialect of DIALECTS) {
  describe(`Mon Espace Pro: Sécurité [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
      await seedAccount(t, { code: '12345' });
      await seedAccount(t, { code: '22222', email: 'autre@x.fr', company: 'Autre Société' });
    });

    async function signIn(code = '12345', password = STRONG_PASSWORD, remember = false, ua = FIREFOX) {
      const browser = new Browser(t.app);
      const res = await browser.submit('/connexion', '/connexion', { identifiant: code, mot_de_passe: password, ...(remember ? { memoriser: '1' } : {}) }, { 'user-agent': ua });
      assert.equal(res.statusCode, 303);
      return browser;
    }

    test('Mon Espace Pro shows the company, the identifier, a Sécurité section leading to its page, and Se déconnecter', async () => {
      const me = await signIn();
      const home = await me.get('/espace-pro');
      for (const text of ['Mon Espace Pro', 'Librairie du Port', '12345', 'Sécurité', 'href="/espace-pro/securite"', 'Se déconnecter']) assert.ok(home.body.includes(text), text);
    });

    test('the page lists sessions (browser, IP prefix, last activity, "cet appareil"), remembered devices and recent activity', async () => {
      await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: 'pas le bon mot de passe' });
      const other = await signIn('12345', STRONG_PASSWORD, true);
      const me = await signIn();
      const page = await me.get('/espace-pro/securite');
      assert.equal(page.statusCode, 200);
      for (const text of ['Sécurité', 'Changer de mot de passe', 'Appareils connectés', 'Appareils mémorisés', 'Activité récente de connexion', 'Firefox sur Windows', '127.0.0.x', 'cet appareil', 'Révoquer', 'Réussie', 'Échouée']) {
        assert.ok(page.body.includes(text), `missing ${text}`);
      }
      assert.equal((page.body.match(/name="session"/g) ?? []).length, 2, 'two live sessions');
      assert.equal((page.body.match(/name="appareil"/g) ?? []).length, 1, 'one remembered browser');
      assert.ok(other);
    });

    test('S32 a customer sees only their own sessions and activity', async () => {
      await signIn('22222');
      const me = await signIn();
      const page = await me.get('/espace-pro/securite');
      assert.equal((page.body.match(/name="session"/g) ?? []).length, 1);
      assert.ok(!page.body.includes('Autre Société'));
    });

    test('"Révoquer" ends another session of mine; a foreign session id changes nothing and gets the same answer', async () => {
      const other = await signIn();
      const me = await signIn();
      const foreign = await signIn('22222');
      const otherId = sha256(other.jar.get('__Host-ep_session')!);
      const foreignId = sha256(foreign.jar.get('__Host-ep_session')!);
      const page = await me.get('/espace-pro/securite');
      assert.ok(page.body.includes(otherId), 'my other session is listed');
      assert.ok(!page.body.includes(foreignId), 'a foreign session is not');
      const token = csrfToken(page.body);
      const foreignAnswer = await me.post('/espace-pro/sessions/revoquer', { _csrf: token, session: foreignId });
      assert.equal((await foreign.get('/espace-pro')).statusCode, 200, 'the other customer is untouched');
      const ownAnswer = await me.post('/espace-pro/sessions/revoquer', { _csrf: token, session: otherId });
      assert.equal(foreignAnswer.statusCode, ownAnswer.statusCode);
      assert.equal(foreignAnswer.headers.location, ownAnswer.headers.location);
      assert.equal((await other.get('/espace-pro')).statusCode, 303, 'revoked');
      assert.equal((await me.get('/espace-pro/securite')).statusCode, 200, 'this session stays');
      const audit = await t.db.selectFrom('audit_log').select('event').where('event', '=', 'session.revoked').execute();
      assert.equal(audit.length, 1, 'S34 the revocation is audited once (the foreign attempt did nothing)');
    });

    test('revoking a remembered device kills its remember-me series and its sessions', async () => {
      const remembered = await signIn('12345', STRONG_PASSWORD, true);
      const me = await signIn();
      const page = await me.get('/espace-pro/securite');
      const series = /name="appareil" value="([^"]+)"/.exec(page.body)![1]!;
      await me.post('/espace-pro/appareils/revoquer', { _csrf: csrfToken(page.body), appareil: series });
      assert.equal((await remembered.get('/espace-pro')).statusCode, 303);
      remembered.jar.cookies.delete('__Host-ep_session');
      assert.equal((await remembered.get('/espace-pro')).statusCode, 303, 'remember-me no longer works');
      assert.equal((await me.get('/espace-pro/securite')).statusCode, 200);
    });

    test('change password: current password required, same policy, other sessions revoked, notice mail', async () => {
      const other = await signIn('12345', STRONG_PASSWORD, true);
      const me = await signIn();
      const submit = async (actuel: string, mot_de_passe: string, confirmation = mot_de_passe) => {
        const page = await me.get('/espace-pro/securite');
        return me.post('/espace-pro/mot-de-passe', { _csrf: csrfToken(page.body), actuel, mot_de_passe, confirmation });
      };
      const wrong = await submit('pas le mot de passe actuel', NEW_PASSWORD);
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /Le mot de passe actuel est incorrect/);
      const weak = await submit(STRONG_PASSWORD, 'trop court');
      assert.equal(weak.statusCode, 400);
      assert.match(weak.body, /au moins 15 caractères/);
      const mismatch = await submit(STRONG_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + 'x');
      assert.match(mismatch.body, /La confirmation ne correspond pas/);
      assert.ok(!mismatch.body.includes(NEW_PASSWORD), 'passwords never echoed');

      const ok = await submit(STRONG_PASSWORD, NEW_PASSWORD);
      assert.equal(ok.statusCode, 303);
      assert.match((await me.get('/espace-pro/securite?ok=mdp')).body, /Votre mot de passe est changé/);
      assert.equal((await me.get('/espace-pro/securite')).statusCode, 200, 'this session stays');
      assert.equal((await other.get('/espace-pro')).statusCode, 303, 'the other session is revoked');
      other.jar.cookies.delete('__Host-ep_session');
      assert.equal((await other.get('/espace-pro')).statusCode, 303, 'and its remember-me too');
      await t.outbox.drain();
      assert.equal(smtp.messages.filter((m) => /a été modifié/.test(m.subject ?? '')).length, 1);
      assert.equal((await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: NEW_PASSWORD })).statusCode, 303);
    });

    test('S31/S32 the security actions need a customer session and CSRF', async () => {
      const anonymous = new Browser(t.app);
      const page = await anonymous.get('/connexion');
      const res = await anonymous.post('/espace-pro/sessions/revoquer', { _csrf: csrfToken(page.body), session: 'x' });
      assert.equal(res.statusCode, 303);
      assert.match(String(res.headers.location), /^\/connexion/);
      const me = await signIn();
      assert.equal((await me.post('/espace-pro/mot-de-passe', { actuel: STRONG_PASSWORD, mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD })).statusCode, 403);
    });
  });
}
