import { sql } from 'kysely';
import type { Executor } from '../audit/audit.repository.js';

export async function searchAccounts(db: Executor, query: string, limit: number, now: number) {
  let q = db
    .selectFrom('accounts')
    .select(['id', 'code', 'email', 'company', 'password_hash', 'disabled_at', 'last_login_at', 'created_at'])
    // Whether a link is open, so the list says "Lien envoyé" as the account page does.
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('account_tokens')
            .select('account_tokens.id')
            .whereRef('account_tokens.account_id', '=', 'accounts.id')
            .where('account_tokens.consumed_at', 'is', null)
            .where('account_tokens.revoked_at', 'is', null)
            .where('account_tokens.expires_at', '>', now),
        )
        .as('has_open_link'),
    );
  const term = query.trim().toLowerCase();
  if (term) {
    const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        // A code search is a prefix of digits only.
        ...(/^[0-9]{1,5}$/.test(term) ? [eb('code', 'like', `${term}%`)] : []),
        eb('email_lc', 'like', sql<string>`${like} escape '\\'`),
        eb(sql`lower(company)`, 'like', sql<string>`${like} escape '\\'`),
      ]),
    );
  }
  return q.orderBy('code').limit(limit).execute();
}

export async function listMailsOfAccount(db: Executor, accountId: number, limit: number) {
  return db
    .selectFrom('outbox')
    .select(['id', 'kind', 'recipient', 'subject', 'status', 'attempts', 'created_at', 'sent_at', 'last_error'])
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function findOpenToken(db: Executor, accountId: number, now: number) {
  return db
    .selectFrom('account_tokens')
    .select(['purpose', 'created_at', 'expires_at'])
    .where('account_id', '=', accountId)
    .where('consumed_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function countSessions(db: Executor, accountId: number, now: number): Promise<number> {
  const row = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateEmail(db: Executor, id: number, email: string, now: number): Promise<void> {
  await db.updateTable('accounts').set({ email, email_lc: email.toLowerCase(), updated_at: now }).where('id', '=', id).execute();
}

export async function setDisabledAt(db: Executor, id: number, disabledAt: number | null, now: number): Promise<void> {
  await db.updateTable('accounts').set({ disabled_at: disabledAt, updated_at: now }).where('id', '=', id).execute();
}
