import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { randomToken, safeEqual, sha256 } from '../../shared/crypto.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import * as repo from './sso.repository.js';
import type { OidcClientTable } from './sso.table.js';

export class ClientError extends Error {
  constructor(readonly code: 'INVALID_NAME' | 'INVALID_URI' | 'NOT_FOUND' | 'INVALID_OPTION', readonly field?: string) {
    super(code);
  }
}

export type ClientErrorCode = ClientError['code'];

export interface NewClient {
  name: string;
  redirectUris: string[];
  postLogoutUris?: string[];
  backchannelLogoutUri?: string;
  homeUrl?: string;
  authMethod?: OidcClientTable['auth_method'];
  idTokenAlg?: OidcClientTable['id_token_alg'];
  /**
   * false: the application may leave PKCE out and must then send a nonce (shop modules that
   * cannot send PKCE). Confidential applications only; true (PKCE S256 required) by default.
   */
  pkceRequired?: boolean;
}

/** Who registers an application, for the journal (S34): the CLI's operator or an admin. */
export interface ClientActor {
  origin: AuditOrigin;
  type: 'operator' | 'staff';
  id: string;
}

/** Authentication methods where the application holds a secret (a confidential client). */
const CONFIDENTIAL_AUTH_METHODS: ReadonlySet<string> = new Set(['client_secret_basic', 'client_secret_post']);

/**
 * RFC 9700 §2.1.1: PKCE is a MUST for public clients; a confidential one may use the OpenID
 * Connect nonce instead. The only door to "no PKCE": the flag off AND a secret-holding method.
 */
export function mayOmitPkce(authMethod: string, pkceRequired: boolean): boolean {
  return !pkceRequired && CONFIDENTIAL_AUTH_METHODS.has(authMethod);
}

/** https, or http on a loopback host only (a shop in development); no fragment, no credentials. */
function checkUri(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClientError('INVALID_URI', field);
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) || url.hash || url.username || url.password) {
    throw new ClientError('INVALID_URI', field);
  }
  return value;
}

/**
 * Registers an application. The secret (256 random bits) is returned once and only its SHA-256 is
 * stored: a fast hash is enough for a random secret of that length, and the provider's comparison
 * (Client.prototype.compareClientSecret, replaced in sso.provider.ts) hashes what the shop sends.
 */
export async function createClient(db: Kysely<DB>, clock: Clock, input: NewClient, actor: ClientActor): Promise<{ clientId: string; clientSecret: string }> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100 || /[\r\n]/.test(name)) throw new ClientError('INVALID_NAME', 'name');
  if (input.redirectUris.length === 0) throw new ClientError('INVALID_URI', 'redirect-uri');
  const redirectUris = input.redirectUris.map((u) => checkUri(u, 'redirect-uri'));
  const postLogoutUris = (input.postLogoutUris ?? []).map((u) => checkUri(u, 'post-logout-uri'));
  const backchannel = input.backchannelLogoutUri ? checkUri(input.backchannelLogoutUri, 'backchannel-logout-uri') : null;
  const homeUrl = input.homeUrl ? checkUri(input.homeUrl, 'home-url') : null;
  const authMethod = input.authMethod ?? 'client_secret_basic';
  if (authMethod !== 'client_secret_basic' && authMethod !== 'client_secret_post') throw new ClientError('INVALID_OPTION', 'auth-method');
  const idTokenAlg = input.idTokenAlg ?? 'ES256';
  if (idTokenAlg !== 'ES256' && idTokenAlg !== 'RS256') throw new ClientError('INVALID_OPTION', 'id-token-alg');
  const pkceRequired = input.pkceRequired ?? true;
  // A public client can never be exempted (checked again by the provider, sso.provider.ts).
  if (!pkceRequired && !mayOmitPkce(authMethod, pkceRequired)) throw new ClientError('INVALID_OPTION', 'pkce');
  const clientId = randomToken(16);
  const clientSecret = randomToken(32);
  await repo.insertClient(db, {
    client_id: clientId,
    name,
    secret_hash: sha256(clientSecret),
    redirect_uris: JSON.stringify(redirectUris),
    post_logout_redirect_uris: JSON.stringify(postLogoutUris),
    backchannel_logout_uri: backchannel,
    home_url: homeUrl,
    auth_method: authMethod,
    id_token_alg: idTokenAlg,
    pkce_required: pkceRequired ? 1 : 0,
    created_at: clock.now(),
    disabled_at: null,
  });
  // The journal shows every registration, and says so when the application is exempt from PKCE.
  await recordAudit(db, clock, actor.origin, {
    event: 'sso.client_created',
    outcome: 'success',
    actorType: actor.type,
    actorId: actor.id,
    target: clientId,
    details: { name, pkce: pkceRequired ? 'required' : 'not_required_nonce_required' },
  });
  return { clientId, clientSecret };
}

