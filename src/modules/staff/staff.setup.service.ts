import { deletePasskeysOf } from '../passkeys/passkeys.service.js';
import type { PasswordHasher } from '../../shared/hasher.js';
import { checkPassword, type PasswordVerdict } from '../../shared/password-policy.js';
import { recordAudit } from '../audit/audit.service.js';
import { checkLinkToken, consumeLinkToken, markLinkStepDone, revokeLinkTokens } from '../auth-core/link-tokens.js';
import { clearIdentifierThrottle } from '../auth-core/limits.js';
import { deleteSessionsOfStaff } from './staff.sessions.js';
import { type Origin, type StaffSecretDeps, staffSubject } from './staff.members.service.js';
import { staffThrottleKey } from './staff.login.service.js';
import * as repo from './staff.repository.js';
import { hashRecoveryCodes, newRecoveryCodes, newTotpSecret, verifyTotp } from './totp.js';

/** The one-time setup link: password (step 1), then the authenticator (step 2). */

export type SetupLinkCheck =
  | { kind: 'valid'; staffId: number; email: string; step: 'password' | 'totp'; totpSecret: string | null }
  | { kind: 'invalid' }
  | { kind: 'limited'; retryAfterSeconds: number };

/** What a setup link is worth now: the one link check (S12, S17, S40), then its member. */
export async function checkSetupLink(deps: StaffSecretDeps, token: string | undefined, origin: Origin): Promise<SetupLinkCheck> {
  const checked = await checkLinkToken(deps, { token, purposes: ['staff_setup'], origin });
  if (checked.kind === 'limited') return checked;
  const staff = checked.link ? await repo.findStaffById(deps.db, checked.link.subject_id) : undefined;
  if (checked.kind !== 'valid' || !staff || staff.disabled_at !== null) return { kind: 'invalid' };
  const totpSecret = staff.totp_secret === null ? null : deps.secrets.open(staff.totp_secret);
  return { kind: 'valid', staffId: staff.id, email: staff.email, step: checked.link.step_done_at === null ? 'password' : 'totp', totpSecret };
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
  deps: StaffSecretDeps & { hasher: PasswordHasher },
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
    if (!(await markLinkStepDone(trx, clock, input.token!))) return false;
    await repo.setPasswordAndPendingTotp(trx, link.staffId, passwordHash, deps.secrets.seal(newTotpSecret()), now);
    await repo.replaceRecoveryCodes(trx, link.staffId, [], now);
    // A password set through a link ends every open session of the member (S16).
    await deleteSessionsOfStaff(trx, link.staffId);
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
export async function confirmTotpEnrolment(deps: StaffSecretDeps & { hasher: PasswordHasher }, input: { token: string | undefined; code: string; origin: Origin }): Promise<SetupTotpResult> {
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
  const hashes = await hashRecoveryCodes(deps.hasher, codes);
  const done = await db.transaction().execute(async (trx) => {
    const now = clock.now();
    if (!(await consumeLinkToken(trx, clock, input.token!, { afterStep: true }))) return false;
    await repo.enableTotp(trx, link.staffId, step, now);
    await repo.replaceRecoveryCodes(trx, link.staffId, hashes, now);
    // A setup link replaces every factor of the member: their passkeys go too (S49, S50).
    await deletePasskeysOf(trx, { type: 'staff', id: link.staffId });
    await revokeLinkTokens(trx, clock, staffSubject(link.staffId), 'superseded');
    await clearIdentifierThrottle(trx, staffThrottleKey(link.email));
    await recordAudit(trx, clock, input.origin, { event: 'staff.setup.completed', outcome: 'success', actorType: 'staff', actorId: link.email, target: link.email });
    return true;
  });
  return done ? { kind: 'done', recoveryCodes: codes, email: link.email } : { kind: 'invalid' };
}

