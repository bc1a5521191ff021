import type { Generated, Selectable } from 'kysely';

/** A customer's web account, keyed by the 5-digit ERP customer code. Times are epoch ms. */
export interface AccountTable {
  id: Generated<number>;
  code: string;
  email: string;
  /** Lower-cased e-mail, for the case-insensitive match of the reset request. */
  email_lc: string;
  company: string;
  /** PHC argon2id string; null until the customer activates through a link (S5). */
  password_hash: string | null;
  created_at: number;
  updated_at: number;
  activated_at: number | null;
  disabled_at: number | null;
  last_login_at: number | null;
  password_changed_at: number | null;
  /** OpenID `sub` for single sign-on (src/modules/sso), random and stable; given on first use. */
  oidc_sub: string | null;
}

export type Account = Selectable<AccountTable>;
