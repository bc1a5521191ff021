import type { Generated, Insertable, Selectable } from 'kysely';
import type { AccountRequestState } from './account-request.state.js';

/** One "Demande d'ouverture de compte" and what customer service did with it. Times are epoch ms. */
export interface AccountRequestTable {
  id: Generated<number>;
  state: AccountRequestState;
  /** Raison sociale. */
  company: string;
  /** The 5-digit code from the invoices, when the company says it is already a customer. */
  customer_code: string | null;
  /** 14 digits, spaces removed, checksum verified. */
  siret: string | null;
  last_name: string;
  first_name: string;
  email: string;
  phone: string;
  address: string | null;
  postal_code: string | null;
  city: string | null;
  country: string | null;
  message: string | null;
  created_at: number;
  updated_at: number;
  ip: string | null;
  user_agent: string | null;
  /** Staff id of whoever last moved the request (start, approve, reject). */
  handled_by: string | null;
  handled_at: number | null;
  /** The reason given on rejection (or a note on approval). */
  decision_reason: string | null;
  /** The customer account created or linked on approval. */
  /** The company the request was approved into (the account id before 014_companies: the same number). */
  account_id: number | null;
}

export type AccountRequest = Selectable<AccountRequestTable>;
export type NewAccountRequest = Insertable<AccountRequestTable>;
