import type { Executor } from '../../db/executor.js';

/** Every company with its holder's e-mail: what an import line is compared with. */
export async function listAccountKeys(db: Executor) {
  return db
    .selectFrom('companies')
    .innerJoin('accounts', 'accounts.id', 'companies.holder_account_id')
    .select(['accounts.id', 'companies.id as company_id', 'companies.code', 'accounts.email', 'companies.name as company'])
    .execute();
}

export async function updateImportedAccount(db: Executor, ids: { accountId: number; companyId: number }, row: { email: string; company: string; now: number }): Promise<void> {
  await db.updateTable('accounts').set({ email: row.email, email_lc: row.email.toLowerCase(), updated_at: row.now }).where('id', '=', ids.accountId).execute();
  await db.updateTable('companies').set({ name: row.company, updated_at: row.now }).where('id', '=', ids.companyId).execute();
}
