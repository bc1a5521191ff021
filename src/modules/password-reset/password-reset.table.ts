import type { Generated } from 'kysely';

/** A submitted reset request waiting for the worker to match it (S15). */
export interface ResetRequestTable {
  id: Generated<number>;
  /** As typed (bounded); canonicalised when processed. */
  identifier: string;
  email: string;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  /** The language of the page it was sent from ('fr' | 'en'; 018): the mail's, unless the person chose one (S51). */
  language: string | null;
  processed_at: number | null;
}
