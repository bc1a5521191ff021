import { deletePasskeysOf, exportPasskeys } from '../passkeys/passkeys.service.js';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { hmacSha256 } from '../../shared/crypto.js';
import { fail, ok, type Result } from '../../shared/result.js';
import { findAccountById } from '../account/account.repository.js';
import { findAccountRequestById } from '../account-request/account-request.repository.js';
import { recordAudit } from '../audit/audit.service.js';
import type { StaffActor } from '../back-office/accounts-admin.service.js';
import { loadOrCreateSecret } from '../settings/settings.service.js';
import { endSsoSessions } from '../sso/sso.service.js';
import * as repo from './privacy.repository.js';

/**
 * S42 (RGPD articles 15 and 17): customer service exports everything stored about a person — a
 * customer account or an account-opening request — and erases it. The audit log keeps the trace of
 * what happened and which staff member did it, under a pseudonym instead of the person; a keyed
 * hash, so the entries of one person stay together without naming them.
 */
export type PrivacyError = 'NOT_FOUND';

interface Deps {
  db: Kysely<DB>;
  clock: Clock;
}

/** How the audit names a request: its staff actions and its submission. */
const requestTargets = (id: number) => [`request:${id}`, `account_request:${id}`];

async function pseudonymOf(db: Kysely<DB>, value: string): Promise<string> {
  return `effacé-${hmacSha256(await loadOrCreateSecret(db, 'pseudonym_key'), value).slice(0, 12)}`;
}

export async function exportAccountData(deps: Deps, staff: StaffActor, id: number): Promise<Result<Record<string, unknown>, PrivacyError>> {
  const account = await findAccountById(deps.db, id);
  if (!account) return fail('NOT_FOUND');
  const { password_hash, ...fields } = account;
  const data = { account: { ...fields, password_set: password_hash !== null }, ...(await repo.collectAccountData(deps.db, account)), passkeys: await exportPasskeys(deps.db, { type: 'person', id }) };
  await recordAudit(deps.db, deps.clock, staff.origin, { event: 'privacy.account_exported', outcome: 'success', actorType: 'staff', actorId: staff.id, accountId: id, target: account.code });
  return ok(data);
}

export async function exportRequestData(deps: Deps, staff: StaffActor, id: number): Promise<Result<Record<string, unknown>, PrivacyError>> {
  const request = await findAccountRequestById(deps.db, id);
  if (!request) return fail('NOT_FOUND');
  const data = { request, ...(await repo.collectRequestData(deps.db, request)) };
  await recordAudit(deps.db, deps.clock, staff.origin, { event: 'privacy.request_exported', outcome: 'success', actorType: 'staff', actorId: staff.id, target: `request:${id}` });
  return ok(data);
}

/** Erases an account and everything about its holder; its audit entries stay, pseudonymised. */
export async function eraseAccount(deps: Deps, staff: StaffActor, id: number): Promise<Result<{ pseudonym: string }, PrivacyError>> {
  const account = await findAccountById(deps.db, id);
  if (!account) return fail('NOT_FOUND');
  const pseudonym = await pseudonymOf(deps.db, account.code);
  // Signed out of every application first (back-channel), while the account still exists.
  await endSsoSessions(deps, id, 'account_erased');
  await deps.db.transaction().execute(async (trx) => {
    const requests = await repo.requestIdsOf(trx, account);
    const where = { accountId: id, targets: [account.code, account.email, account.email_lc, ...requests.flatMap(requestTargets)] };
    await repo.deleteLimitsOfIps(trx, await repo.ipsOf(trx, where));
    await repo.pseudonymiseAudit(trx, where, pseudonym);
    await repo.deleteRequestNotifications(trx, requests);
    // Passkeys have no foreign key (one table for people and staff): erased here, with the person.
    await deletePasskeysOf(trx, { type: 'person', id });
    await repo.eraseAccountRows(trx, account);
    await recordAudit(trx, deps.clock, staff.origin, { event: 'privacy.account_erased', outcome: 'success', actorType: 'staff', actorId: staff.id, accountId: id, target: pseudonym });
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
