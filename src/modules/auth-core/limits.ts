import { isIPv6 } from 'node:net';
import type { Executor } from '../../db/executor.js';
import { type Clock, MINUTE_MS } from '../../shared/clock.js';
import * as repo from './limits.repository.js';

/**
 * Limits shared by every instance through the database, and by customers and staff alike.
 * A sliding window: at most `max` uses in any `windowMs`, whatever the boundary (README.md).
 */
export interface RateLimit {
  name: string;
  max: number;
  windowMs: number;
}

export const LIMITS = {
  /** S9: failed logins per client, customer and staff logins and every re-authentication together. */
  loginFailuresPerIp: { name: 'login-ip', max: 30, windowMs: 10 * MINUTE_MS },
  /** S15 */
  resetRequestsPerIp: { name: 'reset-ip', max: 20, windowMs: 60 * MINUTE_MS },
  /** S15: per canonical identifier, matched or not, so both paths do the same work. */
  resetMailsPerIdentifier: { name: 'reset-id', max: 3, windowMs: 60 * MINUTE_MS },
  /** S17 */
  invalidTokensPerIp: { name: 'token-ip', max: 20, windowMs: 10 * MINUTE_MS },
  /** S33: accepted account-opening requests (honeypot catches included) per client. */
  accountRequestsPerIp: { name: 'request-ip', max: 5, windowMs: 60 * MINUTE_MS },
  /** S33: acknowledgement mails per requester address (keyed by its SHA-256) per day. */
  accountRequestAckPerEmail: { name: 'request-ack', max: 1, windowMs: 24 * 60 * MINUTE_MS },
  /**
   * S48: passkey challenges issued per client (sign-in, second factor, step-up, registration), so
   * that a flood of options requests cannot fill the challenge table. Every Authentification page
   * a browser with WebAuthn opens asks for one (the autofill), hence a roomy number for an office
   * behind one address.
   */
  passkeyChallengesPerIp: { name: 'passkey-ip', max: 300, windowMs: 10 * MINUTE_MS },
  /** S44: invitation mails (new or resent, by an administrator or by staff) per company per day. */
  invitationsPerCompany: { name: 'invite-company', max: 20, windowMs: 24 * 60 * MINUTE_MS },
} as const satisfies Record<string, RateLimit>;

/**
 * The client a limit counts: an IPv4 address, or the /64 network of an IPv6 one (one customer
 * line gets a whole /64, so counting single IPv6 addresses would let it rotate without end).
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(ip: string): string[] {
  const [head, tail] = ip.split('%')[0]!.toLowerCase().split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  if (right.length && right[right.length - 1]!.includes('.')) right.splice(-1, 1, '0', '0'); // embedded IPv4: beyond /64 anyway
  const missing = 8 - left.length - right.length;
  return [...left, ...Array(tail === undefined ? 0 : missing).fill('0'), ...right].map((part) => part.replace(/^0+(?=.)/, ''));
}

/** A use counted against a limit; given back with releaseLimit when it turns out not to count. */
export interface LimitReservation {
  key: string;
  at: number;
  windowMs: number;
}

export type LimitDecision = { ok: true; reservation: LimitReservation } | { ok: false; retryAfterSeconds: number };

/** Runs `fn` in the caller's transaction, or in one of its own. */
async function inTransaction<T>(db: Executor, fn: (trx: Executor) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/**
 * Counts one use of `limit` by `subject` if the window has room, atomically: the row is locked,
 * read, and written in one transaction, so N concurrent reservations never let more than `max`
 * through (S36). Decided before the work it protects, never read first and written later.
 */
export async function reserveLimit(db: Executor, clock: Clock, limit: RateLimit, subject: string): Promise<LimitDecision> {
  const key = `${limit.name}:${subject}`;
  return inTransaction(db, async (trx) => {
    const now = clock.now();
    const live = (await repo.lockLimitHits(trx, key)).filter((at) => at > now - limit.windowMs);
    if (live.length >= limit.max) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((live[0]! + limit.windowMs - now) / 1000)) };
    live.push(now);
    await repo.writeLimitHits(trx, key, live, now + limit.windowMs);
    return { ok: true, reservation: { key, at: now, windowMs: limit.windowMs } };
  });
}

