import type { Generated, Selectable } from 'kysely';

export type StaffRole = 'admin' | 'agent';
export const STAFF_ROLES: readonly StaffRole[] = ['admin', 'agent'];

/** A customer-service member. Separate from customer accounts in every way (S31). */
export interface StaffTable {
  id: Generated<number>;
  /** Lower-cased. */
  email: string;
  role: StaffRole;
  password_hash: string | null;
  /** Base32 TOTP secret: a shared secret, needed in clear to compute the expected code. */
  totp_secret: string | null;
  /** Set when the first code was confirmed at setup; login requires it. */
  totp_enabled_at: number | null;
  /** Last accepted TOTP time step: a code of this step or an earlier one is a replay. */
  last_totp_step: number | null;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
  last_login_at: number | null;
}

export interface StaffRecoveryCodeTable {
  id: Generated<number>;
  staff_id: number;
  /** SHA-256 of the normalised code (about 49 random bits each, so a fast digest is enough). */
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

/** A staff browser. id = SHA-256 of the cookie token (S18). */
export interface StaffSessionTable {
  id: string;
  staff_id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  /** Null: only the password was checked, the second factor is still due. */
  mfa_passed_at: number | null;
  ip: string;
  user_agent: string;
  /** A new authenticator secret (sealed) waiting for its first code ("Mon compte"). */
  pending_totp_secret?: string | null;
}

export type Staff = Selectable<StaffTable>;
export type StaffSession = Selectable<StaffSessionTable>;
