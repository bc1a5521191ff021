import type { Executor } from '../../db/executor.js';
import type { LinkPurpose, LinkRevokeReason, LinkSubjectType } from './auth-core.table.js';
import { countRows } from '../retention/retention.batches.js';

export interface LinkSubject {
  type: LinkSubjectType;
  id: number;
}

export async function insertLinkToken(db: Executor, row: { purpose: LinkPurpose; subject: LinkSubject; token_hash: string; created_at: number; expires_at: number }) {
  await db
    .insertInto('link_tokens')
    .values({
      purpose: row.purpose,
      subject_type: row.subject.type,
      subject_id: row.subject.id,
      token_hash: row.token_hash,
      created_at: row.created_at,
      expires_at: row.expires_at,
      step_done_at: null,
      consumed_at: null,
      revoked_at: null,
      revoked_reason: null,
    })
    .execute();
}

/** Voids every open link of the subject; returns how many. */
export async function revokeOpenLinkTokens(db: Executor, subject: LinkSubject, now: number, reason: LinkRevokeReason): Promise<number> {
  const result = await db
    .updateTable('link_tokens')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('subject_type', '=', subject.type)
    .where('subject_id', '=', subject.id)
    .where('consumed_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findLinkToken(db: Executor, tokenHash: string) {
  return db.selectFrom('link_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** The subject's newest link still open at `now`, for customer service's view of an account. */
export async function findOpenLinkToken(db: Executor, subject: LinkSubject, now: number) {
  return db
    .selectFrom('link_tokens')
    .select(['purpose', 'created_at', 'expires_at'])
    .where('subject_type', '=', subject.type)
    .where('subject_id', '=', subject.id)
    .where('consumed_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/**
 * The one conditional UPDATE that makes a link single-use (S12): true for exactly one caller,
 * even under concurrent submits. `afterStep` requires the first step of a two-step link.
 */
export async function markLinkTokenConsumed(db: Executor, tokenHash: string, now: number, afterStep: boolean): Promise<boolean> {
  let q = db
    .updateTable('link_tokens')
    .set({ consumed_at: now })
    .where('token_hash', '=', tokenHash)
    .where('consumed_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now);
  if (afterStep) q = q.where('step_done_at', 'is not', null);
  return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
}

/** Records the first step of a two-step link, once. */
export async function markLinkTokenStepDone(db: Executor, tokenHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('link_tokens')
    .set({ step_done_at: now })
    .where('token_hash', '=', tokenHash)
    .where('consumed_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// ---- Retention: what this module's clean-up job deletes (see its *.cleanup.ts).

/** E-mailed links, customer and staff (used, revoked or not), whose expiry is at or before `cutoff`. */
export async function deleteLinkTokensExpiredBy(db: Executor, cutoff: number): Promise<number> {
  return countRows(await db.deleteFrom('link_tokens').where('expires_at', '<=', cutoff).executeTakeFirstOrThrow());
}
