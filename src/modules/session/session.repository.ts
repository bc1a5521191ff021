import { prepareQuery } from '../../db/prepared.js';
import type { Executor } from '../../db/executor.js';
import type { DeviceTable, RememberTokenTable, SessionTable } from './session.table.js';

export async function insertSession(db: Executor, row: SessionTable): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

// On the path of every signed-in request: compiled once (prepared.ts).
const sessionWithAccount = prepareQuery((db, { id }: { id: string }) =>
  db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .select([
      'sessions.id',
      'sessions.account_id',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'sessions.remember_series',
      'accounts.code',
      'accounts.company',
      'accounts.email',
      'accounts.disabled_at',
    ])
    .where('sessions.id', '=', id),
);

export async function findSessionWithAccount(db: Executor, id: string) {
  return (await sessionWithAccount(db, { id }))[0];
}

export async function touchSession(db: Executor, id: string, now: number): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

export async function deleteSession(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function deleteSessionsOfAccount(db: Executor, accountId: number): Promise<number> {
  const result = await db.deleteFrom('sessions').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteSessionsOfSeries(db: Executor, series: string): Promise<void> {
  await db.deleteFrom('sessions').where('remember_series', '=', series).execute();
}

export async function insertRememberToken(db: Executor, row: RememberTokenTable): Promise<void> {
  await db.insertInto('remember_tokens').values(row).execute();
}

export async function findRememberToken(db: Executor, selector: string) {
  return db.selectFrom('remember_tokens').selectAll().where('selector', '=', selector).executeTakeFirst();
}

/** Marks the token used; false when another request already did (only one rotation wins). */
export async function markRememberTokenRotated(db: Executor, selector: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('remember_tokens')
    .set({ rotated_at: now })
    .where('selector', '=', selector)
    .where('rotated_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** When a remember-me series began: its first token was issued right after the password check. */
export async function findSeriesStart(db: Executor, series: string): Promise<number | undefined> {
  const row = await db.selectFrom('remember_tokens').select((eb) => eb.fn.min<number>('created_at').as('start')).where('series', '=', series).executeTakeFirst();
  return row?.start == null ? undefined : Number(row.start);
}

/** How the sign-in that started a remember-me series was made (its first token says; null before migration 015). */
export async function findSeriesAuthMethod(db: Executor, series: string): Promise<'pwd' | 'passkey' | undefined> {
  const row = await db.selectFrom('remember_tokens').select('auth_method').where('series', '=', series).where('auth_method', 'is not', null).orderBy('created_at').limit(1).executeTakeFirst();
  return row?.auth_method === 'passkey' ? 'passkey' : row ? 'pwd' : undefined;
}

export async function deleteRememberSeries(db: Executor, series: string): Promise<void> {
  await db.deleteFrom('remember_tokens').where('series', '=', series).execute();
}

export async function deleteRememberTokensOfAccount(db: Executor, accountId: number): Promise<void> {
  await db.deleteFrom('remember_tokens').where('account_id', '=', accountId).execute();
}

export async function upsertDevice(db: Executor, row: DeviceTable): Promise<void> {
  await db
    .insertInto('devices')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ account_id: row.account_id, expires_at: row.expires_at }))
    .execute();
}

export async function findDeviceIdentifier(db: Executor, id: string, now: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('devices')
    .innerJoin('accounts', 'accounts.id', 'devices.account_id')
    .select('accounts.code')
    .where('devices.id', '=', id)
    .where('devices.expires_at', '>', now)
    .executeTakeFirst();
  return row?.code;
}

export async function deleteDevice(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('devices').where('id', '=', id).execute();
}

/** Marks the browser seen now; true when it had signed this account in before. */
export async function touchKnownBrowser(db: Executor, id: string, accountId: number, now: number): Promise<boolean> {
  const result = await db.updateTable('known_browsers').set({ last_seen_at: now }).where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertKnownBrowser(db: Executor, row: { id: string; account_id: number; created_at: number; last_seen_at: number }): Promise<void> {
  await db.insertInto('known_browsers').values(row).onConflict((oc) => oc.columns(['id', 'account_id']).doUpdateSet({ last_seen_at: row.last_seen_at })).execute();
}
