import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { RequestOrigin } from '../../plugins/request-origin.js';
import { type Clock, DAY_MS, SECOND_MS } from '../../shared/clock.js';
import { openSession, resumeSession } from '../auth-core/sessions.js';
import { randomToken, safeEqual, sha256 } from '../../shared/crypto.js';
import type { Executor } from '../../db/executor.js';
import * as repo from './session.repository.js';

export { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../auth-core/sessions.js';

// S20: a remember-me series lives 30 days from its first issue; rotation never extends it.
export const REMEMBER_ME_MS = 30 * DAY_MS;
export const DEVICE_MS = 30 * DAY_MS;
/**
 * Two tabs of one browser restoring a remembered session at the same moment both send the same
 * cookie: the second arrives with a validator the first has just rotated. Within this grace it
 * is the same browser catching up, not a thief: it gets a new session of the same series and the
 * browser keeps the successor cookie. Later, the old validator means a copy: the series dies (S20).
 */
export const REMEMBER_ROTATION_GRACE_MS = 5 * SECOND_MS;

export type SessionOrigin = RequestOrigin;

export interface ValidSession {
  id: string;
  accountId: number;
  code: string;
  company: string;
  email: string;
  rememberSeries: string | null;
}

/** A customer session (the shared policy, auth-core/sessions.ts), optionally part of a remember-me series. */
export async function createSession(
  db: Executor,
  clock: Clock,
  accountId: number,
  origin: SessionOrigin,
  rememberSeries: string | null = null,
  /** How the customer just signed in ('pwd' or 'passkey'); a remember-me restore takes the series' own. */
  authMethod: 'pwd' | 'passkey' = 'pwd',
): Promise<{ token: string; id: string }> {
  const { token, row } = openSession(clock, origin);
  // SSO auth_time: a session opened from a remember-me series inherits the password check that
  // started the series (its first token's issue time); any other session was just checked.
  const authenticatedAt = rememberSeries ? ((await repo.findSeriesStart(db, rememberSeries)) ?? row.created_at) : row.created_at;
  // SSO amr likewise: the method of the sign-in that started the series (passkeys, migration 015).
  const method = rememberSeries ? ((await repo.findSeriesAuthMethod(db, rememberSeries)) ?? authMethod) : authMethod;
  await repo.insertSession(db, { ...row, account_id: accountId, remember_series: rememberSeries, authenticated_at: authenticatedAt, auth_method: method });
  return { token, id: row.id };
}

/** The session behind a cookie token, or null when unknown, idle, past its end or its account disabled. */
export async function validateSessionToken(db: Kysely<DB>, clock: Clock, token: string): Promise<ValidSession | null> {
  const store = { find: (id: string) => repo.findSessionWithAccount(db, id), end: (id: string) => repo.deleteSession(db, id), touch: (id: string, now: number) => repo.touchSession(db, id, now) };
  const row = await resumeSession(clock, token, store, (r) => r.disabled_at === null);
  return row && { id: row.id, accountId: row.account_id, code: row.code, company: row.company, email: row.email, rememberSeries: row.remember_series };
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
  /** A new series records how its sign-in was made (SSO amr of the sessions it opens). */
  authMethod: 'pwd' | 'passkey' = 'pwd',
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
    ...(series ? {} : { auth_method: authMethod }),
  });
  return { cookieValue: `${selector}.${validator}`, series: seriesId, expiresAt };
}

export type RememberOutcome =
  | { kind: 'rotated'; accountId: number; cookieValue: string; series: string; expiresAt: number }
  /** A just-rotated validator within the grace: a new session of the series, the cookie left as the browser has it. */
  | { kind: 'grace'; accountId: number; series: string }
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
  const grace = { kind: 'grace', accountId: row.account_id, series: row.series } as const;
  if (!genuine) return stolen();
  if (row.rotated_at !== null) return now - row.rotated_at <= REMEMBER_ROTATION_GRACE_MS ? grace : stolen();
  return db.transaction().execute(async (trx) => {
    // Another tab rotated it a moment ago (we lost the conditional update): the grace case.
    if (!(await repo.markRememberTokenRotated(trx, selector, now))) return grace;
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

/** How long a browser stays known without signing in (browsers cap cookies at 400 days). */
export const KNOWN_BROWSER_MS = 400 * DAY_MS;

/**
 * S39: has this browser signed this account in before? Recognised by the random value of its own
 * cookie (never an identifier, S21); a new one gets a value now. Returns the value to (re)set.
 */
export async function recognizeBrowser(db: Executor, clock: Clock, accountId: number, cookieValue: string | undefined): Promise<{ known: boolean; cookieValue: string }> {
  const now = clock.now();
  if (cookieValue && (await repo.touchKnownBrowser(db, sha256(cookieValue), accountId, now))) return { known: true, cookieValue };
  const value = cookieValue ?? randomToken(32);
  await repo.insertKnownBrowser(db, { id: sha256(value), account_id: accountId, created_at: now, last_seen_at: now });
  return { known: false, cookieValue: value };
}
