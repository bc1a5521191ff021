import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { fail, ok, type Result } from '../../shared/result.js';
import { listCompaniesOfPerson } from '../account/account.repository.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { chooseSessionCompany, chooseSeriesCompany } from '../session/session.service.js';
import * as repo from './company.repository.js';

export interface CompanyDeps {
  db: Kysely<DB>;
  clock: Clock;
}

/** "Choisissez le compte client": the open companies of a person, in one query. */
export async function listChoosableCompanies(db: Kysely<DB>, accountId: number) {
  const rows = await listCompaniesOfPerson(db, accountId);
  return rows.filter((r) => r.company_disabled_at === null).map((r) => ({ id: r.company_id, code: r.code, name: r.company, role: r.role }));
}

/**
 * Signs the session in to one of the person's companies (after sign-in, or a switch): only a
 * company the person belongs to and that is open (S43); a remembered browser comes back to it.
 */
export async function chooseCompany(
  deps: CompanyDeps,
  session: { id: string; accountId: number; rememberSeries: string | null },
  companyId: number,
  origin: AuditOrigin,
): Promise<Result<{ code: string }, 'NOT_A_MEMBER'>> {
  const { db, clock } = deps;
  return db.transaction().execute(async (trx) => {
    const membership = await repo.findUsableMembership(trx, session.accountId, companyId);
    if (!membership) return fail('NOT_A_MEMBER');
    await chooseSessionCompany(trx, session.id, companyId);
    if (session.rememberSeries) await chooseSeriesCompany(trx, session.rememberSeries, companyId);
    await recordAudit(trx, clock, origin, { event: 'company.chosen', outcome: 'success', actorType: 'customer', actorId: membership.code, accountId: session.accountId, companyId, target: membership.code });
    return ok({ code: membership.code });
  });
}
