import type { Executor } from '../../db/executor.js';
import type { AccountRequestState } from './account-request.state.js';
import type { AccountRequest, NewAccountRequest } from './account-request.table.js';
import { countRows, inBatches, RETENTION_BATCH_SIZE } from '../retention/retention.batches.js';

export async function insertAccountRequest(db: Executor, row: NewAccountRequest): Promise<number> {
  const result = await db.insertInto('account_requests').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(result.id);
}

export async function findAccountRequestById(db: Executor, id: number): Promise<AccountRequest | undefined> {
  return db.selectFrom('account_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The queue, newest first; `state` narrows it to one column of the board. */
export async function listAccountRequests(db: Executor, filter: { state?: AccountRequestState; limit: number; offset: number }): Promise<AccountRequest[]> {
  let query = db.selectFrom('account_requests').selectAll();
  if (filter.state) query = query.where('state', '=', filter.state);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute();
}

export async function countAccountRequests(db: Executor, filter: { state?: AccountRequestState } = {}): Promise<number> {
  let query = db.selectFrom('account_requests').select((eb) => eb.fn.countAll<number>().as('n'));
  if (filter.state) query = query.where('state', '=', filter.state);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Moves a request from `from` to `to` only if it is still in `from`: under concurrent clicks
 * (two agents, a double submit) exactly one UPDATE matches, the other changes nothing.
 * Returns whether this call made the change.
 */
export async function updateAccountRequestState(
  db: Executor,
  id: number,
  from: AccountRequestState,
  changes: { state: AccountRequestState; handled_by: string; handled_at: number; updated_at: number; decision_reason?: string | null; account_id?: number | null },
): Promise<boolean> {
  const result = await db.updateTable('account_requests').set(changes).where('id', '=', id).where('state', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// ---- Retention: what this module's clean-up job deletes (see its *.cleanup.ts).

/** Approved or rejected requests decided at or before `cutoff`; open ones are never purged. */
export async function deleteProcessedAccountRequests(db: Executor, cutoff: number, batchSize = RETENTION_BATCH_SIZE): Promise<number> {
  return inBatches(batchSize, async () =>
    countRows(
      await db
        .deleteFrom('account_requests')
        .where('id', 'in', db.selectFrom('account_requests').select('id').where('state', 'in', ['approved', 'rejected']).where('handled_at', '<=', cutoff).limit(batchSize))
        .executeTakeFirstOrThrow(),
    ),
  );
}
