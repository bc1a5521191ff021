import type { Executor } from '../../db/executor.js';
import { prepareQuery } from '../../db/prepared.js';
import type { AuditTable } from './audit.table.js';
import { countRows, inBatches, RETENTION_BATCH_SIZE } from '../retention/retention.batches.js';

// Written on every login attempt: compiled once.
const insertEntry = prepareQuery((db, e: Omit<AuditTable, 'id'>) =>
  db.insertInto('audit_log').values({
    at: e.at,
    event: e.event,
    outcome: e.outcome,
    actor_type: e.actor_type,
    actor_id: e.actor_id,
    account_id: e.account_id,
    company_id: e.company_id,
    target: e.target,
    ip: e.ip,
    user_agent: e.user_agent,
    details: e.details,
  }),
);

export async function insertAuditEntry(db: Executor, entry: Omit<AuditTable, 'id'>): Promise<void> {
  await insertEntry(db, entry);
}

export async function listAuditEntriesForAccount(db: Executor, accountId: number, limit: number) {
  return db.selectFrom('audit_log').selectAll().where('account_id', '=', accountId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export interface AuditFilters {
  /** Event name or prefix ("login." for every login event). */
  event?: string;
  accountCode?: string;
  actor?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
}

export async function listAuditEntries(db: Executor, filters: AuditFilters, limit: number, offset = 0) {
  let q = db
    .selectFrom('audit_log')
    // The company named by the entry, else the one its person holds (entries that name only a person).
    .leftJoin('companies', (join) =>
      join.on((eb) =>
        eb.or([
          eb('companies.id', '=', eb.ref('audit_log.company_id')),
          eb.and([eb('audit_log.company_id', 'is', null), eb('companies.holder_account_id', '=', eb.ref('audit_log.account_id'))]),
        ]),
      ),
    )
    .select([
      'audit_log.id',
      'audit_log.at',
      'audit_log.event',
      'audit_log.outcome',
      'audit_log.actor_type',
      'audit_log.actor_id',
      'audit_log.account_id',
      'companies.code as account_code',
      'audit_log.target',
      'audit_log.ip',
      'audit_log.user_agent',
      'audit_log.details',
    ]);
  if (filters.event) q = q.where('audit_log.event', 'like', `${filters.event.replace(/[\\%_]/g, '')}%`);
  if (filters.accountCode) q = q.where('companies.code', '=', filters.accountCode);
  if (filters.actor) q = q.where('audit_log.actor_id', '=', filters.actor);
  if (filters.from !== undefined) q = q.where('audit_log.at', '>=', filters.from);
  if (filters.to !== undefined) q = q.where('audit_log.at', '<', filters.to);
  return q.orderBy('audit_log.at', 'desc').orderBy('audit_log.id', 'desc').limit(limit).offset(offset).execute();
}

// ---- Retention: what this module's clean-up job deletes (see its *.cleanup.ts).

export async function deleteAuditEntriesBefore(db: Executor, cutoff: number, batchSize = RETENTION_BATCH_SIZE): Promise<number> {
  return inBatches(batchSize, async () =>
    countRows(
      await db
        .deleteFrom('audit_log')
        .where('id', 'in', db.selectFrom('audit_log').select('id').where('at', '<=', cutoff).limit(batchSize))
        .executeTakeFirstOrThrow(),
    ),
  );
}
