import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearSecureCookie, readCookie, setSecureCookie } from '../../plugins/cookies.js';
import { rotateCsrfBinding } from '../../plugins/csrf.js';
import type { RequestOrigin } from '../../plugins/request-origin.js';
import { type Clock, HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { randomToken, sha256 } from '../../shared/crypto.js';

/**
 * One session policy for customers and staff, each with its own cookie and table (S18, S19, S22):
 * 256 random bits in the cookie and only their SHA-256 stored; idle 30 minutes and 12 hours at
 * most, enforced here whatever the cookie says; the last activity written at most once a minute
 * (idle checks exact to the minute, reads cheap); a new session — and a new CSRF binding — at
 * every login or privilege change; logout deletes server-side and clears the cookie.
 */
export const SESSION_IDLE_MS = 30 * MINUTE_MS;
export const SESSION_ABSOLUTE_MS = 12 * HOUR_MS;
export const SESSION_TOUCH_INTERVAL_MS = MINUTE_MS;

export interface SessionTimes {
  last_seen_at: number;
  expires_at: number;
}

/** The columns every session row has, for a session opened now that lives `lifetimeMs` at most. */
export function openSession(clock: Clock, origin: RequestOrigin, lifetimeMs = SESSION_ABSOLUTE_MS) {
  const token = randomToken(32);
  const now = clock.now();
  return {
    token,
    row: { id: sha256(token), created_at: now, last_seen_at: now, expires_at: now + lifetimeMs, ip: origin.ip.slice(0, 64), user_agent: origin.userAgent.slice(0, 256) },
  };
}

/** Has this session ended at `now` (absolute end reached, or idle too long)? */
export function sessionEnded(row: SessionTimes, now: number): boolean {
  return row.expires_at <= now || row.last_seen_at + SESSION_IDLE_MS <= now;
}

export interface SessionStore<Row extends SessionTimes> {
  find(id: string): Promise<Row | undefined>;
  end(id: string): Promise<void>;
  touch(id: string, now: number): Promise<void>;
}

/**
 * The session behind a cookie token, or null: unknown, ended (then deleted), or refused by
 * `allowed` (its account or member disabled). Touched at most once a minute.
 */
export async function resumeSession<Row extends SessionTimes>(clock: Clock, token: string, store: SessionStore<Row>, allowed: (row: Row) => boolean): Promise<(Row & { id: string }) | null> {
  const id = sha256(token);
  const row = await store.find(id);
  if (!row) return null;
  const now = clock.now();
  if (sessionEnded(row, now) || !allowed(row)) {
    await store.end(id);
    return null;
  }
  if (now - row.last_seen_at >= SESSION_TOUCH_INTERVAL_MS) await store.touch(id, now);
  return { ...row, id };
}

/** A new session's cookie, and a new CSRF binding: tokens issued before the login die (S18, S23). */
export function startSessionCookie(request: FastifyRequest, reply: FastifyReply, cookie: string, token: string): void {
  setSecureCookie(reply, cookie, token);
  rotateCsrfBinding(request, reply);
}

/** The cookie side of a logout: cleared, and a new CSRF binding (S22). */
export function endSessionCookie(request: FastifyRequest, reply: FastifyReply, cookie: string): void {
  clearSecureCookie(reply, cookie);
  rotateCsrfBinding(request, reply);
}

/**
 * The session a request carries in `cookie`, looked up once per request; its cookie is cleared
 * when it is no longer valid. `fallback` may restore one another way (remember-me). Customers and
 * staff each make one: `loadCustomer`, `loadStaffSession`.
 */
export function sessionLoader<S>(
  cookie: string,
  validate: (request: FastifyRequest, token: string) => Promise<S | null>,
  fallback?: (request: FastifyRequest, reply: FastifyReply) => Promise<S | null>,
) {
  const cached = new WeakMap<FastifyRequest, S | null>();
  const load = async (request: FastifyRequest, reply: FastifyReply): Promise<S | null> => {
    if (cached.has(request)) return cached.get(request)!;
    const token = readCookie(request, cookie);
    let session = token ? await validate(request, token) : null;
    if (token && !session) clearSecureCookie(reply, cookie);
    if (!session && fallback) session = await fallback(request, reply);
    cached.set(request, session);
    return session;
  };
  /** Forgets what was loaded for this request (after a login or logout changed it). */
  const forget = (request: FastifyRequest) => void cached.delete(request);
  return Object.assign(load, { forget });
}
