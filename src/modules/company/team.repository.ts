import { sql } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { Invitation, Role } from './company.table.js';

/**
 * Takes the company's row for the rest of the transaction and returns it: every change to a
 * company's team (invite, role, removal, hand-over) starts here, so on PostgreSQL two of them
 * for one company run one after the other (the no-op UPDATE holds a row lock until commit) and
 * SQLite has a single writer. The rules that read the team (S43 "still an administrator?", S46
 * "another active administrator left?") then read what the previous change committed.
 */
export async function lockCompany(db: Executor, companyId: number) {
  return db
    .updateTable('companies')
    .set({ updated_at: sql<number>`updated_at` })
    .where('id', '=', companyId)
    .returning(['id', 'code', 'name', 'holder_account_id', 'disabled_at'])
    .executeTakeFirst();
}

export async function findCompany(db: Executor, companyId: number) {
  return db.selectFrom('companies').select(['id', 'code', 'name', 'holder_account_id', 'disabled_at']).where('id', '=', companyId).executeTakeFirst();
}

/** A person's membership of a company, with what the rules need of the person. */
export async function findMember(db: Executor, companyId: number, accountId: number) {
  return db
    .selectFrom('memberships')
    .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
    .select(['memberships.account_id', 'memberships.role', 'accounts.email', 'accounts.email_lc', 'accounts.given_name', 'accounts.family_name', 'accounts.password_hash', 'accounts.disabled_at'])
    .where('memberships.company_id', '=', companyId)
    .where('memberships.account_id', '=', accountId)
    .executeTakeFirst();
}

