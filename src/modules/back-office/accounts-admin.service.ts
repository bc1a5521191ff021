import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { formatDateTime } from '../../shared/format.js';
import { fail, ok, type Result } from '../../shared/result.js';
import { hasLineBreak, isValidEmail, normalizeEmail } from '../../shared/validation.js';
import { emailChangedNoticeMail, supportContact } from '../../views/mail/templates.js';
import { mailLanguage } from '../account/account.service.js';
import type { Executor } from '../../db/executor.js';
import { enqueueMail } from '../mail/mail.service.js';
import { findAccountById, findCompanyAccount } from '../account/account.repository.js';
import { findOpenLink, revokeLinkTokens } from '../auth-core/link-tokens.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { accountSubject, sendAccountLink } from '../auth-core/account-link.js';
import { clearIdentifierThrottles, identifierThrottleState } from '../auth-core/limits.js';
import { invalidateCompanySessions } from '../session/session.service.js';
import { endSsoSessions } from '../sso/sso.service.js';
import { changeAndEndSignIns, NOTHING_CHANGED } from '../session/sign-out.js';
import type { AccountFilter } from './dashboard.repository.js';
import * as repo from './accounts-admin.repository.js';
import { teamOverview } from '../company/team.overview.js';

export interface AdminDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
}

/** Who acts in the back office, as the audit log names them. */
export interface StaffActor {
  id: string;
  origin: AuditOrigin;
  /** Who the audit names: a staff member (default) or the operator at the CLI (ERP import). */
  type?: 'staff' | 'operator';
}

/** What customer service sees of an account. Staff never see or set a password (S5). */
export type AdminAccountStatus = 'pre-created' | 'link-sent' | 'activated' | 'throttled' | 'disabled';

export function adminStatus(account: { password_hash: string | null; disabled_at: number | null }, openLink: boolean, throttled: boolean): AdminAccountStatus {
  if (account.disabled_at !== null) return 'disabled';
  if (throttled) return 'throttled';
  if (account.password_hash !== null) return 'activated';
  return openLink ? 'link-sent' : 'pre-created';
}

export async function searchAccounts(db: Kysely<DB>, query: string, now: number, filter: AccountFilter | null = null) {
  return repo.searchAccounts(db, query.slice(0, 100), 100, now, filter);
}

/** The company's page: the company seen through its holder (`companyId` is the page's id). */
export async function getAccountDetail(deps: AdminDeps, companyId: number) {
  const { db, clock } = deps;
  const account = await findCompanyAccount(db, companyId);
  if (!account) return null;
  const id = account.id;
  const now = clock.now();
  const [openLink, throttle, mails, sessions, pendingEmail, locks] = await Promise.all([
    findOpenLink(db, clock, accountSubject(id)),
    identifierThrottleState(db, clock, account.code),
    repo.listMailsOfAccount(db, id, 20),
    repo.countSessions(db, id, now),
    repo.findPendingEmailChange(db, id),
    repo.companySignInKeys(db, account.company_id, account.code).then((keys) => repo.listLocks(db, keys, now)),
  ]);
  const throttled = throttle?.throttled ?? false;
  return {
    account: {
      id: account.company_id,
      personId: account.id,
      code: account.code,
      email: account.email,
      company: account.company,
      createdAt: account.created_at,
      activatedAt: account.activated_at,
      lastLoginAt: account.last_login_at,
      disabledAt: account.disabled_at,
    },
    status: adminStatus(account, openLink !== undefined, throttled),
    openLink: openLink ?? null,
    throttle: throttle ? { failures: throttle.failures, blockedUntil: throttle.blockedUntil } : null,
    /** Locks in force now: on the customer code (`email: null`) or on one of its people's e-mail address. */
    locks: locks.map((l) => ({ email: l.key.startsWith('email:') ? l.key.slice('email:'.length) : null, blockedUntil: Number(l.blocked_until) })),
    sessions,
    mails,
    pendingEmail: pendingEmail ? { from: pendingEmail.old_email, to: pendingEmail.new_email, by: pendingEmail.requested_by, at: pendingEmail.requested_at } : null,
  };
}

