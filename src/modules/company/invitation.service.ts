import type { Executor } from '../../db/executor.js';
import { MINUTE_MS } from '../../shared/clock.js';
import { formatDateTime, formatValidity } from '../../shared/format.js';
import type { PasswordHasher } from '../../shared/hasher.js';
import { fail, ok, type Result, runCatching } from '../../shared/result.js';
import { hasLineBreak, isValidEmail, normalizeEmail } from '../../shared/validation.js';
import { invitationMail } from '../../views/mail/templates.js';
import { mailLanguage } from '../account/account.service.js';
import { findPeopleByEmail, insertPasswordlessPerson, setPassword } from '../account/account.repository.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { accountSubject } from '../auth-core/account-link.js';
import { LIMITS, releaseLimit, reserveLimit } from '../auth-core/limits.js';
import { checkLinkToken, consumeLinkToken, issueLinkToken, revokeLinkTokens } from '../auth-core/link-tokens.js';
import { enqueueMail } from '../mail/mail.service.js';
import { newPasswordErrors, type ResetFieldError } from '../password-reset/password-reset.service.js';
import type { Invitation, Role } from './company.table.js';
import { isRole } from './company.table.js';
import * as repo from './team.repository.js';
import { abort, auditActor, mayGrant, type TeamActor, type TeamDeps, type TeamError, withTeam } from './team.service.js';

/** The link of an invitation: one row of link_tokens, subject the invitation (auth-core). */
export const invitationSubject = (id: number) => ({ type: 'invitation' as const, id });
export const INVITATION_PATH = '/invitation';
/** S44: accepting as a person who already has a password needs a sign-in at most this old. */
export const ACCEPT_SIGN_IN_MAX_AGE_MS = 10 * MINUTE_MS;

export interface InvitationForm {
  prenom: string;
  nom: string;
  email: string;
  role: string;
}

const NAME_MAX = 100;

/** The form's own checks, before anything is looked up (every message next to its field). */
export function checkInvitationForm(form: InvitationForm): Array<{ code: TeamError; field: string }> {
  const errors: Array<{ code: TeamError; field: string }> = [];
  const name = (value: string, field: string, required: TeamError) => {
    const v = value.trim();
    if (v === '') errors.push({ code: required, field });
    else if (v.length > NAME_MAX || hasLineBreak(v)) errors.push({ code: 'NAME_TOO_LONG', field });
  };
  name(form.prenom, 'prenom', 'GIVEN_NAME_REQUIRED');
  name(form.nom, 'nom', 'FAMILY_NAME_REQUIRED');
  const email = normalizeEmail(form.email);
  if (email === '') errors.push({ code: 'EMAIL_REQUIRED', field: 'email' });
  else if (!isValidEmail(email) || hasLineBreak(email)) errors.push({ code: 'EMAIL_FORMAT', field: 'email' });
  if (!isRole(form.role)) errors.push({ code: 'ROLE_REQUIRED', field: 'role' });
  return errors;
}

/** Who the mail says invited: the administrator's name (or address); null: the brand's customer service. */
async function inviterName(trx: Executor, actor: TeamActor): Promise<string | null> {
  if (actor.kind === 'staff') return null;
  const me = await repo.findMember(trx, actor.companyId, actor.accountId);
  const full = [me?.given_name, me?.family_name].filter(Boolean).join(' ');
  return full || actor.email;
}

/**
 * Issues (or re-issues) the invitation's link and queues its mail, in the caller's transaction,
 * after reserving one of the company's 20 invitations of the day (S44, S36: the reservation is
 * written before the link exists, and the company row is held, so parallel invitations cannot
 * pass 20). The newest link supersedes the older ones of the same invitation.
 */
async function sendInvitation(trx: Executor, deps: TeamDeps, actor: TeamActor, company: { id: number; code: string; name: string }, invitation: { id: number; email: string; givenName: string }) {
  const { clock, config } = deps;
  const { token, expiresAt } = await issueLinkToken(trx, clock, { purpose: 'invitation', subject: invitationSubject(invitation.id), ttlSeconds: config.invitationTtlSeconds });
  await repo.setInvitationExpiry(trx, invitation.id, expiresAt);
  // A person who already has an account reads it in their language; someone new, in French (the default).
  const lang = mailLanguage((await findPeopleByEmail(trx, invitation.email.toLowerCase()))[0] ?? null);
  const mail = invitationMail({
    lang,
    brand: config.brandName,
    company: company.name,
    code: company.code,
    inviter: await inviterName(trx, actor),
    givenName: invitation.givenName,
    link: `${config.publicUrl}${INVITATION_PATH}?token=${token}`,
    duration: formatValidity(config.invitationTtlSeconds, lang),
    until: formatDateTime(expiresAt, config.displayTimezone, lang),
  });
  await enqueueMail(trx, clock, { ...mail, kind: 'invitation', to: invitation.email, accountId: null });
  return expiresAt;
}

