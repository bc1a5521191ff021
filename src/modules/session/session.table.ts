import type { Selectable } from 'kysely';

/** A signed-in browser. The id is the SHA-256 of the cookie's token (S18). */
export interface SessionTable {
  id: string;
  account_id: number;
  /** The company the person is signed in to; null until they choose (several companies). */
  company_id: number | null;
  created_at: number;
  last_seen_at: number;
  /** Absolute end: 12 h after creation (S19). */
  expires_at: number;
  /** Remember-me series this session was opened from, so theft can kill it (S20). */
  remember_series: string | null;
  ip: string;
  user_agent: string;
  /** Time of the password check behind this session (SSO `auth_time`); a remember-me restore keeps the series' one. */
  authenticated_at: number | null;
  /** How that sign-in was made: 'pwd' or 'passkey' (SSO `amr`); null before migration 015 (a password). */
  auth_method?: string | null;
}

/** One link of a remember-me series: selector looks up, validator proves (S20). */
export interface RememberTokenTable {
  selector: string;
  series: string;
  account_id: number;
  /** The company the series signs back in to. */
  company_id: number | null;
  validator_hash: string;
  created_at: number;
  /** 30 days from the series' first issue; rotation never extends it. */
  expires_at: number;
  /** Set when the token was exchanged for its successor; using it again means theft. */
  rotated_at: number | null;
  /** How the sign-in that started the series was made (set on its first token only). */
  auth_method?: string | null;
}

/** "Mémoriser mes identifiants" pre-fill: the cookie holds only a random value (S21). */
export interface DeviceTable {
  id: string;
  account_id: number;
  created_at: number;
  expires_at: number;
}

/** A browser an account signed in from (S39): only the SHA-256 of its cookie's random value. */
export interface KnownBrowserTable {
  id: string;
  account_id: number;
  created_at: number;
  last_seen_at: number;
}

export type Session = Selectable<SessionTable>;
export type RememberToken = Selectable<RememberTokenTable>;
