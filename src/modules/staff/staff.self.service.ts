import { describeUserAgent, ipPrefix } from '../../shared/device.js';
import { formatDateTime, formatShortDateTime } from '../../shared/format.js';
import { checkPassword, type PasswordVerdict } from '../../shared/password-policy.js';
import { fail, ok, type Result } from '../../shared/result.js';
import { staffFactorChangedMail } from '../../views/mail/templates.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { attemptPassword } from '../auth-core/attempts.js';
import { SESSION_IDLE_MS } from '../auth-core/sessions.js';
import { enqueueMail } from '../mail/mail.service.js';
import type { CurrentStaff } from './staff.guard.js';
import { type StaffLoginDeps, staffThrottleKey } from './staff.login.service.js';
import type { Origin } from './staff.members.service.js';
import * as repo from './staff.repository.js';
import { hashRecoveryCodes, newRecoveryCodes, newTotpSecret, verifyTotp } from './totp.js';

/**
 * "Mon compte": what a staff member does to their own access — password, sessions, recovery
 * codes, authenticator — without an admin. Each change is mailed to the member (S39): a change
 * they did not make is one they hear of.
 */
export type StaffSelfError = 'CURRENT_REQUIRED' | 'CURRENT_WRONG' | 'CURRENT_THROTTLED' | 'PASSWORD' | 'CONFIRMATION_REQUIRED' | 'MISMATCH' | 'NO_PENDING' | 'WRONG_CODE';

type What = 'password' | 'recovery_codes' | 'authenticator';

async function tellMember(deps: StaffLoginDeps, staff: CurrentStaff, what: What, origin: AuditOrigin, event: string, details?: Record<string, number>) {
  const { db, clock, config } = deps;
  const mail = staffFactorChangedMail({ brand: config.brandName, what, when: formatDateTime(clock.now(), config.displayTimezone), browser: describeUserAgent(origin.userAgent), place: ipPrefix(origin.ip) });
  await db.transaction().execute(async (trx) => {
    await enqueueMail(trx, clock, { ...mail, kind: 'staff_factor_changed', to: staff.email, accountId: null });
    await recordAudit(trx, clock, origin, { event, outcome: 'success', actorType: 'staff', actorId: staff.email, target: staff.email, details });
  });
}

/** A new password: the current one checked through the attempt core (S8, S9, S36), the policy (S1–S3), every other session ended. */
export async function changeOwnStaffPassword(
  deps: StaffLoginDeps,
  staff: CurrentStaff,
  input: { current: string; password: string; confirmation: string },
  origin: Origin,
): Promise<Result<undefined, StaffSelfError> & { verdict?: PasswordVerdict }> {
  const { db, clock, config, hasher } = deps;
  if (input.current.length === 0) return fail('CURRENT_REQUIRED', 'actuel');
  const verdict = checkPassword(input.password, { minLength: config.passwordMinLength, words: [config.brandName, staff.email] });
  if (verdict) return { ...fail('PASSWORD', 'mot_de_passe'), verdict };
  if (input.confirmation.length === 0) return fail('CONFIRMATION_REQUIRED', 'confirmation');
  if (input.confirmation.normalize('NFKC') !== input.password.normalize('NFKC')) return fail('MISMATCH', 'confirmation');
  const member = await repo.findStaffById(db, staff.staffId);
  const attempt = await attemptPassword(deps, { ip: origin.ip, throttleKey: staffThrottleKey(staff.email), loadHash: async () => member?.password_hash ?? null, password: input.current });
  if (attempt.kind !== 'passed') {
    await recordAudit(db, clock, origin, { event: 'staff.password_change_failed', outcome: 'failure', actorType: 'staff', actorId: staff.email, target: staff.email, details: { reason: attempt.kind } });
    return fail(attempt.kind === 'failed' ? 'CURRENT_WRONG' : 'CURRENT_THROTTLED', 'actuel');
  }
  const passwordHash = await hasher.hash(input.password);
  let ended = 0;
  await db.transaction().execute(async (trx) => {
    // The count of wrong codes goes on: a password change is no second factor (auth-core README).
    await attempt.settle(trx, 'undo');
    await repo.updateStaffPasswordHash(trx, staff.staffId, passwordHash, clock.now());
    ended = await repo.deleteOtherSessionsOfStaff(trx, staff.staffId, staff.sessionId);
  });
  await tellMember(deps, staff, 'password', origin, 'staff.password_changed', { otherSessionsEnded: ended });
  return ok();
}

export async function listOwnStaffSessions(deps: Pick<StaffLoginDeps, 'db' | 'clock' | 'config'>, staff: CurrentStaff) {
  const rows = await repo.listSessionsOfStaff(deps.db, staff.staffId, deps.clock.now(), SESSION_IDLE_MS);
  return rows.map((s) => ({ browser: describeUserAgent(s.user_agent), place: ipPrefix(s.ip), lastSeen: formatShortDateTime(s.last_seen_at, deps.config.displayTimezone), current: s.id === staff.sessionId }));
}

export async function endOtherStaffSessions(deps: StaffLoginDeps, staff: CurrentStaff, origin: AuditOrigin): Promise<number> {
  const ended = await repo.deleteOtherSessionsOfStaff(deps.db, staff.staffId, staff.sessionId);
  await recordAudit(deps.db, deps.clock, origin, { event: 'staff.sessions_ended', outcome: 'success', actorType: 'staff', actorId: staff.email, target: staff.email, details: { ended } });
  return ended;
}

/** Ten new recovery codes (salted argon2id hashes stored, S40); the old ones stop working. Shown once. */
export async function regenerateRecoveryCodes(deps: StaffLoginDeps, staff: CurrentStaff, origin: AuditOrigin): Promise<string[]> {
  const codes = newRecoveryCodes();
  const hashes = await hashRecoveryCodes(deps.hasher, codes);
  await repo.replaceRecoveryCodes(deps.db, staff.staffId, hashes, deps.clock.now());
  await tellMember(deps, staff, 'recovery_codes', origin, 'staff.recovery_codes_renewed');
  return codes;
}

/** Step 1 of a new authenticator: a secret kept (sealed) on this session until a code confirms it. */
export async function startTotpReenrolment(deps: StaffLoginDeps, staff: CurrentStaff): Promise<string> {
  const secret = newTotpSecret();
  await repo.setPendingTotpSecret(deps.db, staff.sessionId, deps.secrets.seal(secret));
  return secret;
}

export async function pendingTotpSecret(deps: StaffLoginDeps, staff: CurrentStaff): Promise<string | null> {
  const sealed = await repo.findPendingTotpSecret(deps.db, staff.sessionId);
  return sealed === null ? null : deps.secrets.open(sealed);
}

/** Step 2: a current code of the new app replaces the old authenticator. */
export async function confirmTotpReenrolment(deps: StaffLoginDeps, staff: CurrentStaff, code: string, origin: AuditOrigin): Promise<Result<undefined, StaffSelfError>> {
  const secret = await pendingTotpSecret(deps, staff);
  if (!secret) return fail('NO_PENDING');
  const step = verifyTotp(secret, code.replace(/\s+/g, ''), deps.clock.now(), null);
  if (step === null) return fail('WRONG_CODE', 'code');
  await deps.db.transaction().execute(async (trx) => {
    await repo.replaceTotp(trx, staff.staffId, deps.secrets.seal(secret), step, deps.clock.now());
    await repo.setPendingTotpSecret(trx, staff.sessionId, null);
  });
  await tellMember(deps, staff, 'authenticator', origin, 'staff.authenticator_replaced');
  return ok();
}
