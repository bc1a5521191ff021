import { findAccountById, recordLogin } from '../account/account.repository.js';
import type { Executor } from '../../db/executor.js';
import { prepareCommand, prepareQuery } from '../../db/prepared.js';
import type { ChallengePurpose, Passkey, PasskeyOwnerType, PasskeyTable, WebauthnChallengeTable } from './passkeys.table.js';
import type { Insertable } from 'kysely';

// Every query of the passkeys feature. The only two that read or write a customer's row
// (`findPerson`, `recordPersonSignIn`) are at the bottom: when `accounts` becomes `people` (same
// ids), they are the lines to change.

export interface Owner {
  type: PasskeyOwnerType;
  id: number;
}

export async function insertPasskey(db: Executor, row: Insertable<PasskeyTable>): Promise<void> {
  await db.insertInto('passkeys').values(row).execute();
}

// The queries of a passkey sign-in (options, then the assertion) are compiled once (db/prepared.ts):
// building and compiling them cost more than SQLite takes to run them.
const passkeyByCredentialId = prepareQuery((db, p: { credentialId: string }) => db.selectFrom('passkeys').selectAll().where('credential_id', '=', p.credentialId));

export async function findPasskeyByCredentialId(db: Executor, credentialId: string): Promise<Passkey | undefined> {
  return (await passkeyByCredentialId(db, { credentialId }))[0];
}

export async function listPasskeys(db: Executor, owner: Owner): Promise<Passkey[]> {
  return db.selectFrom('passkeys').selectAll().where('owner_type', '=', owner.type).where('owner_id', '=', owner.id).orderBy('created_at').orderBy('id').execute();
}