async function reserveInvitation(trx: Executor, deps: TeamDeps, companyId: number) {
  const reserved = await reserveLimit(trx, deps.clock, LIMITS.invitationsPerCompany, String(companyId));
  if (!reserved.ok) abort('INVITATION_LIMIT');
  return reserved.reservation;
}

/**
 * "Envoyer l'invitation": a pending place in the company for an address, never with a role above
 * the inviter's (S44), never for a member (refused with a clear message), one pending invitation
 * per address, at most 20 invitations per company per day.
 */
export async function invite(deps: TeamDeps, actor: TeamActor, companyId: number, form: InvitationForm): Promise<Result<{ id: number }, TeamError>> {
  const formErrors = checkInvitationForm(form);
  if (formErrors.length > 0) return { ok: false, code: formErrors[0]!.code, field: formErrors[0]!.field, params: Object.fromEntries(formErrors.map((e) => [e.field, e.code])) };
  const email = normalizeEmail(form.email);
  const role = form.role as Role;
  return withTeam(deps, actor, companyId, async (trx, company, actorRole) => {
    if (!mayGrant(actorRole, role)) return fail('ROLE_TOO_HIGH', 'role');
    // S36: the day's count is reserved before anything is decided; a refusal below gives it back.
    const reservation = await reserveInvitation(trx, deps, companyId);
    const refuse = async (code: TeamError) => {
      await releaseLimit(trx, deps.clock, reservation);
      return fail(code, 'email');
    };
    if (await repo.isMemberByEmail(trx, companyId, email.toLowerCase())) return refuse('ALREADY_MEMBER');
    if (await repo.findPendingInvitationByEmail(trx, companyId, email.toLowerCase(), deps.clock.now())) return refuse('ALREADY_INVITED');
    const now = deps.clock.now();
    const id = await repo.insertInvitation(trx, {
      companyId,
      email,
      givenName: form.prenom.trim(),
      familyName: form.nom.trim(),
      role,
      invitedByAccountId: actor.kind === 'customer' ? actor.accountId : null,
      invitedByStaffId: actor.kind === 'staff' ? actor.staffId : null,
      now,
      expiresAt: now + deps.config.invitationTtlSeconds * 1000,
    });
    await sendInvitation(trx, deps, actor, company, { id, email, givenName: form.prenom.trim() });
    await recordAudit(trx, deps.clock, actor.origin, { event: 'team.invited', outcome: 'success', ...auditActor(actor), companyId, target: email, details: { code: company.code, invitation: id, role } });
    return ok({ id });
  });
}

/** "Renvoyer": a new link (the old one dies), valid from now; the one who resends becomes the inviter. */
export async function resendInvitation(deps: TeamDeps, actor: TeamActor, companyId: number, invitationId: number): Promise<Result<undefined, TeamError>> {
  return withTeam(deps, actor, companyId, async (trx, company, actorRole) => {
    const invitation = await repo.findInvitation(trx, companyId, invitationId);
    if (!invitation || invitation.state !== 'pending') return fail('NOT_FOUND');
    if (!mayGrant(actorRole, invitation.role)) return fail('ROLE_TOO_HIGH');
    await reserveInvitation(trx, deps, companyId);
    await trx
      .updateTable('invitations')
      .set({ invited_by_account_id: actor.kind === 'customer' ? actor.accountId : null, invited_by_staff_id: actor.kind === 'staff' ? actor.staffId : null })
      .where('id', '=', invitationId)
      .execute();
    await sendInvitation(trx, deps, actor, company, { id: invitationId, email: invitation.email, givenName: invitation.given_name });
    await recordAudit(trx, deps.clock, actor.origin, { event: 'team.invitation_resent', outcome: 'success', ...auditActor(actor), companyId, target: invitation.email, details: { code: company.code, invitation: invitationId } });
    return ok();
  });
}

/** "Retirer l'invitation": its link dies at once (S44). */
export async function withdrawInvitation(deps: TeamDeps, actor: TeamActor, companyId: number, invitationId: number): Promise<Result<undefined, TeamError>> {
  return withTeam(deps, actor, companyId, async (trx, company) => {
    const invitation = await repo.findInvitation(trx, companyId, invitationId);
    if (!invitation || !(await repo.decideInvitation(trx, invitationId, 'withdrawn', deps.clock.now()))) return fail('NOT_FOUND');
    await revokeLinkTokens(trx, deps.clock, invitationSubject(invitationId), 'withdrawn');
    await recordAudit(trx, deps.clock, actor.origin, { event: 'team.invitation_withdrawn', outcome: 'success', ...auditActor(actor), companyId, target: invitation.email, details: { code: company.code, invitation: invitationId } });
    return ok();
  });
}