/** Why customer service's action on an account was refused (fr.bo.errors has a sentence for each, typed). */
export type AdminActionError = 'NOT_FOUND' | 'INVALID_EMAIL' | 'SAME_EMAIL' | 'DISABLED' | 'CHANGE_PENDING' | 'NO_PENDING_CHANGE' | 'OWN_REQUEST' | 'LAST_ADMIN';

type Account = NonNullable<Awaited<ReturnType<typeof findCompanyAccount>>>;

/**
 * `companyId` names the company's page; the account handed on is its holder (`account.id` is the
 * person), or the person `personId` when the action names one of the company's people (S43: only
 * a member of that company, else NOT_FOUND).
 */
async function withAccount<T>(deps: AdminDeps, companyId: number, fn: (account: Account) => Promise<Result<T, AdminActionError>>, personId?: number): Promise<Result<T, AdminActionError>> {
  const account = personId === undefined ? await findCompanyAccount(deps.db, companyId) : await findAccountById(deps.db, personId, companyId);
  if (!account) return fail('NOT_FOUND');
  return fn(account);
}

/** Sends an activation (no password yet) or reset link; the newest link voids older ones. */
export async function sendLinkByStaff(deps: AdminDeps, staff: StaffActor, id: number, personId?: number): Promise<Result<{ purpose: string }, AdminActionError>> {
  return withAccount(deps, id, async (account) => {
    if (account.disabled_at !== null) return fail('DISABLED', 'email');
    return deps.db.transaction().execute(async (trx) => {
      // The link goes to the account's address as it stands: a change of it waits for a second staff member (S37).
      const { purpose } = await sendAccountLink(deps, trx, account);
      await recordAudit(trx, deps.clock, staff.origin, { event: 'staff.link_sent', outcome: 'success', actorType: 'staff', actorId: staff.id, accountId: account.id, companyId: account.company_id, target: account.code, details: { purpose } });
      return ok({ purpose });
    });
  }, personId);
}

/**
 * Applies an e-mail change: the new address, every pending link voided (it went to the old one,
 * S12), and the OLD address told what changed, when, and how to reach customer service (S39) —
 * if the change was not wanted, the customer hears of it where they still read their mail.
 */
async function applyEmailChange(deps: AdminDeps, trx: Executor, account: Account, newEmail: string, audit: { staff: StaffActor; event: string; requestedBy?: string }) {
  const { clock, config } = deps;
  await repo.updateEmail(trx, account.id, newEmail, clock.now());
  const voided = await revokeLinkTokens(trx, clock, accountSubject(account.id), 'email_changed');
  const lang = mailLanguage(account);
  const notice = emailChangedNoticeMail({
    lang,
    brand: config.brandName,
    company: account.company,
    code: account.code,
    newEmail,
    when: formatDateTime(clock.now(), config.displayTimezone, lang),
    support: supportContact(config, lang),
  });
  await enqueueMail(trx, clock, { ...notice, kind: 'email_changed_notice', to: account.email, accountId: account.id });
  await recordAudit(trx, clock, audit.staff.origin, {
    event: audit.event,
    outcome: 'success',
    actorType: audit.staff.type ?? 'staff',
    actorId: audit.staff.id,
    accountId: account.id,
    companyId: account.company_id,
    target: account.code,
    details: { from: account.email, to: newEmail, linksVoided: voided, ...(audit.requestedBy ? { requestedBy: audit.requestedBy } : {}) },
  });
}

/**
 * "Changer l’e-mail" (S37). An account not yet activated has no password for a thief to reset:
 * the change applies at once. On an activated account it is only a request: it waits, visible
 * in the queue, until another staff member approves it, so no single person can route a
 * customer's reset link to an address of their own.
 */
export async function requestEmailChange(deps: AdminDeps, staff: StaffActor, id: number, rawEmail: string, personId?: number): Promise<Result<{ applied: boolean }, AdminActionError>> {
  const email = normalizeEmail(rawEmail);
  if (!isValidEmail(email) || hasLineBreak(email)) return fail('INVALID_EMAIL', 'email');
  return withAccount<{ applied: boolean }>(deps, id, (account) => deps.db.transaction().execute((trx) => changeAccountEmail(deps, trx, staff, account, email)), personId);
}

