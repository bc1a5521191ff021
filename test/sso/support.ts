import { createPublicKey, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import type { DialectName } from '../../src/db/database.js';
import { createClient } from '../../src/modules/sso/sso.clients.service.js';
import { buildTestApp, csrfToken, type TestApp, type TestAppOptions } from '../helpers/app.js';
import { STRONG_PASSWORD, seedAccount } from '../helpers/accounts.js';

export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A small HTTP server on 127.0.0.1 standing for the shop's back-channel logout endpoint. */
export async function logoutReceiver() {
  const tokens: string[] = [];
  let waiting: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (token) tokens.push(token);
      res.writeHead(200).end();
      for (const w of waiting) w();
      waiting = [];
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/backchannel`,
    tokens,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** A browser for real HTTP: a cookie jar (names only, paths ignored) and manual redirects. */
export class WebBrowser {
  readonly cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = new URL(url).origin;
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired = attrs.some((a) => /max-age=0\b/i.test(a.trim()) || /expires=thu, 01 jan 1970/i.test(a.trim()));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /**
   * Follows redirects (and the Refresh header of our "continue" page) until an answer that is
   * neither, or a URL under `stopAt` (the shop's callback), which is returned unfetched.
   */
  async follow(url: string, stopAt: string, first?: Response): Promise<{ url: string; response?: Response }> {
    let current = url;
    let response = first ?? (await this.request(current));
    for (let hops = 0; hops < 15; hops++) {
      const location = response.headers.get('location') ?? /^0;url=(.+)$/.exec(response.headers.get('refresh') ?? '')?.[1];
      if (!location) return { url: current, response };
      current = new URL(location, current).href;
      if (current.startsWith(stopAt)) return { url: current };
      response = await this.request(current);
    }
    throw new Error('too many redirects');
  }
}

export interface SsoSetup {
  t: TestApp;
  origin: string;
  issuer: string;
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutUri: string;
  receiver: Awaited<ReturnType<typeof logoutReceiver>>;
  config: oidc.Configuration;
  close(): Promise<void>;
}

/** Who registers the test applications, for the journal line createClient writes. */
export const TEST_OPERATOR = { origin: { ip: null, userAgent: 'test' }, type: 'operator', id: 'test' } as const;

export const REDIRECT_URI = 'http://127.0.0.1:8081/callback';
export const POST_LOGOUT_URI = 'http://127.0.0.1:8081/';

/** The app on a real port (PUBLIC_URL = that origin), one registered shop, one activated account. */
export async function startSso(dialect: DialectName, options: { seed?: boolean; port?: number; env?: Record<string, string>; deps?: TestAppOptions['deps']; before?: TestAppOptions['before'] } = {}): Promise<SsoSetup> {
  const port = options.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const t = await buildTestApp(dialect, { env: { PUBLIC_URL: origin, ...options.env }, deps: options.deps, before: options.before });
  // The provider works on the system clock; ours stands at the same time (auth_time, max_age).
  t.clock.set(Date.now());
  await t.app.listen({ port, host: '127.0.0.1' });
  const receiver = await logoutReceiver();
  const { clientId, clientSecret } = await createClient(t.db, t.clock, {
    name: 'Boutique pro',
    redirectUris: [REDIRECT_URI],
    postLogoutUris: [POST_LOGOUT_URI],
    backchannelLogoutUri: receiver.url,
    homeUrl: 'http://127.0.0.1:8081/',
  }, TEST_OPERATOR);
  if (options.seed !== false) await seedAccount(t);
  const issuer = `${origin}/oidc`;
  const config = await rpConfig(issuer, clientId, clientSecret);
  return {
    t,
    origin,
    issuer,
    port,
    clientId,
    clientSecret,
    redirectUri: REDIRECT_URI,
    postLogoutUri: POST_LOGOUT_URI,
    receiver,
    config,
    close: async () => {
      await receiver.close();
      await t.close();
    },
  };
}

export async function rpConfig(issuer: string, clientId: string, clientSecret: string) {
  return oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), { execute: [oidc.allowInsecureRequests] });
}

/** What the shop keeps between its redirect to Espace Pro and the callback. */
export async function startAuthorization(s: SsoSetup, extra: Record<string, string> = {}, config = s.config) {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: s.redirectUri,
    scope: 'openid profile email customer offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...extra,
  });
  return { url: url.href, verifier, nonce, state };
}

export async function finishAuthorization(s: SsoSetup, callbackUrl: string, pending: { verifier: string; nonce: string; state: string }, config = s.config) {
  return oidc.authorizationCodeGrant(config, new URL(callbackUrl), { pkceCodeVerifier: pending.verifier, expectedNonce: pending.nonce, expectedState: pending.state });
}

/** Posts our Authentification form found at `loginUrl` (the login page), as a customer would. */
export async function signIn(browser: WebBrowser, loginUrl: string, fields: { identifiant?: string; mot_de_passe?: string; memoriser?: boolean } = {}) {
  const page = await browser.request(loginUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`login page answered ${page.status}`);
  const next = /name="next" value="([^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  const form: Record<string, string> = { _csrf: csrfToken(html), identifiant: fields.identifiant ?? '12345', mot_de_passe: fields.mot_de_passe ?? STRONG_PASSWORD };
  if (next) form.next = next;
  if (fields.memoriser) form.memoriser = 'on';
  return browser.request(new URL('/connexion', loginUrl).href, { form });
}

/** Shop → Espace Pro → (login page if asked) → back to the shop's callback URL. */
export async function signInThroughShop(s: SsoSetup, browser: WebBrowser, extra: Record<string, string> = {}, login: Parameters<typeof signIn>[2] = {}) {
  const pending = await startAuthorization(s, extra);
  let hop = await browser.follow(pending.url, s.redirectUri);
  let askedPassword = false;
  if (!hop.url.startsWith(s.redirectUri)) {
    assertLoginPage(hop.url);
    askedPassword = true;
    const posted = await signIn(browser, hop.url, login);
    hop = await browser.follow(hop.url, s.redirectUri, posted);
  }
  if (!hop.url.startsWith(s.redirectUri)) throw new Error(`did not come back to the shop: ${hop.url} ${hop.response?.status}`);
  return { callbackUrl: hop.url, pending, askedPassword };
}

function assertLoginPage(url: string) {
  if (!new URL(url).pathname.startsWith('/connexion')) throw new Error(`expected the login page, got ${url}`);
}

/** Checks a compact JWS against the provider's published JWKS with node:crypto (ES256 / RS256). */
export async function verifyWithJwks(jwksUri: string, jwt: string): Promise<{ kid: string; alg: string; payload: Record<string, unknown> }> {
  const [h, p, sig] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as { kid: string; alg: string };
  const { keys } = (await (await fetch(jwksUri)).json()) as { keys: Array<{ kid: string; [k: string]: unknown }> };
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`kid ${header.kid} not published`);
  if ('d' in jwk) throw new Error('private key material published');
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(sig!, 'base64url'));
  if (!ok) throw new Error('bad signature');
  return { kid: header.kid, alg: header.alg, payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}

export function decodeJwt(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
}
