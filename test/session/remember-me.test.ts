import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { REMEMBER_ROTATION_GRACE_MS } from '../../src/modules/session/session.service.js';
import { sha256 } from '../../src/shared/crypto.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, CookieJar, DIALECTS, inputValue, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';

const DAY = 24 * 3600_000;

for (const dialect of DIALECTS) {
  describe(`Mémoriser mes identifiants [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      await seedAccount(t);
    });

    /** A browser that signed in with the box ticked, then was closed (session cookie gone). */
    async function rememberedBrowser(): Promise<Browser> {
      const browser = new Browser(t.app);
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD, memoriser: '1' });
      browser.jar.cookies.delete('__Host-ep_session');
      return browser;
    }

    test('S20 S36 two tabs restoring one remembered session at the same moment: both signed in, the series alive', async () => {
      const browser = await rememberedBrowser();
      const cookie = browser.jar.header();
      // Both tabs send the same cookie in parallel; the browser keeps whatever each answer sets.
      const [a, b] = await Promise.all([0, 1].map(() => t.app.inject({ method: 'GET', url: '/espace-pro', headers: { cookie } })));
      assert.equal(a!.statusCode, 200);
      assert.equal(b!.statusCode, 200, 'the second tab is not taken for a thief');
      browser.jar.store(a!);
      browser.jar.store(b!);
      const remembers = [a!, b!].map((r) => r.cookies.find((c) => c.name === '__Host-ep_remember')).filter(Boolean);
      assert.equal(remembers.length, 1, 'one answer rotates the cookie, the other leaves it as the browser has it');
      browser.jar.cookies.delete('__Host-ep_session');
      assert.equal((await browser.get('/espace-pro')).statusCode, 200, 'the series is alive: the successor restores the session again');
      assert.equal((await t.db.selectFrom('audit_log').select('id').where('event', '=', 'remember.theft_detected').execute()).length, 0);
    });

    test('S20 remember-me is issued at login: selector + validator, only the SHA-256 stored, 30 days', async () => {
      const browser = new Browser(t.app);
      const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD, memoriser: '1' });
      const cookie = (res.cookies as Array<{ name: string; value: string; maxAge?: number }>).find((c) => c.name === '__Host-ep_remember')!;
      assert.equal(cookie.maxAge, 30 * 24 * 3600);
      const [selector, validator] = cookie.value.split('.');
      assert.ok(Buffer.from(validator!, 'base64url').length >= 16, 'validator of at least 128 bits');
      const row = await t.db.selectFrom('remember_tokens').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.selector, selector);
      assert.equal(row.validator_hash, sha256(validator!));
      assert.ok(!JSON.stringify(row).includes(validator!), 'validator itself never stored');
      assert.equal(row.expires_at, t.clock.now() + 30 * DAY);
    });

    test('S20 without the box: no remember-me cookie, the session ends with the browser', async () => {
      const browser = new Browser(t.app);
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      assert.equal(browser.jar.get('__Host-ep_remember'), undefined);
      browser.jar.cookies.delete('__Host-ep_session');
      assert.equal((await browser.get('/espace-pro')).statusCode, 303);
    });

    test('S20 a closed browser comes back signed in; token and session rotate on each use', async () => {
      const browser = await rememberedBrowser();
      const first = browser.jar.get('__Host-ep_remember')!;
      t.clock.advance(2 * DAY);
      const res = await browser.get('/espace-pro');
      assert.equal(res.statusCode, 200);
      const second = browser.jar.get('__Host-ep_remember')!;
      assert.notEqual(second, first, 'rotated');
      assert.ok(browser.jar.get('__Host-ep_session'), 'with a new session');
      const cookie = (res.cookies as Array<{ name: string; maxAge?: number }>).find((c) => c.name === '__Host-ep_remember')!;
      assert.equal(cookie.maxAge, 28 * 24 * 3600, 'rotation never extends the 30 days');
      const rows = await t.db.selectFrom('remember_tokens').selectAll().orderBy('created_at').execute();
      assert.equal(new Set(rows.map((r) => r.series)).size, 1, 'same series');
      assert.equal(rows.filter((r) => r.rotated_at === null).length, 1, 'only the newest is live');
    });

    test('S20 replaying an old validator revokes the whole series and its sessions', async () => {
      const victim = await rememberedBrowser();
      const thief = new Browser(t.app, victim.jar.clone());
      assert.equal((await victim.get('/espace-pro')).statusCode, 200, 'victim uses it first: rotated');
      // Past the few seconds a second tab of the victim's own browser is given (REMEMBER_ROTATION_GRACE_MS).
      t.clock.advance(REMEMBER_ROTATION_GRACE_MS + 1);
      const replay = await thief.get('/espace-pro');
      assert.equal(replay.statusCode, 303, 'the copied old cookie is refused');
      assert.equal((await t.db.selectFrom('remember_tokens').selectAll().execute()).length, 0, 'series revoked');
      assert.equal((await t.db.selectFrom('sessions').selectAll().execute()).length, 0, 'its sessions killed too');
      assert.equal((await victim.get('/espace-pro')).statusCode, 303, 'victim must sign in again');
      const audit = await t.db.selectFrom('audit_log').select('event').where('event', '=', 'remember.theft_detected').execute();
      assert.equal(audit.length, 1);
    });

    test('S20 a wrong validator for a live selector is treated as theft', async () => {
      const browser = await rememberedBrowser();
      const [selector] = browser.jar.get('__Host-ep_remember')!.split('.');
      const forger = new Browser(t.app, new CookieJar());
      // A validator in the issued form (43 base64url characters), just not the right one.
      forger.jar.cookies.set('__Host-ep_remember', `${selector}.${'A'.repeat(43)}`);
      assert.equal((await forger.get('/espace-pro')).statusCode, 303);
      assert.equal((await browser.get('/espace-pro')).statusCode, 303, 'the series is gone');
    });

    test('S20 the 30-day cap: a series used every day still ends 30 days after its first issue', async () => {
      const browser = await rememberedBrowser();
      for (let day = 1; day < 30; day++) {
        t.clock.advance(DAY);
        browser.jar.cookies.delete('__Host-ep_session');
        assert.equal((await browser.get('/espace-pro')).statusCode, 200, `day ${day}`);
      }
      t.clock.advance(DAY);
      browser.jar.cookies.delete('__Host-ep_session');
      assert.equal((await browser.get('/espace-pro')).statusCode, 303, 'day 30: sign in again');
    });

    test('the identifier is pre-filled on the next visit, also after Se déconnecter, from a random device value', async () => {
      const browser = new Browser(t.app);
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD, memoriser: '1' });
      await browser.submit('/espace-pro', '/deconnexion', {});
      assert.equal(browser.jar.get('__Host-ep_remember'), undefined, 'remember-me ended by logout (S22)');
      assert.equal((await t.db.selectFrom('remember_tokens').selectAll().execute()).length, 0);
      const device = browser.jar.get('__Host-ep_device')!;
      assert.ok(device && !device.includes('12345'), 'no identifier in the cookie (S21)');
      const page = await browser.get('/connexion');
      assert.equal(inputValue(page.body, 'identifiant'), '12345');
      assert.match(page.body, /id="memoriser" name="memoriser" value="1" checked/);

      // Leaving the box unticked at a later login forgets the device.
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      await browser.submit('/espace-pro', '/deconnexion', {});
      assert.equal(browser.jar.get('__Host-ep_device'), undefined);
      assert.equal(inputValue((await browser.get('/connexion')).body, 'identifiant'), undefined);
      assert.equal((await t.db.selectFrom('devices').selectAll().execute()).length, 0);
    });
  });
}
