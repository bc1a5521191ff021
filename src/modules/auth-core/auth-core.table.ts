import type { Generated, Selectable } from 'kysely';

/** One limited key (`login-ip:203.0.113.7`): the times of its uses still inside the window (S9, S15, S17, S33). */
export interface RateLimitTable {
  key: string;
  /** JSON array of epoch-ms times, oldest first, at most the limit's size. */
  hits: string;
  /** When the newest use leaves the window: the row is worthless after it (retention). */
  expires_at: number;
}

/** Consecutive failures per canonical identifier (S8): customer code, `staff:<e-mail>`. */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  blocked_until: number;
  updated_at: number;
}

/** `invitation`: a place in a company (subject: the `invitations` row, src/modules/company). */
export type LinkPurpose = 'activation' | 'reset' | 'staff_setup' | 'invitation';
export type LinkSubjectType = 'account' | 'staff' | 'invitation';
/** Why a link was voided before use (S12). */
export type LinkRevokeReason = 'superseded' | 'password_changed' | 'email_changed' | 'disabled' | 'revoked' | 'withdrawn';

/** An e-mailed link, customer or staff (S11, S12). Only the SHA-256 of the token is kept. */
export interface LinkTokenTable {
  id: Generated<number>;
  purpose: LinkPurpose;
  subject_type: LinkSubjectType;
  subject_id: number;
  token_hash: string;
  created_at: number;
  expires_at: number;
  /** The first step of a two-step link (staff setup: the password) was done with it. */
  step_done_at: number | null;
  consumed_at: number | null;
  revoked_at: number | null;
  revoked_reason: LinkRevokeReason | null;
}

export type LinkToken = Selectable<LinkTokenTable>;
