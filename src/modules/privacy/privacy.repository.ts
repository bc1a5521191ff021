import { sql } from 'kysely';
import type { Executor } from '../../db/executor.js';
import { sha256 } from '../../shared/crypto.js';

/**
 * S42: every row that names a customer or a requester, for the export, and the statements of the
 * erasure. Tables tied to an account by a foreign key with ON DELETE CASCADE (sessions,
 * remember-me tokens, devices, known browsers, e-mail changes) go with the account row.
 */
export async function collectAccountData(db: Executor, account: { id: number; code: string; email_lc: string }, options: { codeIsTheirs?: boolean } = {}) {
  // The customer code names the person only when they hold it (their throttle, their reset
  // requests, the audit entries targeting it); a member's export keeps to what is theirs.
  const code = options.codeIsTheirs === false ? null : account.code;
  const [sessions, rememberTokens, devices, knownBrowsers, linkTokens, emailChanges, throttle, mails, resetRequests, requests, audit, memberships, invitations] = await Promise.all([
    db.selectFrom('sessions').select(['created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent']).where('account_id', '=', account.id).execute(),
    db.selectFrom('remember_tokens').select(['created_at', 'expires_at', 'rotated_at']).where('account_id', '=', account.id).execute(),
    db.selectFrom('devices').select(['created_at', 'expires_at']).where('account_id', '=', account.id).execute(),
    db.selectFrom('known_browsers').select(['created_at', 'last_seen_at']).where('account_id', '=', account.id).execute(),
    db.selectFrom('link_tokens').select(['purpose', 'created_at', 'expires_at', 'consumed_at', 'revoked_at', 'revoked_reason']).where('subject_type', '=', 'account').where('subject_id', '=', account.id).execute(),
    db.selectFrom('email_changes').select(['old_email', 'new_email', 'requested_by', 'requested_at', 'decided_by', 'decided_at', 'outcome']).where('account_id', '=', account.id).execute(),
    code === null ? [] : db.selectFrom('login_throttle').select(['failures', 'blocked_until', 'updated_at']).where('key', '=', code).execute(),
    mailsOf(db, account.id, [account.email_lc]).execute(),
    db.selectFrom('reset_requests').select(['identifier', 'email', 'ip', 'user_agent', 'created_at', 'processed_at']).where((eb) => eb.or([...(code === null ? [] : [eb('identifier', '=', code)]), eb(sql`lower(email)`, '=', account.email_lc)])).execute(),
    db.selectFrom('account_requests').selectAll().where((eb) => eb.or([eb('account_id', '=', account.id), eb(sql`lower(email)`, '=', account.email_lc)])).execute(),
    db.selectFrom('audit_log').select(['at', 'event', 'outcome', 'actor_type', 'actor_id', 'target', 'ip', 'user_agent', 'details']).where((eb) => eb.or([eb('account_id', '=', account.id), ...(code === null ? [] : [eb('target', '=', code)])])).orderBy('at').execute(),
    // Company accounts: the companies the person belongs to, with their role, and the invitations sent to their address.
    db.selectFrom('memberships').innerJoin('companies', 'companies.id', 'memberships.company_id').select(['companies.code', 'companies.name', 'memberships.role', 'memberships.created_at']).where('memberships.account_id', '=', account.id).execute(),
    db.selectFrom('invitations').select(['email', 'given_name', 'family_name', 'role', 'state', 'created_at', 'expires_at', 'decided_at']).where('email_lc', '=', account.email_lc).execute(),
  ]);
  return { memberships, invitations, sessions, rememberTokens, devices, knownBrowsers, linkTokens, emailChanges, throttle, mails, resetRequests, requests, audit };
}

export async function collectRequestData(db: Executor, request: { id: number; email: string }) {
  const [mails, audit] = await Promise.all([
    mailsOf(db, null, [request.email.toLowerCase()]).execute(),
    db.selectFrom('audit_log').select(['at', 'event', 'outcome', 'actor_type', 'actor_id', 'target', 'ip', 'user_agent', 'details']).where('target', '=', `request:${request.id}`).orderBy('at').execute(),
  ]);
  return { mails, audit };
}

function mailsOf(db: Executor, accountId: number | null, emailsLc: string[]) {
  return db
    .selectFrom('outbox')
    .select(['kind', 'recipient', 'subject', 'status', 'created_at', 'sent_at', 'text_body'])
    .where((eb) => eb.or([...(accountId === null ? [] : [eb('account_id', '=', accountId)]), eb(sql`lower(recipient)`, 'in', emailsLc)]))
    .orderBy('id');
}

