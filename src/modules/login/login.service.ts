import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import { PASSWORD_MAX_LENGTH } from '../../shared/password-policy.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { HashQueueFullError, type PasswordHasher } from '../../shared/hasher.js';
import { normalizeIdentifier } from '../../shared/identifier.js';
import * as accounts from '../account/account.repository.js';
import type { Executor } from '../audit/audit.repository.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import * as security from '../security/security.service.js';
import { countRecentMailsTo } from '../mail/mail.repository.js';
import { enqueueMail } from '../mail/mail.service.js';
import { loginAlertMail } from '../../views/mail/templates.js';
import { DAY_MS } from '../../shared/clock.js';
import type { AppMetrics } from '../metrics/metrics.js';

/** After this many consecutive failures the account holder hears about it, once a day at most. */
export const ALERT_AFTER_FAILURES = 10;

async function alertAccountHolder(deps: LoginDeps, account: { id: number; code: string; email: string; company: string }, failures: number) {
  const { db, clock, config } = deps;
  if ((await countRecentMailsTo(db, account.email.toLowerCase(), 'login_alert', clock.now() - DAY_MS)) > 0) return;
  const mail = loginAlertMail({ brand: config.brandName, company: account.company, code: account.code, failures });
  await enqueueMail(db, clock, { ...mail, kind: 'login_alert', to: account.email, accountId: account.id });
}

export interface LoginDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
  hasher: PasswordHasher;
  /** S7: verified against when there is no real hash to verify. */
  dummyHash: string;
  /** Counts each outcome as decided below (optional: nothing is counted without it). */
  metrics?: Pick<AppMetrics, 'countLogin'>;
}

export interface LoginInput {
  identifier: string;
  password: string;
  origin: AuditOrigin & { ip: string };
}

/** Why a login failed. Only the audit log ever sees it: the customer gets one answer (S6). */
export type LoginFailureReason = 'malformed_identifier' | 'unknown_identifier' | 'not_activated' | 'disabled' | 'throttled' | 'password_too_long' | 'wrong_password';

export type LoginResult =
  | { ok: true; accountId: number; code: string }
  | { ok: false; code: 'INVALID_CREDENTIALS'; reason: LoginFailureReason }
  | { ok: false; code: 'TOO_MANY_ATTEMPTS'; retryAfterSeconds: number };

/**
 * Checks an identifier and password. Every failure takes one argon2 verification (against the
 * dummy hash when there is nothing real to check) so unknown, passwordless, disabled, throttled
 * and wrong-password attempts cost the same time (S7) and give the same answer (S6).
 */
export async function authenticate(deps: LoginDeps, input: LoginInput): Promise<LoginResult> {
  const { db, clock, hasher } = deps;
  const ip = input.origin.ip;
  // S10: under a flood, a full hashing queue is refused before any database work, so the flood
  // costs as little as possible of the time that pages need. It says nothing about any account.
  if (hasher.saturated()) throw new HashQueueFullError('password hashing queue is full');

  // Counted before hashing, so concurrent attempts cannot slip past the limit; a success gives it back.
  const withinIpLimit = await security.consumeLimit(db, clock, security.LIMITS.loginFailuresPerIp, ip);
  if (!withinIpLimit) {
    const ipState = await security.checkLimit(db, clock, security.LIMITS.loginFailuresPerIp, ip);
    await recordAudit(db, clock, input.origin, { event: 'login.ip_blocked', outcome: 'blocked', actorType: 'anonymous' });
    deps.metrics?.countLogin('ip_blocked');
    return { ok: false, code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: ipState.retryAfterSeconds };
  }

  const code = normalizeIdentifier(input.identifier);
  const account = code ? await accounts.findAccountByCode(db, code) : undefined;
  const throttled = code ? await security.isIdentifierThrottled(db, clock, code) : false;
  // S1: counted in code points; an over-long password is refused before any hashing.
  const tooLong = [...input.password.normalize('NFKC')].length > PASSWORD_MAX_LENGTH;

  const usableHash = account && account.password_hash && account.disabled_at === null && !throttled ? account.password_hash : null;
  let verified = false;
  if (!tooLong) {
    const matches = await hasher.verify(usableHash ?? deps.dummyHash, input.password);
    verified = usableHash !== null && matches;
  }

  if (verified && account) {
    // S4: parameters were raised since this hash was made; upgrade it now that we know the password.
    const upgraded = hasher.needsRehash(account.password_hash!) ? await hasher.hash(input.password) : null;
    // One transaction: one commit for everything a success writes.
    await db.transaction().execute(async (trx) => {
      await security.refundLimit(trx, clock, security.LIMITS.loginFailuresPerIp, ip);
      await security.clearIdentifierThrottle(trx, account.code);
      await accounts.recordLogin(trx, account.id, clock.now());
      if (upgraded) await accounts.updatePasswordHash(trx, account.id, upgraded, clock.now());
      await recordAudit(trx, clock, input.origin, { event: 'login.success', outcome: 'success', actorType: 'customer', actorId: account.code, accountId: account.id, target: account.code });
    });
    deps.metrics?.countLogin('success');
    return { ok: true, accountId: account.id, code: account.code };
  }

  const reason: LoginFailureReason = !code
    ? 'malformed_identifier'
    : throttled
      ? 'throttled'
      : !account
        ? 'unknown_identifier'
        : tooLong
          ? 'password_too_long'
          : account.password_hash === null
            ? 'not_activated'
            : account.disabled_at !== null
              ? 'disabled'
              : 'wrong_password';

  const recordFailure = async (db: Executor) => {
    if (code && !throttled) {
      const { failures, delayMs } = await security.recordIdentifierFailure(db, clock, code);
      if (failures >= ALERT_AFTER_FAILURES && account && account.disabled_at === null) await alertAccountHolder({ ...deps, db }, account, failures);
      if (delayMs > 0) {
        await recordAudit(db, clock, input.origin, {
          event: 'login.throttle',
          outcome: 'blocked',
          actorType: 'anonymous',
          accountId: account?.id ?? null,
          target: code,
          details: { failures, delaySeconds: delayMs / 1000 },
        });
      }
    }
    await recordAudit(db, clock, input.origin, {
      event: 'login.failure',
      outcome: 'failure',
      actorType: 'anonymous',
      accountId: account?.id ?? null,
      target: code ?? input.identifier.slice(0, 32),
      details: { reason },
    });
  };
  // Several writes: one transaction, one commit. A lone audit line needs no transaction around it.
  if (code && !throttled) await db.transaction().execute(recordFailure);
  else await recordFailure(db);
  deps.metrics?.countLogin(reason === 'throttled' ? 'throttled' : 'failure');
  return { ok: false, code: 'INVALID_CREDENTIALS', reason };
}
