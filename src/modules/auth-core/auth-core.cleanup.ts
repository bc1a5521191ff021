import { DAY_MS } from '../../shared/clock.js';
import type { CleanupStep } from '../retention/retention.service.js';
import { deleteLinkTokensExpiredBy } from './link-tokens.repository.js';
import { deleteEndedRateLimits, deleteStaleLoginThrottles } from './limits.repository.js';

/**
 * An expired link is kept a week longer, so a customer opening last week's mail still reads
 * "ce lien a expiré" (and how to get a new one) rather than "lien invalide". Only its SHA-256,
 * account and dates are stored: nothing usable.
 */
export const EXPIRED_LINK_GRACE_MS = 7 * DAY_MS;
/** A failure counter with no activity for a day starts again from zero. */
export const LOGIN_THROTTLE_RETENTION_MS = DAY_MS;

/** E-mailed links (customer and staff), rate-limit windows that hold nothing any more, stale failure counters. */
export const authCoreCleanup: CleanupStep[] = [
  { name: 'linkTokens', run: ({ db, now }) => deleteLinkTokensExpiredBy(db, now - EXPIRED_LINK_GRACE_MS) },
  { name: 'rateLimits', run: ({ db, now }) => deleteEndedRateLimits(db, now) },
  { name: 'loginThrottles', run: ({ db, now }) => deleteStaleLoginThrottles(db, now, now - LOGIN_THROTTLE_RETENTION_MS) },
];
