import type { Clock } from '../../shared/clock.js';
import type { Executor } from '../../db/executor.js';
import { insertAuditEntry } from './audit.repository.js';

/** The request facts every audit entry carries (S34). */
export interface AuditOrigin {
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEvent {
  event: string;
  outcome: 'success' | 'failure' | 'blocked' | 'info';
  actorType: 'customer' | 'staff' | 'anonymous' | 'system' | 'operator';
  actorId?: string | null;
  /** The person concerned. */
  accountId?: number | null;
  /** The company concerned (a customer code), when there is one. */
  companyId?: number | null;
  target?: string | null;
  details?: Record<string, string | number | boolean | null>;
}

/** S34: control characters (CR/LF above all) are encoded so an entry can never forge another. */
export function encodeControlChars(value: string, max = 512): string {
  return value.slice(0, max).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export async function recordAudit(db: Executor, clock: Clock, origin: AuditOrigin, event: AuditEvent): Promise<void> {
  const clean = (v: string | null | undefined) => (v === null || v === undefined ? null : encodeControlChars(v));
  await insertAuditEntry(db, {
    at: clock.now(),
    event: event.event,
    outcome: event.outcome,
    actor_type: event.actorType,
    actor_id: clean(event.actorId),
    account_id: event.accountId ?? null,
    company_id: event.companyId ?? null,
    target: clean(event.target),
    ip: clean(origin.ip),
    user_agent: clean(origin.userAgent),
    details: event.details ? encodeControlChars(JSON.stringify(event.details), 2000) : null,
  });
}
