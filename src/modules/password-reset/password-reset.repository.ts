import type { Executor } from '../../db/executor.js';
import { countRows } from '../retention/retention.batches.js';

export async function insertResetRequest(db: Executor, row: { identifier: string; email: string; ip: string | null; user_agent: string | null; created_at: number; language: string }) {
  await db.insertInto('reset_requests').values({ ...row, processed_at: null }).execute();
}

export async function listPendingResetRequests(db: Executor, limit: number) {
  return db.selectFrom('reset_requests').selectAll().where('processed_at', 'is', null).orderBy('id').limit(limit).execute();
}

/** Takes a request for processing; false when another worker already did. */
export async function markResetRequestProcessed(db: Executor, id: number, now: number): Promise<boolean> {
  const result = await db.updateTable('reset_requests').set({ processed_at: now }).where('id', '=', id).where('processed_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// ---- Retention: what this module's clean-up job deletes (see its *.cleanup.ts).

/** Password-reset submissions already matched by the worker (their mail, if any, is in the outbox). */
export async function deleteProcessedResetRequests(db: Executor, cutoff: number): Promise<number> {
  return countRows(await db.deleteFrom('reset_requests').where('processed_at', '<=', cutoff).executeTakeFirstOrThrow());
}
