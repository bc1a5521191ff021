import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type Clock, DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { randomToken, safeEqual, sha256 } from '../../shared/crypto.js';
import type { Executor } from '../audit/audit.repository.js';
import * as repo from './session.repository.js';

// S19: enforced here, on the server, whatever the cookie says.
export const SESSION_IDLE_MS = 30 * MINUTE_MS;
export const SESSION_ABSOLUTE_MS = 12 * HOUR_MS;
// S20: a remember-me series lives 30 days from its first issue; rotation never extends it.
export const REMEMBER_ME_MS = 30 * DAY_MS;
export const DEVICE_MS = 30 * DAY_MS;
/** last_seen_at is written at most once a minute: idle checks stay exact to the minute, reads stay cheap. */
const TOUCH_INTERVAL_MS = MINUTE_MS;

export interface SessionOrigin {
  ip: string;
  userAgent: string;
}

export interface ValidSession {
  id: string;
  accountId: number;
  code: string;
  company: string;
  email: string;
  rememberSeries: string | null;
}

/** S18: 256 random bits in the cookie, only their SHA-256 in the database. */
export async function createSession(
  db: Executor,
  clock: Clock,
  accountId: number,
  origin: SessionOrigin,
  rememberSeries: string | null = null,
): Promise<{ token: string; id: string }> {
  const token = randomToken(32);
  const id = sha256(token);
  const now = clock.now();
  // SSO auth_time: a session opened from a remember-me series inherits the password check that
  // started the series (its first token's issue time); any other session was just checked.
  const authenticatedAt = rememberSeries ? ((await repo.findSeriesStart(db, rememberSeries)) ?? now) : now;
  await repo.insertSession(db, {
    id,
    account_id: accountId,
    created_at: now,
    last_seen_at: now,
    expires_at: now + SESSION_ABSOLUTE_MS,
    remember_series: rememberSeries,
    ip: origin.ip.slice(0, 64),
    user_agent: origin.userAgent.slice(0, 256),
    authenticated_at: authenticatedAt,
  });
  return { token, id };
}

/** The session behind a cookie token, or null when unknown, idle, past its end or its account disabled. */
export async function validateSessionToken(db: Kysely<DB>, clock: Clock, token: string): Promise<ValidSession | null> {
  const id = sha256(token);
  const row = await repo.findSessionWithAccount(db, id);
  if (!row) return null;
  const now = clock.now();
  if (row.expires_at <= now || row.last_seen_at + SESSION_IDLE_MS <= now || row.disabled_at !== null) {
    await repo.deleteSession(db, id);
    return null;
  }
  if (now - row.last_seen_at >= TOUCH_INTERVAL_MS) await repo.touchSession(db, id, now);
  return {
    id,
    accountId: row.account_id,
    code: row.code,
    company: row.company,
    email: row.email,
    rememberSeries: row.remember_series,
  };
}

export async function invalidateSession(db: Executor, sessionId: string): Promise<void> {
  await repo.deleteSession(db, sessionId);
}

/** Every session and remember-me token of the account (reset, disable, "revoke all"). */
export async function invalidateAccountSessions(db: Executor, accountId: number): Promise<number> {
  await repo.deleteRememberTokensOfAccount(db, accountId);
  return repo.deleteSessionsOfAccount(db, accountId);
}

/** Cookie value `selector.validator`; the validator is 256 bits and stored only as SHA-256 (S20). */
export async function issueRememberToken(
  db: Executor,
  clock: Clock,
  accountId: number,
  series: { id: string; expiresAt: number } | null = null,
): Promise<{ cookieValue: string; series: string; expiresAt: number }> {
  const selector = randomToken(16);
  const validator = randomToken(32);
  const now = clock.now();
  const seriesId = series?.id ?? randomToken(16);
  const expiresAt = series?.expiresAt ?? now + REMEMBER_ME_MS;
  await repo.insertRememberToken(db, {
    selector,
    series: seriesId,
    account_id: accountId,
    validator_hash: sha256(validator),
    created_at: now,
    expires_at: expiresAt,
    rotated_at: null,
  });
  return { cookieValue: `${selector}.${validator}`, series: seriesId, expiresAt };
}

export type RememberOutcome =
  | { kind: 'rotated'; accountId: number; cookieValue: string; series: string; expiresAt: number }
  | { kind: 'theft'; accountId: number; series: string }
  | { kind: 'invalid' };

/**
 * Exchanges a remember-me cookie for its successor (S20). A validator that was already rotated,
 * or a wrong validator for a live selector, means the cookie was copied: the whole series and
 * every session it opened die.
 */
export async function consumeRememberToken(db: Kysely<DB>, clock: Clock, cookieValue: string): Promise<RememberOutcome> {
  const [selector, validator, extra] = cookieValue.split('.');
  if (!selector || !validator || extra !== undefined) return { kind: 'invalid' };
  const row = await repo.findRememberToken(db, selector);
  if (!row) return { kind: 'invalid' };
  const now = clock.now();
  if (row.expires_at <= now) {
    await repo.deleteRememberSeries(db, row.series);
    return { kind: 'invalid' };
  }
  const genuine = safeEqual(row.validator_hash, sha256(validator));
  const stolen = async () => {
    await db.transaction().execute(async (trx) => {
      await repo.deleteRememberSeries(trx, row.series);
      await repo.deleteSessionsOfSeries(trx, row.series);
    });
    return { kind: 'theft', accountId: row.account_id, series: row.series } as const;
  };
  if (!genuine || row.rotated_at !== null) return stolen();
  return db.transaction().execute(async (trx) => {
    if (!(await repo.markRememberTokenRotated(trx, selector, now))) return { kind: 'invalid' } as const;
    const next = await issueRememberToken(trx, clock, row.account_id, { id: row.series, expiresAt: row.expires_at });
    return { kind: 'rotated', accountId: row.account_id, ...next } as const;
  });
}

/** Forgets the series behind a cookie (logout). */
export async function revokeRememberCookie(db: Executor, cookieValue: string): Promise<void> {
  const selector = cookieValue.split('.')[0];
  if (!selector) return;
  const row = await repo.findRememberToken(db, selector);
  if (row) {
    await repo.deleteRememberSeries(db, row.series);
  }
}

/** The device cookie keeps a random value only; its row names the account for pre-fill. */
export async function rememberDevice(db: Executor, clock: Clock, accountId: number, existing?: string): Promise<string> {
  const value = existing ?? randomToken(32);
  const now = clock.now();
  await repo.upsertDevice(db, { id: sha256(value), account_id: accountId, created_at: now, expires_at: now + DEVICE_MS });
  return value;
}

export async function findRememberedIdentifier(db: Executor, clock: Clock, deviceValue: string): Promise<string | undefined> {
  return repo.findDeviceIdentifier(db, sha256(deviceValue), clock.now());
}

export async function forgetDevice(db: Executor, deviceValue: string): Promise<void> {
  await repo.deleteDevice(db, sha256(deviceValue));
}
