import type { Executor } from '../../db/executor.js';

export async function listAccountKeys(db: Executor) {
  return db.selectFrom('accounts').select(['id', 'code', 'email', 'company']).execute();
}

export async function insertImportedAccount(db: Executor, row: { code: string; email: string; company: string; now: number }): Promise<number> {
  const result = await db
    .insertInto('accounts')
    .values({
      code: row.code,
      email: row.email,
      email_lc: row.email.toLowerCase(),
      company: row.company,
      password_hash: null,
      created_at: row.now,
      updated_at: row.now,
      activated_at: null,
      disabled_at: null,
      last_login_at: null,
      password_changed_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(result.id);
}

export async function updateImportedAccount(db: Executor, id: number, row: { email: string; company: string; now: number }): Promise<void> {
  await db.updateTable('accounts').set({ email: row.email, email_lc: row.email.toLowerCase(), company: row.company, updated_at: row.now }).where('id', '=', id).execute();
}