// ---- the link's side: /invitation -------------------------------------------------------------

/** Why a well-formed, unexpired, unused link is still worth nothing (S44). */
export type InvitationVoid = 'decided' | 'company_disabled' | 'inviter_not_admin' | 'role_too_high';

/**
 * The one rule, read at every step of the link (page, submit, inside the accepting transaction):
 * the invitation is still pending, its company open, and its inviter still an administrator of
 * that company (a staff member's invitation stands on its own) holding at least the role offered.
 */
export async function invitationVoidReason(db: Executor, invitation: Invitation): Promise<InvitationVoid | null> {
  if (invitation.state !== 'pending') return 'decided';
  const company = await repo.findCompany(db, invitation.company_id);
  if (!company || company.disabled_at !== null) return 'company_disabled';
  if (invitation.invited_by_account_id === null) return invitation.invited_by_staff_id === null ? 'inviter_not_admin' : null;
  const inviter = await repo.findMember(db, invitation.company_id, Number(invitation.invited_by_account_id));
  if (!inviter || inviter.role !== 'admin' || inviter.disabled_at !== null) return 'inviter_not_admin';
  if (!mayGrant(inviter.role, invitation.role)) return 'role_too_high';
  return null;
}

interface LinkDeps extends TeamDeps {
  hasher: PasswordHasher;
}

export type InvitationView = {
  invitation: Invitation;
  company: { id: number; code: string; name: string };
  /** The person with the invited address, when there is one: with a password, they sign in to accept. */
  person: { id: number; hasPassword: boolean } | null;
  alreadyMember: boolean;
};

export type InvitationCheck = { kind: 'valid'; view: InvitationView } | { kind: 'invalid' } | { kind: 'limited'; retryAfterSeconds: number };

/** The link page's check: the one link check (S17, S40, audit), then the invitation's own rule. */
export async function checkInvitationLink(deps: LinkDeps, token: string | undefined, origin: AuditOrigin & { ip: string }): Promise<InvitationCheck> {
  const { db, clock } = deps;
  const checked = await checkLinkToken(deps, { token, purposes: ['invitation'], origin });
  if (checked.kind === 'limited') return checked;
  if (checked.kind === 'invalid') return { kind: 'invalid' };
  const invitation = await repo.findInvitationById(db, checked.link.subject_id);
  const reason = invitation ? await invitationVoidReason(db, invitation) : 'decided';
  if (!invitation || reason) {
    await recordAudit(db, clock, origin, { event: 'invitation.void', outcome: 'failure', actorType: 'anonymous', companyId: invitation?.company_id ?? null, details: { reason: reason ?? 'decided' } });
    return { kind: 'invalid' };
  }
  const company = (await repo.findCompany(db, invitation.company_id))!;
  const person = (await findPeopleByEmail(db, invitation.email_lc))[0];
  const alreadyMember = await repo.isMemberByEmail(db, invitation.company_id, invitation.email_lc);
  return {
    kind: 'valid',
    view: {
      invitation,
      company: { id: Number(company.id), code: company.code, name: company.name },
      person: person ? { id: Number(person.id), hasPassword: person.password_hash !== null } : null,
      alreadyMember,
    },
  };
}

export type AcceptError = 'INVALID' | 'ALREADY_MEMBER' | 'SIGN_IN' | 'NEEDS_PASSWORD';

/**
 * In the accepting transaction: the link is consumed (one winner under parallel submits, S44),
 * the invitation decided once and its rule read again; any refusal rolls back (the link stays).
 */
async function acceptIn(trx: Executor, deps: LinkDeps, token: string, invitationId: number, accountId: number) {
  const now = deps.clock.now();
  const invitation = await repo.findInvitationById(trx, invitationId);
  if (!invitation) abort('NOT_FOUND');
  await repo.lockCompany(trx, invitation.company_id);
  if (!(await consumeLinkToken(trx, deps.clock, token))) abort('NOT_FOUND');
  if (await invitationVoidReason(trx, invitation)) abort('NOT_FOUND');
  if (!(await repo.decideInvitation(trx, invitationId, 'accepted', now, accountId))) abort('NOT_FOUND');
  if (!(await repo.insertMembership(trx, { companyId: invitation.company_id, accountId, role: invitation.role, now }))) abort('ALREADY_MEMBER');
  return invitation;
}

const asAcceptError = (code: string): AcceptError => (code === 'ALREADY_MEMBER' ? 'ALREADY_MEMBER' : 'INVALID');

/**
 * A new person (no password yet with this address) accepts by choosing their password on the
 * activation form; they then sign in with their e-mail (no automatic login, as after a reset).
 */
