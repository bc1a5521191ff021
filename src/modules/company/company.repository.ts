import type { Executor } from '../../db/executor.js';

/** Is the person a member of this company, and is the company open? (S43: checked on the server.) */
export async function findUsableMembership(db: Executor, accountId: number, companyId: number) {
  return db
    .selectFrom('memberships')
    .innerJoin('companies', 'companies.id', 'memberships.company_id')
    .select(['memberships.role', 'companies.code', 'companies.name'])
    .where('memberships.account_id', '=', accountId)
    .where('memberships.company_id', '=', companyId)
    .where('companies.disabled_at', 'is', null)
    .executeTakeFirst();
}
