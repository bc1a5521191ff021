import { removePasskeysWithReset } from '../passkeys/passkeys.service.js';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import type { PasswordHasher } from '../../shared/hasher.js';
import { parseSignInIdentifier } from '../../shared/identifier.js';
import { checkPassword, type PasswordVerdict } from '../../shared/password-policy.js';
import { formatDateTime } from '../../shared/format.js';
import { normalizeEmail } from '../../shared/validation.js';
import { asLanguage, type Lang } from '../../shared/i18n/languages.js';
import { mailLanguage } from '../account/account.service.js';
import { passwordChangedMail, supportContact } from '../../views/mail/templates.js';
import * as accounts from '../account/account.repository.js';
import { accountSubject, sendAccountLink } from '../auth-core/account-link.js';
import { checkLinkToken, consumeLinkToken, findLinkToken, revokeLinkTokens } from '../auth-core/link-tokens.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearSecureCookie, COOKIE, readCookie } from '../../plugins/cookies.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { enqueueMail } from '../mail/mail.service.js';
import { clearIdentifierThrottle, clientKey, LIMITS, reserveLimit } from '../auth-core/limits.js';
import * as repo from './password-reset.repository.js';
import { changeAndEndSignIns, NOTHING_CHANGED } from '../session/sign-out.js';

/** The links a customer opens on /activation. */
const ACCOUNT_LINK_PURPOSES = ['activation', 'reset'] as const;

export interface ResetDeps {
  db: Kysely<DB>;
  clock: Clock;
  hasher: PasswordHasher;
  config: Config;
}

/**
 * "Réinitialiser mot de passe". The request only records what was typed: matching it against
 * the accounts, issuing the link and queuing the mail happen in the background worker
 * (processPendingResets), so this answers the same way, doing the same work, in the same time,
 * whether or not identifier and e-mail match an account (S15).
 */
export async function requestPasswordReset(deps: ResetDeps, input: { identifier: string; email: string; origin: AuditOrigin & { ip: string }; language: Lang }): Promise<void> {
  const { db, clock } = deps;
  if (!(await reserveLimit(db, clock, LIMITS.resetRequestsPerIp, clientKey(input.origin.ip))).ok) {
    await recordAudit(db, clock, input.origin, { event: 'reset.requested', outcome: 'blocked', actorType: 'anonymous', target: input.identifier.slice(0, 32), details: { result: 'ip_limit' } });
    return;
  }
  await repo.insertResetRequest(db, {
    identifier: input.identifier.slice(0, 64),
    email: input.email.slice(0, 320),
    ip: input.origin.ip,
    user_agent: input.origin.userAgent?.slice(0, 256) ?? null,
    created_at: clock.now(),
    language: input.language,
  });
}

/**
 * Worker side of the reset request: identifier and e-mail (case-insensitive) must both match an
 * active account; at most 3 mails per identifier per hour (S15). Each request is taken by one
 * worker only, and its link, mail and audit entry are written in one transaction.
 */
export async function processPendingResets(deps: Pick<ResetDeps, 'db' | 'clock' | 'config'>, limit = 50): Promise<number> {
  const { db, clock } = deps;
  const pending = await repo.listPendingResetRequests(db, limit);
  let handled = 0;
  for (const request of pending) {
    await db.transaction().execute(async (trx) => {
      if (!(await repo.markResetRequestProcessed(trx, request.id, clock.now()))) return;
      handled++;
      const identifier = parseSignInIdentifier(request.identifier);
      const email = normalizeEmail(request.email).toLowerCase();
      const code = identifier?.kind === 'code' ? identifier.code : null;
      // The customer code with the address of any of its people reaches that person; an address as
      // Identifiant must be the same as the Email field, and names one person (README, Comptes entreprise).
      const account =
        identifier?.kind === 'code'
          ? await accounts.findMemberByCodeAndEmail(trx, identifier.code, email)
          : identifier?.kind === 'email' && identifier.emailLc === email
            ? await accounts.findPersonByEmail(trx, email)
            : undefined;
      const matched = account !== undefined && account.disabled_at === null && account.email_lc === email;
      const withinLimit = matched ? (await reserveLimit(trx, clock, LIMITS.resetMailsPerIdentifier, resetLimitKey(account.id))).ok : false;
      const outcome = !matched ? 'no_match' : !withinLimit ? 'account_limit' : 'sent';
      if (outcome === 'sent' && account) await sendAccountLink(deps, trx, account, 'link', asLanguage(request.language) ?? undefined);
      await recordAudit(trx, clock, { ip: request.ip, userAgent: request.user_agent }, {
        event: 'reset.requested',
        outcome: outcome === 'sent' ? 'success' : outcome === 'no_match' ? 'failure' : 'blocked',
        actorType: 'anonymous',
        accountId: matched ? account!.id : null,
        companyId: matched ? account!.company_id : null,
        target: code ?? (identifier ? email : request.identifier.slice(0, 32)),
        details: { result: outcome },
      });
    });
  }
  return handled;
}

/** The per-person key of the 3-link-mails-an-hour limit (S15). */
export function resetLimitKey(accountId: number): string {
  return `account:${accountId}`;
}

/** What the activation page shows as Identifiant: the code for its holder, the e-mail for anyone else. */
function identifierOf(account: { id: number; code: string; email: string; holder_account_id: number | null }): string {
  return account.holder_account_id === account.id ? account.code : account.email;
}

export type ResetLinkCheck =
  | { kind: 'valid'; code: string; company: string; email: string; accountId: number }
  | { kind: 'invalid'; code: string | null }
  | { kind: 'limited'; retryAfterSeconds: number };

