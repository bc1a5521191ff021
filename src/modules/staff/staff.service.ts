import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import { PASSWORD_MAX_LENGTH } from '../../shared/password-policy.js';
import type { DB } from '../../db/schema.js';
import { type Clock, HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { randomToken, sha256 } from '../../shared/crypto.js';
import { formatDateTime, formatDuration } from '../../shared/format.js';
import type { PasswordHasher } from '../../shared/hasher.js';
import { checkPassword, type PasswordVerdict } from '../../shared/password-policy.js';
import { hasLineBreak, isValidEmail, normalizeEmail } from '../../shared/validation.js';
import { staffSetupMail } from '../../views/mail/templates.js';
import type { Executor } from '../audit/audit.repository.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { enqueueMail } from '../mail/mail.service.js';
import * as security from '../security/security.service.js';
import * as repo from './staff.repository.js';
import { STAFF_ROLES, type StaffRole } from './staff.table.js';
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, verifyTotp } from './totp.js';

// S19: the same limits as customer sessions, enforced here whatever the cookie says.
export const STAFF_SESSION_IDLE_MS = 30 * MINUTE_MS;
export const STAFF_SESSION_ABSOLUTE_MS = 12 * HOUR_MS;
/** A session that passed only the password has this long to pass the second factor. */
export const STAFF_MFA_PENDING_MS = 10 * MINUTE_MS;
const TOUCH_INTERVAL_MS = MINUTE_MS;

export interface StaffDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
}

export interface StaffLoginDeps extends StaffDeps {
  hasher: PasswordHasher;
  /** S7: what unknown e-mails and unusable accounts are verified against. */
  dummyHash: string;
}

export type Origin = AuditOrigin & { ip: string };

/** The throttle key of a staff e-mail (S8): never shared with a customer code. */
export function staffThrottleKey(emailLc: string): string {
  return `staff:${emailLc}`;
}

/** Canonical (lower-cased) staff e-mail, or null when it is not one. */
export function canonicalStaffEmail(input: string): string | null {
  const email = normalizeEmail(input).toLowerCase();
  return isValidEmail(email) && !hasLineBreak(email) ? email : null;
}

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}

export type StaffStatus = 'setup_pending' | 'active' | 'disabled';

export function staffStatus(staff: { disabled_at: number | null; totp_enabled_at: number | null; password_hash: string | null }): StaffStatus {
  if (staff.disabled_at !== null) return 'disabled';
  return staff.password_hash !== null && staff.totp_enabled_at !== null ? 'active' : 'setup_pending';
}

// ---- creation and setup links -----------------------------------------------------------------

export type StaffInputError = 'INVALID_EMAIL' | 'INVALID_ROLE' | 'DUPLICATE_EMAIL';

export class StaffError extends Error {
  constructor(readonly code: StaffInputError | 'NOT_FOUND' | 'SELF' | 'LAST_ADMIN') {
    super(code);
  }
}

export interface Actor {
  type: 'operator' | 'staff';
  id: string;
}

/** S11/S13: a 256-bit token, only its SHA-256 stored, the link's origin is PUBLIC_URL only. */
async function issueSetupLink(db: Executor, deps: Pick<StaffDeps, 'clock' | 'config'>, staffId: number) {
  const { clock, config } = deps;
  const token = randomToken(32);
  const now = clock.now();
  // S12: only the newest link works.
  await repo.revokeOpenStaffTokens(db, staffId, now);
  const expiresAt = now + config.resetTokenTtlSeconds * 1000;
  await repo.insertStaffToken(db, { staff_id: staffId, purpose: 'setup', token_hash: sha256(token), created_at: now, expires_at: expiresAt });
  return { link: `${config.publicUrl}/back-office/activation?token=${token}`, expiresAt };
}

async function queueSetupMail(db: Executor, deps: Pick<StaffDeps, 'clock' | 'config'>, email: string, link: string, expiresAt: number) {
  const { clock, config } = deps;
  const mail = staffSetupMail({
    brand: config.brandName,
    link,
    duration: formatDuration(config.resetTokenTtlSeconds),
    until: formatDateTime(expiresAt, config.displayTimezone),
  });
  await enqueueMail(db, clock, { ...mail, kind: 'staff_setup_link', to: email, accountId: null });
}

