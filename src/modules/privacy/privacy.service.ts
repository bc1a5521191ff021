import { deletePasskeysOf, exportPasskeys } from '../passkeys/passkeys.service.js';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { hmacSha256 } from '../../shared/crypto.js';
import { fail, ok, type Result } from '../../shared/result.js';
import type { Executor } from '../../db/executor.js';
import { type CompanyAccount, findAccountById, findCompanyAccount, findPersonById } from '../account/account.repository.js';
import { findAccountRequestById } from '../account-request/account-request.repository.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import type { StaffActor } from '../back-office/accounts-admin.service.js';
import { loadOrCreateSecret } from '../settings/settings.service.js';
import { changeAndEndSignIns } from '../session/sign-out.js';
import * as repo from './privacy.repository.js';

/**
 * S42 (RGPD articles 15 and 17): customer service exports everything stored about a person — a
 * customer account or an account-opening request — and erases it. The audit log keeps the trace of
 * what happened and which staff member did it, under a pseudonym instead of the person; a keyed
 * hash, so the entries of one person stay together without naming them.
 */
export type PrivacyError = 'NOT_FOUND' | 'HOLDER';

interface Deps {
  db: Kysely<DB>;
  clock: Clock;
}

/** How the audit names a request: its staff actions and its submission. */
const requestTargets = (id: number) => [`request:${id}`, `account_request:${id}`];

async function pseudonymOf(db: Kysely<DB>, value: string): Promise<string> {
  return `effacé-${hmacSha256(await loadOrCreateSecret(db, 'pseudonym_key'), value).slice(0, 12)}`;
}

/** Everything stored about a person, seen through one of their companies; no password hash. */
async function personData(db: Kysely<DB>, account: CompanyAccount) {
  const { password_hash, ...fields } = account;
  const holder = account.holder_account_id !== null && Number(account.holder_account_id) === account.id;
  return {
    account: { ...fields, password_set: password_hash !== null },
    ...(await repo.collectAccountData(db, account, { codeIsTheirs: holder })),
    passkeys: await exportPasskeys(db, { type: 'person', id: account.id }),
  };
}

/** Staff: the holder of the company `id`, or the person `personId` of it (S43: a member of that company only). */
export async function exportAccountData(deps: Deps, staff: StaffActor, id: number, personId?: number): Promise<Result<Record<string, unknown>, PrivacyError>> {
  const account = personId === undefined ? await findCompanyAccount(deps.db, id) : await findAccountById(deps.db, personId, id);
  if (!account) return fail('NOT_FOUND');
  const data = await personData(deps.db, account);
  await recordAudit(deps.db, deps.clock, staff.origin, { event: 'privacy.account_exported', outcome: 'success', actorType: 'staff', actorId: staff.id, accountId: account.id, companyId: account.company_id, target: account.code });
  return ok(data);
}

/** RGPD articles 15 and 20: a person downloads their own data from Mon Espace Pro; the download is in the journal. */
export async function exportOwnData(deps: Deps, me: { accountId: number; companyId: number; email: string }, origin: AuditOrigin, format: 'json' | 'csv'): Promise<Result<Record<string, unknown>, PrivacyError>> {
  const account = await findAccountById(deps.db, me.accountId, me.companyId);
  if (!account) return fail('NOT_FOUND');
  const data = await personData(deps.db, account);
  await recordAudit(deps.db, deps.clock, origin, { event: 'privacy.self_exported', outcome: 'success', actorType: 'customer', actorId: me.email, accountId: account.id, companyId: account.company_id, target: account.code, details: { format } });
  return ok(data);
}

export async function exportRequestData(deps: Deps, staff: StaffActor, id: number): Promise<Result<Record<string, unknown>, PrivacyError>> {
  const request = await findAccountRequestById(deps.db, id);
  if (!request) return fail('NOT_FOUND');
  const data = { request, ...(await repo.collectRequestData(deps.db, request)) };
  await recordAudit(deps.db, deps.clock, staff.origin, { event: 'privacy.request_exported', outcome: 'success', actorType: 'staff', actorId: staff.id, target: `request:${id}` });
  return ok(data);
}

