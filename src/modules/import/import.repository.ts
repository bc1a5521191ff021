import type { Executor } from '../../db/executor.js';

export async function listAccountKeys(db: Executor) {
  return db.selectFrom('accounts').select(['id', 'code', 'email', 'company']).execute();
}

export async function updateImportedAccount(db: Executor, id: number, row: { email: string; company: string; now: number }): Promise<void> {
  await db.updateTable('accounts').set({ email: row.email, email_lc: row.email.toLowerCase(), company: row.company, updated_at: row.now }).where('id', '=', id).execute();
}
