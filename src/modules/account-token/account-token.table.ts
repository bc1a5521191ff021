import type { Generated } from 'kysely';

export type TokenPurpose = 'activation' | 'reset' | 'staff_setup';

/** An e-mailed link. Only the SHA-256 of the token is kept (S11). */
export interface AccountTokenTable {
  id: Generated<number>;
  account_id: number;
  purpose: TokenPurpose;
  token_hash: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  /** Set when a newer link, a password or e-mail change, or a disable made this one void (S12). */
  revoked_at: number | null;
}
