import type { CleanupStep } from '../retention/retention.service.js';
import { dropExpiredKeys } from './sso.keys.js';
import { deleteExpiredOidcModels } from './sso.repository.js';

/**
 * Expired provider models (codes, tokens, sessions, interactions, grants) and retired keys past
 * their grace. On the system clock, not the injected one: the provider computes its expiries from
 * Date.now() (sso.adapter.ts).
 */
export const ssoCleanup: CleanupStep[] = [
  { name: 'oidcModels', run: ({ db }) => deleteExpiredOidcModels(db, Date.now()) },
  { name: 'oidcKeys', run: ({ db }) => dropExpiredKeys(db, Date.now()) },
];
