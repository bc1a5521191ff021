import type { Generated, Selectable } from 'kysely';

/** S34: who did what to whom, from where, and how it ended. Never a secret. */
export interface AuditTable {
  id: Generated<number>;
  at: number;
  event: string;
  outcome: string;
  actor_type: string;
  actor_id: string | null;
  /** The person concerned (a web account). */
  account_id: number | null;
  /** The company concerned, when there is one. */
  company_id: number | null;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string | null;
}

export type AuditEntry = Selectable<AuditTable>;