/**
 * The one door through which an account's e-mail changes, whoever asks (the account page, the
 * ERP import from the page or the CLI): inside the caller's transaction, with `email` already
 * validated. Not activated: applied at once, links voided, the old address told. Activated: a
 * pending change that another staff member must approve (S37); refused if one already waits.
 */
export async function changeAccountEmail(deps: AdminDeps, trx: Executor, actor: StaffActor, account: Account, email: string): Promise<Result<{ applied: boolean }, AdminActionError>> {
  if (email.toLowerCase() === account.email_lc) return fail('SAME_EMAIL', 'email');
  if (account.password_hash === null) {
    await applyEmailChange(deps, trx, account, email, { staff: actor, event: 'staff.email_changed' });
    return ok({ applied: true });
  }
  const queued = await repo.insertPendingEmailChange(trx, { account_id: account.id, old_email: account.email, new_email: email, requested_by: actor.id, requested_at: deps.clock.now() });
  if (!queued) return fail('CHANGE_PENDING', 'email');
  await recordAudit(trx, deps.clock, actor.origin, { event: 'staff.email_change_requested', outcome: 'info', actorType: actor.type ?? 'staff', actorId: actor.id, accountId: account.id, companyId: account.company_id, target: account.code, details: { from: account.email, to: email } });
  return ok({ applied: false });
}

/** The second pair of eyes: another staff member approves (the change applies) or anyone rejects it. */
export async function decideEmailChangeByStaff(deps: AdminDeps, staff: StaffActor, id: number, approve: boolean, personId?: number): Promise<Result<{ applied: boolean }, AdminActionError>> {
  return withAccount<{ applied: boolean }>(deps, id, (account) =>
    deps.db.transaction().execute(async (trx) => {
      const pending = await repo.findPendingEmailChange(trx, account.id);
      if (!pending) return fail('NO_PENDING_CHANGE');
      if (approve && pending.requested_by === staff.id) return fail('OWN_REQUEST');
      if (!(await repo.decideEmailChange(trx, pending.id, staff.id, approve ? 'approved' : 'rejected', deps.clock.now()))) return fail('NO_PENDING_CHANGE');
      if (approve) {
        await applyEmailChange(deps, trx, account, pending.new_email, { staff, event: 'staff.email_change_approved', requestedBy: pending.requested_by });
      } else {
        await recordAudit(trx, deps.clock, staff.origin, { event: 'staff.email_change_rejected', outcome: 'info', actorType: 'staff', actorId: staff.id, accountId: account.id, companyId: account.company_id, target: account.code, details: { to: pending.new_email, requestedBy: pending.requested_by } });
      }
      return ok({ applied: approve });
    }),
    personId,
  );
}

export async function listPendingEmailChanges(db: Executor) {
  return repo.listPendingEmailChanges(db, 100);
}

/** Disable revokes every session, remember-me token, single sign-on grant and link of the account at once. */
export async function setAccountDisabled(deps: AdminDeps, staff: StaffActor, id: number, disabled: boolean): Promise<Result<undefined, AdminActionError>> {
  return withAccount(deps, id, async (account) => {
    const write = async (trx: Executor, sessions: number) => {
      const now = deps.clock.now();
      // The company: everyone signed in to it is signed out of it (below); the holder's links die too.
      await repo.setCompanyDisabledAt(trx, account.company_id, disabled ? now : null, now);
      if (disabled) await revokeLinkTokens(trx, deps.clock, accountSubject(account.id), 'disabled');
      await recordAudit(trx, deps.clock, staff.origin, {
        event: disabled ? 'staff.account_disabled' : 'staff.account_enabled',
        outcome: 'success',
        actorType: 'staff',
        actorId: staff.id,
        accountId: account.id,
        companyId: account.company_id,
        target: account.code,
        details: disabled ? { sessionsRevoked: sessions } : undefined,
      });
      return ok();
    };
    if (!disabled) return deps.db.transaction().execute((trx) => write(trx, 0));
    // S41: the holder is signed out of Espace Pro and of every application (back-channel); the
    // company's other people lose their sessions in it and their applications' grants too.
    const result = (await changeAndEndSignIns(deps, account.id, 'account_disabled', async (trx, ended) =>
      write(trx, ended.sessions + (await invalidateCompanySessions(trx, account.company_id))),
    )) as Result<undefined, AdminActionError>;
    for (const member of await repo.listMemberIds(deps.db, account.company_id)) if (member !== account.id) await endSsoSessions(deps, member, 'account_disabled');
    return result;
  });
}

