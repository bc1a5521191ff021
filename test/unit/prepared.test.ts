import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDatabase, withStatementCache } from '../../src/db/database.js';
import { prepareQuery } from '../../src/db/prepared.js';
import SQLite from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import { createTestDatabase, DIALECTS, TEST_DATABASE_URL, type TestDatabase } from '../helpers/app.js';

const byCodeAndEmail = prepareQuery((db, p: { code: string; email: string }) =>
  db.selectFrom('companies').select(['id', 'name as company']).where(sql<string>`lower(name) || '@x.fr'`, '=', p.email).where('code', '=', p.code).where('disabled_at', 'is', null).limit(1),
);
const accountByCodeAndEmail = (db: Kysely<DB>, code: string, email: string) => byCodeAndEmail(db, { code, email });

for (const dialect of DIALECTS) {
  describe(`queries compiled once (${dialect})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
      const now = Date.now();
      for (const [code, company] of [
        ['11111', 'Un'],
        ['22222', 'Deux'],
      ]) {
        await database.db.insertInto('companies').values({ code, name: company, holder_account_id: null, created_at: now, updated_at: now, disabled_at: null }).execute();
      }
    });
    after(() => database.close());

    test('each run binds its own arguments, in their order, to the compiled query', async () => {
      assert.deepEqual((await accountByCodeAndEmail(database.db, '11111', 'un@x.fr')).map((r) => r.company), ['Un']);
      assert.deepEqual((await accountByCodeAndEmail(database.db, '22222', 'deux@x.fr')).map((r) => r.company), ['Deux']);
      assert.deepEqual(await accountByCodeAndEmail(database.db, '22222', 'un@x.fr'), []);
    });

    test('S27 an argument is a bound parameter, never SQL', async () => {
      assert.deepEqual(await accountByCodeAndEmail(database.db, "11111' OR '1'='1", "x' OR '1'='1"), []);
    });

    test('it runs inside a transaction too, and sees what the transaction wrote', async () => {
      const rows = await database.db.transaction().execute(async (trx) => {
        await trx.updateTable('companies').set({ name: 'Un bis' }).where('code', '=', '11111').execute();
        return accountByCodeAndEmail(trx, '11111', 'un bis@x.fr');
      });
      assert.equal(rows[0]?.company, 'Un bis');
    });
  });
}

describe('PostgreSQL named statements', { skip: TEST_DATABASE_URL ? false : 'PostgreSQL suite skipped (TEST_DATABASE_URL not set)' }, () => {
  test('a query compiled once is also parsed once per connection: it runs as a named prepared statement', async () => {
    const database = await createTestDatabase('postgres');
    const single = openDatabase({ databaseUrl: TEST_DATABASE_URL, pgSchema: database.schema!, pgPoolSize: 1 });
    try {
      await accountByCodeAndEmail(single.db, '33333', 'x@x.fr');
      assert.deepEqual(await accountByCodeAndEmail(single.db, '33333', 'x@x.fr'), []);
      const { rows } = await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements`.execute(single.db);
      const mine = rows.find((r) => r.statement.includes(`lower(name) || '@x.fr' = $1`));
      assert.match(mine?.name ?? '', /^ep_\d+$/, JSON.stringify(rows));
    } finally {
      await single.close();
      await database.close();
    }
  });
});

describe('SQLite statement cache', () => {
  test('a statement is compiled once per SQL text and the cache stays bounded', () => {
    const sqlite = new SQLite(':memory:');
    const cached = withStatementCache(sqlite, 2);
    const a = cached.prepare('SELECT 1');
    assert.equal(cached.prepare('SELECT 1'), a);
    cached.prepare('SELECT 2');
    cached.prepare('SELECT 3');
    assert.notEqual(cached.prepare('SELECT 1'), a, 'the oldest statement was evicted');
    assert.deepEqual(cached.prepare('SELECT 1 AS n').get(), { n: 1 });
    cached.close();
  });
});
