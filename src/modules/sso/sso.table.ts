/** One oidc-provider model instance (Session, Interaction, AuthorizationCode, AccessToken, RefreshToken, Grant…). */
export interface OidcModelTable {
  model: string;
  id: string;
  /** The provider's payload, JSON text. */
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  /** The subject (accounts.oidc_sub) the model belongs to, when it has one. */
  account_id: string | null;
  /** Epoch ms on the system clock, the provider's own timeline. */
  expires_at: number | null;
  consumed_at: number | null;
  /** On a Grant: the company it was given for (the claims customer_code, company, role). */
  company_id?: number | null;
}

/** A signing key (use 'sig', a private JWK) or a cookie key (use 'cookie'). */
export interface OidcKeyTable {
  kid: string;
  use: 'sig' | 'cookie';
  alg: string;
  /** Never logged, never shown. */
  material: string;
  created_at: number;
  retired_at: number | null;
}

/** An application registered by an operator (CLI `client:create`). */
export interface OidcClientTable {
  client_id: string;
  name: string;
  /** SHA-256 (hex) of the 256-bit secret shown once at creation. */
  secret_hash: string;
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  /** JSON array. */
  post_logout_redirect_uris: string;
  backchannel_logout_uri: string | null;
  home_url: string | null;
  /** How the application authenticates at the token endpoint. */
  auth_method: 'client_secret_basic' | 'client_secret_post';
  /** ID token signature: ES256, or RS256 for older shops. */
  id_token_alg: 'ES256' | 'RS256';
  /**
   * 1: PKCE S256 required (every application by default). 0: this confidential application may
   * leave PKCE out and must then send a nonce (migration 016, shop modules that cannot send PKCE).
   */
  pkce_required: number;
  created_at: number;
  disabled_at: number | null;
}
