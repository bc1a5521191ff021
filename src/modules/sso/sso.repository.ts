import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Executor } from '../../db/executor.js';
import { prepareQuery } from '../../db/prepared.js';
import type { OidcClientTable, OidcKeyTable, OidcModelTable } from './sso.table.js';
import { countRows } from '../retention/retention.batches.js';

const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);

// ---- provider models (the adapter) ----

export async function upsertModel(db: Executor, row: OidcModelTable): Promise<void> {
  // A consumed code or refresh token stays consumed whatever is saved over it.
  const { model, id, consumed_at, ...rest } = row;
  await db
    .insertInto('oidc_models')
    .values(row)
    .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(rest))
    .execute();
}

export async function findModel(db: Executor, model: string, id: string, now: number) {
  return db
    .selectFrom('oidc_models')
    .select(['payload', 'consumed_at'])
    .where('model', '=', model)
    .where('id', '=', id)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
}

export async function findModelBy(db: Executor, model: string, column: 'uid' | 'user_code', value: string, now: number) {
  return db
    .selectFrom('oidc_models')
    .select(['payload', 'consumed_at'])
    .where('model', '=', model)
    .where(column, '=', value)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
}

export async function consumeModel(db: Executor, model: string, id: string, now: number): Promise<void> {
  await db.updateTable('oidc_models').set({ consumed_at: now }).where('model', '=', model).where('id', '=', id).execute();
}

export async function destroyModel(db: Executor, model: string, id: string): Promise<void> {
  await db.deleteFrom('oidc_models').where('model', '=', model).where('id', '=', id).execute();
}

export async function updateModelPayload(db: Executor, model: string, id: string, payload: string): Promise<void> {
  await db.updateTable('oidc_models').set({ payload }).where('model', '=', model).where('id', '=', id).execute();
}

/** Every token and code of a grant, whatever its model (the grant row itself included). */
export async function destroyByGrant(db: Executor, grantId: string): Promise<number> {
  return count(await db.deleteFrom('oidc_models').where('grant_id', '=', grantId).executeTakeFirstOrThrow());
}

/** The provider sessions of a subject, with the grants they hold. */
export async function findSessionsOf(db: Executor, sub: string) {
  return db.selectFrom('oidc_models').select(['id', 'payload']).where('account_id', '=', sub).where('model', '=', 'Session').execute();
}

/** The grants of a subject (each application that holds tokens), for the security page. */
export async function findGrantsOf(db: Executor, sub: string, now: number) {
  return db
    .selectFrom('oidc_models')
    .select(['id', 'payload'])
    .where('account_id', '=', sub)
    .where('model', '=', 'Grant')
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
}

export async function deleteModelsOfAccount(db: Executor, sub: string, models: string[]): Promise<number> {
  return count(await db.deleteFrom('oidc_models').where('account_id', '=', sub).where('model', 'in', models).executeTakeFirstOrThrow());
}

// ---- keys ----

export async function listKeys(db: Executor, use: OidcKeyTable['use']) {
  return db.selectFrom('oidc_keys').selectAll().where('use', '=', use).orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
}

export async function insertKeys(db: Executor, rows: Insertable<OidcKeyTable>[]): Promise<void> {
  await db.insertInto('oidc_keys').values(rows).execute();
}

/** Swaps a key's stored material for its resealed form, unless it changed meanwhile. */
export async function replaceKeyMaterial(db: Executor, kid: string, before: string, after: string): Promise<void> {
  await db.updateTable('oidc_keys').set({ material: after }).where('kid', '=', kid).where('material', '=', before).execute();
}

export async function retireKeys(db: Executor, use: OidcKeyTable['use'], now: number, except: string[]): Promise<void> {
  await db.updateTable('oidc_keys').set({ retired_at: now }).where('use', '=', use).where('retired_at', 'is', null).where('kid', 'not in', except).execute();
}

export async function deleteRetiredKeys(db: Executor, use: OidcKeyTable['use'], cutoff: number): Promise<number> {
  return count(await db.deleteFrom('oidc_keys').where('use', '=', use).where('retired_at', '<=', cutoff).executeTakeFirstOrThrow());
}

// ---- clients ----

export async function insertClient(db: Executor, row: Insertable<OidcClientTable>): Promise<void> {
  await db.insertInto('oidc_clients').values(row).execute();
}

export async function findClient(db: Executor, clientId: string) {
  return db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

// Read by Mon Espace Pro on every visit (the applications to open): compiled once (db/prepared.ts).
const allClients = prepareQuery((db) => db.selectFrom('oidc_clients').selectAll().orderBy('created_at').orderBy('client_id'));

export async function listClients(db: Executor) {
  return allClients(db, {});
}

export async function isRegisteredBackchannelUri(db: Executor, uri: string): Promise<boolean> {
  return (await db.selectFrom('oidc_clients').select('client_id').where('backchannel_logout_uri', '=', uri).where('disabled_at', 'is', null).executeTakeFirst()) !== undefined;
}

export async function setClientDisabled(db: Executor, clientId: string, at: number | null): Promise<boolean> {
  const result = await db.updateTable('oidc_clients').set({ disabled_at: at }).where('client_id', '=', clientId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ---- accounts and sessions ----

/** The company a grant was given for (set once the grant is saved; null for grants older than company accounts). */
export async function setGrantCompany(db: Executor, grantId: string, companyId: number): Promise<void> {
  await db.updateTable('oidc_models').set({ company_id: companyId }).where('model', '=', 'Grant').where('id', '=', grantId).execute();
}

export async function grantCompany(db: Executor, grantId: string): Promise<number | null> {
  const row = await db.selectFrom('oidc_models').select('company_id').where('model', '=', 'Grant').where('id', '=', grantId).executeTakeFirst();
  return row?.company_id ?? null;
}

/** The account's OpenID subject, given on first use (accounts created before or after 010_oidc alike). */
export async function subjectOf(db: Kysely<DB>, accountId: number): Promise<string | undefined> {
  await db.updateTable('accounts').set({ oidc_sub: randomUUID() }).where('id', '=', accountId).where('oidc_sub', 'is', null).execute();
  const row = await db.selectFrom('accounts').select('oidc_sub').where('id', '=', accountId).executeTakeFirst();
  return row?.oidc_sub ?? undefined;
}

/** The person behind a subject. */
export async function findPersonBySubject(db: Executor, sub: string) {
  return db.selectFrom('accounts').select(['id', 'email', 'given_name', 'family_name', 'activated_at', 'disabled_at']).where('oidc_sub', '=', sub).executeTakeFirst();
}

export async function findSubjectOfAccount(db: Executor, accountId: number): Promise<string | null> {
  const row = await db.selectFrom('accounts').select('oidc_sub').where('id', '=', accountId).executeTakeFirst();
  return row?.oidc_sub ?? null;
}

export async function sessionAuthenticatedAt(db: Executor, sessionId: string): Promise<number | null> {
  const row = await db.selectFrom('sessions').select(['authenticated_at', 'created_at']).where('id', '=', sessionId).executeTakeFirst();
  if (!row) return null;
  return Number(row.authenticated_at ?? row.created_at);
}

// ---- Retention: what this module's clean-up job deletes (see its *.cleanup.ts).

/** Single sign-on: provider models past their expiry (codes, tokens, sessions, interactions, grants). */
export async function deleteExpiredOidcModels(db: Executor, now: number): Promise<number> {
  return countRows(await db.deleteFrom('oidc_models').where('expires_at', '<=', now).executeTakeFirstOrThrow());
}
