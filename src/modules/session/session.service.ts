import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { RequestOrigin } from '../../plugins/request-origin.js';
import { type Clock, DAY_MS, SECOND_MS } from '../../shared/clock.js';
import { openSession, resumeSession } from '../auth-core/sessions.js';
import { randomToken, safeEqual, sha256 } from '../../shared/crypto.js';
import type { Executor } from '../../db/executor.js';
import * as repo from './session.repository.js';
import type { Role } from '../company/company.table.js';

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

/** A signed-in person and the company they are signed in to. */
export interface ValidSession {
  id: string;
  /** The person (their web account). */
  accountId: number;
  companyId: number;
  code: string;
  company: string;
  role: Role;
  /** True for the person who signs in with the customer code itself. */
  isHolder: boolean;
  email: string;
  givenName: string | null;
  familyName: string | null;
  language: string | null;
  rememberSeries: string | null;
  /** How many companies the person belongs to (more than one: "Changer de compte client"). */
  membershipCount: number;
  /** How this session's sign-in was made, and when (the passkey invitation, SSO amr). */
  signIn: { at: number; method: string };
  passkeyCount: number;
}

/** A person signed in who has several companies and has not chosen one yet ("Choisissez le compte client"). */
export interface ChoosingSession {
  id: string;
  accountId: number;
  companyId: null;
  email: string;
  rememberSeries: string | null;
}

/** A customer session (the shared policy, auth-core/sessions.ts), optionally part of a remember-me series. */
export async function createSession(
  db: Executor,
  clock: Clock,
  who: { accountId: number; companyId: number | null },
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
  await repo.insertSession(db, { ...row, account_id: who.accountId, company_id: who.companyId, remember_series: rememberSeries, authenticated_at: authenticatedAt, auth_method: method });
  return { token, id: row.id };
}

/**
 * The session behind a cookie token, or null when unknown, idle, past its end, its person
 * disabled, or — once a company is chosen — the membership gone or the company disabled (S45).
 */
export async function validateSessionToken(db: Kysely<DB>, clock: Clock, token: string): Promise<ValidSession | ChoosingSession | null> {
  const store = { find: (id: string) => repo.findSessionWithAccount(db, id), end: (id: string) => repo.deleteSession(db, id), touch: (id: string, now: number) => repo.touchSession(db, id, now) };
  const row = await resumeSession(clock, token, store, (r) => r.disabled_at === null && (r.company_id === null || (r.role !== null && r.company_disabled_at === null)));
  if (!row) return null;
  if (row.company_id === null || row.role === null) return { id: row.id, accountId: row.account_id, companyId: null, email: row.email, rememberSeries: row.remember_series };
  return {
    id: row.id,
    accountId: row.account_id,
    companyId: row.company_id,
    code: row.code!,
    company: row.company!,
    role: row.role,
    isHolder: row.holder_account_id === row.account_id,
    email: row.email,
    givenName: row.given_name,
    familyName: row.family_name,
    language: row.language,
    rememberSeries: row.remember_series,
    membershipCount: Number(row.membership_count ?? 1),
    signIn: { at: Number(row.authenticated_at ?? row.created_at), method: row.auth_method ?? 'pwd' },
    passkeyCount: Number(row.passkey_count ?? 0),
  };
}

/** The company a choosing session is now signed in to (the chooser; a switch). */
export async function chooseSessionCompany(db: Executor, sessionId: string, companyId: number): Promise<void> {
  await repo.setSessionCompany(db, sessionId, companyId);
}

/** The company a remember-me series signs back in to. */
export async function chooseSeriesCompany(db: Executor, series: string, companyId: number): Promise<void> {
  await repo.setSeriesCompany(db, series, companyId);
}

export async function invalidateSession(db: Executor, sessionId: string): Promise<void> {
  await repo.deleteSession(db, sessionId);
}

/** Every session and remember-me series signed in to the company (a disabled company), or only one person's there (removed, role lowered: S45). */
export async function invalidateCompanySessions(db: Executor, companyId: number, accountId?: number): Promise<number> {
  return repo.deleteCompanySessions(db, companyId, accountId);
}

/** Cookie value `selector.validator`; the validator is 256 bits and stored only as SHA-256 (S20). */
export async function issueRememberToken(
  db: Executor,
  clock: Clock,
  who: { accountId: number; companyId: number | null },
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
    account_id: who.accountId,
    company_id: who.companyId,
    validator_hash: sha256(validator),
    created_at: now,
    expires_at: expiresAt,
    rotated_at: null,
    ...(series ? {} : { auth_method: authMethod }),
  });
  return { cookieValue: `${selector}.${validator}`, series: seriesId, expiresAt };
}

export type RememberOutcome =
  | { kind: 'rotated'; accountId: number; companyId: number | null; cookieValue: string; series: string; expiresAt: number }
  /** A just-rotated validator within the grace: a new session of the series, the cookie left as the browser has it. */
  | { kind: 'grace'; accountId: number; companyId: number | null; series: string }
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
  const grace = { kind: 'grace', accountId: row.account_id, companyId: row.company_id, series: row.series } as const;
  if (!genuine) return stolen();
  if (row.rotated_at !== null) return now - row.rotated_at <= REMEMBER_ROTATION_GRACE_MS ? grace : stolen();
  return db.transaction().execute(async (trx) => {
    // Another tab rotated it a moment ago (we lost the conditional update): the grace case.
    if (!(await repo.markRememberTokenRotated(trx, selector, now))) return grace;
    const next = await issueRememberToken(trx, clock, { accountId: row.account_id, companyId: row.company_id }, { id: row.series, expiresAt: row.expires_at });
    return { kind: 'rotated', accountId: row.account_id, companyId: row.company_id, ...next } as const;
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