/**
 * A new staff member, without password or second factor: they choose both through the one-time
 * setup link returned here (printed by the CLI, shown once to the admin and, when `sendMail`, mailed).
 */
export async function createStaff(
  deps: StaffDeps,
  input: { email: string; role: string },
  origin: AuditOrigin,
  actor: Actor,
  options: { sendMail?: boolean } = {},
) {
  const email = canonicalStaffEmail(input.email);
  if (!email) throw new StaffError('INVALID_EMAIL');
  if (!isStaffRole(input.role)) throw new StaffError('INVALID_ROLE');
  const role = input.role;
  const { db, clock } = deps;
  return db.transaction().execute(async (trx) => {
    if (await repo.findStaffByEmail(trx, email)) throw new StaffError('DUPLICATE_EMAIL');
    const now = clock.now();
    const id = await repo.insertStaff(trx, {
      email,
      role,
      password_hash: null,
      totp_secret: null,
      totp_enabled_at: null,
      last_totp_step: null,
      created_at: now,
      updated_at: now,
      disabled_at: null,
      last_login_at: null,
    });
    const { link, expiresAt } = await issueSetupLink(trx, deps, id);
    if (options.sendMail) await queueSetupMail(trx, deps, email, link, expiresAt);
    await recordAudit(trx, clock, origin, { event: 'staff.created', outcome: 'success', actorType: actor.type, actorId: actor.id, target: email, details: { role } });
    return { id, email, role, link, expiresAt };
  });
}

/**
 * A new setup link for an existing member (lost phone, expired link). Using it replaces the
 * password and the second factor; until then the member keeps signing in as before.
 */
export async function resendSetupLink(deps: StaffDeps, staffId: number, origin: AuditOrigin, actor: Actor, options: { sendMail?: boolean } = {}) {
  const { db, clock } = deps;
  return db.transaction().execute(async (trx) => {
    const staff = await repo.findStaffById(trx, staffId);
    if (!staff) throw new StaffError('NOT_FOUND');
    const { link, expiresAt } = await issueSetupLink(trx, deps, staff.id);
    if (options.sendMail) await queueSetupMail(trx, deps, staff.email, link, expiresAt);
    await recordAudit(trx, clock, origin, { event: 'staff.setup_link.issued', outcome: 'success', actorType: actor.type, actorId: actor.id, target: staff.email });
    return { id: staff.id, email: staff.email, link, expiresAt };
  });
}

/** Disable (every session and open link dies at once) or enable again. */
export async function setStaffEnabled(deps: StaffDeps, staffId: number, enabled: boolean, origin: AuditOrigin, actor: Actor & { staffId?: number }) {
  const { db, clock } = deps;
  return db.transaction().execute(async (trx) => {
    const staff = await repo.findStaffById(trx, staffId);
    if (!staff) throw new StaffError('NOT_FOUND');
    // An admin cannot lock themselves out, nor remove the last admin able to manage staff.
    if (!enabled && actor.staffId === staff.id) throw new StaffError('SELF');
    if (!enabled && staff.role === 'admin' && staff.disabled_at === null && (await repo.countActiveAdmins(trx)) <= 1) throw new StaffError('LAST_ADMIN');
    const now = clock.now();
    let sessionsRevoked = 0;
    if (enabled) {
      await repo.setStaffDisabled(trx, staff.id, null, now);
    } else {
      await repo.setStaffDisabled(trx, staff.id, staff.disabled_at ?? now, now);
      sessionsRevoked = await repo.deleteSessionsOfStaff(trx, staff.id);
      await repo.revokeOpenStaffTokens(trx, staff.id, now);
    }
    await recordAudit(trx, clock, origin, {
      event: enabled ? 'staff.enabled' : 'staff.disabled',
      outcome: 'success',
      actorType: actor.type,
      actorId: actor.id,
      target: staff.email,
      details: enabled ? undefined : { sessionsRevoked },
    });
    return { email: staff.email };
  });
}

export type SetupLinkCheck =
  | { kind: 'valid'; staffId: number; email: string; step: 'password' | 'totp'; totpSecret: string | null }
  | { kind: 'invalid' }
  | { kind: 'limited'; retryAfterSeconds: number };

