import type { Clock } from '../../shared/clock.js';
import { MINUTE_MS } from '../../shared/clock.js';
import { randomToken } from '../../shared/crypto.js';
import type { Executor } from '../audit/audit.repository.js';
import * as repo from './security.repository.js';

/** A fixed-window limit shared by every instance through the database. */
export interface RateLimit {
  name: string;
  max: number;
  windowMs: number;
}

export const LIMITS = {
  /** S9 */
  loginFailuresPerIp: { name: 'login-ip', max: 30, windowMs: 10 * MINUTE_MS },
  /** S15 */
  resetRequestsPerIp: { name: 'reset-ip', max: 20, windowMs: 60 * MINUTE_MS },
  /** S15: counted per canonical identifier, matched or not, so both paths do the same work. */
  resetMailsPerIdentifier: { name: 'reset-id', max: 3, windowMs: 60 * MINUTE_MS },
  /** S17 */
  invalidTokensPerIp: { name: 'token-ip', max: 20, windowMs: 10 * MINUTE_MS },
  /** S33: accepted account-opening requests (honeypot catches included) per IP. */
  accountRequestsPerIp: { name: 'request-ip', max: 5, windowMs: 60 * MINUTE_MS },
  /** S33: acknowledgement mails per requester address (keyed by its SHA-256) per day. */
  accountRequestAckPerEmail: { name: 'request-ack', max: 1, windowMs: 24 * 60 * MINUTE_MS },
} as const satisfies Record<string, RateLimit>;

export interface LimitState {
  exceeded: boolean;
  retryAfterSeconds: number;
}

function windowOf(limit: RateLimit, subject: string, now: number) {
  const index = Math.floor(now / limit.windowMs);
  return { key: `${limit.name}:${subject}:${index}`, endsAt: (index + 1) * limit.windowMs };
}

/** Has `subject` already used up `limit` in the current window? */
export async function checkLimit(db: Executor, clock: Clock, limit: RateLimit, subject: string): Promise<LimitState> {
  const now = clock.now();
  const { key, endsAt } = windowOf(limit, subject, now);
  const count = await repo.readCounter(db, key);
  return { exceeded: count >= limit.max, retryAfterSeconds: Math.ceil((endsAt - now) / 1000) };
}

/** Counts one more use; returns true while the use is still within the limit. */
export async function consumeLimit(db: Executor, clock: Clock, limit: RateLimit, subject: string): Promise<boolean> {
  const { key, endsAt } = windowOf(limit, subject, clock.now());
  return (await repo.incrementCounter(db, key, endsAt)) <= limit.max;
}

/** Gives back one use (a login attempt that turned out to succeed). */
export async function refundLimit(db: Executor, clock: Clock, limit: RateLimit, subject: string): Promise<void> {
  await repo.decrementCounter(db, windowOf(limit, subject, clock.now()).key);
}

// S8: after 5 consecutive failures, wait 1 min, then 2, 4, 8, and at most 15 min; never locked for good.
export const THROTTLE_FREE_FAILURES = 5;
export const THROTTLE_BASE_DELAY_MS = MINUTE_MS;
export const THROTTLE_MAX_DELAY_MS = 15 * MINUTE_MS;

export function throttleDelayMs(failures: number): number {
  if (failures < THROTTLE_FREE_FAILURES) return 0;
  return Math.min(THROTTLE_BASE_DELAY_MS * 2 ** (failures - THROTTLE_FREE_FAILURES), THROTTLE_MAX_DELAY_MS);
}

export async function isIdentifierThrottled(db: Executor, clock: Clock, identifier: string): Promise<boolean> {
  const row = await repo.findThrottle(db, identifier);
  return row !== undefined && Number(row.blocked_until) > clock.now();
}

/** Records a failure; returns the new count and whether this failure started a delay. */
export async function recordIdentifierFailure(db: Executor, clock: Clock, identifier: string) {
  const now = clock.now();
  const failures = await repo.incrementThrottleFailures(db, identifier, now);
  const delay = throttleDelayMs(failures);
  if (delay > 0) await repo.setThrottleBlockedUntil(db, identifier, now + delay);
  return { failures, delayMs: delay };
}

export async function clearIdentifierThrottle(db: Executor, identifier: string): Promise<void> {
  await repo.deleteThrottle(db, identifier);
}

/** A server secret made once and shared by every instance (for instance the CSRF key). */
export async function loadOrCreateSecret(db: Executor, key: string): Promise<string> {
  await repo.insertSettingIfAbsent(db, key, randomToken(32));
  const value = await repo.findSetting(db, key);
  if (!value) throw new Error(`setting ${key} could not be created`);
  return value;
}
