import { prepareQuery } from '../../db/prepared.js';
import type { Executor } from '../../db/executor.js';
import type { AccountTable } from './account.table.js';
import type { Insertable } from 'kysely';

/** S5: every account starts without a password; the customer chooses it through a link. */
export async function insertPasswordlessAccount(db: Executor, row: { code: string; email: string; company: string; now: number }): Promise<number> {
  const values: Insertable<AccountTable> = {
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
  };
  const result = await db.insertInto('accounts').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(result.id);
}

// Looked up on every login attempt: compiled once.
const accountByCode = prepareQuery((db, p: { code: string }) => db.selectFrom('accounts').selectAll().where('code', '=', p.code));

export async function findAccountByCode(db: Executor, code: string) {
  return (await accountByCode(db, { code }))[0];
}

export async function findAccountById(db: Executor, id: number) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAccounts(db: Executor, limit: number, offset = 0) {
  return db.selectFrom('accounts').selectAll().orderBy('code').limit(limit).offset(offset).execute();
}

export async function recordLogin(db: Executor, id: number, now: number): Promise<void> {
  await db.updateTable('accounts').set({ last_login_at: now }).where('id', '=', id).execute();
}

export async function updatePasswordHash(db: Executor, id: number, passwordHash: string, now: number): Promise<void> {
  await db.updateTable('accounts').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', id).execute();
}

/** Saves a new password; the first one also marks the account activated. */
export async function setPassword(db: Executor, id: number, passwordHash: string, now: number): Promise<void> {
  await db
    .updateTable('accounts')
    .set((eb) => ({
      password_hash: passwordHash,
      password_changed_at: now,
      updated_at: now,
      activated_at: eb.fn.coalesce('activated_at', eb.val(now)),
    }))
    .where('id', '=', id)
    .execute();
}
