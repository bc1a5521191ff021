import { randomBytes } from 'node:crypto';
import { createSecretBox } from '../../src/shared/secret-box.js';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { QUEUE_FULL_PAUSE_MS } from '../../src/plugins/errors.js';
import { ManualClock } from '../../src/shared/clock.js';
import { createArgon2Hasher } from '../../src/shared/hasher.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, createTestDatabase, csrfToken, DIALECTS, TEST_DATABASE_URL, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { floodLogins } from '../helpers/flood.js';
import { SmtpSink } from '../helpers/smtp.js';

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`abuse resistance [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url, TRUST_PROXY: '10.0.0.1' } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
      await seedAccount(t, { code: '12345' });
    });

    /** Each attempt from a fresh browser on its own IP unless told otherwise, so only the identifier counts. */
    let ipCounter = 0;
    async function attempt(identifiant: string, mot_de_passe: string, ip = `192.0.2.${(ipCounter++ % 250) + 1}`) {
      const res = await t.app.inject({ method: 'GET', url: '/connexion', remoteAddress: ip });
      const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      return t.app.inject({
        method: 'POST',
        url: '/connexion',
        remoteAddress: ip,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrfToken(res.body), identifiant, mot_de_passe }).toString(),
      });
    }

    test('S8 after 5 failures the right password is refused with the ordinary answer until the delay ends; success clears it', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await attempt('12345', 'mauvais mot de passe ' + i)).statusCode, 401);
      const during = await attempt('12345', STRONG_PASSWORD);
      assert.equal(during.statusCode, 401, 'right password refused while delayed');
      assert.match(during.body, /les connexions sont ralenties\. Réessayez dans 1 minute\./, 'S8 the refusal says to wait, and how long');
      // S6: an unknown identifier in the same state gets the very same answer.
      for (let i = 0; i < 5; i++) await attempt('99999', 'mauvais mot de passe ' + i);
      const unknown = await attempt('99999', STRONG_PASSWORD);
      const page = (res: { body: string }, code: string) => res.body.replaceAll(code, 'CODE').replace(/value="[^"]{20,}"/g, '');
      assert.equal(unknown.statusCode, during.statusCode);
      assert.equal(page(unknown, '99999'), page(during, '12345'), 'the same page for an unknown code');
      t.clock.advance(MINUTE - 1000);
      assert.equal((await attempt('12345', STRONG_PASSWORD)).statusCode, 401, 'still within the first minute');
      t.clock.advance(1000);
      assert.equal((await attempt('12345', STRONG_PASSWORD)).statusCode, 303, 'accepted after the delay');
      const row = await t.db.selectFrom('login_throttle').selectAll().where('key', '=', '12345').executeTakeFirst();
      assert.equal(row, undefined, 'counter cleared by success');
      const audit = await t.db.selectFrom('audit_log').select('event').where('event', '=', 'login.throttle').where('target', '=', '12345').execute();
      assert.equal(audit.length, 1, 'S34 the throttle is audited');
    });

    test('S8 the delay doubles up to 15 minutes and never locks for good', async () => {
      const delays: number[] = [];
      for (let failures = 5; failures <= 10; failures++) {
        while (((await t.db.selectFrom('login_throttle').select('failures').where('key', '=', '12345').executeTakeFirst())?.failures ?? 0) < failures) {
          await attempt('12345', 'encore raté');
        }
        const row = await t.db.selectFrom('login_throttle').selectAll().where('key', '=', '12345').executeTakeFirstOrThrow();
        delays.push((row.blocked_until - t.clock.now()) / MINUTE);
        t.clock.advance(row.blocked_until - t.clock.now());
      }
      assert.deepEqual(delays, [1, 2, 4, 8, 15, 15]);
      assert.equal((await attempt('12345', STRONG_PASSWORD)).statusCode, 303, 'the owner gets in once the delay is over');
    });

    test('S8 identifier variants (" 12345", full-width digits) share one counter', async () => {
      for (const variant of ['12345', ' 12345', '１２３４５', '12345 ', '\t１２３４５']) await attempt(variant, 'raté');
      const row = await t.db.selectFrom('login_throttle').selectAll().where('key', '=', '12345').executeTakeFirstOrThrow();
      assert.equal(row.failures, 5);
      assert.equal((await attempt('１２３４５', STRONG_PASSWORD)).statusCode, 401);
    });

    test('S8 an unknown identifier is throttled exactly like a known one, with identical answers', async () => {
      const known: string[] = [];
      const unknown: string[] = [];
      for (let i = 0; i < 7; i++) {
        known.push(`${(await attempt('12345', 'raté')).statusCode}`);
        unknown.push(`${(await attempt('99999', 'raté')).statusCode}`);
      }
      assert.deepEqual(unknown, known);
      const rows = await t.db.selectFrom('login_throttle').select(['key', 'failures', 'blocked_until']).orderBy('key').execute();
      assert.equal(rows.length, 2);
      assert.equal(rows[0]!.failures, rows[1]!.failures);
      assert.equal(rows[0]!.blocked_until, rows[1]!.blocked_until);
    });

    test('S9 30 failed logins per IP per 10 minutes, then a French 429 with Retry-After, even across 31 identifiers', async () => {
      for (let i = 0; i < 30; i++) assert.equal((await attempt(String(20000 + i), 'raté', '198.51.100.7')).statusCode, 401);
      const blocked = await attempt('12345', STRONG_PASSWORD, '198.51.100.7');
      assert.equal(blocked.statusCode, 429);
      assert.match(blocked.body, /Trop de tentatives/);
      assert.ok(Number(blocked.headers['retry-after']) > 0);
      assert.equal((await attempt('12345', STRONG_PASSWORD, '198.51.100.8')).statusCode, 303, 'another IP is not affected');
      t.clock.advance(10 * MINUTE);
      assert.equal((await attempt('12345', STRONG_PASSWORD, '198.51.100.7')).statusCode, 303, 'the window passes');
      const audit = await t.db.selectFrom('audit_log').select('event').where('event', '=', 'login.ip_blocked').execute();
      assert.equal(audit.length, 1, 'S34 the block is audited');
    });

    test('S9 a forged X-Forwarded-For from an untrusted peer changes nothing', async () => {
      const browser = new Browser(t.app);
      for (let i = 0; i < 31; i++) {
        const res = await browser.submit('/connexion', '/connexion', { identifiant: String(30000 + i), mot_de_passe: 'raté' }, { 'x-forwarded-for': `203.0.113.${i}` });
        assert.equal(res.statusCode, i < 30 ? 401 : 429, `attempt ${i + 1}`);
      }
    });

    test('S9 a trusted proxy’s forwarded address is honoured', async () => {
      const viaProxy = async (client: string) => {
        const page = await t.app.inject({ method: 'GET', url: '/connexion', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': client } });
        const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
        return t.app.inject({
          method: 'POST',
          url: '/connexion',
          remoteAddress: '10.0.0.1',
          headers: { cookie, 'x-forwarded-for': client, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrfToken(page.body), identifiant: '54321', mot_de_passe: 'raté' }).toString(),
        });
      };
      for (let i = 0; i < 30; i++) await viaProxy('198.51.100.20');
      assert.equal((await viaProxy('198.51.100.20')).statusCode, 429, 'the client behind the proxy is limited');
      assert.equal((await viaProxy('198.51.100.21')).statusCode, 401, 'another client behind the same proxy is not');
      const audit = await t.db.selectFrom('audit_log').select('ip').where('event', '=', 'login.failure').orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(audit.ip, '198.51.100.21');
    });

    test('S8 after 10 consecutive failures the holder gets one French notice mail, at most one per day', async () => {
      for (let i = 0; i < 14; i++) {
        await attempt('12345', 'raté');
        const row = await t.db.selectFrom('login_throttle').selectAll().where('key', '=', '12345').executeTakeFirst();
        if (row && row.blocked_until > t.clock.now()) t.clock.advance(row.blocked_until - t.clock.now());
      }
      await t.outbox.drain();
      const alerts = smtp.messages.filter((m) => /Tentatives de connexion/.test(m.subject ?? ''));
      assert.equal(alerts.length, 1);
      assert.match(alerts[0]!.text ?? '', /10 tentatives de connexion infructueuses/);
      assert.doesNotMatch(alerts[0]!.text ?? '', /token|raté/);
    });

    test('S1/S10 a 1 MB password is refused quickly, without hashing', async () => {
      const browser = new Browser(t.app);
      const page = await browser.get('/connexion');
      t.hasher.verifyCalls = 0;
      const start = performance.now();
      const res = await browser.post('/connexion', { _csrf: csrfToken(page.body), identifiant: '12345', mot_de_passe: 'x'.repeat(1024 * 1024) });
      const elapsed = performance.now() - start;
      assert.ok([400, 413].includes(res.statusCode), String(res.statusCode));
      assert.match(res.body, /<html lang="fr">/);
      assert.equal(t.hasher.verifyCalls, 0);
      // Bounded by the body limit and schema, far below one argon2 verification even on a busy machine.
      assert.ok(elapsed < 1000, `${elapsed.toFixed(0)} ms`);
    });
  });
}

describe('S10 bounded hashing', () => {
  test('S10 beyond the bounded queue, logins get the 429 page after a pause, while pages are served at once', async () => {
    const database = await createTestDatabase('sqlite');
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const hasher = createArgon2Hasher({ concurrency: 1, maxQueue: 2 });
    const app = await buildApp({ config, db: database.db, dialect: 'sqlite', clock: new ManualClock(), hasher, secrets: createSecretBox([randomBytes(32)]) });
    try {
      const browser = new Browser(app);
      const token = csrfToken((await browser.get('/connexion')).body);
      const start = performance.now();
      const attempts = Array.from({ length: 12 }, (_, i) =>
        browser.post('/connexion', { _csrf: token, identifiant: String(40000 + i), mot_de_passe: 'un mauvais mot de passe' }).then((r) => ({ r, ms: performance.now() - start })),
      );
      // While the refusals wait, the event loop is free: a page is served at once.
      await new Promise((r) => setTimeout(r, 100));
      const pageStart = performance.now();
      assert.equal((await new Browser(app).get('/connexion')).statusCode, 200);
      const pageMs = performance.now() - pageStart;
      const results = await Promise.all(attempts);
      const refused = results.filter((x) => x.r.statusCode === 429);
      assert.ok(refused.length > 0 && results.some((x) => x.r.statusCode === 401), results.map((x) => x.r.statusCode).join(','));
      assert.match(refused[0]!.r.body, /Trop de tentatives/);
      assert.ok(Math.min(...refused.map((x) => x.ms)) >= QUEUE_FULL_PAUSE_MS * 0.5, `the first refusal came after ${Math.min(...refused.map((x) => x.ms)).toFixed(0)} ms`);
      assert.ok(pageMs < QUEUE_FULL_PAUSE_MS * 0.5, `the page took ${pageMs.toFixed(0)} ms`);
    } finally {
      await app.close();
      await database.close();
    }
  });

  test('while 200 concurrent wrong-password logins hammer the server, the login page and the signed-in page keep answering', async () => {
    const t = await buildTestApp('sqlite');
    try {
      await seedAccount(t, { code: '12345' });
      const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
      const signedIn = new Browser(t.app);
      await signedIn.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const cookie = signedIn.jar.header();
      const page = await fetch(`${address}/connexion`);
      const csrfCookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const token = csrfToken(await page.text());
      const flood = floodLogins(address, 200, csrfCookie, token).done;
      await new Promise((r) => setTimeout(r, 200));
      const probes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        const [login, home] = await Promise.all([fetch(`${address}/connexion`), fetch(`${address}/espace-pro`, { headers: { cookie } })]);
        probes.push(performance.now() - start);
        assert.equal(login.status, 200);
        assert.equal(home.status, 200);
      }
      const statuses = await flood;
      assert.ok(statuses.every((s) => s === 401 || s === 429), [...new Set(statuses)].join(','));
      const worst = Math.max(...probes);
      assert.ok(worst < 1000, `pages answered within ${worst.toFixed(0)} ms during the flood`);
    } finally {
      await t.close();
    }
  });
});

describe('shared counters across instances', { skip: TEST_DATABASE_URL ? false : 'PostgreSQL suite skipped (TEST_DATABASE_URL not set)' }, () => {
  test('two app instances on one PostgreSQL database share the throttle and IP counters', async () => {
    const database = await createTestDatabase('postgres');
    const clock = new ManualClock();
    const second = openDatabase({ databaseUrl: TEST_DATABASE_URL, pgSchema: database.schema!, pgPoolSize: 3 });
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    // Instances share SECRETS_KEY (docs/operations.md): the second opens the provider keys the first sealed.
    const secrets = createSecretBox([randomBytes(32)]);
    const a = await buildApp({ config, db: database.db, dialect: 'postgres', clock, hasher: createArgon2Hasher(), secrets });
    const b = await buildApp({ config, db: second.db, dialect: 'postgres', clock, hasher: createArgon2Hasher(), secrets });
    try {
      const t = { db: database.db, clock, hasher: Object.assign(createArgon2Hasher(), { verifyCalls: 0, hashCalls: 0, verified: [] }) } as unknown as TestApp;
      await seedAccount(t, { code: '12345' });
      for (let i = 0; i < 5; i++) {
        const app = i % 2 === 0 ? a : b;
        await new Browser(app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: 'raté ' + i });
      }
      assert.equal((await new Browser(a).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD })).statusCode, 401);
      assert.equal((await new Browser(b).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD })).statusCode, 401);
      const rows = await database.db.selectFrom('rate_limits').selectAll().where('key', 'like', 'login-ip:%').execute();
      assert.equal(rows.length, 1, 'one IP limit row for both instances');
      assert.equal(JSON.parse(rows[0]!.hits).length, 7, 'one IP limit fed by both instances');
    } finally {
      await a.close();
      await b.close();
      await second.close();
      await database.close();
    }
  });
});