/** The audit keeps the trace (what happened, when, by which staff member), not the person. */
export async function pseudonymiseAudit(db: Executor, where: { accountId: number | null; targets: string[] }, pseudonym: string): Promise<number> {
  const result = await db
    .updateTable('audit_log')
    .set((eb) => ({
      actor_id: eb.case().when('actor_type', 'in', ['customer', 'anonymous']).then(eb.case().when('actor_id', 'is', null).then(null).else(pseudonym).end()).else(eb.ref('actor_id')).end(),
      target: eb.case().when('target', 'is', null).then(null).when('target', 'like', 'request:%').then(eb.ref('target')).when('target', 'like', 'account_request:%').then(eb.ref('target')).else(pseudonym).end(),
      // The staff member's own address stays with their action; the person's goes.
      ip: eb.case().when('actor_type', 'in', ['customer', 'anonymous']).then(null).else(eb.ref('ip')).end(),
      user_agent: eb.case().when('actor_type', 'in', ['customer', 'anonymous']).then(null).else(eb.ref('user_agent')).end(),
      details: null,
    }))
    .where((eb) => eb.or([...(where.accountId === null ? [] : [eb('account_id', '=', where.accountId)]), ...(where.targets.length ? [eb('target', 'in', where.targets)] : [])]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A person's rows. `code`: the customer code they hold (its throttle and reset requests are theirs), or null for a member. */
export async function eraseAccountRows(db: Executor, account: { id: number; code: string | null; email_lc: string; oidc_sub: string | null }): Promise<void> {
  // What single sign-on still holds for the person (codes, tokens, grants): keyed by their subject.
  if (account.oidc_sub) await db.deleteFrom('oidc_models').where('account_id', '=', account.oidc_sub).execute();
  await db.deleteFrom('link_tokens').where('subject_type', '=', 'account').where('subject_id', '=', account.id).execute();
  const code = account.code;
  // The throttles of both identifiers: the code it signs in with (a holder) and the address.
  await db.deleteFrom('login_throttle').where('key', 'in', [...(code === null ? [] : [code]), `email:${account.email_lc}`]).execute();
  await db.deleteFrom('rate_limits').where('key', 'in', [`request-ack:${sha256(account.email_lc)}`, `reset-id:account:${account.id}`]).execute();
  await db.deleteFrom('outbox').where((eb) => eb.or([eb('account_id', '=', account.id), eb(sql`lower(recipient)`, '=', account.email_lc)])).execute();
  await db.deleteFrom('reset_requests').where((eb) => eb.or([...(code === null ? [] : [eb('identifier', '=', code)]), eb(sql`lower(email)`, '=', account.email_lc)])).execute();
  await db.deleteFrom('account_requests').where((eb) => eb.or([eb('account_id', '=', account.id), eb(sql`lower(email)`, '=', account.email_lc)])).execute();
  await db.deleteFrom('invitations').where('email_lc', '=', account.email_lc).execute();
  // Email changes name the person's other addresses: gone with the account (ON DELETE CASCADE), like its sessions and memberships.
  await db.deleteFrom('accounts').where('id', '=', account.id).execute();
}

/** A company and what is only the company's: its memberships and invitations (ON DELETE CASCADE), its code's throttle. */
export async function eraseCompanyRows(db: Executor, company: { id: number; code: string }): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', company.code).execute();
  await db.deleteFrom('rate_limits').where('key', 'in', [`invite-company:${company.id}`]).execute();
  await db.deleteFrom('companies').where('id', '=', company.id).execute();
}

/** The people of a company who belong to no other company: erased with it. */
export async function peopleOnlyIn(db: Executor, companyId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('memberships as mine')
    .select('mine.account_id')
    .where('mine.company_id', '=', companyId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('memberships as other').select('other.id').whereRef('other.account_id', '=', 'mine.account_id').where('other.company_id', '!=', companyId))))
    .execute();
  return rows.map((r) => Number(r.account_id));
}

/** Does the person hold (sign in with the code of) a company? */
export async function heldCompanies(db: Executor, accountId: number): Promise<number[]> {
  return (await db.selectFrom('companies').select('id').where('holder_account_id', '=', accountId).execute()).map((r) => Number(r.id));
}

export async function eraseRequestRows(db: Executor, request: { id: number; email: string }): Promise<void> {
  await db.deleteFrom('outbox').where(sql`lower(recipient)`, '=', request.email.toLowerCase()).execute();
  await db.deleteFrom('rate_limits').where('key', '=', `request-ack:${sha256(request.email.toLowerCase())}`).execute();
  await db.deleteFrom('account_requests').where('id', '=', request.id).execute();
}

/** The account-opening requests of a person (their ids name their audit entries and notifications). */
export async function requestIdsOf(db: Executor, account: { id: number; email_lc: string }): Promise<number[]> {
  const rows = await db.selectFrom('account_requests').select('id').where((eb) => eb.or([eb('account_id', '=', account.id), eb(sql`lower(email)`, '=', account.email_lc)])).execute();
  return rows.map((r) => Number(r.id));
}

/** The addresses a person came from (their sessions and their own audit entries), for the limits keyed by them. */
export async function ipsOf(db: Executor, where: { accountId: number | null; targets: string[] }): Promise<string[]> {
  const fromAudit = await db
    .selectFrom('audit_log')
    .select('ip')
    .where('actor_type', 'in', ['customer', 'anonymous'])
    .where('ip', 'is not', null)
    .where((eb) => eb.or([...(where.accountId === null ? [] : [eb('account_id', '=', where.accountId)]), ...(where.targets.length ? [eb('target', 'in', where.targets)] : [])]))
    .execute();
  const fromSessions = where.accountId === null ? [] : await db.selectFrom('sessions').select('ip').where('account_id', '=', where.accountId).execute();
  return [...new Set([...fromAudit, ...fromSessions].map((r) => r.ip!).filter(Boolean))];
}

/** Limit rows keyed by one of these addresses: short-lived, but an address is personal data too. */
export async function deleteLimitsOfIps(db: Executor, ips: string[]): Promise<void> {
  for (const ip of ips) await db.deleteFrom('rate_limits').where('key', 'like', `%:${ip.replace(/[\\%_]/g, '')}`).execute();
}

/** Customer service's notification of a request: it carries the requester's details. */
export async function deleteRequestNotifications(db: Executor, requestIds: number[]): Promise<void> {
  for (const id of requestIds) {
    const rows = await db.selectFrom('outbox').select(['id', 'text_body']).where('kind', '=', 'account_request_notification').where('text_body', 'like', `%/back-office/demandes/${id}%`).execute();
    const exact = rows.filter((r) => new RegExp(`/back-office/demandes/${id}(?![0-9])`).test(r.text_body ?? '')).map((r) => Number(r.id));
    if (exact.length) await db.deleteFrom('outbox').where('id', 'in', exact).execute();
  }
}
