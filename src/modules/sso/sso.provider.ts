import type { IncomingMessage, ServerResponse } from 'node:http';
import middie from '@fastify/middie';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { RuntimeDeps } from '../../app.js';
import { COOKIE } from '../../plugins/cookies.js';
import { sha256 } from '../../shared/crypto.js';
import { recordAudit } from '../audit/audit.service.js';
import { invalidateSession, revokeRememberCookie, validateSessionToken } from '../session/session.service.js';
import { kyselyAdapter } from './sso.adapter.js';
import { clientMetadata, PKCE_OPTIONAL_METADATA, secretMatches } from './sso.clients.service.js';
import { interactionRoutes, renderProviderPage } from './sso.interaction.routes.js';
import { loadOrCreateKeys } from './sso.keys.js';
import * as repo from './sso.repository.js';
import { findAccountById } from '../account/account.repository.js';
import { registerProvider } from './sso.service.js';

/** Where the provider lives; the issuer is PUBLIC_URL + this path. */
export const SSO_PATH = '/oidc';
/** The one authentication context we offer, and truthfully claim: a password check (amr "pwd"). */
export const ACR_PASSWORD = 'urn:espace-pro:acr:password';
/** A sign-in with a passkey (with user verification: amr "pop", "mfa"), src/modules/passkeys. */
export const ACR_PASSKEY = 'urn:espace-pro:acr:passkey';

// Lifetimes, in seconds. The provider's session lasts as long as ours at most (S19: 12 h), and
// is only honoured while the Espace Pro session of the same browser is alive (see the login check).
export const TTL = {
  AuthorizationCode: 60,
  AccessToken: 10 * 60,
  IdToken: 60 * 60,
  RefreshToken: 12 * 60 * 60,
  Grant: 12 * 60 * 60,
  Session: 12 * 60 * 60,
  Interaction: 30 * 60,
} as const;

/**
 * oidc-provider 9 prints this once, at import, on any Node.js that is not 22 LTS or later. We run
 * (and test) on Node 20.20 on purpose until the platform moves (README "Single sign-on"): this exact
 * line, and nothing else, is kept out of the log. Any other warning of the library still shows.
 */
const UNSUPPORTED_RUNTIME = 'oidc-provider WARNING: Unsupported runtime. Use Node.js v22.x LTS, or a later LTS release.';

