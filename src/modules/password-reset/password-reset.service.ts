import { removePasskeysWithReset } from '../passkeys/passkeys.service.js';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import type { PasswordHasher } from '../../shared/hasher.js';
import { normalizeIdentifier } from '../../shared/identifier.js';
import { checkPassword, type PasswordVerdict } from '../../shared/password-policy.js';
import { formatDateTime, formatDuration } from '../../shared/format.js';
import { normalizeEmail } from '../../shared/validation.js';
import { passwordChangedMail } from '../../views/mail/templates.js';
import * as accounts from '../account/account.repository.js';
import { accountSubject, sendAccountLink } from '../auth-core/account-link.js';
import { checkLinkToken, consumeLinkToken, findLinkToken, revokeLinkTokens } from '../auth-core/link-tokens.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearSecureCookie, COOKIE, readCookie } from '../../plugins/cookies.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { enqueueMail } from '../mail/mail.service.js';
import { clearIdentifierThrottle, clientKey, LIMITS, reserveLimit } from '../auth-core/limits.js';
import * as repo from './password-reset.repository.js';
import { invalidateAccountSessions } from '../session/session.service.js';
import { endSsoSessions } from '../sso/sso.service.js';

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
export async function requestPasswordReset(deps: ResetDeps, input: { identifier: string; email: string; origin: AuditOrigin & { ip: string } }): Promise<void> {
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
      const code = normalizeIdentifier(request.identifier);
      const email = normalizeEmail(request.email).toLowerCase();
      const account = code ? await accounts.findAccountByCode(trx, code) : undefined;
      const matched = account !== undefined && account.disabled_at === null && account.email_lc === email;
      const withinLimit = matched ? (await reserveLimit(trx, clock, LIMITS.resetMailsPerIdentifier, account.code)).ok : false;
      const outcome = !matched ? 'no_match' : !withinLimit ? 'account_limit' : 'sent';
      if (outcome === 'sent' && account) await sendAccountLink(deps, trx, account);
      await recordAudit(trx, clock, { ip: request.ip, userAgent: request.user_agent }, {
        event: 'reset.requested',
        outcome: outcome === 'sent' ? 'success' : outcome === 'no_match' ? 'failure' : 'blocked',
        actorType: 'anonymous',
        accountId: matched ? account!.id : null,
        target: code ?? request.identifier.slice(0, 32),
        details: { result: outcome },
      });
    });
  }
  return handled;
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
    return { kind: 'valid', code: account.code, company: account.company, email: account.email, accountId: account.id };
  }
  return { kind: 'invalid', code: account && account.disabled_at === null ? account.code : null };
}

export type ResetFieldError = { field: 'mot_de_passe'; verdict: PasswordVerdict } | { field: 'confirmation'; code: 'CONFIRMATION_REQUIRED' | 'MISMATCH' };

export type CompleteResult = { kind: 'done'; code: string } | { kind: 'errors'; errors: ResetFieldError[]; code: string; email: string } | Exclude<ResetLinkCheck, { kind: 'valid' }>;

/**
 * "Valider" on the activation page: checks the link and the password, then saves the password
 * and consumes the link in one transaction (S12: one winner under concurrent submits), revokes
 * every session and remember-me token, clears throttling and queues the notice mail (S16).
 */
export async function completePasswordReset(
  deps: ResetDeps,
  input: { token: string | undefined; password: string; confirmation: string; origin: AuditOrigin & { ip: string } },
): Promise<CompleteResult> {
  const { db, clock, hasher, config } = deps;
  const link = await checkResetLink(deps, input.token, input.origin);
  if (link.kind !== 'valid') return link;
  const account = await accounts.findAccountById(db, link.accountId);
  if (!account) return { kind: 'invalid', code: null };

  const errors: ResetFieldError[] = [];
  const verdict = checkPassword(input.password, { minLength: config.passwordMinLength, words: [config.brandName, account.code, account.email] });
  if (verdict) errors.push({ field: 'mot_de_passe', verdict });
  if (input.confirmation.length === 0) errors.push({ field: 'confirmation', code: 'CONFIRMATION_REQUIRED' });
  else if (!verdict && input.confirmation.normalize('NFKC') !== input.password.normalize('NFKC')) errors.push({ field: 'confirmation', code: 'MISMATCH' });
  if (errors.length > 0) return { kind: 'errors', errors, code: account.code, email: account.email };

  const passwordHash = await hasher.hash(input.password);
  const done = await db.transaction().execute(async (trx) => {
    if (!(await consumeLinkToken(trx, clock, input.token!))) return false;
    const now = clock.now();
    await accounts.setPassword(trx, account.id, passwordHash, now);
    await revokeLinkTokens(trx, clock, accountSubject(account.id), 'password_changed');
    const revoked = await invalidateAccountSessions(trx, account.id);
    // S49: the e-mailed link takes away every passkey too (decided in docs/security.md).
    await removePasskeysWithReset(trx, deps, account.id, input.origin);
    await clearIdentifierThrottle(trx, account.code);
    const first = account.password_hash === null;
    const mail = passwordChangedMail({ brand: config.brandName, company: account.company, code: account.code, when: formatDateTime(now, config.displayTimezone), first });
    await enqueueMail(trx, clock, { ...mail, kind: first ? 'password_set' : 'password_changed', to: account.email, accountId: account.id });
    await recordAudit(trx, clock, input.origin, {
      event: account.password_hash === null ? 'account.activated' : 'password.reset',
      outcome: 'success',
      actorType: 'customer',
      actorId: account.code,
      accountId: account.id,
      details: { sessionsRevoked: revoked },
    });
    return true;
  });
  // Single sign-on: provider sessions and application tokens end with the old password.
  if (done) await endSsoSessions(deps, account.id, 'password_reset');
  return done ? { kind: 'done', code: account.code } : { kind: 'invalid', code: account.code };
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
  return account && account.disabled_at === null ? account.code : null;
}