/** What a setup link is worth now (S12), with guessing limited per IP (S17). */
export async function checkSetupLink(deps: StaffDeps, token: string | undefined, origin: Origin): Promise<SetupLinkCheck> {
  const { db, clock } = deps;
  const limit = await security.checkLimit(db, clock, security.LIMITS.invalidTokensPerIp, origin.ip);
  if (limit.exceeded) {
    await recordAudit(db, clock, origin, { event: 'token.guess_blocked', outcome: 'blocked', actorType: 'anonymous' });
    return { kind: 'limited', retryAfterSeconds: limit.retryAfterSeconds };
  }
  const row = token ? await repo.findStaffToken(db, sha256(token)) : undefined;
  const state = !row || row.disabled_at !== null ? 'unknown' : row.consumed_at !== null || row.revoked_at !== null ? 'used' : row.expires_at <= clock.now() ? 'expired' : 'valid';
  if (row && state === 'valid') {
    return { kind: 'valid', staffId: row.staff_id, email: row.email, step: row.password_set_at === null ? 'password' : 'totp', totpSecret: row.totp_secret };
  }
  await security.consumeLimit(db, clock, security.LIMITS.invalidTokensPerIp, origin.ip);
  await recordAudit(db, clock, origin, { event: 'staff.setup.invalid_link', outcome: 'failure', actorType: 'anonymous', target: row?.email ?? null, details: { state } });
  return { kind: 'invalid' };
}

export type SetupPasswordResult =
  | { kind: 'done' }
  | { kind: 'errors'; password?: PasswordVerdict; confirmation?: 'CONFIRMATION_REQUIRED' | 'MISMATCH'; email: string }
  | { kind: 'wrong_step' }
  | Exclude<SetupLinkCheck, { kind: 'valid' }>;

/**
 * Setup, step 1: the password, under the customers' policy (S1–S3) and hashing (S4). A fresh TOTP
 * secret is drawn at the same time for step 2; the link stays open until the code is confirmed.
 */
export async function setupPassword(
  deps: StaffDeps & { hasher: PasswordHasher },
  input: { token: string | undefined; password: string; confirmation: string; origin: Origin },
): Promise<SetupPasswordResult> {
  const { db, clock, hasher, config } = deps;
  const link = await checkSetupLink(deps, input.token, input.origin);
  if (link.kind !== 'valid') return link;
  if (link.step !== 'password') return { kind: 'wrong_step' };
  const verdict = checkPassword(input.password, { minLength: config.passwordMinLength, words: [config.brandName, link.email] });
  let confirmation: 'CONFIRMATION_REQUIRED' | 'MISMATCH' | undefined;
  if (input.confirmation.length === 0) confirmation = 'CONFIRMATION_REQUIRED';
  else if (!verdict && input.confirmation.normalize('NFKC') !== input.password.normalize('NFKC')) confirmation = 'MISMATCH';
  if (verdict || confirmation) return { kind: 'errors', password: verdict ?? undefined, confirmation, email: link.email };

  const passwordHash = await hasher.hash(input.password);
  const done = await db.transaction().execute(async (trx) => {
    const now = clock.now();
    if (!(await repo.markStaffTokenPasswordSet(trx, sha256(input.token!), now))) return false;
    await repo.setPasswordAndPendingTotp(trx, link.staffId, passwordHash, newTotpSecret(), now);
    await repo.replaceRecoveryCodes(trx, link.staffId, [], now);
    // A password set through a link ends every open session of the member (S16).
    await repo.deleteSessionsOfStaff(trx, link.staffId);
    await recordAudit(trx, clock, input.origin, { event: 'staff.setup.password_set', outcome: 'success', actorType: 'staff', actorId: link.email, target: link.email });
    return true;
  });
  return done ? { kind: 'done' } : { kind: 'invalid' };
}

export type SetupTotpResult =
  | { kind: 'done'; recoveryCodes: string[]; email: string }
  | { kind: 'wrong_code'; email: string; totpSecret: string }
  | { kind: 'wrong_step' }
  | Exclude<SetupLinkCheck, { kind: 'valid' }>;

