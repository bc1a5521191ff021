import { type Generated, sql } from 'kysely';
import type { Executor } from '../../db/executor.js';
import { type AccountFilter, accountFilterPredicate, companyLockedUntil } from './dashboard.repository.js';

export async function searchAccounts(db: Executor, query: string, limit: number, now: number, filter: AccountFilter | null = null) {
  // A company and its holder; a search by e-mail also finds the companies a member belongs to.
  let q = db
    .selectFrom('companies')
    .innerJoin('accounts', 'accounts.id', 'companies.holder_account_id')
    .select(['companies.id', 'companies.code', 'accounts.email', 'companies.name as company', 'accounts.password_hash', 'companies.disabled_at', 'accounts.last_login_at', 'companies.created_at'])
    // A lock in force on the code or a person's e-mail sign-in: the list says "Verrouillé jusqu'à …".
    .select((eb) => companyLockedUntil(eb, now).as('blocked_until'))
    // Whether a link is open, so the list says "Lien envoyé" as the account page does.
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('link_tokens')
            .select('link_tokens.id')
            .where('link_tokens.subject_type', '=', 'account')
            .whereRef('link_tokens.subject_id', '=', 'accounts.id')
            .where('link_tokens.consumed_at', 'is', null)
            .where('link_tokens.revoked_at', 'is', null)
            .where('link_tokens.expires_at', '>', now),
        )
        .as('has_open_link'),
    );
  if (filter) q = q.where((eb) => accountFilterPredicate(eb, filter, now));
  const term = query.trim().toLowerCase();
  if (term) {
    const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        // A code search is a prefix of digits only.
        ...(/^[0-9]{1,5}$/.test(term) ? [eb('companies.code', 'like', `${term}%`)] : []),
        eb(
          'companies.id',
          'in',
          eb
            .selectFrom('memberships')
            .innerJoin('accounts as member', 'member.id', 'memberships.account_id')
            .select('memberships.company_id')
            .where('member.email_lc', 'like', sql<string>`${like} escape '\\'`),
        ),
        eb(sql`lower(companies.name)`, 'like', sql<string>`${like} escape '\\'`),
      ]),
    );
  }
  return q.orderBy('companies.code').limit(limit).execute();
}

/**
 * The sign-in keys of a company that a lock can hold (S8): its customer code, and each of its
 * people's e-mail address (`email:<address>`, how an e-mail sign-in is throttled).
 */
export async function companySignInKeys(db: Executor, companyId: number, code: string): Promise<string[]> {
  const people = await db
    .selectFrom('memberships')
    .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
    .select('accounts.email_lc')
    .where('memberships.company_id', '=', companyId)
    .execute();
  return [code, ...people.map((p) => `email:${p.email_lc}`)];
}

/** The locks in force now on those keys ("Verrouillé jusqu'à …"), earliest end first. */
export async function listLocks(db: Executor, keys: string[], now: number) {
  if (keys.length === 0) return [];
  return db.selectFrom('login_throttle').select(['key', 'blocked_until']).where('key', 'in', keys).where('blocked_until', '>', now).orderBy('blocked_until').orderBy('key').execute();
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

export async function setCompanyDisabledAt(db: Executor, companyId: number, disabledAt: number | null, now: number): Promise<void> {
  await db.updateTable('companies').set({ disabled_at: disabledAt, updated_at: now }).where('id', '=', companyId).execute();
}

export async function listMemberIds(db: Executor, companyId: number): Promise<number[]> {
  return (await db.selectFrom('memberships').select('account_id').where('company_id', '=', companyId).execute()).map((r) => r.account_id);
}

/** S46: the companies where this person is the only active administrator. */
export async function companiesWithOnlyAdmin(db: Executor, accountId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('memberships as mine')
    .select('mine.company_id')
    .where('mine.account_id', '=', accountId)
    .where('mine.role', '=', 'admin')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('memberships as other')
            .innerJoin('accounts as colleague', 'colleague.id', 'other.account_id')
            .select('other.id')
            .whereRef('other.company_id', '=', 'mine.company_id')
            .where('other.role', '=', 'admin')
            .where('other.account_id', '!=', accountId)
            .where('colleague.disabled_at', 'is', null),
        ),
      ),
    )
    .execute();
  return rows.map((r) => Number(r.company_id));
}

export async function setDisabledAt(db: Executor, id: number, disabledAt: number | null, now: number): Promise<void> {
  await db.updateTable('accounts').set({ disabled_at: disabledAt, updated_at: now }).where('id', '=', id).execute();
}

// ---- e-mail changes awaiting a second staff member (S37) -------------------------------------

export interface EmailChangeTable {
  id: Generated<number>;
  account_id: number;
  old_email: string;
  new_email: string;
  requested_by: string;
  requested_at: number;
  decided_by: string | null;
  decided_at: number | null;
  outcome: 'approved' | 'rejected' | null;
}

/** False when the account already has a pending change (the partial unique index decides, under concurrency too). */
export async function insertPendingEmailChange(db: Executor, row: { account_id: number; old_email: string; new_email: string; requested_by: string; requested_at: number }): Promise<boolean> {
  const result = await db
    .insertInto('email_changes')
    .values({ ...row, decided_by: null, decided_at: null, outcome: null })
    .onConflict((oc) => oc.column('account_id').where('decided_at', 'is', null).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findPendingEmailChange(db: Executor, accountId: number) {
  return db.selectFrom('email_changes').selectAll().where('account_id', '=', accountId).where('decided_at', 'is', null).executeTakeFirst();
}

export async function listPendingEmailChanges(db: Executor, limit: number) {
  return db
    .selectFrom('email_changes')
    // Any person, holder or not: the page of the first company they belong to (their own if they hold one).
    .innerJoin('companies', (join) =>
      join.on('companies.id', '=', (eb) =>
        eb
          .selectFrom('memberships')
          .innerJoin('companies as c', 'c.id', 'memberships.company_id')
          .select('memberships.company_id')
          .whereRef('memberships.account_id', '=', 'email_changes.account_id')
          .orderBy(sql`case when c.holder_account_id = memberships.account_id then 0 else 1 end`)
          .orderBy('memberships.company_id')
          .limit(1),
      ),
    )
    .select(['email_changes.id', 'email_changes.account_id', 'companies.id as company_id', 'companies.code', 'companies.name as company', 'email_changes.old_email', 'email_changes.new_email', 'email_changes.requested_by', 'email_changes.requested_at'])
    .where('email_changes.decided_at', 'is', null)
    .orderBy('email_changes.requested_at')
    .limit(limit)
    .execute();
}

/**
 * Decides a pending change once: true for exactly one caller. An approval never comes from the
 * member who asked (four eyes); a rejection may (they withdraw their own request).
 */
export async function decideEmailChange(db: Executor, id: number, by: string, outcome: 'approved' | 'rejected', now: number): Promise<boolean> {
  let q = db.updateTable('email_changes').set({ decided_by: by, decided_at: now, outcome }).where('id', '=', id).where('decided_at', 'is', null);
  if (outcome === 'approved') q = q.where('requested_by', '!=', by);
  return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
}

/** The pending e-mail changes of these people (the company page lists one per person). */
export async function listPendingEmailChangesOf(db: Executor, accountIds: number[]) {
  if (accountIds.length === 0) return [];
  return db.selectFrom('email_changes').selectAll().where('account_id', 'in', accountIds).where('decided_at', 'is', null).execute();
}
