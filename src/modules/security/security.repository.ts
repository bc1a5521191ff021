import { sql } from 'kysely';
import { prepareQuery } from '../../db/prepared.js';
import type { Executor } from '../audit/audit.repository.js';

// The counters and throttle rows are read and written on every login attempt: compiled once.

const increment = prepareQuery((db, p: { key: string; expiresAt: number }) =>
  db
    .insertInto('rate_counters')
    .values({ key: p.key, count: 1, expires_at: p.expiresAt })
    .onConflict((oc) => oc.column('key').doUpdateSet({ count: sql<number>`rate_counters.count + 1` }))
    .returning('count'),
);

export async function incrementCounter(db: Executor, key: string, expiresAt: number): Promise<number> {
  return Number((await increment(db, { key, expiresAt }))[0]!.count);
}

const decrement = prepareQuery((db, p: { key: string }) =>
  db.updateTable('rate_counters').set({ count: sql<number>`rate_counters.count - 1` }).where('key', '=', p.key).where('count', '>', 0),
);

export async function decrementCounter(db: Executor, key: string): Promise<void> {
  await decrement(db, { key });
}

export async function readCounter(db: Executor, key: string): Promise<number> {
  const row = await db.selectFrom('rate_counters').select('count').where('key', '=', key).executeTakeFirst();
  return row ? Number(row.count) : 0;
}

export async function deleteExpiredCounters(db: Executor, now: number): Promise<void> {
  await db.deleteFrom('rate_counters').where('expires_at', '<=', now).execute();
}

const throttleOf = prepareQuery((db, p: { key: string }) => db.selectFrom('login_throttle').selectAll().where('key', '=', p.key));

export async function findThrottle(db: Executor, key: string) {
  return (await throttleOf(db, { key }))[0];
}

const failure = prepareQuery((db, p: { key: string; now: number }) =>
  db
    .insertInto('login_throttle')
    .values({ key: p.key, failures: 1, blocked_until: 0, updated_at: p.now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ failures: sql<number>`login_throttle.failures + 1`, updated_at: p.now }))
    .returning('failures'),
);

export async function incrementThrottleFailures(db: Executor, key: string, now: number): Promise<number> {
  return Number((await failure(db, { key, now }))[0]!.failures);
}

export async function setThrottleBlockedUntil(db: Executor, key: string, blockedUntil: number): Promise<void> {
  await db.updateTable('login_throttle').set({ blocked_until: blockedUntil }).where('key', '=', key).execute();
}

export async function deleteThrottle(db: Executor, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

export async function findSetting(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function insertSettingIfAbsent(db: Executor, key: string, value: string): Promise<void> {
  await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
}
