import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import type { PasswordHasher } from '../../shared/hasher.js';
import { PASSWORD_MAX_LENGTH, passwordLength } from '../../shared/password-policy.js';
import { attemptPassword } from '../auth-core/attempts.js';
import { parseSignInIdentifier } from '../../shared/identifier.js';
import * as accounts from '../account/account.repository.js';
import type { Executor } from '../../db/executor.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { countRecentMailsTo } from '../mail/mail.repository.js';
import { enqueueMail } from '../mail/mail.service.js';
import { loginAlertMail, newDeviceMail, supportContact } from '../../views/mail/templates.js';
import { describeUserAgent, ipPrefix } from '../../shared/device.js';
import { formatDateTime } from '../../shared/format.js';
import { DAY_MS } from '../../shared/clock.js';
import type { AppMetrics } from '../metrics/metrics.js';
import { mailLanguage } from '../account/account.service.js';

/** After this many consecutive failures the account holder hears about it, once a day at most. */
export const ALERT_AFTER_FAILURES = 10;

async function alertAccountHolder(deps: LoginDeps, account: { id: number; code: string; email: string; company: string; language: string | null }, failures: number) {
  const { db, clock, config } = deps;
  if ((await countRecentMailsTo(db, account.email.toLowerCase(), 'login_alert', clock.now() - DAY_MS)) > 0) return;
  // The person's language, never the one of whoever is failing to sign in to their account.
  const mail = loginAlertMail({ brand: config.brandName, company: account.company, code: account.code, failures, lang: mailLanguage(account) });
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
  /**
   * `companyId`: the company signed in to, null when the person has several and must choose.
   * `firstLogin`: the person had never signed in (the first login after activation).
   */
  | { ok: true; accountId: number; companyId: number | null; code: string; firstLogin: boolean }
  /** `waitMinutes`: the identifier is being slowed down (S8); said identically for a known and an unknown code. */
  | { ok: false; code: 'INVALID_CREDENTIALS'; reason: LoginFailureReason; waitMinutes?: number }
  | { ok: false; code: 'TOO_MANY_ATTEMPTS'; retryAfterSeconds: number };

/**
 * Checks an identifier and password through the attempt core (auth-core/attempts.ts): every
 * failure takes one argon2 verification (against the dummy hash when there is nothing real to
 * check) so unknown, passwordless, disabled, throttled and wrong-password attempts cost the same
 * time (S7) and give the same answer (S6); limits are reserved before the check (S8, S9, S36).
 */
export async function authenticate(deps: LoginDeps, input: LoginInput): Promise<LoginResult> {
  const { db, clock } = deps;
  const identifier = parseSignInIdentifier(input.identifier);
  const code = identifier?.key ?? null;
  const found: { account?: accounts.CompanyAccount; companies?: accounts.CompanyAccount[] } = {};
  // One query either way (S47): the holder of a code, or the memberships of the one person with
  // this address. Two people sharing an address (accounts made before company accounts) sign in
  // by their codes; the address alone names nobody (README, "Comptes entreprise").
  const lookUp = async () => {
    if (!identifier) return;
    if (identifier.kind === 'code') {
      found.account = await accounts.findAccountByCode(db, identifier.code);
      found.companies = found.account ? [found.account] : [];
      return;
    }
    const rows = await accounts.listCompaniesOfEmail(db, identifier.emailLc);
    if (rows.length === 0 || rows.some((r) => r.id !== rows[0]!.id)) return;
    found.companies = rows.filter((r) => r.company_disabled_at === null);
    found.account = found.companies[0] ?? { ...rows[0]!, disabled_at: rows[0]!.company_disabled_at };
  };
  const loadHash = async () => {
    await lookUp();
    const row = found.account;
    return row && row.password_hash && row.disabled_at === null ? row.password_hash : null;
  };
  const outcome = await attemptPassword(deps, { ip: input.origin.ip, throttleKey: code, loadHash, password: input.password });
  // A throttled attempt looked nothing up; the audit still names the account when there is one.
  if (outcome.kind === 'throttled' && code) await lookUp();
  const account = found.account;

  if (outcome.kind === 'ip_blocked') {
    await recordAudit(db, clock, input.origin, { event: 'login.ip_blocked', outcome: 'blocked', actorType: 'anonymous' });
    deps.metrics?.countLogin('ip_blocked');
    return { ok: false, code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: outcome.retryAfterSeconds };
  }

  if (outcome.kind === 'passed' && account) {
    // Signed in with the code, or by e-mail into one's only company; several: the person chooses.
    const companyId = found.companies!.length === 1 ? account.company_id : null;
    // S4: parameters were raised since this hash was made; upgrade it now that we know the password.
    const upgraded = deps.hasher.needsRehash(account.password_hash!) ? await deps.hasher.hash(input.password) : null;
    // One transaction: one commit for everything a success writes, the settlement included.
    await db.transaction().execute(async (trx) => {
      await outcome.settle(trx);
      await accounts.recordLogin(trx, account.id, clock.now());
      if (upgraded) await accounts.updatePasswordHash(trx, account.id, upgraded, clock.now());
      await recordAudit(trx, clock, input.origin, {
        event: 'login.success',
        outcome: 'success',
        actorType: 'customer',
        actorId: identifier!.kind === 'code' ? account.code : account.email_lc,
        accountId: account.id,
        companyId,
        target: identifier!.kind === 'code' ? account.code : account.email_lc,
      });
    });
    deps.metrics?.countLogin('success');
    return { ok: true, accountId: account.id, companyId, code: account.code, firstLogin: account.last_login_at === null };
  }

  const tooLong = passwordLength(input.password) > PASSWORD_MAX_LENGTH;
  const reason: LoginFailureReason = !code
    ? 'malformed_identifier'
    : outcome.kind === 'throttled'
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

  const counted = outcome.kind === 'failed' ? outcome : null;
  const recordFailure = async (db: Executor) => {
    if (counted && account && counted.failures >= ALERT_AFTER_FAILURES && account.disabled_at === null) await alertAccountHolder({ ...deps, db }, account, counted.failures);
    if (counted && counted.delayStartedMs > 0) {
      await recordAudit(db, clock, input.origin, {
        event: 'login.throttle',
        outcome: 'blocked',
        actorType: 'anonymous',
        accountId: account?.id ?? null,
        target: code,
        details: { failures: counted.failures, delaySeconds: counted.delayStartedMs / 1000 },
      });
    }
    await recordAudit(db, clock, input.origin, {
      event: 'login.failure',
      outcome: 'failure',
      actorType: 'anonymous',
      accountId: account?.id ?? null,
      // What was typed is never stored when it is not an identifier: people type their password there.
      target: code ?? malformedMarker(input.identifier),
      details: { reason },
    });
  };
  // Several writes: one transaction, one commit. A lone audit line needs no transaction around it.
  if (counted && code) await db.transaction().execute(recordFailure);
  else await recordFailure(db);
  deps.metrics?.countLogin(reason === 'throttled' ? 'throttled' : 'failure');
  return { ok: false, code: 'INVALID_CREDENTIALS', reason, ...(outcome.kind === 'throttled' ? { waitMinutes: Math.max(1, Math.ceil(outcome.retryAfterMs / 60_000)) } : {}) };
}

/** The audit's stand-in for a malformed identifier: its length, never its content (S34, S35). */
export function malformedMarker(typed: string): string {
  return `invalid format (${[...typed].length} characters)`;
}

/**
 * S39 (ASVS 6.3.5): after a sign-in from a browser the account had not used before, its holder is
 * told when, from which browser and from about where (IP /24), and what to do if it was not them.
 * The first login after activation is expected and tells nothing.
 */
export async function noticeSignInFromNewBrowser(deps: Pick<LoginDeps, 'db' | 'clock' | 'config'>, input: { accountId: number; userAgent: string; ip: string }): Promise<void> {
  const { db, clock, config } = deps;
  const account = await accounts.findAccountById(db, input.accountId);
  if (!account) return;
  const lang = mailLanguage(account);
  const mail = newDeviceMail({
    lang,
    brand: config.brandName,
    company: account.company,
    code: account.code,
    when: formatDateTime(clock.now(), config.displayTimezone, lang),
    browser: describeUserAgent(input.userAgent, lang),
    place: ipPrefix(input.ip),
    support: supportContact(config, lang),
  });
  await db.transaction().execute(async (trx) => {
    await enqueueMail(trx, clock, { ...mail, kind: 'new_browser_notice', to: account.email, accountId: account.id });
    await recordAudit(trx, clock, { ip: input.ip, userAgent: input.userAgent }, { event: 'login.new_browser', outcome: 'info', actorType: 'customer', actorId: account.code, accountId: account.id, details: { noticeSent: true } });
  });
}