/**
 * Disables (or enables) one person of the company: they sign in nowhere, in no company (one
 * person, one password), and every session, remember-me series, link and single sign-on grant of
 * theirs ends (through the one door of sign-in endings). S46: refused while they are the last
 * active administrator of a company of theirs.
 */
export async function setPersonDisabled(deps: AdminDeps, staff: StaffActor, companyId: number, personId: number, disabled: boolean): Promise<Result<undefined, AdminActionError>> {
  return withAccount(
    deps,
    companyId,
    async (account) => {
      const write = async (trx: Executor, sessions: number) => {
        const now = deps.clock.now();
        await repo.setDisabledAt(trx, account.id, disabled ? now : null, now);
        if (disabled) await revokeLinkTokens(trx, deps.clock, accountSubject(account.id), 'disabled');
        await recordAudit(trx, deps.clock, staff.origin, {
          event: disabled ? 'staff.person_disabled' : 'staff.person_enabled',
          outcome: 'success',
          actorType: 'staff',
          actorId: staff.id,
          accountId: account.id,
          companyId: account.company_id,
          target: account.email,
          details: { code: account.code, ...(disabled ? { sessionsRevoked: sessions } : {}) },
        });
        return ok();
      };
      if (!disabled) return deps.db.transaction().execute((trx) => write(trx, 0));
      const result = await changeAndEndSignIns(deps, account.id, 'account_disabled', async (trx, ended) =>
        // A company whose only active administrator this is: name another one first (nothing ends).
        (await repo.companiesWithOnlyAdmin(trx, account.id)).length > 0 ? NOTHING_CHANGED : write(trx, ended.sessions),
      );
      return result === NOTHING_CHANGED ? fail('LAST_ADMIN') : (result as Result<undefined, AdminActionError>);
    },
    personId,
  );
}

/** "Fermer toutes les sessions": Espace Pro sessions, remember-me and single sign-on, like a password change. */
export async function revokeSessionsByStaff(deps: AdminDeps, staff: StaffActor, id: number): Promise<Result<undefined, AdminActionError>> {
  return withAccount(deps, id, async (account) =>
    changeAndEndSignIns(deps, account.id, 'staff_revoked', async (trx, ended) => {
      await recordAudit(trx, deps.clock, staff.origin, { event: 'staff.sessions_revoked', outcome: 'success', actorType: 'staff', actorId: staff.id, accountId: account.id, companyId: account.company_id, target: account.code, details: { sessionsRevoked: ended.sessions } });
      return ok();
    }) as Promise<Result<undefined, AdminActionError>>,
  );
}

/** "Déverrouiller": the customer code's lock, and those on its people's e-mail addresses (S8). */
export async function clearThrottleByStaff(deps: AdminDeps, staff: StaffActor, id: number): Promise<Result<undefined, AdminActionError>> {
  return withAccount(deps, id, async (account) => {
    await clearIdentifierThrottles(deps.db, await repo.companySignInKeys(deps.db, account.company_id, account.code));
    await recordAudit(deps.db, deps.clock, staff.origin, { event: 'staff.throttle_cleared', outcome: 'success', actorType: 'staff', actorId: staff.id, accountId: account.id, companyId: account.company_id, target: account.code });
    return ok();
  });
}

/** The company page's people and invitations (src/modules/company), with each person's pending e-mail change (S37). */
export async function getCompanyTeam(deps: AdminDeps, companyId: number) {
  const overview = await teamOverview(deps, companyId);
  const pending = await repo.listPendingEmailChangesOf(deps.db, overview.members.map((m) => m.id));
  return {
    ...overview,
    members: overview.members.map((m) => {
      const change = pending.find((p) => Number(p.account_id) === m.id);
      return { ...m, pendingEmail: change ? { to: change.new_email, by: change.requested_by, at: Number(change.requested_at) } : null };
    }),
  };
}
