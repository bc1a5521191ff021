import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type LogConfig, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { preparedStatementNames } from './prepared.js';
import type { DB } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: DialectName;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL, or null for SQLite. */
  databaseUrl: string | null;
  /** SQLite file path, or ':memory:'. */
  sqliteFile?: string;
  /** PostgreSQL schema to work in (tests give each run its own). */
  pgSchema?: string;
  pgPoolSize?: number;
  /** Sees the SQL of every statement run (tests that count the queries of a page). */
  onQuery?: (sql: string) => void;
}

// PostgreSQL returns bigint columns as strings; every bigint here is an epoch-ms time or an id,
// both far below 2^53, so numbers are exact.
const PG_INT8_OID = 20;
const pgTypes = {
  getTypeParser: (oid: number, format?: any) =>
    oid === PG_INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
};

function queryLog(options: DatabaseOptions): LogConfig | undefined {
  const onQuery = options.onQuery;
  if (!onQuery) return undefined;
  return (event) => {
    if (event.level === 'query') onQuery(event.query.sql);
  };
}

export function openDatabase(options: DatabaseOptions): Database {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.pgPoolSize ?? 10,
      types: pgTypes,
      connectionTimeoutMillis: 5000,
      ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
    });
    // An idle client losing its server (PostgreSQL restart) must not crash the process.
    pool.on('error', () => {});
    // Nor may a client that is checked out (a query or transaction in flight): pg also emits
    // 'error' on the client itself, which nobody listens to while the pool has lent it, and an
    // unheard 'error' event kills the process. The query still fails (the page answers 503), and
    // the broken client is dropped when it goes back to the pool.
    pool.on('connect', (client) => {
      client.on('error', () => {});
      // The queries compiled once (prepared.ts) run as named statements: PostgreSQL parses and
      // plans each once per connection. Every other query goes through unchanged.
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((...args: unknown[]) => {
        const [text, values, ...rest] = args;
        const name = typeof text === 'string' ? preparedStatementNames.get(text) : undefined;
        return name ? query({ name, text, values }, ...rest) : query(...args);
      }) as typeof client.query;
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: queryLog(options) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const file = options.sqliteFile ?? ':memory:';
  if (file !== ':memory:') {
    // S40: the database holds password hashes and session digests: owner only. A folder we create
    // is 0700; an existing one is the operator's (it may be a shared parent) and is left as it is.
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    fs.chmodSync(file, 0o600);
  }
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // SQLite gives -wal and -shm the main file's mode when it creates them; older ones are tightened here.
  if (file !== ':memory:') for (const suffix of ['-wal', '-shm']) if (fs.existsSync(file + suffix)) fs.chmodSync(file + suffix, 0o600);
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // A 32 MB page cache keeps a million-session table fast to look up. (Memory-mapped reads were
  // tried: they count in the resident memory and took the benchmark to the 300 MB limit.)
  sqlite.pragma('cache_size = -32000');
  sqlite.pragma('temp_store = MEMORY');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), log: queryLog(options) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/**
 * Kysely prepares every query anew, and better-sqlite3 compiles SQL on each prepare(): that was
 * a third of the signed-in page's time. Compiled statements are kept, by SQL text, up to `max`
 * (queries with a variable number of parameters make new texts). Reusing one is safe here: a
 * statement runs to completion synchronously, and nothing streams rows.
 */
export function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SQLite.Statement {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (statements.size >= max) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