/** The customer link page's check: the one link check (S17, S40, audit), then the account behind it. */
export async function checkResetLink(deps: ResetDeps, token: string | undefined, origin: AuditOrigin & { ip: string }): Promise<ResetLinkCheck> {
  const { db } = deps;
  const checked = await checkLinkToken(deps, { token, purposes: ACCOUNT_LINK_PURPOSES, origin });
  if (checked.kind === 'limited') return checked;
  const account = checked.link ? await accounts.findAccountById(db, checked.link.subject_id) : undefined;
  if (checked.kind === 'valid' && account && account.disabled_at === null) {
    return { kind: 'valid', code: identifierOf(account), company: account.company, email: account.email, accountId: account.id };
  }
  return { kind: 'invalid', code: account && account.disabled_at === null ? identifierOf(account) : null };
}

export type ResetFieldError = { field: 'mot_de_passe'; verdict: PasswordVerdict } | { field: 'confirmation'; code: 'CONFIRMATION_REQUIRED' | 'MISMATCH' };

/**
 * "Mot de passe" and "Confirmation mot de passe" of a link page (activation, reset, an accepted
 * invitation): the policy (S1–S3, the brand and `words` as context) and the confirmation.
 */
export function newPasswordErrors(config: Pick<Config, 'passwordMinLength' | 'brandName'>, password: string, confirmation: string, words: string[]): ResetFieldError[] {
  const errors: ResetFieldError[] = [];
  const verdict = checkPassword(password, { minLength: config.passwordMinLength, words: [config.brandName, ...words] });
  if (verdict) errors.push({ field: 'mot_de_passe', verdict });
  if (confirmation.length === 0) errors.push({ field: 'confirmation', code: 'CONFIRMATION_REQUIRED' });
  else if (!verdict && confirmation.normalize('NFKC') !== password.normalize('NFKC')) errors.push({ field: 'confirmation', code: 'MISMATCH' });
  return errors;
}

export type CompleteResult = { kind: 'done'; code: string } | { kind: 'errors'; errors: ResetFieldError[]; code: string; email: string } | Exclude<ResetLinkCheck, { kind: 'valid' }>;

/**
 * "Valider" on the activation page: checks the link and the password, then saves the password
 * and consumes the link in one transaction (S12: one winner under concurrent submits), revokes
 * every session and remember-me token, clears throttling and queues the notice mail (S16).
 */
export async function completePasswordReset(
  deps: ResetDeps,
  input: { token: string | undefined; password: string; confirmation: string; origin: AuditOrigin & { ip: string }; language: Lang },
): Promise<CompleteResult> {
  const { db, clock, hasher, config } = deps;
  const link = await checkResetLink(deps, input.token, input.origin);
  if (link.kind !== 'valid') return link;
  const account = await accounts.findAccountById(db, link.accountId);
  if (!account) return { kind: 'invalid', code: null };

  const errors = newPasswordErrors(config, input.password, input.confirmation, [account.code, account.email]);
  if (errors.length > 0) return { kind: 'errors', errors, code: identifierOf(account), email: account.email };

  const passwordHash = await hasher.hash(input.password);
  // S16, S41: sessions, remember-me, provider sessions and grants end with the old password.
  const done = await changeAndEndSignIns(deps, account.id, 'password_reset', async (trx, ended) => {
    if (!(await consumeLinkToken(trx, clock, input.token!))) return NOTHING_CHANGED;
    const now = clock.now();
    await accounts.setPassword(trx, account.id, passwordHash, now);
    await revokeLinkTokens(trx, clock, accountSubject(account.id), 'password_changed');
    // Both identifiers of the person are freed: the code (its holder) and the e-mail (S8).
    if (account.holder_account_id === account.id) await clearIdentifierThrottle(trx, account.code);
    await clearIdentifierThrottle(trx, `email:${account.email_lc}`);
    // S49: the e-mailed link takes away every passkey too (decided in docs/security.md).
    await removePasskeysWithReset(trx, deps, account.id, input.origin);
    const first = account.password_hash === null;
    const lang = mailLanguage(account, input.language);
    const mail = passwordChangedMail({ brand: config.brandName, company: account.company, code: account.code, when: formatDateTime(now, config.displayTimezone, lang), first, support: supportContact(config, lang), lang });
    await enqueueMail(trx, clock, { ...mail, kind: first ? 'password_set' : 'password_changed', to: account.email, accountId: account.id });
    await recordAudit(trx, clock, input.origin, {
      event: account.password_hash === null ? 'account.activated' : 'password.reset',
      outcome: 'success',
      actorType: 'customer',
      actorId: identifierOf(account),
      accountId: account.id,
      companyId: account.company_id,
      details: { sessionsRevoked: ended.sessions },
    });
    return true;
  }).then((r) => r !== NOTHING_CHANGED);
  return done ? { kind: 'done', code: identifierOf(account) } : { kind: 'invalid', code: identifierOf(account) };
}

/**
 * The customer code behind the link cookie of this browser (a link just used, or dead), read once:
 * the cookie is cleared. Pre-fills the login page after an activation and the request page after
 * a dead link, with no code in the URL or in a cookie (S21).
 */
export async function identifierOfLinkCookie(deps: Pick<ResetDeps, 'db'>, request: FastifyRequest, reply: FastifyReply): Promise<string | null> {
  const token = readCookie(request, COOKIE.resetLink);
  if (!token) return null;
  clearSecureCookie(reply, COOKIE.resetLink);
  const link = await findLinkToken(deps.db, token);
  if (!link || link.subject_type !== 'account') return null;
  const account = await accounts.findAccountById(deps.db, link.subject_id);
  return account && account.disabled_at === null ? identifierOf(account) : null;
}
