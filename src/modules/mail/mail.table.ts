import type { Generated, Selectable } from 'kysely';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/**
 * One e-mail to deliver. pending → sending (claimed under a lease) → sent, or back to pending
 * with a later next_attempt_at after a temporary failure, or failed for good.
 */
export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  account_id: number | null;
  recipient: string;
  /** Reply-To of the mail, when answering should reach someone else than the sender (migration 008). */
  reply_to: string | null;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export type OutboxMessage = Selectable<OutboxTable>;