/** Gives back one reserved use (a login that succeeded, a link that was valid). */
export async function releaseLimit(db: Executor, clock: Clock, reservation: LimitReservation): Promise<void> {
  await inTransaction(db, async (trx) => {
    const hits = await repo.lockLimitHits(trx, reservation.key);
    const index = hits.indexOf(reservation.at);
    if (index < 0) return;
    hits.splice(index, 1);
    await repo.writeLimitHits(trx, reservation.key, hits, hits.length ? hits[hits.length - 1]! + reservation.windowMs : clock.now());
  });
}

// ---- S8: per-identifier throttling -------------------------------------------------------------

// After 5 consecutive failures, wait 1 min, then 2, 4, 8, and at most 15 min; never locked for good.
export const THROTTLE_FREE_FAILURES = 5;
export const THROTTLE_BASE_DELAY_MS = MINUTE_MS;
export const THROTTLE_MAX_DELAY_MS = 15 * MINUTE_MS;

export function throttleDelayMs(failures: number): number {
  if (failures < THROTTLE_FREE_FAILURES) return 0;
  return Math.min(THROTTLE_BASE_DELAY_MS * 2 ** (failures - THROTTLE_FREE_FAILURES), THROTTLE_MAX_DELAY_MS);
}

/** The delays up to the first that reaches the maximum: the CASE of the reservation statement. */
const DELAY_STEPS: Array<{ failures: number; delayMs: number }> = [];
for (let failures = 1; throttleDelayMs(failures) < THROTTLE_MAX_DELAY_MS; failures++) DELAY_STEPS.push({ failures, delayMs: throttleDelayMs(failures) });
const reserveThrottle = repo.reserveThrottleStatement(DELAY_STEPS, THROTTLE_MAX_DELAY_MS);

export type ThrottleDecision = { ok: true; failures: number; delayStartedMs: number } | { ok: false; retryAfterMs: number };

/**
 * S8, decided before the secret is checked: counts this attempt as a failure now (a success
 * clears the count afterwards), unless a delay is running, in which case the attempt is refused
 * and nothing changes. Concurrent attempts therefore cannot all be checked: the fifth one starts
 * the delay and every later one is refused (S36).
 */
export async function reserveIdentifierAttempt(db: Executor, clock: Clock, key: string): Promise<ThrottleDecision> {
  const now = clock.now();
  const firstDelay = throttleDelayMs(1);
  const row = (await reserveThrottle(db, { key, now, firstBlockedUntil: firstDelay > 0 ? now + firstDelay : 0 }))[0];
  if (!row) {
    // Refused: how long the delay still runs, to say so (the same for a known and an unknown identifier, S6).
    const current = await repo.findThrottle(db, key);
    return { ok: false, retryAfterMs: Math.max(0, Number(current?.blocked_until ?? now) - now) };
  }
  const blockedUntil = Number(row.blocked_until);
  return { ok: true, failures: Number(row.failures), delayStartedMs: blockedUntil > now ? blockedUntil - now : 0 };
}

/**
 * Takes back the failure a reservation counted (a first step that passed). When that reservation
 * started the delay, no later attempt was let through since, so lifting it restores what was.
 */
export async function undoIdentifierAttempt(db: Executor, key: string, startedDelay: boolean): Promise<void> {
  await repo.uncountThrottleFailure(db, key, startedDelay);
}

/** A success or a completed reset starts the count again (S8). */
export async function clearIdentifierThrottle(db: Executor, key: string): Promise<void> {
  await repo.deleteThrottle(db, key);
}

/** Customer service's "Déverrouiller": every identifier of a company at once. */
export async function clearIdentifierThrottles(db: Executor, keys: string[]): Promise<void> {
  await repo.deleteThrottles(db, keys);
}

/** What customer service sees of an identifier's throttling. */
export async function identifierThrottleState(db: Executor, clock: Clock, key: string) {
  const row = await repo.findThrottle(db, key);
  if (!row) return null;
  return { failures: Number(row.failures), blockedUntil: Number(row.blocked_until), throttled: Number(row.blocked_until) > clock.now() };
}
