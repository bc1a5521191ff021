import type { Executor } from '../../db/executor.js';

/** Every account's keys, whether it has a password, and whether an e-mail change already waits for approval. */
export async function listAccountKeys(db: Executor) {
  const rows = await db
    .selectFrom('accounts')
    .select(['id', 'code', 'email', 'company'])
    .select((eb) => [
      eb('password_hash', 'is not', null).as('activated'),
      eb.exists(eb.selectFrom('email_changes').select('email_changes.id').whereRef('email_changes.account_id', '=', 'accounts.id').where('email_changes.decided_at', 'is', null)).as('change_pending'),
    ])
    .execute();
  return rows.map((r) => ({ ...r, activated: Boolean(r.activated), change_pending: Boolean(r.change_pending) }));
}

/** The company name only: an e-mail changes through changeAccountEmail (S37), never here. */
export async function updateImportedCompany(db: Executor, id: number, row: { company: string; now: number }): Promise<void> {
  await db.updateTable('accounts').set({ company: row.company, updated_at: row.now }).where('id', '=', id).execute();
}
