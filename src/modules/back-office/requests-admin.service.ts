import { normalizeIdentifier } from '../../shared/identifier.js';
import { fail, FailureSignal, ok, type Result, runCatching } from '../../shared/result.js';
import { accountRequestRejectedMail, supportContact } from '../../views/mail/templates.js';
import * as accounts from '../account/account.repository.js';
import { findAccountRequestById } from '../account-request/account-request.repository.js';
import { applyTransition } from '../account-request/account-request.service.js';
import { recordAudit } from '../audit/audit.service.js';
import { enqueueMail } from '../mail/mail.service.js';
import { sendAccountLink } from '../auth-core/account-link.js';
import type { AdminDeps, StaffActor } from './accounts-admin.service.js';

export type RequestActionError = 'NOT_FOUND' | 'INVALID_TRANSITION' | 'CONFLICT' | 'CODE_INVALID' | 'REASON_REQUIRED' | 'REASON_TOO_LONG';

/** Inside a transaction: roll it back and report `code` (runCatching turns it into the Failure). */
function refuse(code: RequestActionError): never {
  throw new FailureSignal(fail(code));
}

/** "Prendre en charge": new → in progress. */
export async function startRequest(deps: AdminDeps, staff: StaffActor, id: number): Promise<Result<undefined, RequestActionError>> {
  return runCatching(() =>
    deps.db.transaction().execute(async (trx) => {
      const result = await applyTransition(trx, deps.clock, id, 'start', { id: staff.id });
      if (!result.ok) refuse(result.code);
      await recordAudit(trx, deps.clock, staff.origin, { event: 'staff.request_started', outcome: 'success', actorType: 'staff', actorId: staff.id, target: `request:${id}` });
      return ok();
    }),
  );
}

/**
 * Approve = create the web account for the ERP customer code, or link the request to the
 * existing account of that code, and send the first-login link through the same token
 * mechanism as the reset flow. One transaction: the state change (conditional, so never twice),
 * the account and the mail stand or fall together.
 */
export async function approveRequest(deps: AdminDeps, staff: StaffActor, id: number, rawCode: string): Promise<Result<{ accountId: number; created: boolean }, RequestActionError>> {
  const code = normalizeIdentifier(rawCode);
  if (!code) return fail('CODE_INVALID', 'code');
  return runCatching(() =>
    deps.db.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      let account = await accounts.findAccountByCode(trx, code);
      const created = account === undefined;
      const request = await findAccountRequestById(trx, id);
      if (!request) refuse('NOT_FOUND');
      if (!account) {
        const { companyId } = await accounts.insertPasswordlessAccount(trx, { code, email: request.email, company: request.company, now });
        account = (await accounts.findCompanyAccount(trx, companyId))!;
      }
      const result = await applyTransition(trx, deps.clock, id, 'approve', { id: staff.id }, { accountId: account.company_id });
      if (!result.ok) refuse(result.code);
      const activationSent = account.password_hash === null && account.disabled_at === null;
      if (activationSent) await sendAccountLink(deps, trx, account, 'welcome', undefined, `${request.first_name} ${request.last_name}`);
      await recordAudit(trx, deps.clock, staff.origin, {
        event: 'staff.request_approved',
        outcome: 'success',
        actorType: 'staff',
        actorId: staff.id,
        accountId: account.id,
        companyId: account.company_id,
        target: `request:${id}`,
        details: { code, accountCreated: created, activationSent },
      });
      return ok({ accountId: account.company_id, created });
    }),
  );
}

/** Reject = the requester gets a mail with the reason; the request is closed for good. */
export async function rejectRequest(deps: AdminDeps, staff: StaffActor, id: number, rawReason: string): Promise<Result<undefined, RequestActionError>> {
  const reason = rawReason.trim();
  if (!reason) return fail('REASON_REQUIRED', 'motif');
  if (reason.length > 1000) return fail('REASON_TOO_LONG', 'motif');
  return runCatching(() =>
    deps.db.transaction().execute(async (trx) => {
      const result = await applyTransition(trx, deps.clock, id, 'reject', { id: staff.id }, { reason });
      if (!result.ok) refuse(result.code);
      const request = result.request;
      // No person behind the address, and a staff decision caused the mail: French (S51).
      const mail = accountRequestRejectedMail({ brand: deps.config.brandName, company: request.company, name: `${request.first_name} ${request.last_name}`, reason, support: supportContact(deps.config, 'fr'), lang: 'fr' });
      await enqueueMail(trx, deps.clock, { ...mail, kind: 'account_request_rejected', to: request.email, accountId: null });
      await recordAudit(trx, deps.clock, staff.origin, { event: 'staff.request_rejected', outcome: 'success', actorType: 'staff', actorId: staff.id, target: `request:${id}` });
      return ok();
    }),
  );
}
