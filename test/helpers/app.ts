import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { type Kysely, Migrator, PostgresAdapter, sql } from 'kysely';
import { migrations } from '../../src/db/migrations/index.js';
import pg from 'pg';
import { type AppDeps, buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { type DialectName, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { DB } from '../../src/db/schema.js';
import { ManualClock } from '../../src/shared/clock.js';
import { createArgon2Hasher, type PasswordHasher } from '../../src/shared/hasher.js';
import { createSecretBox, type SecretBox } from '../../src/shared/secret-box.js';
import { type BackgroundJobs, createBackgroundJobs } from '../../src/jobs.js';
import { fileTransport, smtpTransport } from '../../src/modules/mail/transport.js';
import os from 'node:os';
import path from 'node:path';

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || null;
export const DIALECTS: DialectName[] = TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** A hasher that counts its calls, to prove S7 (one verification per attempt, whatever the case). */
export interface CountingHasher extends PasswordHasher {
  verifyCalls: number;
  hashCalls: number;
  /** The PHC string of every verification, in order: tells checks of a real hash from the dummy (S7). */
  verified: string[];
}

export function countingHasher(inner: PasswordHasher = createArgon2Hasher()): CountingHasher {
  const count = (phc: string) => {
    counter.verifyCalls++;
    counter.verified.push(phc);
  };
  const counter: CountingHasher = {
    verifyCalls: 0,
    hashCalls: 0,
    verified: [],
    hash: async (password) => {
      counter.hashCalls++;
      return inner.hash(password);
    },
    verify: async (phc, password) => {
      count(phc);
      return inner.verify(phc, password);
    },
    admit: () => {
      const slot = inner.admit();
      return {
        verify: (phc, password) => {
          count(phc);
          return slot.verify(phc, password);
        },
        release: () => slot.release(),
      };
    },
    needsRehash: (phc) => inner.needsRehash(phc),
    queueLength: () => inner.queueLength(),
    saturated: () => inner.saturated(),
  };
  return counter;
}

export interface TestDatabase {
  db: Kysely<DB>;
  dialect: DialectName;
  close(): Promise<void>;
}

/**
 * Upgrade tests: the database is first migrated up to `upTo` only, filled by `fill` as the
 * product left it then, and only then brought to the latest migration.
 */
export interface FilledBefore {
  upTo: string;
  fill(db: Kysely<any>): Promise<void>;
}

async function migrateFilled(db: Kysely<DB>, before?: FilledBefore): Promise<void> {
  if (before) {
    const migrator = new Migrator({ db, migrationTableSchema: await currentSchema(db), provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateTo(before.upTo);
    if (error) throw error;
    await before.fill(db as Kysely<any>);
  }
  await migrateToLatest(db);
}

async function currentSchema(db: Kysely<DB>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  return (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema;
}

/** A fresh, migrated database: in-memory SQLite, or a PostgreSQL schema of its own, dropped on close. */
export async function createTestDatabase(dialect: DialectName, before?: FilledBefore, onQuery?: (sql: string) => void): Promise<TestDatabase & { url: string | null; schema: string | null }> {
  if (dialect === 'sqlite') {
    const database = openDatabase({ databaseUrl: null, sqliteFile: ':memory:', onQuery });
    await migrateFilled(database.db, before);
    return { ...database, url: null, schema: null };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL! });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const database = openDatabase({ databaseUrl: TEST_DATABASE_URL, pgSchema: schema, pgPoolSize: 5, onQuery });
  await migrateFilled(database.db, before);
  return {
    db: database.db,
    dialect,
    url: TEST_DATABASE_URL,
    schema,
    close: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL! });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  db: Kysely<DB>;
  dialect: DialectName;
  clock: ManualClock;
  hasher: CountingHasher;
  secrets: SecretBox;
  config: Config;
  /** The background jobs, driven by hand: `await t.outbox.drain()` matches reset requests and delivers what is due. */
  outbox: BackgroundJobs;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  logger?: unknown;
  /** Extra routes for a test, added before the app is sealed. */
  extraRoutes?: (app: FastifyInstance) => void;
  /** Optional infrastructure: metrics, shutdown flag. */
  deps?: Pick<AppDeps, 'metrics' | 'isDraining'>;
  /** An upgrade test: the database filled at an earlier migration (see FilledBefore). */
  before?: FilledBefore;
  /** Sees every SQL statement the app runs (query-count tests). */
  onQuery?: (sql: string) => void;
}

export async function buildTestApp(dialect: DialectName, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase(dialect, options.before, options.onQuery);
  const config = loadConfig({ PUBLIC_URL: 'http://localhost:3000', LOG_LEVEL: 'silent', ...options.env });
  const clock = new ManualClock();
  const hasher = countingHasher();
  const secrets = createSecretBox([randomBytes(32)]);
  const app = await buildApp({ config, db: database.db, dialect, clock, hasher, secrets, ...options.deps }, { logger: options.logger as never });
  options.extraRoutes?.(app);
  await app.ready();
  const silent = { info() {}, warn() {}, error() {} };
  // The same jobs the server starts, driven by hand: `await t.outbox.drain()` matches pending
  // reset requests and delivers what is due.
  const outbox = createBackgroundJobs({
    db: database.db,
    dialect,
    clock,
    config,
    transport: config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(path.join(os.tmpdir(), `espace-pro-outbox-${process.pid}`)),
    logger: silent,
    messageIdDomain: 'localhost',
  });
  return {
    app,
    db: database.db,
    dialect,
    clock,
    hasher,
    secrets,
    config,
    outbox,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

/** A browser's cookie store for app.inject: honours Max-Age=0 / past Expires as deletion. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  store(response: LightMyRequestResponse): void {
    for (const c of response.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      if (c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [k, v] of this.cookies) copy.cookies.set(k, v);
    return copy;
  }
}

/** A visitor: keeps cookies between requests, finds CSRF tokens in pages, posts forms. */
export class Browser {
  constructor(
    readonly app: FastifyInstance,
    readonly jar = new CookieJar(),
  ) {}

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'GET', url, headers: { cookie: this.jar.header(), ...headers } });
    this.jar.store(response);
    return response;
  }

  async post(url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.jar.header(), ...headers },
    });
    this.jar.store(response);
    return response;
  }

  /** GETs `pageUrl`, then posts `form` to `action` with that page's CSRF token. */
  async submit(pageUrl: string, action: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) {
    const page = await this.get(pageUrl);
    return this.post(action, { _csrf: csrfToken(page.body), ...form }, headers);
  }
}

export function csrfToken(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in page');
  return match[1]!;
}

export function inputValue(html: string, name: string): string | undefined {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html);
  return match ? /value="([^"]*)"/.exec(match[0])?.[1] : undefined;
}
