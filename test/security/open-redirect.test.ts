import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { COOKIE } from '../../src/plugins/cookies.js';
import { isSafeLocalPath } from '../../src/shared/safe-next.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn, seedStaff } from '../helpers/staff.js';

/** One payload per class (the unit table in test/unit/safe-next.test.ts has many more), raw and percent-encoded. */
const CLASSES: Record<string, string> = {
  'dot segments': '/.//evil.example',
  'encoded dots': '/%2e//evil.example',
  'doubled slashes': '//evil.example',
  'mixed slashes': '/\\/evil.example',
  backslash: '/\\evil.example',
  'tab and newline': '/\t/evil.example',
  'scheme-relative with userinfo': '//user@evil.example',
  userinfo: '/@evil.example',
  'full URL': 'https://evil.example/espace-pro',
  javascript: 'javascript:alert(1)',
};
const PAYLOADS: Array<[string, string]> = Object.entries(CLASSES).flatMap(([name, raw]) => [
  [`${name}, raw`, raw] as [string, string],
  [`${name}, encoded`, encodeURIComponent(raw)] as [string, string],
]);

/** The query string a browser sends when a link carries `next` as given (already encoded or not). */
const nextQuery = (value: string) => `next=${encodeURIComponent(value)}`;
const hiddenNext = (html: string) => /name="next" value="([^"]*)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');

for (const dialect of DIALECTS) {
  describe(`S24 open redirect over HTTP [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      await seedAccount(t);
    });

    const login = async (remember: boolean) => {
      const browser = new Browser(t.app);
      const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD, ...(remember ? { memoriser: '1' } : {}) });
      assert.equal(res.statusCode, 303);
      return browser;
    };

    test('S24 GET /connexion for a signed-in customer: every payload class goes to /espace-pro', async () => {
      const browser = await login(false);
      for (const [name, payload] of PAYLOADS) {
        const res = await browser.get(`/connexion?${nextQuery(payload)}`);
        assert.equal(res.statusCode, 303, name);
        assert.equal(res.headers.location, '/espace-pro', name);
      }
      assert.equal((await browser.get(`/connexion?${nextQuery('/espace-pro/securite')}`)).headers.location, '/espace-pro/securite');
    });

    test('S24 GET /connexion for a remembered customer (no session, remember-me cookie): same', async () => {
      const browser = await login(true);
      for (const [name, payload] of PAYLOADS) {
        browser.jar.cookies.delete(COOKIE.session);
        assert.ok(browser.jar.get(COOKIE.remember), 'remembered');
        const res = await browser.get(`/connexion?${nextQuery(payload)}`);
        assert.equal(res.statusCode, 303, name);
        assert.equal(res.headers.location, '/espace-pro', name);
      }
    });

    test('S24 the login page never carries an unsafe next in its hidden field', async () => {
      const visitor = new Browser(t.app);
      for (const [name, payload] of PAYLOADS) {
        const page = await visitor.get(`/connexion?${nextQuery(payload)}`);
        assert.equal(page.statusCode, 200, name);
        const hidden = hiddenNext(page.body);
        assert.ok(hidden === undefined || isSafeLocalPath(hidden), `${name}: ${hidden}`);
        assert.doesNotMatch(page.body, /evil\.example/, name);
      }
    });

    test('S24 POST /connexion with each payload class: a successful login goes to /espace-pro', async () => {
      for (const [name, payload] of PAYLOADS) {
        const browser = new Browser(t.app);
        const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD, next: payload });
        assert.equal(res.statusCode, 303, name);
        assert.equal(res.headers.location, '/espace-pro', name);
      }
    });

    test('S24 staff: GET and POST /back-office/connexion never send a staff member elsewhere', async () => {
      const signedIn = await createStaffAndSignIn(t);
      for (const [name, payload] of [...PAYLOADS, ['outside the back office', '/espace-pro'] as [string, string]]) {
        const res = await signedIn.get(`/back-office/connexion?${nextQuery(payload)}`);
        assert.equal(res.headers.location, '/back-office', name);
      }
      const staff = await seedStaff(t);
      for (const [name, payload] of [...PAYLOADS, ['back-office then dots', '/back-office/..//evil.example'] as [string, string]]) {
        const browser = new Browser(t.app);
        const res = await browser.submit('/back-office/connexion', '/back-office/connexion', { email: staff.email, mot_de_passe: staff.password, next: payload });
        assert.equal(res.statusCode, 303, name);
        assert.equal(res.headers.location, '/back-office/connexion/code', name);
      }
    });
  });
}
