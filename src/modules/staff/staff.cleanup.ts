import { SESSION_IDLE_MS } from '../auth-core/sessions.js';
import type { CleanupStep } from '../retention/retention.service.js';
import * as repo from './staff.repository.js';

/** Staff sessions past their absolute end or idle, the same rule as the guard's check. */
export const staffCleanup: CleanupStep[] = [{ name: 'staffSessions', run: ({ db, now }) => repo.deleteEndedStaffSessions(db, now, now - SESSION_IDLE_MS) }];
