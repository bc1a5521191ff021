import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import { type Clock, DAY_MS } from '../../shared/clock.js';
import { KNOWN_BROWSER_MS, SESSION_IDLE_MS } from '../session/session.service.js';
import { dropExpiredKeys } from '../sso/sso.keys.js';
import * as repo from './retention.repository.js';
import { deleteExpiredChallenges } from '../passkeys/passkeys.service.js';

/** Bodies of delivered (or dead) mails are kept this long, for support questions, then emptied. */
export const MAIL_BODY_RETENTION_MS = 30 * DAY_MS;
/**
 * An expired link is kept a week longer, so a customer opening last week's mail still reads
 * "ce lien a expiré" (and how to get a new one) rather than "lien invalide". Only its SHA-256,
 * account and dates are stored: nothing usable.
 */
export const EXPIRED_LINK_GRACE_MS = 7 * DAY_MS;
/** A failure counter with no activity for a day starts again from zero. */
export const LOGIN_THROTTLE_RETENTION_MS = DAY_MS;
/** A reset submission (identifier, e-mail, IP) is kept a day after the worker matched it. */
export const RESET_REQUEST_RETENTION_MS = DAY_MS;

export interface RetentionDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Pick<Config, 'requestRetentionDays' | 'auditRetentionDays'>;
}

export interface RetentionReport {
  sessions: number;
  staffSessions: number;
  rememberTokens: number;
  devices: number;
  knownBrowsers: number;
  linkTokens: number;
  rateLimits: number;
  loginThrottles: number;
  resetRequests: number;
  accountRequests: number;
  auditEntries: number;
  mailBodies: number;
  /** Single sign-on: expired provider models (codes, tokens, sessions…) and retired keys past their grace. */
  oidcModels: number;
  oidcKeys: number;
  /** Passkeys: ceremony challenges never answered (5 minutes). */
  webauthnChallenges: number;
}

/**
 * One retention pass (GDPR, storage limitation): everything past its time goes, each kind by its
 * own rule (src/modules/retention/README.md). Safe to run from several instances at once, and
 * to stop between two steps (`signal`): the next pass picks up what is left.
 */
export async function runRetention(deps: RetentionDeps, signal?: AbortSignal): Promise<RetentionReport> {
  const { db, clock, config } = deps;
  const now = clock.now();
  const steps: Array<[keyof RetentionReport, () => Promise<number>]> = [
    ['sessions', () => repo.deleteEndedSessions(db, now, now - SESSION_IDLE_MS)],
    ['staffSessions', () => repo.deleteEndedStaffSessions(db, now, now - SESSION_IDLE_MS)],
    ['rememberTokens', () => repo.deleteExpiredRememberTokens(db, now)],
    ['devices', () => repo.deleteExpiredDevices(db, now)],
    ['knownBrowsers', () => repo.deleteForgottenBrowsers(db, now - KNOWN_BROWSER_MS)],
    ['linkTokens', () => repo.deleteLinkTokensExpiredBy(db, now - EXPIRED_LINK_GRACE_MS)],
    ['rateLimits', () => repo.deleteEndedRateLimits(db, now)],
    ['loginThrottles', () => repo.deleteStaleLoginThrottles(db, now, now - LOGIN_THROTTLE_RETENTION_MS)],
    ['resetRequests', () => repo.deleteProcessedResetRequests(db, now - RESET_REQUEST_RETENTION_MS)],
    ['accountRequests', () => repo.deleteProcessedAccountRequests(db, now - config.requestRetentionDays * DAY_MS)],
    ['auditEntries', () => repo.deleteAuditEntriesBefore(db, now - config.auditRetentionDays * DAY_MS)],
    ['mailBodies', () => repo.clearOldMailBodies(db, now - MAIL_BODY_RETENTION_MS)],
    // On the system clock: the provider computes its expiries from Date.now() (src/modules/sso/sso.adapter.ts).
    ['oidcModels', () => repo.deleteExpiredOidcModels(db, Date.now())],
    ['oidcKeys', () => dropExpiredKeys(db, Date.now())],
    ['webauthnChallenges', () => deleteExpiredChallenges(db, now)],
  ];
  const report = Object.fromEntries(steps.map(([name]) => [name, 0])) as unknown as RetentionReport;
  for (const [name, step] of steps) {
    if (signal?.aborted) break;
    report[name] = await step();
  }
  return report;
}
