import { DAY_MS } from '../../shared/clock.js';
import type { CleanupStep } from '../retention/retention.service.js';
import { deleteProcessedAccountRequests } from './account-request.repository.js';

/** Approved or rejected requests, REQUEST_RETENTION_DAYS after the decision; open ones never. */
export const accountRequestCleanup: CleanupStep[] = [
  { name: 'accountRequests', run: ({ db, now, config }) => deleteProcessedAccountRequests(db, now - config.requestRetentionDays * DAY_MS) },
];