/**
 * Setup, step 2: a current code from the authenticator proves the enrolment. In one transaction
 * the link is consumed (single use, S12), the factor enabled, its step recorded (the code cannot
 * be replayed at login) and ten recovery codes made; only their digests are stored, the codes are
 * returned to be shown this once.
 */
export async function confirmTotpEnrolment(deps: StaffDeps, input: { token: string | undefined; code: string; origin: Origin }): Promise<SetupTotpResult> {
  const { db, clock } = deps;
  const link = await checkSetupLink(deps, input.token, input.origin);
  if (link.kind !== 'valid') return link;
  if (link.step !== 'totp' || !link.totpSecret) return { kind: 'wrong_step' };
  const step = verifyTotp(link.totpSecret, input.code.replace(/\s+/g, ''), clock.now(), null);
  if (step === null) {
    await recordAudit(db, clock, input.origin, { event: 'staff.setup.totp_failure', outcome: 'failure', actorType: 'staff', actorId: link.email, target: link.email });
    return { kind: 'wrong_code', email: link.email, totpSecret: link.totpSecret };
  }
  const codes = newRecoveryCodes();
  const done = await db.transaction().execute(async (trx) => {
    const now = clock.now();
    if (!(await repo.consumeStaffToken(trx, sha256(input.token!), now))) return false;
    await repo.enableTotp(trx, link.staffId, step, now);
    await repo.replaceRecoveryCodes(trx, link.staffId, codes.map(hashRecoveryCode), now);
    await repo.revokeOpenStaffTokens(trx, link.staffId, now);
    await security.clearIdentifierThrottle(trx, staffThrottleKey(link.email));
    await recordAudit(trx, clock, input.origin, { event: 'staff.setup.completed', outcome: 'success', actorType: 'staff', actorId: link.email, target: link.email });
    return true;
  });
  return done ? { kind: 'done', recoveryCodes: codes, email: link.email } : { kind: 'invalid' };
}

// ---- login ------------------------------------------------------------------------------------

export type StaffLoginFailureReason = 'malformed_email' | 'unknown_email' | 'setup_pending' | 'disabled' | 'throttled' | 'password_too_long' | 'wrong_password';

export type StaffLoginResult =
  | { ok: true; staffId: number; email: string }
  | { ok: false; code: 'INVALID_CREDENTIALS'; reason: StaffLoginFailureReason }
  | { ok: false; code: 'TOO_MANY_ATTEMPTS'; retryAfterSeconds: number };

async function recordStaffFailure(deps: StaffDeps, origin: Origin, key: string | null, staffEmail: string | null) {
  const { db, clock } = deps;
  await security.consumeLimit(db, clock, security.LIMITS.loginFailuresPerIp, origin.ip);
  if (!key) return;
  const { failures, delayMs } = await security.recordIdentifierFailure(db, clock, key);
  if (delayMs > 0) {
    await recordAudit(db, clock, origin, {
      event: 'staff.login.throttle',
      outcome: 'blocked',
      actorType: 'anonymous',
      target: staffEmail,
      details: { failures, delaySeconds: delayMs / 1000 },
    });
  }
}

/**
 * Step 1 of the staff login, e-mail and password, built like the customer login: one answer for
 * every failure (S6), one argon2 verification each (S7), per-account delay (S8), per-IP limit (S9).
 * A member whose setup is unfinished (no second factor yet) cannot sign in.
 */
