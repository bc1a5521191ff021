import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import type { PasswordHasher } from '../../shared/hasher.js';
import { normalizeIdentifier } from '../../shared/identifier.js';
import { checkPassword, type PasswordVerdict } from '../../shared/password-policy.js';
import { formatDateTime, formatDuration } from '../../shared/format.js';
import { normalizeEmail } from '../../shared/validation.js';
import { passwordChangedMail, resetLinkMail } from '../../views/mail/templates.js';
import * as accounts from '../account/account.repository.js';
import { consumeAccountToken, inspectAccountToken, issueAccountToken, revokeAccountTokens } from '../account-token/account-token.service.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { enqueueMail } from '../mail/mail.service.js';
import * as security from '../security/security.service.js';
import * as repo from './password-reset.repository.js';
import { invalidateAccountSessions } from '../session/session.service.js';

export interface ResetDeps {
  db: Kysely<DB>;
  clock: Clock;
  hasher: PasswordHasher;
  config: Config;
}

/**
 * Queues the activation/reset link mail for an account, in the caller's transaction. `welcome`:
 * the account was just opened on the customer's own request (an approved account-opening request).
 */
export async function sendAccountLink(
  deps: Pick<ResetDeps, 'clock' | 'config'>,
  trx: Parameters<typeof enqueueMail>[0],
  account: { id: number; code: string; email: string; company: string; password_hash: string | null },
  occasion: 'welcome' | 'link' = 'link',
) {
  const { clock, config } = deps;
  const purpose = account.password_hash === null ? 'activation' : 'reset';
  const { token, expiresAt } = await issueAccountToken(trx, clock, account.id, purpose, config.resetTokenTtlSeconds);
  // S13: the link's origin is PUBLIC_URL, never anything the request said.
  const link = `${config.publicUrl}/activation?token=${token}`;
  const mail = resetLinkMail({
    brand: config.brandName,
    company: account.company,
    code: account.code,
    link,
    duration: formatDuration(config.resetTokenTtlSeconds),
    until: formatDateTime(expiresAt, config.displayTimezone),
    kind: purpose === 'reset' ? 'reset' : occasion === 'welcome' ? 'welcome' : 'activation',
  });
  const kind = purpose === 'reset' ? 'reset_link' : occasion === 'welcome' ? 'welcome_link' : 'activation_link';
  await enqueueMail(trx, clock, { ...mail, kind, to: account.email, accountId: account.id });
  return { purpose, expiresAt };
}

/**
 * "Réinitialiser mot de passe". The request only records what was typed: matching it against
 * the accounts, issuing the link and queuing the mail happen in the background worker
 * (processPendingResets), so this answers the same way, doing the same work, in the same time,
 * whether or not identifier and e-mail match an account (S15).
 */
export async function requestPasswordReset(deps: ResetDeps, input: { identifier: string; email: string; origin: AuditOrigin & { ip: string } }): Promise<void> {
  const { db, clock } = deps;
  if (!(await security.consumeLimit(db, clock, security.LIMITS.resetRequestsPerIp, input.origin.ip))) {
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
export async function processPendingResets(deps: ResetDeps, limit = 50): Promise<number> {
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
      const withinLimit = matched ? await security.consumeLimit(trx, clock, security.LIMITS.resetMailsPerIdentifier, account.code) : false;
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

export type LinkCheck =
  | { kind: 'valid'; code: string; company: string; email: string; accountId: number }
  | { kind: 'invalid'; code: string | null }
  | { kind: 'limited'; retryAfterSeconds: number };

/** S17: every invalid link counts against the IP; past the limit, 429 before any lookup. */
export async function checkResetLink(deps: ResetDeps, token: string | undefined, origin: AuditOrigin & { ip: string }): Promise<LinkCheck> {
  const { db, clock } = deps;
  const limit = await security.checkLimit(db, clock, security.LIMITS.invalidTokensPerIp, origin.ip);
  if (limit.exceeded) {
    await recordAudit(db, clock, origin, { event: 'token.guess_blocked', outcome: 'blocked', actorType: 'anonymous' });
    return { kind: 'limited', retryAfterSeconds: limit.retryAfterSeconds };
  }
  const inspected = token ? await inspectAccountToken(db, clock, token) : { state: 'unknown' as const, row: null };
  if (inspected.state === 'valid' && inspected.row) {
    return { kind: 'valid', code: inspected.row.code, company: inspected.row.company, email: inspected.row.email, accountId: inspected.row.account_id };
  }
  await security.consumeLimit(db, clock, security.LIMITS.invalidTokensPerIp, origin.ip);
  await recordAudit(db, clock, origin, {
    event: 'token.invalid',
    outcome: 'failure',
    actorType: 'anonymous',
    accountId: inspected.row?.account_id ?? null,
    details: { state: inspected.state },
  });
  return { kind: 'invalid', code: inspected.row?.code ?? null };
}

export type ResetFieldError = { field: 'mot_de_passe'; verdict: PasswordVerdict } | { field: 'confirmation'; code: 'CONFIRMATION_REQUIRED' | 'MISMATCH' };

export type CompleteResult = { kind: 'done'; code: string } | { kind: 'errors'; errors: ResetFieldError[]; code: string; email: string } | Exclude<LinkCheck, { kind: 'valid' }>;

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
    if (!(await consumeAccountToken(trx, clock, input.token!))) return false;
    const now = clock.now();
    await accounts.setPassword(trx, account.id, passwordHash, now);
    await revokeAccountTokens(trx, clock, account.id);
    const revoked = await invalidateAccountSessions(trx, account.id);
    await security.clearIdentifierThrottle(trx, account.code);
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
  return done ? { kind: 'done', code: account.code } : { kind: 'invalid', code: account.code };
}
