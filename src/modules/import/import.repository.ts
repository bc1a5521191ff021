import type { Executor } from '../../db/executor.js';

/**
 * Every company with its holder's e-mail (what an import line is compared with), whether the
 * holder has a password, and whether an e-mail change already waits for approval.
 */
export async function listAccountKeys(db: Executor) {
  const rows = await db
    .selectFrom('companies')
    .innerJoin('accounts', 'accounts.id', 'companies.holder_account_id')
    .select(['accounts.id', 'companies.id as company_id', 'companies.code', 'accounts.email', 'companies.name as company'])
    .select((eb) => [
      eb('accounts.password_hash', 'is not', null).as('activated'),
      eb.exists(eb.selectFrom('email_changes').select('email_changes.id').whereRef('email_changes.account_id', '=', 'accounts.id').where('email_changes.decided_at', 'is', null)).as('change_pending'),
    ])
    .execute();
  return rows.map((r) => ({ ...r, activated: Boolean(r.activated), change_pending: Boolean(r.change_pending) }));
}

/** The company name only: an e-mail changes through changeAccountEmail (S37), never here. */
export async function updateImportedCompany(db: Executor, companyId: number, row: { company: string; now: number }): Promise<void> {
  await db.updateTable('companies').set({ name: row.company, updated_at: row.now }).where('id', '=', companyId).execute();
}