export async function authenticateStaff(deps: StaffLoginDeps, input: { email: string; password: string; origin: Origin }): Promise<StaffLoginResult> {
  const { db, clock, hasher } = deps;
  const ipState = await security.checkLimit(db, clock, security.LIMITS.loginFailuresPerIp, input.origin.ip);
  if (ipState.exceeded) {
    await recordAudit(db, clock, input.origin, { event: 'staff.login.ip_blocked', outcome: 'blocked', actorType: 'anonymous' });
    return { ok: false, code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: ipState.retryAfterSeconds };
  }
  const email = canonicalStaffEmail(input.email);
  const key = email ? staffThrottleKey(email) : null;
  const staff = email ? await repo.findStaffByEmail(db, email) : undefined;
  const throttled = key ? await security.isIdentifierThrottled(db, clock, key) : false;
  const tooLong = [...input.password.normalize('NFKC')].length > PASSWORD_MAX_LENGTH;
  const usable = staff && staff.password_hash && staff.totp_enabled_at !== null && staff.totp_secret && staff.disabled_at === null && !throttled ? staff.password_hash : null;
  let verified = false;
  if (!tooLong) {
    const matches = await hasher.verify(usable ?? deps.dummyHash, input.password);
    verified = usable !== null && matches;
  }
  if (verified && staff) {
    if (hasher.needsRehash(staff.password_hash!)) await repo.updateStaffPasswordHash(db, staff.id, await hasher.hash(input.password), clock.now());
    await recordAudit(db, clock, input.origin, { event: 'staff.login.password_ok', outcome: 'info', actorType: 'staff', actorId: staff.email, target: staff.email });
    return { ok: true, staffId: staff.id, email: staff.email };
  }
  const reason: StaffLoginFailureReason = !email
    ? 'malformed_email'
    : throttled
      ? 'throttled'
      : !staff
        ? 'unknown_email'
        : tooLong
          ? 'password_too_long'
          : staff.disabled_at !== null
            ? 'disabled'
            : staff.password_hash === null || staff.totp_enabled_at === null
              ? 'setup_pending'
              : 'wrong_password';
  await recordStaffFailure(deps, input.origin, throttled ? null : key, email);
  await recordAudit(db, clock, input.origin, {
    event: 'staff.login.failure',
    outcome: 'failure',
    actorType: 'anonymous',
    target: email ?? input.email.slice(0, 64),
    details: { reason },
  });
  return { ok: false, code: 'INVALID_CREDENTIALS', reason };
}

export type SecondFactorFailureReason = 'malformed' | 'wrong_code' | 'replay' | 'wrong_recovery_code' | 'throttled' | 'unavailable';

export type SecondFactorResult =
  | { ok: true; method: 'totp' | 'recovery_code'; recoveryCodesLeft?: number }
  | { ok: false; code: 'INVALID_CODE'; reason: SecondFactorFailureReason }
  | { ok: false; code: 'TOO_MANY_ATTEMPTS'; retryAfterSeconds: number };

/**
 * Step 2: a TOTP code of the current step ±1 that is later than the last one accepted (a code
 * works once, RFC 6238 §5.2), or an unused recovery code (consumed here). Failures count towards
 * the same per-account delay as wrong passwords.
 */
export async function verifyStaffSecondFactor(deps: StaffDeps, input: { staffId: number; code: string; origin: Origin }): Promise<SecondFactorResult> {
  const { db, clock } = deps;
  const ipState = await security.checkLimit(db, clock, security.LIMITS.loginFailuresPerIp, input.origin.ip);
  if (ipState.exceeded) {
    await recordAudit(db, clock, input.origin, { event: 'staff.login.ip_blocked', outcome: 'blocked', actorType: 'anonymous' });
    return { ok: false, code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: ipState.retryAfterSeconds };
  }
  const staff = await repo.findStaffById(db, input.staffId);
  const key = staff ? staffThrottleKey(staff.email) : null;
  const throttled = key ? await security.isIdentifierThrottled(db, clock, key) : false;
  const typed = input.code.normalize('NFKC').replace(/\s+/g, '');
  let reason: SecondFactorFailureReason | null = null;
  let method: 'totp' | 'recovery_code' = 'totp';
  let recoveryCodesLeft: number | undefined;

  if (!staff || !staff.totp_secret || staff.totp_enabled_at === null || staff.disabled_at !== null) reason = 'unavailable';
  else if (throttled) reason = 'throttled';
  else if (/^[0-9]{6}$/.test(typed)) {
    const now = clock.now();
    // A code of the current step (or its neighbours) at or before the last accepted step is a replay.
    const step = verifyTotp(staff.totp_secret, typed, now, null);
    if (step === null) reason = 'wrong_code';
    else if (staff.last_totp_step !== null && step <= staff.last_totp_step) reason = 'replay';
    else if (!(await repo.advanceTotpStep(db, staff.id, step))) reason = 'replay';
  } else {
    method = 'recovery_code';
    const normalized = normalizeRecoveryCode(typed);
    if (!normalized) reason = 'malformed';
    else if (!(await repo.useRecoveryCode(db, staff.id, hashRecoveryCode(normalized), clock.now()))) reason = 'wrong_recovery_code';
    else recoveryCodesLeft = await repo.countUnusedRecoveryCodes(db, staff.id);
  }

  if (reason === null && staff) {
    const now = clock.now();
    await security.clearIdentifierThrottle(db, key!);
    await repo.recordStaffLogin(db, staff.id, now);
    if (method === 'recovery_code') {
      await recordAudit(db, clock, input.origin, {
        event: 'staff.recovery_code.used',
        outcome: 'success',
        actorType: 'staff',
        actorId: staff.email,
        target: staff.email,
        details: { left: recoveryCodesLeft ?? 0 },
      });
    }
    await recordAudit(db, clock, input.origin, { event: 'staff.login.success', outcome: 'success', actorType: 'staff', actorId: staff.email, target: staff.email, details: { method } });
    return { ok: true, method, recoveryCodesLeft };
  }
  await recordStaffFailure(deps, input.origin, throttled ? null : key, staff?.email ?? null);
  await recordAudit(db, clock, input.origin, {
    event: 'staff.mfa.failure',
    outcome: 'failure',
    actorType: 'anonymous',
    target: staff?.email ?? null,
    details: { reason: reason ?? 'unavailable', method },
  });
  return { ok: false, code: 'INVALID_CODE', reason: reason ?? 'unavailable' };
}

