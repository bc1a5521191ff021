import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../../src/db/database.js';
import type { DB } from '../../src/db/schema.js';

/** Tables a reset leaves alone by default: the server's own secrets (the CSRF key is loaded at start). */
const ALWAYS_KEPT = ['settings'];

/**
 * Empties every table of the application between tests, found in the database catalogue (so a
 * new table is never forgotten), except `keep` and the server's settings. Foreign keys are
 * ignored for the purge: SQLite turns their checks off for it, PostgreSQL truncates them together.
 */
export async function resetDatabase(db: Kysely<DB>, dialect: DialectName, options: { keep?: readonly string[] } = {}): Promise<void> {
  const keep = new Set([...ALWAYS_KEPT, ...(options.keep ?? [])]);
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'kysely_%' and name not like 'sqlite_%'`.execute(db);
    await sql`pragma foreign_keys = off`.execute(db);
    try {
      for (const { name } of rows) if (!keep.has(name)) await sql`delete from ${sql.table(name)}`.execute(db);
    } finally {
      await sql`pragma foreign_keys = on`.execute(db);
    }
    return;
  }
  const { rows } = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = current_schema() and tablename not like 'kysely_%'`.execute(db);
  const tables = rows.map((r) => r.tablename).filter((name) => !keep.has(name));
  if (tables.length > 0) await sql`truncate ${sql.join(tables.map((name) => sql.table(name)))} restart identity cascade`.execute(db);
}