export async function acceptAsNewPerson(
  deps: LinkDeps,
  input: { token: string | undefined; password: string; confirmation: string; origin: AuditOrigin & { ip: string } },
): Promise<Result<{ companyId: number }, AcceptError> | { ok: false; code: 'ERRORS'; errors: ResetFieldError[]; view: InvitationView } | { ok: false; code: 'LIMITED'; retryAfterSeconds: number }> {
  const checked = await checkInvitationLink(deps, input.token, input.origin);
  if (checked.kind === 'limited') return { ok: false, code: 'LIMITED', retryAfterSeconds: checked.retryAfterSeconds };
  if (checked.kind === 'invalid') return fail('INVALID');
  const { view } = checked;
  if (view.alreadyMember) return fail('ALREADY_MEMBER');
  if (view.person?.hasPassword) return fail('SIGN_IN');
  const errors = newPasswordErrors(deps.config, input.password, input.confirmation, [view.company.code, view.invitation.email]);
  if (errors.length > 0) return { ok: false, code: 'ERRORS', errors, view };
  const passwordHash = await deps.hasher.hash(input.password);
  const result = await runCatching<{ companyId: number }, TeamError>(() =>
    deps.db.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      // The person is created (or, pre-created elsewhere without a password, found) only now.
      const existing = (await findPeopleByEmail(trx, view.invitation.email_lc))[0];
      if (existing && existing.password_hash !== null) abort('NOT_FOUND');
      const accountId = existing
        ? Number(existing.id)
        : await insertPasswordlessPerson(trx, { email: view.invitation.email, givenName: view.invitation.given_name, familyName: view.invitation.family_name, now });
      const invitation = await acceptIn(trx, deps, input.token!, view.invitation.id, accountId);
      await setPassword(trx, accountId, passwordHash, now);
      await revokeLinkTokens(trx, deps.clock, accountSubject(accountId), 'password_changed');
      await recordAudit(trx, deps.clock, input.origin, {
        event: 'invitation.accepted',
        outcome: 'success',
        actorType: 'customer',
        actorId: invitation.email,
        accountId,
        companyId: invitation.company_id,
        target: view.company.code,
        details: { invitation: invitation.id, role: invitation.role, newPerson: true },
      });
      return ok({ companyId: invitation.company_id });
    }),
  );
  return result.ok ? result : fail(asAcceptError(result.code));
}

/**
 * A person who already has a password accepts while signed in as themselves, with a sign-in at
 * most 10 minutes old (S44): accepting touches neither their password nor their e-mail.
 */
export async function acceptAsSignedIn(
  deps: LinkDeps,
  input: { token: string | undefined; session: { id: string; accountId: number }; origin: AuditOrigin & { ip: string } },
): Promise<Result<{ companyId: number }, AcceptError> | { ok: false; code: 'LIMITED'; retryAfterSeconds: number }> {
  const checked = await checkInvitationLink(deps, input.token, input.origin);
  if (checked.kind === 'limited') return { ok: false, code: 'LIMITED', retryAfterSeconds: checked.retryAfterSeconds };
  if (checked.kind === 'invalid') return fail('INVALID');
  const { view } = checked;
  if (view.alreadyMember) return fail('ALREADY_MEMBER');
  if (!view.person?.hasPassword) return fail('NEEDS_PASSWORD');
  if (!(await signedInRecently(deps, input.session, view.person.id))) return fail('SIGN_IN');
  const result = await runCatching<{ companyId: number }, TeamError>(() =>
    deps.db.transaction().execute(async (trx) => {
      const invitation = await acceptIn(trx, deps, input.token!, view.invitation.id, input.session.accountId);
      await recordAudit(trx, deps.clock, input.origin, {
        event: 'invitation.accepted',
        outcome: 'success',
        actorType: 'customer',
        actorId: invitation.email,
        accountId: input.session.accountId,
        companyId: invitation.company_id,
        target: view.company.code,
        details: { invitation: invitation.id, role: invitation.role, newPerson: false },
      });
      return ok({ companyId: invitation.company_id });
    }),
  );
  return result.ok ? result : fail(asAcceptError(result.code));
}

/** Is this browser signed in as the invited person, with a password (or passkey) check at most 10 minutes old? */
export async function signedInRecently(deps: Pick<TeamDeps, 'db' | 'clock'>, session: { id: string; accountId: number } | null, personId: number): Promise<boolean> {
  if (!session || session.accountId !== personId) return false;
  const at = await repo.findSessionAuthenticatedAt(deps.db, session.id);
  return at !== undefined && at >= deps.clock.now() - ACCEPT_SIGN_IN_MAX_AGE_MS;
}
