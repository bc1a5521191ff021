import { type ExpressionBuilder, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Executor } from '../../db/executor.js';

/**
 * The dashboard's figures and the account-list filters they link to share these predicates, so a
 * figure always counts exactly the rows its link lists.
 */
export type AccountFilter = 'verrouilles' | 'liens-non-utilises' | 'mails-en-echec';
export const ACCOUNT_FILTERS: readonly AccountFilter[] = ['verrouilles', 'liens-non-utilises', 'mails-en-echec'];

/** A link older than this and never used is worth a call to the customer. */
export const UNUSED_LINK_AFTER_MS = 8 * 60 * 60 * 1000;
/** …but not forever: links sent in the last 30 days. */
export const UNUSED_LINK_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

type CompanyScope = ExpressionBuilder<DB, 'companies' | 'accounts'>;

/**
 * The end of the latest lock in force on a company's sign-in (S8), or null: on its customer code,
 * or on one of its people's e-mail sign-in (`email:<address>`, auth-core/limits.ts). One
 * definition for the Comptes list, its "verrouillés" filter and the dashboard's count, as the
 * company page lists the same keys (companySignInKeys).
 */
export function companyLockedUntil(eb: CompanyScope, now: number) {
  return eb
    .selectFrom('login_throttle')
    .select((e) => e.fn.max('login_throttle.blocked_until').as('until'))
    .where('login_throttle.blocked_until', '>', now)
    .where((e) =>
      e.or([
        e('login_throttle.key', '=', e.ref('companies.code')),
        e(
          'login_throttle.key',
          'in',
          e
            .selectFrom('memberships as lock_members')
            .innerJoin('accounts as lock_people', 'lock_people.id', 'lock_members.account_id')
            .select(sql<string>`'email:' || lock_people.email_lc`.as('key'))
            .whereRef('lock_members.company_id', '=', 'companies.id'),
        ),
      ]),
    );
}

/** The companies whose filter matches (`companies` joined to its holder as `accounts`). */
export function accountFilterPredicate(eb: CompanyScope, filter: AccountFilter, now: number) {
  switch (filter) {
    case 'verrouilles':
      return eb(companyLockedUntil(eb, now), 'is not', null);
    case 'liens-non-utilises':
      return eb.exists(
        eb
          .selectFrom('link_tokens')
          .select('link_tokens.id')
          .where('link_tokens.subject_type', '=', 'account')
          .whereRef('link_tokens.subject_id', '=', 'accounts.id')
          .where('link_tokens.purpose', 'in', ['activation', 'reset'])
          .where('link_tokens.consumed_at', 'is', null)
          .where('link_tokens.revoked_at', 'is', null)
          .where('link_tokens.created_at', '<=', now - UNUSED_LINK_AFTER_MS)
          .where('link_tokens.created_at', '>', now - UNUSED_LINK_WINDOW_MS),
      );
    case 'mails-en-echec':
      return eb.exists(eb.selectFrom('outbox').select('outbox.id').whereRef('outbox.account_id', '=', 'accounts.id').where('outbox.status', '=', 'failed'));
  }
}

/** How many companies each filter lists. */
export async function countAccountsByFilter(db: Executor, now: number): Promise<Record<AccountFilter, number>> {
  const row = await db
    .selectFrom('companies')
    .innerJoin('accounts', 'accounts.id', 'companies.holder_account_id')
    .select((eb) => [
      eb.fn.sum<number | string | null>(eb.case().when(accountFilterPredicate(eb, 'verrouilles', now)).then(1).else(0).end()).as('locked'),
      eb.fn.sum<number | string | null>(eb.case().when(accountFilterPredicate(eb, 'liens-non-utilises', now)).then(1).else(0).end()).as('unused'),
      eb.fn.sum<number | string | null>(eb.case().when(accountFilterPredicate(eb, 'mails-en-echec', now)).then(1).else(0).end()).as('failed'),
    ])
    .executeTakeFirstOrThrow();
  return { verrouilles: Number(row.locked ?? 0), 'liens-non-utilises': Number(row.unused ?? 0), 'mails-en-echec': Number(row.failed ?? 0) };
}

/** Requests waiting for customer service ("Nouvelle"): how many, and when the oldest arrived. */
export async function waitingRequests(db: Executor): Promise<{ count: number; oldestAt: number | null }> {
  const row = await db
    .selectFrom('account_requests')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.min<number | string | null>('created_at').as('oldest')])
    .where('state', '=', 'new')
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), oldestAt: row.oldest === null ? null : Number(row.oldest) };
}