/** S46: administrators of the company whose person can still sign in (not disabled), other than `exceptAccountId`. */
export async function countOtherActiveAdmins(db: Executor, companyId: number, exceptAccountId: number): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('memberships.company_id', '=', companyId)
    .where('memberships.role', '=', 'admin')
    .where('accounts.disabled_at', 'is', null)
    .where('memberships.account_id', '!=', exceptAccountId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function isMemberByEmail(db: Executor, companyId: number, emailLc: string): Promise<boolean> {
  const row = await db
    .selectFrom('memberships')
    .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
    .select('memberships.id')
    .where('memberships.company_id', '=', companyId)
    .where('accounts.email_lc', '=', emailLc)
    .executeTakeFirst();
  return row !== undefined;
}

export async function setRole(db: Executor, companyId: number, accountId: number, role: Role, now: number): Promise<void> {
  await db.updateTable('memberships').set({ role, updated_at: now }).where('company_id', '=', companyId).where('account_id', '=', accountId).execute();
}

export async function deleteMembership(db: Executor, companyId: number, accountId: number): Promise<void> {
  await db.deleteFrom('memberships').where('company_id', '=', companyId).where('account_id', '=', accountId).execute();
}

/** Joins a person to a company; false when they already were a member. */
export async function insertMembership(db: Executor, row: { companyId: number; accountId: number; role: Role; now: number }): Promise<boolean> {
  const result = await db
    .insertInto('memberships')
    .values({ company_id: row.companyId, account_id: row.accountId, role: row.role, created_at: row.now, updated_at: row.now })
    .onConflict((oc) => oc.columns(['company_id', 'account_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function setHolder(db: Executor, companyId: number, accountId: number, now: number): Promise<void> {
  await db.updateTable('companies').set({ holder_account_id: accountId, updated_at: now }).where('id', '=', companyId).execute();
}

/** The people of a company for "Mon équipe" and the back office's company page. */
export async function listMembers(db: Executor, companyId: number) {
  return db
    .selectFrom('memberships')
    .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
    .innerJoin('companies', 'companies.id', 'memberships.company_id')
    .select([
      'accounts.id',
      'accounts.email',
      'accounts.given_name',
      'accounts.family_name',
      'accounts.password_hash',
      'accounts.disabled_at',
      'accounts.last_login_at',
      'memberships.role',
      'memberships.created_at',
      'companies.holder_account_id',
    ])
    .where('memberships.company_id', '=', companyId)
    .orderBy('accounts.family_name')
    .orderBy('accounts.email_lc')
    .execute();
}

// ---- invitations ------------------------------------------------------------------------------

export async function insertInvitation(
  db: Executor,
  row: { companyId: number; email: string; givenName: string; familyName: string; role: Role; invitedByAccountId: number | null; invitedByStaffId: number | null; now: number; expiresAt: number },
): Promise<number> {
  const inserted = await db
    .insertInto('invitations')
    .values({
      company_id: row.companyId,
      email: row.email,
      email_lc: row.email.toLowerCase(),
      given_name: row.givenName,
      family_name: row.familyName,
      role: row.role,
      invited_by_account_id: row.invitedByAccountId,
      invited_by_staff_id: row.invitedByStaffId,
      created_at: row.now,
      expires_at: row.expiresAt,
      state: 'pending',
      decided_at: null,
      accepted_account_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(inserted.id);
}

/** An invitation of this company (S43: never one of another company, whatever the id says). */
export async function findInvitation(db: Executor, companyId: number, id: number): Promise<Invitation | undefined> {
  return db.selectFrom('invitations').selectAll().where('company_id', '=', companyId).where('id', '=', id).executeTakeFirst();
}

export async function findInvitationById(db: Executor, id: number): Promise<Invitation | undefined> {
  return db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Pending invitations of the company (expired ones too: they can be resent), with who sent them. */
export async function listPendingInvitations(db: Executor, companyId: number) {
  return db
    .selectFrom('invitations')
    .leftJoin('accounts as inviter', 'inviter.id', 'invitations.invited_by_account_id')
    .leftJoin('staff', 'staff.id', 'invitations.invited_by_staff_id')
    .select([
      'invitations.id',
      'invitations.email',
      'invitations.given_name',
      'invitations.family_name',
      'invitations.role',
      'invitations.created_at',
      'invitations.expires_at',
      'inviter.email as inviter_email',
      'inviter.given_name as inviter_given_name',
      'inviter.family_name as inviter_family_name',
      'staff.email as staff_email',
    ])
    .where('invitations.company_id', '=', companyId)
    .where('invitations.state', '=', 'pending')
    .orderBy('invitations.created_at', 'desc')
    .execute();
}

/** The pending invitation of this address to this company, if any (one at a time). */
export async function findPendingInvitationByEmail(db: Executor, companyId: number, emailLc: string, now: number) {
  return db
    .selectFrom('invitations')
    .select('id')
    .where('company_id', '=', companyId)
    .where('email_lc', '=', emailLc)
    .where('state', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** pending → withdrawn | accepted, once: true for exactly one caller. */
export async function decideInvitation(db: Executor, id: number, state: 'withdrawn' | 'accepted', now: number, acceptedAccountId: number | null = null): Promise<boolean> {
  const result = await db
    .updateTable('invitations')
    .set({ state, decided_at: now, accepted_account_id: acceptedAccountId })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setInvitationExpiry(db: Executor, id: number, expiresAt: number): Promise<void> {
  await db.updateTable('invitations').set({ expires_at: expiresAt }).where('id', '=', id).execute();
}

/** Open invitations sent by a person in a company: void once they are no longer its administrator (S44). */
export async function pendingInvitationIdsBy(db: Executor, companyId: number, accountId: number): Promise<number[]> {
  const rows = await db.selectFrom('invitations').select('id').where('company_id', '=', companyId).where('invited_by_account_id', '=', accountId).where('state', '=', 'pending').execute();
  return rows.map((r) => Number(r.id));
}

/** A staff member's name for an invitation mail. */
export async function findStaffEmail(db: Executor, staffId: number): Promise<string | undefined> {
  return (await db.selectFrom('staff').select('email').where('id', '=', staffId).executeTakeFirst())?.email;
}

/** When the session's sign-in was checked (a password or a passkey; a remember-me series keeps its first check's time). */
export async function findSessionAuthenticatedAt(db: Executor, sessionId: string): Promise<number | undefined> {
  const row = await db.selectFrom('sessions').select('authenticated_at').where('id', '=', sessionId).executeTakeFirst();
  return row?.authenticated_at == null ? undefined : Number(row.authenticated_at);
}
