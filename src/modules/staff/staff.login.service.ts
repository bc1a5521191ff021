import { MINUTE_MS } from '../../shared/clock.js';
import { PASSWORD_MAX_LENGTH, passwordLength } from '../../shared/password-policy.js';
import { recordAudit } from '../audit/audit.service.js';
import { type AttemptDeps, type AttemptOutcome, attemptCode, attemptPassword } from '../auth-core/attempts.js';
import { malformedMarker } from '../login/login.service.js';
import { canonicalStaffEmail, type Origin, type StaffDeps, type StaffSecretDeps } from './staff.members.service.js';
import * as repo from './staff.repository.js';
import { findRecoveryCode, normalizeRecoveryCode, verifyTotp } from './totp.js';

/** The throttle key of a staff e-mail (S8): never shared with a customer code. */
export function staffThrottleKey(emailLc: string): string {
  return `staff:${emailLc}`;
}

export type StaffLoginDeps = StaffSecretDeps & AttemptDeps;

/** A session that passed only the password has this long to pass the second factor. */
export const STAFF_MFA_PENDING_MS = 10 * MINUTE_MS;

export type StaffLoginFailureReason = 'malformed_email' | 'unknown_email' | 'setup_pending' | 'disabled' | 'throttled' | 'password_too_long' | 'wrong_password';

export type StaffLoginResult =
  | { ok: true; staffId: number; email: string }
  | { ok: false; code: 'INVALID_CREDENTIALS'; reason: StaffLoginFailureReason }
  | { ok: false; code: 'TOO_MANY_ATTEMPTS'; retryAfterSeconds: number };

/** The audit lines of a counted failure: the delay it started, if any (S8, S34). */
async function auditStaffDelay(deps: StaffDeps, origin: Origin, outcome: AttemptOutcome, staffEmail: string | null) {
  if (outcome.kind !== 'failed' || outcome.delayStartedMs === 0) return;
  await recordAudit(deps.db, deps.clock, origin, {
    event: 'staff.login.throttle',
    outcome: 'blocked',
    actorType: 'anonymous',
    target: staffEmail,
    details: { failures: outcome.failures, delaySeconds: outcome.delayStartedMs / 1000 },
  });
}

/**
 * Step 1 of the staff login, e-mail and password, through the same attempt core as the customer
 * login: one answer for every failure (S6), one argon2 verification each (S7), per-account delay
 * (S8), per-IP limit (S9), reserved before the check (S36). A member whose setup is unfinished
 * (no second factor yet) cannot sign in.
 */
export async function authenticateStaff(deps: StaffLoginDeps, input: { email: string; password: string; origin: Origin }): Promise<StaffLoginResult> {
  const { db, clock } = deps;
  const email = canonicalStaffEmail(input.email);
  const found: { staff?: Awaited<ReturnType<typeof repo.findStaffByEmail>> } = {};
  const loadHash = async () => {
    const staff = (found.staff = email ? await repo.findStaffByEmail(db, email) : undefined);
    return staff && staff.password_hash && staff.totp_enabled_at !== null && staff.totp_secret && staff.disabled_at === null ? staff.password_hash : null;
  };
  const outcome = await attemptPassword(deps, { ip: input.origin.ip, throttleKey: email ? staffThrottleKey(email) : null, loadHash, password: input.password });
  if (outcome.kind === 'ip_blocked') {
    await recordAudit(db, clock, input.origin, { event: 'staff.login.ip_blocked', outcome: 'blocked', actorType: 'anonymous' });
    return { ok: false, code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: outcome.retryAfterSeconds };
  }
  if (outcome.kind === 'throttled' && email) found.staff = await repo.findStaffByEmail(db, email);
  const staff = found.staff;
  if (outcome.kind === 'passed' && staff) {
    const upgraded = deps.hasher.needsRehash(staff.password_hash!) ? await deps.hasher.hash(input.password) : null;
    await db.transaction().execute(async (trx) => {
      // The count goes on until the second factor passes: the password alone clears nothing.
      await outcome.settle(trx, 'undo');
      if (upgraded) await repo.updateStaffPasswordHash(trx, staff.id, upgraded, clock.now());
      await recordAudit(trx, clock, input.origin, { event: 'staff.login.password_ok', outcome: 'info', actorType: 'staff', actorId: staff.email, target: staff.email });
    });
    return { ok: true, staffId: staff.id, email: staff.email };
  }
  const reason: StaffLoginFailureReason = !email
    ? 'malformed_email'
    : outcome.kind === 'throttled'
      ? 'throttled'
      : !staff
        ? 'unknown_email'
        : passwordLength(input.password) > PASSWORD_MAX_LENGTH
          ? 'password_too_long'
          : staff.disabled_at !== null
            ? 'disabled'
            : staff.password_hash === null || staff.totp_enabled_at === null
              ? 'setup_pending'
              : 'wrong_password';
  await auditStaffDelay(deps, input.origin, outcome, email);
  await recordAudit(db, clock, input.origin, {
    event: 'staff.login.failure',
    outcome: 'failure',
    actorType: 'anonymous',
    target: email ?? malformedMarker(input.email),
    details: { reason },
  });
  return { ok: false, code: 'INVALID_CREDENTIALS', reason };
}

