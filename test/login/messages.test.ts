/**
 * Issue 15: messages a shop owner understands. Required fields named, the one login failure
 * message shown once, the link validity stated, the header and footer of customer pages.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sha256 } from '../../src/shared/crypto.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';

const INVALID = 'Identifiant ou mot de passe incorrect.';

for (const dialect of DIALECTS) {
  describe(`customer messages [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => {
      await t.close();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      await seedAccount(t, { code: '12345' });
    });

    test('S6 an empty login form names the empty fields instead of "Identifiant ou mot de passe incorrect"', async () => {
      const res = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '', mot_de_passe: '' });
      assert.equal(res.statusCode, 400);
      assert.ok(res.body.includes('Veuillez saisir votre identifiant (code client à 5 chiffres ou adresse e-mail).'));
      assert.ok(res.body.includes('Veuillez saisir votre mot de passe.'));
      assert.ok(!res.body.includes(INVALID));
      const onlyPassword = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: '' });
      assert.ok(onlyPassword.body.includes('Veuillez saisir votre mot de passe.'));
      assert.ok(!onlyPassword.body.includes('Veuillez saisir votre identifiant'));
    });

    test('S6 a failed login says it once, in the summary that links to the field; the field is marked invalid', async () => {
      for (const identifiant of ['12345', '99999']) {
        const res = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant, mot_de_passe: 'pas le bon mot de passe' });
        assert.equal(res.statusCode, 401);
        assert.equal(res.body.split(INVALID).length - 1, 1, `${identifiant}: the message appears once`);
        assert.match(res.body, /<a href="#identifiant">Identifiant ou mot de passe incorrect\./);
        assert.match(res.body, /<input id="identifiant"[^>]*aria-invalid="true"[^>]*aria-describedby="identifiant-aide resume-erreurs"/);
      }
    });

    test('signed-in pages have "Se déconnecter" in the header; the footer promises no contact when none is configured', async () => {
      const browser = new Browser(t.app);
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      for (const path of ['/espace-pro', '/espace-pro/securite']) {
        const page = await browser.get(path);
        assert.match(page.body, /<header class="site-header">.*<form method="post" action="\/deconnexion"[^>]*>.*Se déconnecter<\/button>.*<\/header>/s, `${path}: logout in the header`);
        assert.equal(page.body.split('Se déconnecter</button>').length - 1, 1, `${path}: one logout button`);
        assert.ok(!page.body.includes('Contactez notre service client'), `${path}: no promise of a contact`);
      }
      const anonymous = await new Browser(t.app).get('/connexion');
      assert.ok(!anonymous.body.includes('action="/deconnexion"'), 'no logout for a visitor');
    });

    test('revoking this very browser lands on the login page with a message', async () => {
      const me = new Browser(t.app);
      await me.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const page = await me.get('/espace-pro/securite');
      const res = await me.post('/espace-pro/sessions/revoquer', { _csrf: csrfToken(page.body), session: sha256(me.jar.get('__Host-ep_session')!) });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/connexion?revoque=1');
      const login = await me.get('/connexion?revoque=1');
      assert.ok(login.body.includes('Vous avez révoqué cet appareil : il est déconnecté.'));
      assert.equal((await me.get('/espace-pro')).statusCode, 303, 'signed out for real');
    });
  });
}

describe('customer footer with a configured contact', () => {
  test('"Contactez notre service client" comes with the address and phone number', async () => {
    const t = await buildTestApp('sqlite', { env: { SUPPORT_EMAIL: 'aide@cartotheque.fr', SUPPORT_PHONE: '01 23 45 67 89' } });
    try {
      const page = await new Browser(t.app).get('/connexion');
      assert.ok(page.body.includes('Besoin d’aide ? Contactez notre service client.'));
      assert.ok(page.body.includes('href="mailto:aide@cartotheque.fr"'));
      assert.ok(page.body.includes('href="tel:0123456789"'));
    } finally {
      await t.close();
    }
  });
});
