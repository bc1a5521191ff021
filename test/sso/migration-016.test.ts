import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { type Kysely, Migrator, PostgresAdapter, sql } from 'kysely';
import pg from 'pg';
import { type DialectName, openDatabase } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import { clientMetadata } from '../../src/modules/sso/sso.clients.service.js';
import { DIALECTS, TEST_DATABASE_URL } from '../helpers/app.js';

/** An empty database (in-memory SQLite, or a PostgreSQL schema of its own), not migrated yet. */
async function emptyDatabase(dialect: DialectName) {
  if (dialect === 'sqlite') return { ...openDatabase({ databaseUrl: null, sqliteFile: ':memory:' }), drop: async () => {} };
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL! });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const database = openDatabase({ databaseUrl: TEST_DATABASE_URL, pgSchema: schema, pgPoolSize: 2 });
  return {
    ...database,
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL! });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

async function migrator(db: Kysely<any>) {
  let migrationTableSchema: string | undefined;
  if (db.getExecutor().adapter instanceof PostgresAdapter) migrationTableSchema = (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]!.s;
  return new Migrator({ db, migrationTableSchema, provider: { getMigrations: async () => migrations } });
}

for (const dialect of DIALECTS) {
  describe(`migration 016_client_pkce from a database filled at 012 (${dialect})`, () => {
    test('S41 every application registered before the migration keeps PKCE required; down and up again work', async () => {
      const database = await emptyDatabase(dialect);
      const db = database.db as Kysely<any>;
      try {
        const m = await migrator(db);
        assert.equal((await m.migrateTo('012_staff_reenrolment')).error, undefined);
        await db
          .insertInto('oidc_clients')
          .values({
            client_id: 'avant-016',
            name: 'Boutique pro',
            secret_hash: 'a'.repeat(64),
            redirect_uris: JSON.stringify(['https://shop.example.fr/callback']),
            post_logout_redirect_uris: '[]',
            backchannel_logout_uri: null,
            home_url: null,
            auth_method: 'client_secret_post',
            id_token_alg: 'ES256',
            created_at: 1,
            disabled_at: null,
          })
          .execute();
        const latest = await m.migrateToLatest();
        assert.equal(latest.error, undefined);
        assert.ok(latest.results!.some((r) => r.migrationName === '016_client_pkce' && r.status === 'Success'));
        const row = await db.selectFrom('oidc_clients').select(['client_id', 'pkce_required']).executeTakeFirstOrThrow();
        assert.equal(Number(row.pkce_required), 1);
        assert.equal((await clientMetadata(database.db, 'avant-016'))!.espace_pro_pkce_optional, false);
        // Down, then up again: the column goes and comes back with the same default.
        assert.equal((await m.migrateDown()).error, undefined);
        assert.equal((await m.migrateToLatest()).error, undefined);
        assert.equal(Number((await db.selectFrom('oidc_clients').select('pkce_required').executeTakeFirstOrThrow()).pkce_required), 1);
      } finally {
        await database.close();
        await database.drop();
      }
    });
  });
}
