import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * S21: every cookie is `__Host-` prefixed, Secure, Path=/, HttpOnly, SameSite=Lax, and holds only
 * random values. Browsers accept Secure cookies on http://localhost, so development works too.
 */
export const COOKIE = {
  session: '__Host-ep_session',
  remember: '__Host-ep_remember',
  device: '__Host-ep_device',
  csrf: '__Host-ep_csrf',
  /** Staff (back-office) session: separate from the customer session (S31). */
  staff: '__Host-ep_staff',
  /** An e-mailed link's token between its first visit and the last step, never in the address bar (S14). */
  resetLink: '__Host-ep_reset',
  /** A random value that lets an account recognise a browser it signed in from (S39). */
  browser: '__Host-ep_browser',
  staffSetupLink: '__Host-ep_staff_setup',
  /** A company invitation link's token between its first visit and the acceptance (S14, S44). */
  invitationLink: '__Host-ep_invitation',
  /** The language the visitor picked with the English / Français link: `fr` or `en`, nothing else (S51). */
  language: '__Host-ep_lang',
  /** Passkeys: "Non merci" to the invitation, on this browser. A flag, nothing else (S21). */
  passkeyOffer: '__Host-ep_passkey_offer',
} as const;

const ATTRIBUTES = '; Path=/; HttpOnly; Secure; SameSite=Lax';

/**
 * S40: the exact form of every value we issue — a 256-bit token (43 base64url characters), a
 * remember-me `selector.validator` (22 + 43), or a language (S51: the plain enum `fr` | `en`). A cookie in any other form is treated as absent,
 * and no value outside it is ever written into a Set-Cookie header.
 */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const COOKIE_FORMATS: Record<string, RegExp> = { [COOKIE.remember]: /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/, [COOKIE.language]: /^(fr|en)$/, [COOKIE.passkeyOffer]: /^declined$/ };
const formatOf = (name: string) => COOKIE_FORMATS[name] ?? TOKEN;

export function setSecureCookie(reply: FastifyReply, name: string, value: string, maxAgeSeconds?: number): void {
  // Validate the output, not only the input: a value we did not make never reaches the header.
  if (!formatOf(name).test(value)) throw new Error(`refusing to set cookie ${name}: value not in its issued format`);
  const maxAge = maxAgeSeconds === undefined ? '' : `; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
  putSetCookie(reply, name, `${name}=${value}${ATTRIBUTES}${maxAge}`);
}

export function clearSecureCookie(reply: FastifyReply, name: string): void {
  putSetCookie(reply, name, `${name}=${ATTRIBUTES}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`);
}

/** The last word on a cookie within one answer is the one sent (a cleared then re-set session, say). */
function putSetCookie(reply: FastifyReply, name: string, cookie: string): void {
  const current = reply.getHeader('set-cookie');
  if (current === undefined) {
    reply.header('set-cookie', cookie);
  } else {
    const others = (Array.isArray(current) ? current : [String(current)]).filter((c) => !c.startsWith(`${name}=`));
    reply.removeHeader('set-cookie');
    reply.header('set-cookie', [...others, cookie]);
  }
  // S29: a response that sets a cookie is never stored by a cache.
  reply.header('cache-control', 'no-store');
}

const PARSED = Symbol('cookies');
type WithCookies = Pick<FastifyRequest, 'headers'> & { [PARSED]?: Map<string, string> };

/**
 * One of our cookies, parsed from the Cookie header once per request. Every value we set has an
 * exact form (COOKIE_FORMATS), so there is nothing to decode; anything else is treated as absent.
 * The first of two same-named cookies wins.
 */
export function readCookie(request: Pick<FastifyRequest, 'headers'>, name: string): string | undefined {
  const req = request as WithCookies;
  let cookies = req[PARSED];
  if (!cookies) {
    cookies = new Map();
    for (const pair of (request.headers.cookie ?? '').split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const key = pair.slice(0, eq).trim();
      if (!cookies.has(key)) cookies.set(key, pair.slice(eq + 1).trim());
    }
    req[PARSED] = cookies;
  }
  const value = cookies.get(name);
  return value !== undefined && formatOf(name).test(value) ? value : undefined;
}
