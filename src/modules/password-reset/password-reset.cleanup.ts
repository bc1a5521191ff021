import { DAY_MS } from '../../shared/clock.js';
import type { CleanupStep } from '../retention/retention.service.js';
import { deleteProcessedResetRequests } from './password-reset.repository.js';

/** A reset submission (identifier, e-mail, IP) is kept a day after the worker matched it. */
export const RESET_REQUEST_RETENTION_MS = DAY_MS;

export const passwordResetCleanup: CleanupStep[] = [{ name: 'resetRequests', run: ({ db, now }) => deleteProcessedResetRequests(db, now - RESET_REQUEST_RETENTION_MS) }];
