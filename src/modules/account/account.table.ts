import type { Generated, Selectable } from 'kysely';

/**
 * A person's web account ("Votre compte Web"): the e-mail, the password, the factors. Since
 * 014_companies a person may belong to several companies (src/modules/company); the customer
 * code and the company name live on the company. Times are epoch ms.
 */
export interface AccountTable {
  id: Generated<number>;
  email: string;
  /** Lower-cased e-mail: sign-in by e-mail and the reset request match on it. */
  email_lc: string;
  /** PHC argon2id string; null until the person activates through a link (S5). */
  password_hash: string | null;
  created_at: number;
  updated_at: number;
  activated_at: number | null;
  /** A disabled person signs in to no company. */
  disabled_at: number | null;
  last_login_at: number | null;
  password_changed_at: number | null;
  /** OpenID `sub` for single sign-on (src/modules/sso), random and stable; given on first use. */
  oidc_sub: string | null;
  given_name: string | null;
  family_name: string | null;
  /** 'fr' | 'en' once the person chose; mails follow it. */
  language: string | null;
}

export type Account = Selectable<AccountTable>;
