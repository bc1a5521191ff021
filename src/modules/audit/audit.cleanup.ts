import { DAY_MS } from '../../shared/clock.js';
import type { CleanupStep } from '../retention/retention.service.js';
import { deleteAuditEntriesBefore } from './audit.repository.js';

/** Audit entries older than AUDIT_RETENTION_DAYS. */
export const auditCleanup: CleanupStep[] = [{ name: 'auditEntries', run: ({ db, now, config }) => deleteAuditEntriesBefore(db, now - config.auditRetentionDays * DAY_MS) }];
