import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { Browser, buildTestApp, type TestApp } from '../helpers/app.js';

describe('S42 the account-opening form says what it collects, why, for how long and whom to ask', () => {
  let t: TestApp;
  let plain: TestApp;
  before(async () => {
    t = await buildTestApp('sqlite', {
      env: { REQUEST_RETENTION_DAYS: '180', SUPPORT_EMAIL: 'service-client@cartotheque.com', LEGAL_NOTICE_URL: 'https://www.cartotheque.com/mentions-legales', PRIVACY_POLICY_URL: 'https://www.cartotheque.com/confidentialite' },
    });
    plain = await buildTestApp('sqlite', { env: { AUDIT_RETENTION_DAYS: '400', REQUEST_RETENTION_DAYS: '365' } });
  });
  after(async () => {
    await t.close();
    await plain.close();
  });

  test('S42 the notice on the form: purpose, retention from REQUEST_RETENTION_DAYS, rights, contact, and the privacy link', async () => {
    const page = await new Browser(t.app).get('/ouverture-de-compte');
    assert.match(page.body, /Vos données personnelles/);
    assert.match(page.body, /ne servent qu’à étudier votre demande/);
    assert.match(page.body, /conservée 180 jours, puis effacée/);
    assert.match(page.body, /consulter, corriger ou effacer/);
    assert.match(page.body, /service-client@cartotheque\.com/);
    assert.match(page.body, /href="https:\/\/www\.cartotheque\.com\/confidentialite"/);
  });

  test('S42 footer links: the legal notice and the privacy page are settings; without them, the built-in privacy page', async () => {
    const home = await new Browser(t.app).get('/connexion');
    assert.match(home.body, /<a href="https:\/\/www\.cartotheque\.com\/mentions-legales">Mentions légales<\/a>/);
    assert.match(home.body, /<a href="https:\/\/www\.cartotheque\.com\/confidentialite">Données personnelles<\/a>/);
    const bare = await new Browser(plain.app).get('/connexion');
    assert.doesNotMatch(bare.body, /Mentions légales/, 'no legal notice link without LEGAL_NOTICE_URL');
    assert.match(bare.body, /<a href="\/confidentialite">Données personnelles<\/a>/);
    const page = await new Browser(plain.app).get('/confidentialite');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /conservées 365 jours après notre décision/);
    assert.match(page.body, /conservé 400 jours/);
  });

  test('the settings accept only https addresses, and say so', () => {
    assert.throws(() => loadConfig({ LEGAL_NOTICE_URL: 'javascript:alert(1)' }), /LEGAL_NOTICE_URL: expected an https:\/\/ address/);
    assert.throws(() => loadConfig({ PRIVACY_POLICY_URL: 'http://www.cartotheque.com/x' }), /PRIVACY_POLICY_URL/);
  });
});
