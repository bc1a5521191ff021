import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../../src/db/database.js';

/**
 * Empties every table of a test database between tests, whatever the schema is today: the list
 * comes from the database catalogue (not a hand-kept list that a new or renamed table would
 * escape), Kysely's own migration tables excepted. Foreign keys would make the order matter, so
 * SQLite deletes with them off and PostgreSQL truncates everything in one CASCADE statement.
 */
export async function resetDatabase(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'kysely_%' and name not like 'sqlite_%'`.execute(db);
    await sql`PRAGMA foreign_keys = OFF`.execute(db);
    try {
      for (const { name } of rows) await sql`delete from ${sql.table(name)}`.execute(db);
    } finally {
      await sql`PRAGMA foreign_keys = ON`.execute(db);
    }
    return;
  }
  const { rows } = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = current_schema() and tablename not like 'kysely_%'`.execute(db);
  if (rows.length === 0) return;
  await sql`truncate ${sql.join(rows.map((r) => sql.table(r.tablename)))} restart identity cascade`.execute(db);
}