/** `passkey_<why>`: a passkey assertion refused (S50), why in passkeys.service `AssertionFailure`. */
export type SecondFactorFailureReason = 'malformed' | 'wrong_code' | 'replay' | 'wrong_recovery_code' | 'throttled' | 'unavailable' | `passkey_${string}`;

export type SecondFactorResult =
  | { ok: true; method: 'totp' | 'recovery_code' | 'passkey'; recoveryCodesLeft?: number }
  | { ok: false; code: 'INVALID_CODE'; reason: SecondFactorFailureReason }
  | { ok: false; code: 'TOO_MANY_ATTEMPTS'; retryAfterSeconds: number };

/**
 * Step 2: a TOTP code of the current step ±1 that is later than the last one accepted (a code
 * works once, RFC 6238 §5.2), or an unused recovery code (consumed here). Through the attempt
 * core, under the same per-account key as the password (S8) and the same per-IP limit (S9).
 */
export async function verifyStaffSecondFactor(
  deps: StaffLoginDeps,
  input: {
    staffId: number;
    code: string;
    origin: Origin;
    purpose?: 'login' | 'step_up';
    /**
     * S50: a passkey instead of the code. Checks the member's assertion (consuming what it accepts)
     * and says why it failed, or null; called like the code check, after the reservations.
     */
    passkey?: (staff: { id: number; email: string }) => Promise<string | null>;
  },
): Promise<SecondFactorResult> {
  const stepUp = input.purpose === 'step_up';
  const { db, clock } = deps;
  const staff = await repo.findStaffById(db, input.staffId);
  const typed = input.code.normalize('NFKC').replace(/\s+/g, '');
  let reason: SecondFactorFailureReason | null = null;
  const method: 'totp' | 'recovery_code' | 'passkey' = input.passkey ? 'passkey' : /^[0-9]{6}$/.test(typed) ? 'totp' : 'recovery_code';
  let recoveryCodesLeft: number | undefined;

  const check = async (): Promise<boolean> => {
    if (!staff || !staff.totp_secret || staff.totp_enabled_at === null || staff.disabled_at !== null) reason = 'unavailable';
    else if (input.passkey) {
      const refused = await input.passkey({ id: Number(staff.id), email: staff.email });
      if (refused !== null) reason = `passkey_${refused}`;
    } else if (method === 'totp') {
      // A code of the current step (or its neighbours) at or before the last accepted step is a replay.
      const step = verifyTotp(deps.secrets.open(staff.totp_secret), typed, clock.now(), null);
      if (step === null) reason = 'wrong_code';
      else if (staff.last_totp_step !== null && step <= staff.last_totp_step) reason = 'replay';
      else if (!(await repo.advanceTotpStep(db, staff.id, step))) reason = 'replay';
    } else {
      const normalized = normalizeRecoveryCode(typed);
      if (!normalized) reason = 'malformed';
      else {
        const id = await findRecoveryCode(deps.hasher, await repo.listUnusedRecoveryCodes(db, staff.id), normalized);
        if (id === null || !(await repo.useRecoveryCode(db, staff.id, id, clock.now()))) reason = 'wrong_recovery_code';
      }
      if (reason === null) recoveryCodesLeft = await repo.countUnusedRecoveryCodes(db, staff.id);
    }
    return reason === null;
  };
  const outcome = staff
    ? await attemptCode(deps, { ip: input.origin.ip, throttleKey: staffThrottleKey(staff.email), check })
    : ({ kind: 'failed', failures: 0, delayStartedMs: 0 } as const);
  if (outcome.kind === 'ip_blocked') {
    await recordAudit(db, clock, input.origin, { event: 'staff.login.ip_blocked', outcome: 'blocked', actorType: 'anonymous' });
    return { ok: false, code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: outcome.retryAfterSeconds };
  }
  if (outcome.kind === 'passed' && staff) {
    await db.transaction().execute(async (trx) => {
      await outcome.settle(trx);
      if (!stepUp) await repo.recordStaffLogin(trx, staff.id, clock.now());
      if (method === 'recovery_code') {
        await recordAudit(trx, clock, input.origin, {
          event: 'staff.recovery_code.used',
          outcome: 'success',
          actorType: 'staff',
          actorId: staff.email,
          target: staff.email,
          details: { left: recoveryCodesLeft ?? 0 },
        });
      }
      await recordAudit(trx, clock, input.origin, { event: stepUp ? 'staff.step_up.success' : 'staff.login.success', outcome: 'success', actorType: 'staff', actorId: staff.email, target: staff.email, details: { method } });
    });
    return { ok: true, method, recoveryCodesLeft };
  }
  const failure: SecondFactorFailureReason = outcome.kind === 'throttled' ? 'throttled' : (reason ?? 'unavailable');
  await auditStaffDelay(deps, input.origin, outcome, staff?.email ?? null);
  await recordAudit(db, clock, input.origin, {
    event: stepUp ? 'staff.step_up.failure' : 'staff.mfa.failure',
    outcome: 'failure',
    actorType: 'anonymous',
    target: staff?.email ?? null,
    details: { reason: failure, method },
  });
  return { ok: false, code: 'INVALID_CODE', reason: failure };
}