export async function countPasskeys(db: Executor, owner: Owner): Promise<number> {
  const row = await db
    .selectFrom('passkeys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('owner_type', '=', owner.type)
    .where('owner_id', '=', owner.id)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** How many passkeys each of these owners has (absent: none). */
export async function countPasskeysByOwner(db: Executor, type: PasskeyOwnerType, ids: number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('passkeys')
    .select(['owner_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('owner_type', '=', type)
    .where('owner_id', 'in', ids)
    .groupBy('owner_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.owner_id), Number(r.n)]));
}

/** The WebAuthn user handle this owner's passkeys were made with, if any. */
export async function findUserHandle(db: Executor, owner: Owner): Promise<string | undefined> {
  const row = await db.selectFrom('passkeys').select('user_handle').where('owner_type', '=', owner.type).where('owner_id', '=', owner.id).limit(1).executeTakeFirst();
  return row?.user_handle;
}

/** Renames one of the owner's passkeys; false when the id is not theirs (S32). */
export async function renamePasskey(db: Executor, owner: Owner, id: number, name: string): Promise<boolean> {
  const result = await db.updateTable('passkeys').set({ name }).where('id', '=', id).where('owner_type', '=', owner.type).where('owner_id', '=', owner.id).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes one of the owner's passkeys and says which; undefined when the id is not theirs (S32). */
export async function deletePasskey(db: Executor, owner: Owner, id: number): Promise<{ name: string } | undefined> {
  return db.deleteFrom('passkeys').where('id', '=', id).where('owner_type', '=', owner.type).where('owner_id', '=', owner.id).returning('name').executeTakeFirst();
}

/** Every passkey of the owner (password reset, erasure, admin removal); returns how many. */
export async function deletePasskeysOfOwner(db: Executor, owner: Owner): Promise<number> {
  const rows = await db.deleteFrom('passkeys').where('owner_type', '=', owner.type).where('owner_id', '=', owner.id).returning('id').execute();
  return rows.length;
}

/**
 * After a verified assertion: the new counter, the backup state and the time of use. Conditional
 * on the counter read before the check, so two assertions racing with the same counter cannot
 * both move it (the loser is refused like a counter going backwards).
 */
const passkeyUse = prepareCommand((db, p: { id: number; previousCounter: number; counter: number; backedUp: number; at: number }) =>
  db.updateTable('passkeys').set({ counter: p.counter, backed_up: p.backedUp, last_used_at: p.at }).where('id', '=', p.id).where('counter', '=', p.previousCounter),
);

export async function recordPasskeyUse(db: Executor, id: number, previousCounter: number, next: { counter: number; backedUp: boolean; at: number }): Promise<boolean> {
  return (await passkeyUse(db, { id, previousCounter, counter: next.counter, backedUp: next.backedUp ? 1 : 0, at: next.at })) === 1;
}

// ---- challenges (S48) ----

export async function insertChallenge(
  db: Executor,
  row: { challenge: string; browserHash: string; purpose: ChallengePurpose; owner: Owner | null; userHandle?: string; now: number; expiresAt: number },
): Promise<void> {
  await challengeInsert(db, {
    challenge: row.challenge,
    browser_hash: row.browserHash,
    purpose: row.purpose,
    owner_type: row.owner?.type ?? null,
    owner_id: row.owner?.id ?? null,
    user_handle: row.userHandle ?? null,
    created_at: row.now,
    expires_at: row.expiresAt,
  });
}

const challengeInsert = prepareQuery((db, p: Insertable<WebauthnChallengeTable>) =>
  db.insertInto('webauthn_challenges').values({
    challenge: p.challenge,
    browser_hash: p.browser_hash,
    purpose: p.purpose,
    owner_type: p.owner_type,
    owner_id: p.owner_id,
    user_handle: p.user_handle,
    created_at: p.created_at,
    expires_at: p.expires_at,
  }),
);

type ChallengeMatch = { challenge: string; browserHash: string; purpose: ChallengePurpose; now: number };

// Two statements, one per kind of owner: "no owner" must read `is null` (a bound null matches nothing).
const consumeOwnerless = prepareQuery((db, p: ChallengeMatch) =>
  db
    .deleteFrom('webauthn_challenges')
    .where('challenge', '=', p.challenge)
    .where('browser_hash', '=', p.browserHash)
    .where('purpose', '=', p.purpose)
    .where('expires_at', '>', p.now)
    .where('owner_type', 'is', null)
    .returning('user_handle'),
);
const consumeOwned = prepareQuery((db, p: ChallengeMatch & { ownerType: PasskeyOwnerType; ownerId: number }) =>
  db
    .deleteFrom('webauthn_challenges')
    .where('challenge', '=', p.challenge)
    .where('browser_hash', '=', p.browserHash)
    .where('purpose', '=', p.purpose)
    .where('expires_at', '>', p.now)
    .where('owner_type', '=', p.ownerType)
    .where('owner_id', '=', p.ownerId)
    .returning('user_handle'),
);

/**
 * Single use, in one statement: the challenge is deleted only if it was issued to this browser,
 * for this purpose (and owner), and has not expired; only the request that deleted it goes on.
 * A replay, another browser, another purpose or a late answer finds nothing.
 */
export async function consumeChallenge(
  db: Executor,
  input: { challenge: string; browserHash: string; purpose: ChallengePurpose; owner: Owner | null; now: number },
): Promise<{ userHandle: string | null } | undefined> {
  const match = { challenge: input.challenge, browserHash: input.browserHash, purpose: input.purpose, now: input.now };
  const [row] = input.owner ? await consumeOwned(db, { ...match, ownerType: input.owner.type, ownerId: input.owner.id }) : await consumeOwnerless(db, match);
  return row && { userHandle: row.user_handle };
}

export async function deleteExpiredChallenges(db: Executor, now: number): Promise<number> {
  const result = await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- the customer's session (how and when the sign-in behind it was made) ----

export async function findSessionSignIn(db: Executor, sessionId: string): Promise<{ at: number; method: string } | undefined> {
  const row = await db.selectFrom('sessions').select(['authenticated_at', 'created_at', 'auth_method']).where('id', '=', sessionId).executeTakeFirst();
  return row && { at: Number(row.authenticated_at ?? row.created_at), method: row.auth_method ?? 'pwd' };
}

/** The password was typed again in this session: its sign-in is now (SSO auth_time stays truthful). */
export async function markSessionReauthenticated(db: Executor, sessionId: string, now: number): Promise<void> {
  await db.updateTable('sessions').set({ authenticated_at: now, auth_method: 'pwd' }).where('id', '=', sessionId).execute();
}

// ---- the only queries on the customer's own row (accounts today, people after the rename) ----

/** The person through their first company (the one they hold first): code and company for audit and mails. */
export async function findPerson(db: Executor, personId: number) {
  return findAccountById(db, personId);
}

export async function recordPersonSignIn(db: Executor, personId: number, now: number): Promise<void> {
  await recordLogin(db, personId, now);
}
