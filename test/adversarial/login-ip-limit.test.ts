import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { clientKey, LIMITS } from '../../src/modules/auth-core/limits.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { buildTestApp, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { freshIp, Visitor } from './support.js';

/**
 * S36 S9, the per-client login limit itself under parallel attempts: the attempts come from ONE
 * address, each for a different unknown code (so no per-identifier throttle interferes), and the
 * test counts what the limit let through against what it recorded. A reservation that reads
 * first and writes later (check-then-act) lets several attempts through at the boundary, or
 * loses writes: both are red here.
 */
for (const dialect of DIALECTS) {
  describe(`S36 S9 the per-IP login limit under concurrency [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => {
      await resetDatabase(t.db, dialect);
      t.hasher.verified.length = 0;
    });

    async function loginForms(ip: string, n: number) {
      return Promise.all(
        Array.from({ length: n }, async () => {
          const visitor = new Visitor(t, ip);
          const token = await visitor.csrf('/connexion');
          return (identifiant: string, mot_de_passe: string) => visitor.post('/connexion', { _csrf: token, identifiant, mot_de_passe });
        }),
      );
    }
    const recordedUses = async (ip: string) => {
      const row = await t.db.selectFrom('rate_limits').select('hits').where('key', '=', `${LIMITS.loginFailuresPerIp.name}:${clientKey(ip)}`).executeTakeFirst();
      return row ? (JSON.parse(row.hits) as number[]).length : 0;
    };

    test('S36 S9 with 29 of 30 failures used, 40 parallel wrong logins from that address let exactly one through, and it is recorded', async () => {
      const ip = freshIp();
      const sequential = await loginForms(ip, 29);
      for (const [i, send] of sequential.entries()) assert.notEqual((await send(String(70000 + i), 'mauvais mot de passe')).statusCode, 429, `failure ${i + 1} of 30 is answered normally`);
      assert.equal(await recordedUses(ip), 29, 'positive control: 29 uses recorded');
      t.hasher.verified.length = 0;

      const forms = await loginForms(ip, 40);
      const answers = await Promise.all(forms.map((send, i) => send(String(80000 + i), `mauvais mot de passe ${i}`)));
      const through = answers.filter((a) => a.statusCode !== 429).length;
      assert.equal(through, 1, `exactly one of 40 reaches the check (got ${through})`);
      assert.equal(t.hasher.verified.length, 1, 'exactly one password check');
      assert.equal(await recordedUses(ip), 30, 'the one let through is recorded: the limit is full');
      for (const a of answers.filter((x) => x.statusCode === 429)) assert.match(a.body, /Trop de tentatives/);
      // And the next one, after them all, is refused too.
      assert.equal((await (await loginForms(ip, 1))[0]!('79999', 'encore')).statusCode, 429);
    });

    test('S36 S9 from an empty window, 90 parallel wrong logins from one address: at most 30 checked, and every one checked is recorded (no lost write)', async () => {
      const ip = freshIp();
      const forms = await loginForms(ip, 90);
      const answers = await Promise.all(forms.map((send, i) => send(String(60000 + i), `mauvais mot de passe ${i}`)));
      const through = answers.filter((a) => a.statusCode !== 429).length;
      assert.ok(through <= 30, `${through} of 90 reached the check (at most 30)`);
      assert.equal(t.hasher.verified.length, through, 'a 429 checks nothing; each other attempt is checked once');
      assert.equal(await recordedUses(ip), through, 'every attempt let through is recorded');
      assert.equal(through, 30, 'the limit is used to the full, not refused early');
    });

    test('S9 positive control: the right password from another address signs in while one address is blocked', async () => {
      await seedAccount(t, { code: '12345' });
      const blocked = freshIp();
      const forms = await loginForms(blocked, 31);
      for (const [i, send] of forms.entries()) await send(String(50000 + i), 'mauvais');
      assert.equal((await (await loginForms(blocked, 1))[0]!('12345', STRONG_PASSWORD)).statusCode, 429, 'even the right password, from the blocked address');
      assert.equal((await (await loginForms(freshIp(), 1))[0]!('12345', STRONG_PASSWORD)).statusCode, 303);
    });
  });
}
