import type { Insertable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { StaffRole, StaffSessionTable, StaffTable } from './staff.table.js';
import { countRows } from '../retention/retention.batches.js';

// ---- staff -------------------------------------------------------------------------------------

export async function insertStaff(db: Executor, row: Insertable<StaffTable>): Promise<number> {
  const result = await db.insertInto('staff').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(result.id);
}

export async function findStaffByEmail(db: Executor, emailLc: string) {
  return db.selectFrom('staff').selectAll().where('email', '=', emailLc).executeTakeFirst();
}

export async function findStaffById(db: Executor, id: number) {
  return db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listStaff(db: Executor, limit = 500) {
  return db.selectFrom('staff').selectAll().orderBy('email').limit(limit).execute();
}

export async function countActiveAdmins(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('staff')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin' satisfies StaffRole)
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Password of the setup step; the TOTP enrolment starts over with a fresh secret. */
export async function setPasswordAndPendingTotp(db: Executor, id: number, passwordHash: string, totpSecret: string, now: number): Promise<void> {
  await db
    .updateTable('staff')
    .set({ password_hash: passwordHash, totp_secret: totpSecret, totp_enabled_at: null, last_totp_step: null, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function listTotpSecrets(db: Executor) {
  const rows = await db.selectFrom('staff').select(['id', 'totp_secret']).where('totp_secret', 'is not', null).execute();
  return rows as Array<{ id: number; totp_secret: string }>;
}

/** Swaps a stored TOTP secret for its resealed form, unless it changed meanwhile. */
export async function replaceTotpSecret(db: Executor, id: number, current: string, next: string): Promise<void> {
  await db.updateTable('staff').set({ totp_secret: next }).where('id', '=', id).where('totp_secret', '=', current).execute();
}

export async function enableTotp(db: Executor, id: number, step: number, now: number): Promise<void> {
  await db.updateTable('staff').set({ totp_enabled_at: now, last_totp_step: step, updated_at: now }).where('id', '=', id).execute();
}

/**
 * Records `step` as used, only if it is later than the last one: of two concurrent submissions of
 * the same code, exactly one wins (RFC 6238 §5.2, replay).
 */
export async function advanceTotpStep(db: Executor, id: number, step: number): Promise<boolean> {
  const result = await db
    .updateTable('staff')
    .set({ last_totp_step: step })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_totp_step', 'is', null), eb('last_totp_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordStaffLogin(db: Executor, id: number, now: number): Promise<void> {
  await db.updateTable('staff').set({ last_login_at: now }).where('id', '=', id).execute();
}

export async function updateStaffPasswordHash(db: Executor, id: number, passwordHash: string, now: number): Promise<void> {
  await db.updateTable('staff').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', id).execute();
}

export async function setStaffDisabled(db: Executor, id: number, disabledAt: number | null, now: number): Promise<void> {
  await db.updateTable('staff').set({ disabled_at: disabledAt, updated_at: now }).where('id', '=', id).execute();
}

// ---- recovery codes ----------------------------------------------------------------------------

export async function replaceRecoveryCodes(db: Executor, staffId: number, hashes: string[], now: number): Promise<void> {
  await db.deleteFrom('staff_recovery_codes').where('staff_id', '=', staffId).execute();
  if (hashes.length === 0) return;
  await db
    .insertInto('staff_recovery_codes')
    .values(hashes.map((code_hash) => ({ staff_id: staffId, code_hash, created_at: now, used_at: null })))
    .execute();
}

export async function listUnusedRecoveryCodes(db: Executor, staffId: number) {
  return db.selectFrom('staff_recovery_codes').select(['id', 'code_hash']).where('staff_id', '=', staffId).where('used_at', 'is', null).orderBy('id').execute();
}

/** Marks a recovery code used; true for exactly one caller (single use even under concurrency). */
export async function useRecoveryCode(db: Executor, staffId: number, id: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('staff_recovery_codes')
    .set({ used_at: now })
    .where('staff_id', '=', staffId)
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) >= 1;
}

export async function countUnusedRecoveryCodes(db: Executor, staffId: number): Promise<number> {
  const row = await db
    .selectFrom('staff_recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('staff_id', '=', staffId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---- sessions (the policy is auth-core/sessions.ts) -------------------------------------------

export async function insertStaffSession(db: Executor, row: StaffSessionTable): Promise<void> {
  await db.insertInto('staff_sessions').values(row).execute();
}

export async function findStaffSession(db: Executor, id: string) {
  return db
    .selectFrom('staff_sessions')
    .innerJoin('staff', 'staff.id', 'staff_sessions.staff_id')
    .select(['staff_sessions.staff_id', 'staff_sessions.last_seen_at', 'staff_sessions.expires_at', 'staff_sessions.mfa_passed_at', 'staff.email', 'staff.role', 'staff.disabled_at'])
    .where('staff_sessions.id', '=', id)
    .executeTakeFirst();
}

export async function touchStaffSession(db: Executor, id: string, now: number): Promise<void> {
  await db.updateTable('staff_sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

export async function setStaffSessionSecondFactor(db: Executor, id: string, at: number): Promise<void> {
  await db.updateTable('staff_sessions').set({ mfa_passed_at: at }).where('id', '=', id).where('mfa_passed_at', 'is not', null).execute();
}

export async function deleteStaffSession(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('staff_sessions').where('id', '=', id).execute();
}

export async function deleteSessionsOfStaff(db: Executor, staffId: number): Promise<number> {
  const result = await db.deleteFrom('staff_sessions').where('staff_id', '=', staffId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- self-service ("Mon compte") -------------------------------------------------------------

export async function listSessionsOfStaff(db: Executor, staffId: number, now: number, idleMs: number) {
  return db
    .selectFrom('staff_sessions')
    .select(['id', 'created_at', 'last_seen_at', 'ip', 'user_agent'])
    .where('staff_id', '=', staffId)
    .where('mfa_passed_at', 'is not', null)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', now - idleMs)
    .orderBy('last_seen_at', 'desc')
    .execute();
}

export async function deleteOtherSessionsOfStaff(db: Executor, staffId: number, keepId: string): Promise<number> {
  const result = await db.deleteFrom('staff_sessions').where('staff_id', '=', staffId).where('id', '!=', keepId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function setPendingTotpSecret(db: Executor, sessionId: string, sealed: string | null): Promise<void> {
  await db.updateTable('staff_sessions').set({ pending_totp_secret: sealed }).where('id', '=', sessionId).execute();
}

export async function findPendingTotpSecret(db: Executor, sessionId: string): Promise<string | null> {
  const row = await db.selectFrom('staff_sessions').select('pending_totp_secret').where('id', '=', sessionId).executeTakeFirst();
  return row?.pending_totp_secret ?? null;
}

/** The new authenticator: its secret, and the confirming code's step as the last used one (no replay). */
export async function replaceTotp(db: Executor, staffId: number, sealedSecret: string, step: number, now: number): Promise<void> {
  await db.updateTable('staff').set({ totp_secret: sealedSecret, totp_enabled_at: now, last_totp_step: step, updated_at: now }).where('id', '=', staffId).execute();
}

// ---- Retention: what this module's clean-up job deletes (see its *.cleanup.ts).

export async function deleteEndedStaffSessions(db: Executor, now: number, idleCutoff: number): Promise<number> {
  return countRows(await db.deleteFrom('staff_sessions').where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleCutoff)])).executeTakeFirstOrThrow());
}
