import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { buildTestApp, CookieJar, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { freshIp, Visitor } from './support.js';

const SESSION = '__Host-ep_session';
const REMEMBER = '__Host-ep_remember';

for (const dialect of DIALECTS) {
  describe(`adversarial: S20 remember-me under concurrency [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => {
      await resetDatabase(t.db, dialect);
      await seedAccount(t, { code: '12345' });
    });

    /** A browser that signed in with "Mémoriser mes identifiants", then was closed (session cookie gone). */
    async function rememberedJar(): Promise<CookieJar> {
      const visitor = new Visitor(t, freshIp());
      const login = await visitor.post('/connexion', { _csrf: await visitor.csrf('/connexion'), identifiant: '12345', mot_de_passe: STRONG_PASSWORD, memoriser: '1' });
      assert.equal(login.statusCode, 303, 'control: signed in');
      assert.ok(visitor.jar.get(REMEMBER), 'control: a remember-me cookie was issued');
      visitor.jar.cookies.delete(SESSION);
      return visitor.jar;
    }

    const espacePro = (jar: CookieJar) => t.app.inject({ method: 'GET', url: '/espace-pro', headers: { cookie: jar.header() } });
    const signedIn = (res: LightMyRequestResponse) => res.statusCode === 200;

    test('S20 two tabs restoring one remembered session at the same moment: both signed in, the series alive', async () => {
      const jar = await rememberedJar();
      // Positive control: the cookie alone signs a closed browser back in.
      const control = await rememberedJar();
      assert.equal((await espacePro(control)).statusCode, 200, 'control: a remembered browser comes back signed in');

      // Both tabs leave with the same cookies; the browser's one jar takes each answer as it arrives.
      const browser = jar.clone();
      const completed: LightMyRequestResponse[] = [];
      const tab = () => espacePro(jar).then((res) => (completed.push(res), res));
      const [a, b] = await Promise.all([tab(), tab()]);
      assert.equal(a.statusCode, 200, 'first tab signed in');
      assert.equal(b.statusCode, 200, 'second tab signed in (not treated as theft)');
      // The later Set-Cookie wins; an answer that sets no remember cookie leaves the jar as it was.
      for (const res of completed) browser.store(res);
      assert.ok(browser.get(REMEMBER), 'the browser still holds a remember-me cookie');

      assert.equal((await espacePro(browser)).statusCode, 200, 'the next page, with the jar the browser holds, is signed in');
      const closedAgain = browser.clone();
      closedAgain.cookies.delete(SESSION);
      assert.equal((await espacePro(closedAgain)).statusCode, 200, 'the series is alive: the remember-me cookie alone still signs in');
    });

    test('S20 an old validator replayed after the grace revokes the whole series', async () => {
      const victim = await rememberedJar();
      const stolen = victim.get(REMEMBER)!;
      const first = await espacePro(victim);
      assert.equal(first.statusCode, 200, 'control: the victim comes back signed in');
      victim.store(first);
      const successor = victim.get(REMEMBER)!;
      assert.notEqual(successor, stolen, 'control: the cookie rotated');

      t.clock.advance(60_000);
      const thief = new CookieJar();
      thief.cookies.set(REMEMBER, stolen);
      const replay = await espacePro(thief);
      assert.ok(!signedIn(replay), `the replayed old validator is refused (${replay.statusCode})`);

      const successorOnly = new CookieJar();
      successorOnly.cookies.set(REMEMBER, successor);
      assert.ok(!signedIn(await espacePro(successorOnly)), 'the successor cookie no longer works: the series is revoked');
      assert.ok(!signedIn(await espacePro(victim)), 'the session of the series is closed too');
    });
  });
}