export async function listClients(db: Kysely<DB>) {
  return (await repo.listClients(db)).map((c) => ({
    clientId: c.client_id,
    name: c.name,
    redirectUris: JSON.parse(c.redirect_uris) as string[],
    homeUrl: c.home_url,
    backchannelLogoutUri: c.backchannel_logout_uri,
    /** False only for an application exempted from PKCE (it must send a nonce instead). */
    pkceRequired: !mayOmitPkce(c.auth_method, c.pkce_required === 1),
    disabled: c.disabled_at !== null,
  }));
}

export async function setClientDisabled(db: Kysely<DB>, clock: Clock, clientId: string, disabled: boolean): Promise<void> {
  if (!(await repo.setClientDisabled(db, clientId, disabled ? clock.now() : null))) throw new ClientError('NOT_FOUND', 'client');
}

/** The applications a customer can open from Mon Espace Pro: active, with a home URL. */
export async function launchableClients(db: Kysely<DB>) {
  return (await listClients(db)).filter((c) => !c.disabled && c.homeUrl).map((c) => ({ name: c.name, homeUrl: c.homeUrl! }));
}

/** Our client metadata (oidc-provider extraClientMetadata) saying PKCE may be left out; same name on the provider's Client. */
export const PKCE_OPTIONAL_METADATA = 'espace_pro_pkce_optional';

/**
 * What oidc-provider's Client model gets from the adapter. `client_secret` is the stored SHA-256;
 * the provider only ever compares it (client_secret_basic / client_secret_post): no HMAC-signed
 * algorithm is enabled, so it is never used as a key. A disabled client is unknown.
 */
export async function clientMetadata(db: Kysely<DB>, clientId: string): Promise<Record<string, unknown> | undefined> {
  const c = await repo.findClient(db, clientId);
  if (!c || c.disabled_at !== null) return undefined;
  return {
    client_id: c.client_id,
    client_secret: c.secret_hash,
    client_name: c.name,
    redirect_uris: JSON.parse(c.redirect_uris) as string[],
    post_logout_redirect_uris: JSON.parse(c.post_logout_redirect_uris) as string[],
    ...(c.backchannel_logout_uri ? { backchannel_logout_uri: c.backchannel_logout_uri, backchannel_logout_session_required: true } : {}),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: c.auth_method,
    // auth_time in every ID token: the shop can always tell how old the password check is.
    require_auth_time: true,
    id_token_signed_response_alg: c.id_token_alg,
    ...(c.home_url ? { client_uri: c.home_url } : {}),
    // Read by pkce.required and the nonce check in sso.provider.ts; true only for a confidential client.
    [PKCE_OPTIONAL_METADATA]: mayOmitPkce(c.auth_method, c.pkce_required === 1),
  };
}

/** Client.prototype.compareClientSecret: `stored` is the SHA-256 kept in oidc_clients. */
export function secretMatches(stored: string, presented: string): boolean {
  return safeEqual(stored, sha256(presented));
}
