import { sql } from 'kysely';
import { prepareQuery } from '../../db/prepared.js';
import type { Executor } from '../../db/executor.js';
import { countRows } from '../retention/retention.batches.js';

// On the path of every login attempt: compiled once (prepared.ts).

/**
 * Takes the row of `key` for the rest of the transaction and returns its hits. The no-op update
 * on conflict is what locks the row on PostgreSQL (a concurrent reservation waits for our
 * commit, then reads what we wrote); SQLite has one writer, so the transaction alone serialises.
 */
const lockLimit = prepareQuery((db, p: { key: string }) =>
  db
    .insertInto('rate_limits')
    .values({ key: p.key, hits: '[]', expires_at: 0 })
    .onConflict((oc) => oc.column('key').doUpdateSet({ key: sql<string>`excluded.key` }))
    .returning('hits'),
);

export async function lockLimitHits(trx: Executor, key: string): Promise<number[]> {
  const row = (await lockLimit(trx, { key }))[0]!;
  return JSON.parse(row.hits) as number[];
}

const writeLimit = prepareQuery((db, p: { key: string; hits: string; expiresAt: number }) =>
  db.updateTable('rate_limits').set({ hits: p.hits, expires_at: p.expiresAt }).where('key', '=', p.key),
);

export async function writeLimitHits(trx: Executor, key: string, hits: number[], expiresAt: number): Promise<void> {
  await writeLimit(trx, { key, hits: JSON.stringify(hits), expiresAt });
}

/**
 * S8, in one statement: counts one more failure for `key` *before* the secret is checked, unless
 * a delay is running (then no row comes back and nothing changes). The delay the new count
 * starts is written as a CASE over `delays` (failures → ms, from throttleDelayMs), so the rule
 * has one source; counts past the last entry get `maxDelayMs`.
 */
export function reserveThrottleStatement(delays: ReadonlyArray<{ failures: number; delayMs: number }>, maxDelayMs: number) {
  return prepareQuery((db, p: { key: string; now: number; firstBlockedUntil: number }) => {
    const now = sql<number>`cast(${p.now} as bigint)`;
    const next = sql<number>`login_throttle.failures + 1`;
    const cases = delays.map((d) => sql`when ${next} = ${sql.lit(d.failures)} then ${d.delayMs === 0 ? sql.lit(0) : sql`${now} + ${sql.lit(d.delayMs)}`}`);
    return db
      .insertInto('login_throttle')
      .values({ key: p.key, failures: 1, blocked_until: p.firstBlockedUntil, updated_at: p.now })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({
            failures: next,
            blocked_until: sql<number>`case ${sql.join(cases, sql` `)} else ${now} + ${sql.lit(maxDelayMs)} end`,
            updated_at: p.now,
          })
          .where('login_throttle.blocked_until', '<=', p.now),
      )
      .returning(['failures', 'blocked_until']);
  });
}

export async function uncountThrottleFailure(db: Executor, key: string, liftDelay: boolean): Promise<void> {
  await db
    .updateTable('login_throttle')
    .set((eb) => ({ failures: eb('failures', '-', 1), ...(liftDelay ? { blocked_until: 0 } : {}) }))
    .where('key', '=', key)
    .where('failures', '>', 0)
    .execute();
}

const throttleOf = prepareQuery((db, p: { key: string }) => db.selectFrom('login_throttle').selectAll().where('key', '=', p.key));

export async function findThrottle(db: Executor, key: string) {
  return (await throttleOf(db, { key }))[0];
}

const clearThrottle = prepareQuery((db, p: { key: string }) => db.deleteFrom('login_throttle').where('key', '=', p.key));

export async function deleteThrottle(db: Executor, key: string): Promise<void> {
  await clearThrottle(db, { key });
}

/** Several identifiers at once (a company's code and its people's e-mail addresses): one statement. */
export async function deleteThrottles(db: Executor, keys: string[]): Promise<void> {
  if (keys.length > 0) await db.deleteFrom('login_throttle').where('key', 'in', keys).execute();
}

// ---- Retention: what this module's clean-up job deletes (see its *.cleanup.ts).

/** Rate-limit rows whose newest use has left the window: they hold nothing that still counts. */
export async function deleteEndedRateLimits(db: Executor, now: number): Promise<number> {
  return countRows(await db.deleteFrom('rate_limits').where('expires_at', '<=', now).executeTakeFirstOrThrow());
}

/** Failure counters untouched since `cutoff` and not blocking anyone now. */
export async function deleteStaleLoginThrottles(db: Executor, now: number, cutoff: number): Promise<number> {
  return countRows(await db.deleteFrom('login_throttle').where('updated_at', '<=', cutoff).where('blocked_until', '<=', now).executeTakeFirstOrThrow());
}
