import { DAY_MS } from '../../shared/clock.js';
import type { CleanupStep } from '../retention/retention.service.js';
import { clearOldMailBodies } from './mail.repository.js';

/** Bodies of delivered (or dead) mails are kept this long, for support questions, then emptied. */
export const MAIL_BODY_RETENTION_MS = 30 * DAY_MS;

export const mailCleanup: CleanupStep[] = [{ name: 'mailBodies', run: ({ db, now }) => clearOldMailBodies(db, now - MAIL_BODY_RETENTION_MS) }];
