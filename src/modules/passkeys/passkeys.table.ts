import type { Generated, Selectable } from 'kysely';

/** Who a passkey belongs to: a customer (the person, today's `accounts.id`) or a staff member. */
export type PasskeyOwnerType = 'person' | 'staff';

/** A registered WebAuthn credential (migration 015_passkeys). Times are epoch ms. */
export interface PasskeyTable {
  id: Generated<number>;
  owner_type: PasskeyOwnerType;
  owner_id: number;
  /** base64url, as the authenticator made it; unique across owners (S48). */
  credential_id: string;
  /** base64url of the COSE public key. */
  public_key: string;
  /** base64url of the WebAuthn user handle given at registration (random, no personal data). */
  user_handle: string;
  /** Signature counter as last seen; an assertion that does not raise a non-zero counter is refused. */
  counter: number;
  /** Comma-separated transports the browser reported ('internal', 'hybrid', 'usb'…). */
  transports: string;
  /** 'singleDevice' or 'multiDevice' (a synced passkey). */
  device_type: string;
  /** 1 when the authenticator says the credential is backed up (synced). */
  backed_up: number;
  /** Editable by its owner. */
  name: string;
  created_at: number;
  last_used_at: number | null;
}

/** What a challenge was issued for. */
export type ChallengePurpose = 'register' | 'sign_in' | 'second_factor' | 'step_up';

/** A ceremony's challenge, stored server-side so any instance can check it (S48). */
export interface WebauthnChallengeTable {
  challenge: string;
  /** SHA-256 of the asking browser's CSRF binding (`__Host-ep_csrf`, a random value of that browser). */
  browser_hash: string;
  purpose: ChallengePurpose;
  owner_type: PasskeyOwnerType | null;
  owner_id: number | null;
  /** Registration only: the user handle the options carried (base64url). */
  user_handle: string | null;
  created_at: number;
  expires_at: number;
}

export type Passkey = Selectable<PasskeyTable>;
