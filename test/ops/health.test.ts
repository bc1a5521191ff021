import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { buildTestApp, DIALECTS, type TestApp } from '../helpers/app.js';

async function rowCounts(t: TestApp) {
  const count = async (table: 'audit_log' | 'sessions' | 'rate_limits') =>
    Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { audit: await count('audit_log'), sessions: await count('sessions'), counters: await count('rate_limits') };
}

for (const dialect of DIALECTS) {
  describe(`health and readiness [${dialect}]`, () => {
    let t: TestApp;
    let draining = false;
    before(async () => {
      t = await buildTestApp(dialect, { deps: { isDraining: () => draining } });
    });
    after(async () => {
      await t.close();
    });

    test('/healthz: 200 {"status":"ok"}, JSON, no-store, no cookie, nothing written', async () => {
      const before = await rowCounts(t);
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await t.app.inject({ method, url: '/healthz' });
        assert.equal(res.statusCode, 200, method);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.equal(res.headers['set-cookie'], undefined);
        if (method === 'GET') assert.deepEqual(res.json(), { status: 'ok' });
      }
      assert.deepEqual(await rowCounts(t), before);
    });

    test('/readyz: 200 when the database answers and every migration is applied; no cookie, nothing written', async () => {
      const before = await rowCounts(t);
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ready' });
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['set-cookie'], undefined);
      assert.deepEqual(await rowCounts(t), before);
    });

    test('/readyz: 503 while shutting down, so the load balancer stops sending traffic; /healthz stays 200', async () => {
      draining = true;
      try {
        const res = await t.app.inject({ method: 'GET', url: '/readyz' });
        assert.equal(res.statusCode, 503);
        assert.deepEqual(res.json(), { status: 'shutting_down' });
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      } finally {
        draining = false;
      }
    });

    test('/readyz: 503 with the reason when a migration is not applied', async () => {
      const removed = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration where name = '004_staff'`.execute(t.db);
      await sql`delete from kysely_migration where name = '004_staff'`.execute(t.db);
      try {
        const res = await t.app.inject({ method: 'GET', url: '/readyz' });
        assert.equal(res.statusCode, 503);
        assert.deepEqual(res.json(), { status: 'unavailable', database: 'ok', migrations: 'pending' });
        assert.equal(res.headers['cache-control'], 'no-store');
      } finally {
        const row = removed.rows[0]!;
        await sql`insert into kysely_migration (name, timestamp) values (${row.name}, ${row.timestamp})`.execute(t.db);
      }
      assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    });
  });
}

describe('readiness without a database [sqlite]', () => {
  test('/readyz: 503 "unreachable" when the database is gone, /healthz still 200', async () => {
    const t = await buildTestApp('sqlite');
    try {
      await t.db.destroy();
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), { status: 'unavailable', database: 'unreachable', migrations: 'unknown' });
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    } finally {
      await t.app.close();
    }
  });
});
