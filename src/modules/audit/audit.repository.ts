import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AuditTable } from './audit.table.js';

export type Executor = Kysely<DB> | Transaction<DB>;

export async function insertAuditEntry(db: Executor, entry: Omit<AuditTable, 'id'>): Promise<void> {
  await db.insertInto('audit_log').values(entry).execute();
}

export async function listAuditEntriesForAccount(db: Executor, accountId: number, limit: number) {
  return db.selectFrom('audit_log').selectAll().where('account_id', '=', accountId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