/** Erases one person in a transaction: their rows, their audit entries pseudonymised; their SSO ended first. */
async function erasePersonRows(deps: Deps, trx: Executor, person: { id: number; email: string; email_lc: string; oidc_sub: string | null }, heldCode: string | null, pseudonym: string) {
  const requests = await repo.requestIdsOf(trx, person);
  const where = { accountId: person.id, targets: [...(heldCode ? [heldCode] : []), person.email, person.email_lc, ...requests.flatMap(requestTargets)] };
  await repo.deleteLimitsOfIps(trx, await repo.ipsOf(trx, where));
  await repo.pseudonymiseAudit(trx, where, pseudonym);
  await repo.deleteRequestNotifications(trx, requests);
  // Passkeys have no foreign key (one table for people and staff): erased here, with the person.
  await deletePasskeysOf(trx, { type: 'person', id: person.id });
  await repo.eraseAccountRows(trx, { id: person.id, code: heldCode, email_lc: person.email_lc, oidc_sub: person.oidc_sub });
}

/**
 * Erases a company: the company, its memberships and invitations, and every one of its people
 * who belongs to no other company (its holder included, as before company accounts); a person
 * who also belongs elsewhere stays, without this company. Audit entries stay, pseudonymised.
 */
export async function eraseAccount(deps: Deps, staff: StaffActor, id: number): Promise<Result<{ pseudonym: string }, PrivacyError>> {
  const account = await findCompanyAccount(deps.db, id);
  if (!account) return fail('NOT_FOUND');
  const pseudonym = await pseudonymOf(deps.db, account.code);
  let people = 0;
  for (const personId of await repo.peopleOnlyIn(deps.db, account.company_id)) {
    const person = await findPersonById(deps.db, personId);
    if (!person) continue;
    const holds = Number(account.holder_account_id) === personId;
    const personPseudonym = holds ? pseudonym : await pseudonymOf(deps.db, person.email_lc);
    // S41: each person signed out everywhere (sessions, remember-me, every application by
    // back-channel) through the one door of sign-in endings, their rows gone in the same transaction.
    await changeAndEndSignIns(deps, personId, 'account_erased', (trx) => erasePersonRows(deps, trx, { ...person, id: personId }, holds ? account.code : null, personPseudonym));
    people++;
  }
  await deps.db.transaction().execute(async (trx) => {
    await repo.pseudonymiseAudit(trx, { accountId: null, targets: [account.code] }, pseudonym);
    await repo.eraseCompanyRows(trx, { id: account.company_id, code: account.code });
    await recordAudit(trx, deps.clock, staff.origin, { event: 'privacy.account_erased', outcome: 'success', actorType: 'staff', actorId: staff.id, target: pseudonym, details: { people } });
  });
  return ok({ pseudonym });
}

/**
 * Erases one person of a company, in every company they belong to. The holder of a company is
 * refused (HOLDER): hand the holder role over first, or erase the company.
 */
export async function erasePerson(deps: Deps, staff: StaffActor, companyId: number, personId: number): Promise<Result<{ pseudonym: string }, PrivacyError>> {
  const account = await findAccountById(deps.db, personId, companyId);
  if (!account) return fail('NOT_FOUND');
  if ((await repo.heldCompanies(deps.db, personId)).length > 0) return fail('HOLDER');
  const person = (await findPersonById(deps.db, personId))!;
  const pseudonym = await pseudonymOf(deps.db, person.email_lc);
  await changeAndEndSignIns(deps, personId, 'account_erased', async (trx) => {
    await erasePersonRows(deps, trx, { ...person, id: personId }, null, pseudonym);
    await recordAudit(trx, deps.clock, staff.origin, { event: 'privacy.person_erased', outcome: 'success', actorType: 'staff', actorId: staff.id, companyId, target: pseudonym });
  });
  return ok({ pseudonym });
}

/** Erases an account-opening request and the mails about it; its audit entries stay, without the requester. */
export async function eraseRequest(deps: Deps, staff: StaffActor, id: number): Promise<Result<{ pseudonym: string }, PrivacyError>> {
  const request = await findAccountRequestById(deps.db, id);
  if (!request) return fail('NOT_FOUND');
  const pseudonym = await pseudonymOf(deps.db, request.email.toLowerCase());
  await deps.db.transaction().execute(async (trx) => {
    const where = { accountId: null, targets: [...requestTargets(id), request.email] };
    await repo.deleteLimitsOfIps(trx, await repo.ipsOf(trx, where));
    await repo.pseudonymiseAudit(trx, where, pseudonym);
    await repo.deleteRequestNotifications(trx, [id]);
    await repo.eraseRequestRows(trx, request);
    await recordAudit(trx, deps.clock, staff.origin, { event: 'privacy.request_erased', outcome: 'success', actorType: 'staff', actorId: staff.id, target: `request:${id}` });
  });
  return ok({ pseudonym });
}
