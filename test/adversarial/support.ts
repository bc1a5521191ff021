import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { CookieJar, csrfToken, type TestApp } from '../helpers/app.js';

/**
 * An attacker's browser: its own cookie jar and its own client address (remoteAddress), so a test
 * decides which attempts share an IP. Only HTTP: nothing here knows the product's internals.
 */
export class Visitor {
  constructor(
    readonly t: TestApp,
    readonly ip: string,
    readonly jar = new CookieJar(),
  ) {}

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.t.app.inject({ method: 'GET', url, remoteAddress: this.ip, headers: { cookie: this.jar.header(), ...headers } });
    this.jar.store(res);
    return res;
  }

  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.t.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.ip,
      payload: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.jar.header(), ...headers },
    });
    this.jar.store(res);
    return res;
  }

  /** A CSRF token bound to this visitor, from any page that carries a form. */
  async csrf(page = '/connexion'): Promise<string> {
    return csrfToken((await this.get(page)).body);
  }
}

let ipCounter = 0;
/** A client address never used before in this process (198.18.0.0/15 is reserved for tests). */
export function freshIp(): string {
  const n = ++ipCounter;
  return `198.18.${(n >> 8) & 255}.${n & 255}`;
}

/** Lets the attempts fired just before reach the server first, while they are still in flight. */
export const shortly = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many of the hasher's verifications since the last reset ran against one of these hashes. */
export function checksAgainst(t: TestApp, realHashes: Iterable<string>): number {
  const real = new Set(realHashes);
  return t.hasher.verified.filter((phc) => real.has(phc)).length;
}

/** Every header we send must be one line of printable ASCII (no CR/LF, no raw bytes). */
export function assertCleanHeaders(res: LightMyRequestResponse, what: string): void {
  for (const [name, value] of Object.entries(res.headers)) {
    for (const line of Array.isArray(value) ? value : [String(value)]) {
      assert.doesNotMatch(line, /[\r\n]/, `${what}: header ${name} contains CR/LF: ${JSON.stringify(line)}`);
      assert.doesNotMatch(line, /[^\t\x20-\x7e]/, `${what}: header ${name} contains a non-ASCII or control byte: ${JSON.stringify(line)}`);
    }
  }
  const setCookie = res.headers['set-cookie'];
  for (const line of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [String(setCookie)]) {
    const [pair, ...attributes] = line.split(';');
    const eq = pair!.indexOf('=');
    assert.ok(eq > 0, `${what}: Set-Cookie without name=value: ${JSON.stringify(line)}`);
    const value = pair!.slice(eq + 1);
    // RFC 6265 §4.1.1 cookie-octet: no CTLs, whitespace, DQUOTE, comma, semicolon or backslash.
    assert.match(value, /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/, `${what}: Set-Cookie value outside cookie-octet: ${JSON.stringify(line)}`);
    const names = attributes.map((a) => a.trim().split('=')[0]!.toLowerCase());
    for (const attribute of names) {
      assert.ok(['path', 'httponly', 'secure', 'samesite', 'max-age', 'expires'].includes(attribute), `${what}: unexpected cookie attribute "${attribute}" in ${JSON.stringify(line)}`);
    }
    assert.equal(names.filter((n) => n === 'path').length, 1, `${what}: exactly one Path in ${JSON.stringify(line)}`);
  }
}

/** S28/S29: the security headers are on this answer too. */
export function assertSecurityHeaders(res: LightMyRequestResponse, what: string): void {
  assert.ok(res.headers['content-security-policy'], `${what}: no Content-Security-Policy`);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: no X-Content-Type-Options`);
  assert.match(String(res.headers['cache-control'] ?? ''), /no-store/, `${what}: no Cache-Control: no-store`);
}

/** The cookie of that name set by this answer (undefined if none). */
export function setCookieValue(res: LightMyRequestResponse, name: string): string | undefined {
  return (res.cookies as Array<{ name: string; value: string }>).find((c) => c.name === name)?.value;
}

export const CUSTOMER_PASSWORD_NEW = 'un vélo bleu sous la pluie';

/** A setup or reset link found in a mail's text. */
export function linkInText(text: string, path: '/activation' | '/back-office/activation'): string {
  const escaped = path.replaceAll('/', '\\/');
  const match = new RegExp(`(https?:\\/\\/[^\\s/]+${escaped}\\?token=[A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no ${path} link in: ${text}`);
  return match[1]!;
}