let providerModule: Promise<typeof import('oidc-provider')> | undefined;
export function loadOidcProvider() {
  providerModule ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      // The library colours the line on a TTY: compare without the escape codes.
      if (args.length === 1 && typeof args[0] === 'string' && args[0].replace(/\x1b\[[0-9;]*m/g, '') === UNSUPPORTED_RUNTIME) return;
      warn.apply(console, args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return providerModule;
}


function cookieFrom(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * S28: no CORS, except where OpenID Connect needs it — a single-page application reads the
 * discovery document and the public keys from the browser. The provider would answer CORS (and
 * its preflights) on the token, userinfo and revocation endpoints too, reflecting any origin:
 * those headers are removed everywhere else. The shops call those endpoints from their servers.
 */
export const CORS_ALLOWED_PATHS: ReadonlySet<string> = new Set(['/.well-known/openid-configuration', '/jwks']);

function stripCors(ctx: any): void {
  if (CORS_ALLOWED_PATHS.has(ctx.path)) return;
  for (const name of Object.keys(ctx.response.headers)) if (name.toLowerCase().startsWith('access-control-')) ctx.remove(name);
}

const CLEAR = '; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT';

/** The provider's answers get our headers too, with one difference explained in the README. */
function providerHeaders(deps: RuntimeDeps): Record<string, string> {
  const headers: Record<string, string> = {
    // Our CSP without `form-action`: the provider's own forms (form_post, logout confirmation) post
    // or redirect to a registered application's exact URI, on another origin. Scripts: 'self', plus
    // the hash oidc-provider adds for its one inline auto-submit script (form_post).
    'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  };
  if (deps.config.publicIsHttps) headers['strict-transport-security'] = 'max-age=63072000; includeSubDomains';
  return headers;
}

/**
 * The provider believes only what PUBLIC_URL says about scheme and host, and the client address
 * Fastify worked out (TRUST_PROXY): whatever X-Forwarded-* a visitor sends is overwritten.
 */
export function pinForwardedHeaders(raw: IncomingMessage, publicUrl: string, ip: string | undefined): void {
  const url = new URL(publicUrl);
  raw.headers['x-forwarded-proto'] = url.protocol.slice(0, -1);
  raw.headers['x-forwarded-host'] = url.host;
  raw.headers['x-forwarded-for'] = ip ?? raw.socket.remoteAddress ?? '';
}

/** The provider's cookie names (S21; docs/security.md says why two are `__Secure-`). */
export const PROVIDER_COOKIES = { session: '__Host-ep_oidc_session', interaction: '__Secure-ep_oidc_interaction', resume: '__Secure-ep_oidc_resume' } as const;

/**
 * The provider's view of the per-application PKCE exception (shop modules that cannot send PKCE):
 * our metadata flag AND a client that authenticates with its secret. A public client (method
 * `none`) never qualifies, whatever is stored.
 */
export function clientMayOmitPkce(client: { [PKCE_OPTIONAL_METADATA]?: unknown; tokenEndpointAuthMethod?: string } | undefined): boolean {
  // Extra metadata keeps its snake_case name on the provider's Client (recognised metadata is camelCased).
  return client?.[PKCE_OPTIONAL_METADATA] === true && (client.tokenEndpointAuthMethod === 'client_secret_basic' || client.tokenEndpointAuthMethod === 'client_secret_post');
}

export async function createProvider(deps: RuntimeDeps) {
  const { db, clock, config } = deps;
  const { default: Provider, interactionPolicy, errors } = await loadOidcProvider();
  const keys = await loadOrCreateKeys(db, deps.secrets);

  // Login prompt: on top of the provider's own checks, its session counts only while this browser
  // holds a live Espace Pro session of the same account: signing out of Espace Pro (or its session
  // expiring) also signs the browser out of the applications.
  const policy = interactionPolicy.base();
  policy.get('login').checks.push(
    new interactionPolicy.Check('espace_pro_session', 'Espace Pro sign-in required', 'login_required', async (ctx: any) => {
      const sub = ctx.oidc.session?.accountId;
      if (!sub) return interactionPolicy.Check.REQUEST_PROMPT;
      const token = cookieFrom(ctx.get('cookie'), COOKIE.session);
      const session = token ? await validateSessionToken(db, clock, token) : null;
      if (!session) return interactionPolicy.Check.REQUEST_PROMPT;
      return (await repo.findSubjectOfAccount(db, session.accountId)) === sub ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );

  const provider = new Provider(`${config.publicUrl}${SSO_PATH}`, {
    adapter: kyselyAdapter(db, (id) => clientMetadata(db, id)),
    jwks: keys.jwks,
    // S21: the session cookie is a `__Host-` cookie like ours (Secure, Path=/, no Domain). The
    // interaction and resume cookies are scoped by the library to /oidc/interaction/<uid> and
    // /oidc/auth/<uid>, which `__Host-` forbids (it requires Path=/): they are `__Secure-`.
    cookies: {
      keys: keys.cookieKeys,
      names: PROVIDER_COOKIES,
      long: { httpOnly: true, sameSite: 'lax', secure: true, path: '/' },
      short: { httpOnly: true, sameSite: 'lax', secure: true },
    },
    // Authorization code only; PKCE S256 (v9 knows no `plain`); exact redirect_uri. The one
    // exception: a confidential application registered without PKCE, which must then send a nonce
    // (extraParams.nonce below) and is held to every other rule (README "Shop modules without PKCE").
    responseTypes: ['code'],
    pkce: { required: (_ctx: unknown, client: any) => !clientMayOmitPkce(client) },
    extraClientMetadata: {
      properties: [PKCE_OPTIONAL_METADATA],
      validator: (_ctx: unknown, key: string, value: unknown, metadata: Record<string, unknown>) => {
        if (key !== PKCE_OPTIONAL_METADATA || value === undefined) return;
        if (typeof value !== 'boolean') throw new errors.InvalidClientMetadata(`${key} must be a boolean`);
        if (value && metadata.token_endpoint_auth_method === 'none') throw new errors.InvalidClientMetadata('a public client must use PKCE');
      },
    },
    extraParams: {
      // Checked on every authorization request of such an application, PKCE sent or not: the nonce
      // binds the ID token to the browser that started the sign-in, as PKCE binds the code.
      nonce: (_ctx: unknown, value: unknown, client: any) => {
        if (!clientMayOmitPkce(client)) return;
        // (The provider already refuses any request without the openid scope, so the nonce always ends up in an ID token.)
        if (typeof value !== 'string' || value.length === 0) throw new errors.InvalidRequest('nonce is required for this client (registered without PKCE)');
      },
    },
    allowOmittingSingleRegisteredRedirectUri: false,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    enabledJWA: { idTokenSigningAlgValues: ['ES256', 'RS256'] },
    clientBasedCORS: () => false,
    scopes: ['openid', 'offline_access', 'profile', 'email', 'customer'],
    claims: {
      // acr and amr with `openid`: they belong in every ID token, not only when a shop asks for them.
      auth_time: null,
      sid: null,
      openid: ['sub', 'acr', 'amr'],
      profile: ['name', 'given_name', 'family_name'],
      email: ['email', 'email_verified'],
      customer: ['customer_code', 'company', 'role'],
    },
    acrValues: [ACR_PASSWORD, ACR_PASSKEY],
    // The claims of the granted scopes go in the ID token too: several shop modules read only it.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: false },
      revocation: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: any, form: string) => {
          ctx.body = renderProviderPage(deps, ctx.req, { kind: 'logout', form, app: ctx.oidc.client?.clientName ?? '' });
        },
        postLogoutSuccessSource: async (ctx: any) => {
          ctx.body = renderProviderPage(deps, ctx.req, { kind: 'loggedOut' });
        },
      },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${SSO_PATH}/interaction/${interaction.uid}`, policy },
    // Every application is registered by an operator, so first-party: no consent page. The grant
    // covers what the application asked for, within what the provider supports.
    // A grant is for one company: the one the browser's Espace Pro session is signed in to. A
    // person who switched company gets a new grant, so the shop's tokens say the new company.
    loadExistingGrant: async (ctx: any) => {
      const { client, session, result } = ctx.oidc;
      const token = cookieFrom(ctx.get('cookie'), COOKIE.session);
      const espacePro = token ? await validateSessionToken(db, clock, token) : null;
      const companyId = espacePro?.companyId ?? null;
      const grantId = result?.consent?.grantId || session.grantIdFor(client.clientId);
      let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (grant && grant.accountId !== session.accountId) grant = undefined;
      if (grant && companyId !== null && (await repo.grantCompany(db, grant.jti)) !== companyId) grant = undefined;
      grant ??= new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      const savedId = await grant.save();
      if (companyId !== null) await repo.setGrantCompany(db, savedId, companyId);
      return grant;
    },
    // Claims of the person (sub, email, names) and of the company the grant is for (customer_code,
    // company, role). A membership removed since: no account, so no token, refresh or userinfo (S45).
    findAccount: async (_ctx: unknown, sub: string, token?: { grantId?: string }) => {
      const person = await repo.findPersonBySubject(db, sub);
      const companyId = token?.grantId ? await repo.grantCompany(db, token.grantId) : null;
      const account = person ? await findAccountById(db, person.id, companyId) : undefined;
      // A disabled account has no claims and no tokens: token, refresh and userinfo are refused.
      if (!account || account.disabled_at !== null) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          customer_code: account.code,
          company: account.company,
          role: account.role,
          email: account.email,
          // Activation is done through the link mailed to this address.
          email_verified: account.activated_at !== null,
          ...(account.given_name ? { given_name: account.given_name } : {}),
          ...(account.family_name ? { family_name: account.family_name } : {}),
          ...(account.given_name || account.family_name ? { name: [account.given_name, account.family_name].filter(Boolean).join(' ') } : {}),
        }),
      };
    },
    // Outgoing requests: oidc-provider refuses private and loopback addresses (SSRF protection).
    // A back-channel logout URI was typed by an operator (client:create), and B2B shops often sit
    // on the company network: those exact URIs are let through; anything else keeps the protection.
    fetch: async (url: string | URL, options: RequestInit & { dispatcher?: unknown }) => {
      if (await repo.isRegisteredBackchannelUri(db, String(url))) {
        const { dispatcher: _ssrf, ...rest } = options;
        return globalThis.fetch(url, rest);
      }
      return globalThis.fetch(url, options);
    },
    // S41, refresh tokens (docs/security.md): a shop allowed the refresh_token grant gets one with or
    // without `offline_access`, and every code, access and refresh token is bound to the provider
    // session that issued it, `offline_access` or not: none outlives the sign-in (12 h at most),
    // RP-initiated logout revokes every grant, and each of our sign-outs deletes them. There is no
    // offline access: a shop that needs data without the customer reads its ERP, not Espace Pro.
    issueRefreshToken: async (_ctx: unknown, client: any) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => true,
    rotateRefreshToken: true,
    ttl: { ...TTL },
    renderError: async (ctx: any, _out: unknown, _error: unknown) => {
      ctx.type = 'html';
      ctx.body = renderProviderPage(deps, ctx.req, { kind: 'error' });
    },
  });
  provider.proxy = true;

  // The secret is stored as its SHA-256 (sso.clients.service.ts): the provider's one comparison point.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientSecret: string }, presented: string) {
    return secretMatches(this.clientSecret, presented);
  };

  provider.use(async (ctx: any, next: () => Promise<void>) => {
    ctx.set(providerHeaders(deps));
    // S21: Secure cookies, like ours, also on http://localhost in development (browsers accept
    // them there) and behind a proxy: the library would refuse a Secure cookie on a request it
    // does not see as HTTPS. Only the cookie jars are told; URLs still follow PUBLIC_URL.
    Object.defineProperty(ctx, 'secure', { value: true, configurable: true });
    ctx.cookies.secure = true;
    // RP-initiated logout confirmed: this browser's Espace Pro session and remember-me go too.
    const confirmingLogout = ctx.method === 'POST' && ctx.path === '/session/end/confirm';
    const cookies = ctx.get('cookie') as string | undefined;
    try {
      await next();
    } finally {
      stripCors(ctx);
    }
    if (confirmingLogout && ctx.status >= 300 && ctx.status < 400 && ctx.oidc?.params?.logout) {
      const session = cookieFrom(cookies, COOKIE.session);
      const remember = cookieFrom(cookies, COOKIE.remember);
      if (session) await invalidateSession(db, sha256(session));
      if (remember) await revokeRememberCookie(db, remember);
      ctx.append('set-cookie', [`${COOKIE.session}=${CLEAR}`, `${COOKIE.remember}=${CLEAR}`]);
      await recordAudit(db, clock, { ip: ctx.ip, userAgent: ctx.get('user-agent') || null }, { event: 'sso.rp_logout', outcome: 'success', actorType: 'customer', target: ctx.oidc.client?.clientId });
    }
  });

  // Metrics per application (the audit log has the sign-ins through our interaction and every logout).
  const count = (event: 'sign_in' | 'token' | 'revocation') => (ctx: any) => {
    const clientId = ctx?.oidc?.client?.clientId;
    if (clientId) deps.metrics.countSso?.(event, clientId);
  };
  provider.on('authorization.success', count('sign_in'));
  provider.on('grant.success', count('token'));
  provider.on('grant.revoked', count('revocation'));
  registerProvider(db, provider, deps.metrics);
  return provider;
}

/**
 * Mounts the provider under /oidc (one clearly separate block in app.ts). Its endpoints answer
 * from middie's onRequest hook, before Fastify parses bodies and before our CSRF hook and
 * security-header hook: the token endpoint is a server-to-server POST with client
 * authentication, not a browser form, and the provider sets its own headers (providerHeaders).
 * /oidc/interaction/* is ours: it goes on to the Fastify route in sso.interaction.routes.tsx.
 */
export const ssoPlugin = fp(async function ssoPlugin(app: FastifyInstance) {
  const deps = app.deps;
  const provider = await createProvider(deps);
  const callback = provider.callback();
  await app.register(middie);
  app.use(SSO_PATH, (req: IncomingMessage & { ip?: string }, res: ServerResponse, next: () => void) => {
    if (req.url?.startsWith('/interaction/')) return next();
    pinForwardedHeaders(req, deps.config.publicUrl, req.ip);
    callback(req, res);
  });
  await app.register(interactionRoutes(provider));
});
