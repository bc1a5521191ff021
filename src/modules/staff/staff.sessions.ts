import type { Kysely } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { DB } from '../../db/schema.js';
import type { RequestOrigin } from '../../plugins/request-origin.js';
import type { Clock } from '../../shared/clock.js';
import { openSession, resumeSession, SESSION_ABSOLUTE_MS } from '../auth-core/sessions.js';
import { STAFF_MFA_PENDING_MS } from './staff.login.service.js';
import * as repo from './staff.repository.js';
import type { StaffRole } from './staff.table.js';

/** Staff sessions: the shared policy (auth-core/sessions.ts) on the `staff_sessions` table and `__Host-ep_staff` cookie. */
export interface ValidStaffSession {
  id: string;
  staffId: number;
  email: string;
  role: StaffRole;
  /** False until the second factor was passed: such a session opens nothing but the TOTP step. */
  mfaPassed: boolean;
  /** When the second factor was last checked (login or step-up), or null. */
  mfaPassedAt: number | null;
}

/** A session after the password alone is short-lived and marked pending; passing the second factor opens a new one. */
export async function createStaffSession(db: Executor, clock: Clock, staffId: number, origin: RequestOrigin, mfaPassed: boolean) {
  const { token, row } = openSession(clock, origin, mfaPassed ? SESSION_ABSOLUTE_MS : STAFF_MFA_PENDING_MS);
  await repo.insertStaffSession(db, { ...row, staff_id: staffId, mfa_passed_at: mfaPassed ? row.created_at : null });
  return { token, id: row.id };
}

function staffSessionStore(db: Executor) {
  return { find: (id: string) => repo.findStaffSession(db, id), end: (id: string) => repo.deleteStaffSession(db, id), touch: (id: string, now: number) => repo.touchStaffSession(db, id, now) };
}

/** The session behind a cookie token, or null when unknown, idle (30 min), past its end (12 h) or its member disabled. */
export async function validateStaffSessionToken(db: Kysely<DB>, clock: Clock, token: string): Promise<ValidStaffSession | null> {
  const row = await resumeSession(clock, token, staffSessionStore(db), (r) => r.disabled_at === null);
  return row && { id: row.id, staffId: row.staff_id, email: row.email, role: row.role, mfaPassed: row.mfa_passed_at !== null, mfaPassedAt: row.mfa_passed_at };
}

/** S38: a second factor checked again now, for the sensitive actions of the next minutes. */
export async function refreshSecondFactor(db: Executor, clock: Clock, sessionId: string): Promise<void> {
  await repo.setStaffSessionSecondFactor(db, sessionId, clock.now());
}

export async function invalidateStaffSession(db: Executor, sessionId: string): Promise<void> {
  await repo.deleteStaffSession(db, sessionId);
}

/** Every session of a member (disable, new password). */
export async function deleteSessionsOfStaff(db: Executor, staffId: number): Promise<number> {
  return repo.deleteSessionsOfStaff(db, staffId);
}