// ---- sessions ---------------------------------------------------------------------------------

export interface StaffSessionOrigin {
  ip: string;
  userAgent: string;
}

export interface ValidStaffSession {
  id: string;
  staffId: number;
  email: string;
  role: StaffRole;
  /** False until the second factor was passed: such a session opens nothing but the TOTP step. */
  mfaPassed: boolean;
}

/**
 * S18: 256 random bits in the cookie, only their SHA-256 stored. A session created after the
 * password alone is short-lived and marked pending; passing the second factor creates a new one.
 */
export async function createStaffSession(db: Executor, clock: Clock, staffId: number, origin: StaffSessionOrigin, mfaPassed: boolean) {
  const token = randomToken(32);
  const id = sha256(token);
  const now = clock.now();
  await repo.insertStaffSession(db, {
    id,
    staff_id: staffId,
    created_at: now,
    last_seen_at: now,
    expires_at: now + (mfaPassed ? STAFF_SESSION_ABSOLUTE_MS : STAFF_MFA_PENDING_MS),
    mfa_passed_at: mfaPassed ? now : null,
    ip: origin.ip.slice(0, 64),
    user_agent: origin.userAgent.slice(0, 256),
  });
  return { token, id };
}

/** The session behind a cookie token, or null when unknown, idle (30 min), past its end (12 h) or its member disabled. */
export async function validateStaffSessionToken(db: Kysely<DB>, clock: Clock, token: string): Promise<ValidStaffSession | null> {
  const id = sha256(token);
  const row = await repo.findStaffSession(db, id);
  if (!row) return null;
  const now = clock.now();
  if (row.expires_at <= now || row.last_seen_at + STAFF_SESSION_IDLE_MS <= now || row.disabled_at !== null) {
    await repo.deleteStaffSession(db, id);
    return null;
  }
  if (now - row.last_seen_at >= TOUCH_INTERVAL_MS) await repo.touchStaffSession(db, id, now);
  return { id, staffId: row.staff_id, email: row.email, role: row.role, mfaPassed: row.mfa_passed_at !== null };
}

export async function invalidateStaffSession(db: Executor, sessionId: string): Promise<void> {
  await repo.deleteStaffSession(db, sessionId);
}

export async function invalidateSessionsOfStaff(db: Executor, staffId: number): Promise<number> {
  return repo.deleteSessionsOfStaff(db, staffId);
}

// ---- reading -----------------------------------------------------------------------------------

export async function listStaffMembers(db: Executor) {
  return repo.listStaff(db);
}

export async function findStaffMember(db: Executor, id: number) {
  return repo.findStaffById(db, id);
}
