import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { enqueueMail } from '../../src/modules/mail/mail.service.js';
import { createMetrics, type Metrics } from '../../src/modules/metrics/metrics.js';
import { startMetricsServer } from '../../src/modules/metrics/metrics.server.js';
import { LIMITS, reserveLimit } from '../../src/modules/auth-core/limits.js';
import { ManualClock } from '../../src/shared/clock.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { buildTestApp, createTestDatabase, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';

/** The value of one series in the exposition, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v) && Object.keys(found).length === Object.keys(labels).length) return Number(match[3]);
  }
  return undefined;
}

for (const dialect of DIALECTS) {
  describe(`Prometheus metrics [${dialect}]`, () => {
    let t: TestApp;
    let metrics: Metrics;
    before(async () => {
      // The app needs its metrics before it exists, the metrics need the app's database: as in
      // server.ts, the app gets the counters, the scrape reads the same database, clock and hasher.
      t = await buildTestApp(dialect, {
        deps: {
          metrics: {
            observeRequest: (...args) => metrics.app.observeRequest(...args),
            countLogin: (outcome) => metrics.app.countLogin(outcome),
          },
        },
      });
      metrics = createMetrics({ db: t.db, clock: t.clock, hasher: t.hasher });
    });
    after(async () => {
      await t.close();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
    });

    async function login(identifiant: string, motDePasse: string, ip: string) {
      const page = await t.app.inject({ method: 'GET', url: '/connexion', remoteAddress: ip });
      return t.app.inject({
        method: 'POST',
        url: '/connexion',
        remoteAddress: ip,
        headers: { cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrfToken(page.body), identifiant, mot_de_passe: motDePasse }).toString(),
      });
    }

    test('requests by route pattern (never the raw URL), method and status class, with a latency histogram', async () => {
      const before = await metrics.render();
      const initial = sample(before, 'espace_pro_http_requests_total', { route: '/connexion', method: 'GET', status_class: '2xx' }) ?? 0;
      assert.equal((await t.app.inject({ method: 'GET', url: '/connexion' })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'GET', url: '/connexion?next=%2Fespace-pro' })).statusCode, 200);
      assert.equal(Math.floor((await t.app.inject({ method: 'GET', url: '/back-office/demandes/4242' })).statusCode / 100), 3, 'staff only: redirected');
      assert.equal((await t.app.inject({ method: 'GET', url: '/wp-admin/secret-9c1e.php' })).statusCode, 404);
      const text = await metrics.render();
      assert.equal(sample(text, 'espace_pro_http_requests_total', { route: '/connexion', method: 'GET', status_class: '2xx' }), initial + 2);
      assert.equal(sample(text, 'espace_pro_http_requests_total', { route: '/back-office/demandes/:id', method: 'GET', status_class: '3xx' }), 1);
      assert.ok((sample(text, 'espace_pro_http_requests_total', { route: 'unmatched', method: 'GET', status_class: '4xx' }) ?? 0) >= 1, '404s share one series');
      const labelSets = text.split('\n').map((line) => /\{(.*)\}/.exec(line)?.[1] ?? '').join('\n');
      assert.doesNotMatch(labelSets, /4242|secret-9c1e|next=/, 'no raw URL in any label');
      assert.equal(sample(text, 'espace_pro_http_request_duration_seconds_count', { route: '/connexion', method: 'GET', status_class: '2xx' }), initial + 2);
      assert.equal(sample(text, 'espace_pro_http_request_duration_seconds_bucket', { route: '/connexion', method: 'GET', status_class: '2xx', le: '+Inf' }), initial + 2);
      assert.match(text, /^# TYPE espace_pro_http_request_duration_seconds histogram$/m);
      assert.match(text, /^process_resident_memory_bytes \d+/m, 'process metrics too');
    });

    test('logins by outcome: success, failure, throttled, ip_blocked; a 429 counts as a throttled request', async () => {
      await seedAccount(t, { code: '12345' });
      const before = await metrics.render();
      const logins = (text: string, outcome: string) => sample(text, 'espace_pro_logins_total', { outcome }) ?? 0;
      const throttled = (text: string) => sample(text, 'espace_pro_throttled_requests_total', { route: '/connexion' }) ?? 0;

      assert.equal((await login('12345', STRONG_PASSWORD, '192.0.2.1')).statusCode, 303);
      for (let i = 0; i < 5; i++) assert.equal((await login('12345', `mauvais ${i}`, `192.0.2.${10 + i}`)).statusCode, 401);
      assert.equal((await login('12345', STRONG_PASSWORD, '192.0.2.20')).statusCode, 401, 'delayed after 5 failures');
      for (let i = 0; i < LIMITS.loginFailuresPerIp.max; i++) await reserveLimit(t.db, t.clock, LIMITS.loginFailuresPerIp, '192.0.2.99');
      assert.equal((await login('54321', 'peu importe', '192.0.2.99')).statusCode, 429);

      const text = await metrics.render();
      assert.equal(logins(text, 'success') - logins(before, 'success'), 1);
      assert.equal(logins(text, 'failure') - logins(before, 'failure'), 5);
      assert.equal(logins(text, 'throttled') - logins(before, 'throttled'), 1);
      assert.equal(logins(text, 'ip_blocked') - logins(before, 'ip_blocked'), 1);
      assert.equal(throttled(text) - throttled(before), 1);
    });

    test('outbox depth, age of the oldest waiting mail and failed mails are read from the database at scrape time; hash queue length', async () => {
      let text = await metrics.render();
      assert.equal(sample(text, 'espace_pro_database_up'), 1);
      assert.equal(sample(text, 'espace_pro_outbox_queue_depth'), 0);
      assert.equal(sample(text, 'espace_pro_outbox_oldest_pending_age_seconds'), 0);
      assert.equal(sample(text, 'espace_pro_password_hash_queue_length'), 0);

      const mail = { kind: 'test', accountId: null, subject: 'Bonjour', text: 'Texte', html: '<p>Texte</p>' };
      await enqueueMail(t.db, t.clock, { ...mail, to: 'a@example.fr' });
      t.clock.advance(30_000);
      await enqueueMail(t.db, t.clock, { ...mail, to: 'b@example.fr' });
      const failed = await enqueueMail(t.db, t.clock, { ...mail, to: 'c@example.fr' });
      await t.db.updateTable('outbox').set({ status: 'failed' }).where('id', '=', failed).execute();
      t.clock.advance(60_000);
      text = await metrics.render();
      assert.equal(sample(text, 'espace_pro_outbox_queue_depth'), 2);
      assert.equal(sample(text, 'espace_pro_outbox_oldest_pending_age_seconds'), 90);
      assert.equal(sample(text, 'espace_pro_outbox_failed_messages'), 1);
    });

    test('the metrics port answers GET /metrics in the Prometheus text format, 404 elsewhere', async () => {
      const server = await startMetricsServer(metrics, { port: 0, host: '127.0.0.1', logger: { error() {} } });
      try {
        const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
        assert.match(await res.text(), /^espace_pro_database_up 1$/m);
        assert.equal((await fetch(`http://127.0.0.1:${server.port}/`)).status, 404);
        assert.equal((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status, 404);
      } finally {
        await server.close();
      }
    });
  });
}

describe('metrics without a database [sqlite]', () => {
  test('the scrape still answers: database_up 0 and the outbox gauges NaN', async () => {
    const database = await createTestDatabase('sqlite');
    await database.close();
    const metrics = createMetrics({ db: database.db, clock: new ManualClock(), hasher: { queueLength: () => 3 } as never });
    const text = await metrics.render();
    assert.equal(sample(text, 'espace_pro_database_up'), 0);
    assert.ok(Number.isNaN(sample(text, 'espace_pro_outbox_queue_depth')));
    assert.equal(sample(text, 'espace_pro_password_hash_queue_length'), 3);
  });
});
