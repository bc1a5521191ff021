import type { CleanupStep } from '../retention/retention.service.js';
import { KNOWN_BROWSER_MS, SESSION_IDLE_MS } from './session.service.js';
import * as repo from './session.repository.js';

/** Customer sessions (absolute end or idle, the same rule as each request's check), remember-me tokens (rotated ones too), remembered devices, and browsers not seen for KNOWN_BROWSER_MS. */
export const sessionCleanup: CleanupStep[] = [
  { name: 'sessions', run: ({ db, now }) => repo.deleteEndedSessions(db, now, now - SESSION_IDLE_MS) },
  { name: 'rememberTokens', run: ({ db, now }) => repo.deleteExpiredRememberTokens(db, now) },
  { name: 'devices', run: ({ db, now }) => repo.deleteExpiredDevices(db, now) },
  { name: 'knownBrowsers', run: ({ db, now }) => repo.deleteForgottenBrowsers(db, now - KNOWN_BROWSER_MS) },
];
