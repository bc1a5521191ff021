import { sql } from 'kysely';
import { prepareCommand, prepareQuery } from '../../db/prepared.js';
import type { Executor } from '../../db/executor.js';
import type { DeviceTable, RememberTokenTable, SessionTable } from './session.table.js';
import { countRows } from '../retention/retention.batches.js';

// Written at every sign-in: compiled once (prepared.ts), every column named.
const sessionInsert = prepareQuery((db, p: Required<SessionTable>) =>
  db.insertInto('sessions').values({
    id: p.id,
    account_id: p.account_id,
    company_id: p.company_id,
    created_at: p.created_at,
    last_seen_at: p.last_seen_at,
    expires_at: p.expires_at,
    remember_series: p.remember_series,
    ip: p.ip,
    user_agent: p.user_agent,
    authenticated_at: p.authenticated_at,
    auth_method: p.auth_method,
  }),
);

export async function insertSession(db: Executor, row: SessionTable): Promise<void> {
  await sessionInsert(db, { ...row, auth_method: row.auth_method ?? null });
}

// On the path of every signed-in request: compiled once (prepared.ts). One query gives the
// session, the person and the company they are signed in to with their role there: a removed
// membership or a disabled company is seen on the very next request (S45), at no extra query.
const sessionWithAccount = prepareQuery((db, { id }: { id: string }) =>
  db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .leftJoin('memberships', (join) => join.onRef('memberships.account_id', '=', 'sessions.account_id').onRef('memberships.company_id', '=', 'sessions.company_id'))
    .leftJoin('companies', 'companies.id', 'memberships.company_id')
    .select([
      'sessions.id',
      'sessions.account_id',
      'sessions.company_id',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'sessions.remember_series',
      'companies.code',
      'companies.name as company',
      'companies.disabled_at as company_disabled_at',
      'companies.holder_account_id',
      'memberships.role',
      'accounts.email',
      'accounts.given_name',
      'accounts.family_name',
      'accounts.language',
      'accounts.disabled_at',
      // How many companies the person belongs to: "Changer de compte client" on Mon Espace Pro, at no extra query.
      (eb) => eb.selectFrom('memberships as all_memberships').select((c) => c.fn.countAll<number>().as('n')).whereRef('all_memberships.account_id', '=', 'sessions.account_id').as('membership_count'),
      // The passkey invitation after a password sign-in (src/modules/passkeys), likewise at no extra query.
      'sessions.authenticated_at',
      'sessions.auth_method',
      (eb) =>
        eb
          .selectFrom('passkeys')
          .select((c) => c.fn.countAll<number>().as('n'))
          .where('passkeys.owner_type', '=', 'person')
          .whereRef('passkeys.owner_id', '=', 'sessions.account_id')
          .as('passkey_count'),
    ])
    .where('sessions.id', '=', id),
);

export async function findSessionWithAccount(db: Executor, id: string) {
  return (await sessionWithAccount(db, { id }))[0];
}

export async function setSessionCompany(db: Executor, id: string, companyId: number): Promise<void> {
  await db.updateTable('sessions').set({ company_id: companyId }).where('id', '=', id).execute();
}

/** A switch of company ends what the series remembers of the old one: the series follows the session. */
export async function setSeriesCompany(db: Executor, series: string, companyId: number): Promise<void> {
  await db.updateTable('remember_tokens').set({ company_id: companyId }).where('series', '=', series).execute();
}

export async function touchSession(db: Executor, id: string, now: number): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

export async function deleteSession(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
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

/** Sessions and remember-me series signed in to a company; with `accountId`, only that person's (S45). */
export async function deleteCompanySessions(db: Executor, companyId: number, accountId?: number): Promise<number> {
  let tokens = db.deleteFrom('remember_tokens').where('company_id', '=', companyId);
  let sessions = db.deleteFrom('sessions').where('company_id', '=', companyId);
  if (accountId !== undefined) {
    tokens = tokens.where('account_id', '=', accountId);
    sessions = sessions.where('account_id', '=', accountId);
  }
  await tokens.execute();
  return Number((await sessions.executeTakeFirst()).numDeletedRows);
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
    // The holder is pre-filled with the customer code, anyone else with their e-mail.
    .select(sql<string>`coalesce((select min(companies.code) from companies where companies.holder_account_id = accounts.id), accounts.email)`.as('code'))
    .where('devices.id', '=', id)
    .where('devices.expires_at', '>', now)
    .executeTakeFirst();
  return row?.code;
}

export async function deleteDevice(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('devices').where('id', '=', id).execute();
}

/** Marks the browser seen now; true when it had signed this account in before. */
// At every sign-in: compiled once.
const knownBrowserSeen = prepareCommand((db, p: { id: string; accountId: number; now: number }) =>
  db.updateTable('known_browsers').set({ last_seen_at: p.now }).where('id', '=', p.id).where('account_id', '=', p.accountId),
);

export async function touchKnownBrowser(db: Executor, id: string, accountId: number, now: number): Promise<boolean> {
  return (await knownBrowserSeen(db, { id, accountId, now })) === 1;
}

export async function insertKnownBrowser(db: Executor, row: { id: string; account_id: number; created_at: number; last_seen_at: number }): Promise<void> {
  await db.insertInto('known_browsers').values(row).onConflict((oc) => oc.columns(['id', 'account_id']).doUpdateSet({ last_seen_at: row.last_seen_at })).execute();
}

// ---- Retention: what this module's clean-up job deletes (see its *.cleanup.ts).

/** Sessions past their absolute end, or idle since `idleCutoff` (last_seen_at at or before it). */
export async function deleteEndedSessions(db: Executor, now: number, idleCutoff: number): Promise<number> {
  return countRows(await db.deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleCutoff)])).executeTakeFirstOrThrow());
}

export async function deleteExpiredRememberTokens(db: Executor, now: number): Promise<number> {
  return countRows(await db.deleteFrom('remember_tokens').where('expires_at', '<=', now).executeTakeFirstOrThrow());
}

/** Browsers that have not signed their account in for `cutoff`: a later sign-in from them is new again. */
export async function deleteForgottenBrowsers(db: Executor, cutoff: number): Promise<number> {
  return countRows(await db.deleteFrom('known_browsers').where('last_seen_at', '<=', cutoff).executeTakeFirstOrThrow());
}

export async function deleteExpiredDevices(db: Executor, now: number): Promise<number> {
  return countRows(await db.deleteFrom('devices').where('expires_at', '<=', now).executeTakeFirstOrThrow());
}

/** Every session of the account but `keepId` (none kept when null); how many ended. */
export async function deleteSessionsOfAccountExcept(db: Executor, accountId: number, keepId: string | null): Promise<number> {
  let q = db.deleteFrom('sessions').where('account_id', '=', accountId);
  if (keepId) q = q.where('id', '!=', keepId);
  return Number((await q.executeTakeFirst()).numDeletedRows);
}

/** Every remember-me token of the account but those of the series `keepSeries` (none kept when null). */
export async function deleteRememberTokensOfAccountExcept(db: Executor, accountId: number, keepSeries: string | null): Promise<void> {
  let q = db.deleteFrom('remember_tokens').where('account_id', '=', accountId);
  if (keepSeries) q = q.where('series', '!=', keepSeries);
  await q.execute();
}
