import { normalizeIdentifier } from '../../shared/identifier.js';
import { accountRequestRejectedMail } from '../../views/mail/templates.js';
import * as accounts from '../account/account.repository.js';
import { applyTransition } from '../account-request/account-request.service.js';
import { recordAudit } from '../audit/audit.service.js';
import { enqueueMail } from '../mail/mail.service.js';
import { sendAccountLink } from '../password-reset/password-reset.service.js';
import type { AdminDeps, StaffActor } from './accounts-admin.service.js';

export type RequestActionError = 'NOT_FOUND' | 'INVALID_TRANSITION' | 'CONFLICT' | 'CODE_INVALID' | 'REASON_REQUIRED' | 'REASON_TOO_LONG';

/** Thrown inside a transaction to roll it back and report why. */
class RequestActionFailure extends Error {
  constructor(readonly code: RequestActionError) {
    super(code);
  }
}

async function run<T>(fn: () => Promise<T>): Promise<T | { error: RequestActionError }> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof RequestActionFailure) return { error: error.code };
    throw error;
  }
}

/** "Prendre en charge": new → in progress. */
export async function startRequest(deps: AdminDeps, staff: StaffActor, id: number) {
  return run(() =>
    deps.db.transaction().execute(async (trx) => {
      const result = await applyTransition(trx, deps.clock, id, 'start', { id: staff.id });
      if (!result.ok) throw new RequestActionFailure(result.code);
      await recordAudit(trx, deps.clock, staff.origin, { event: 'staff.request_started', outcome: 'success', actorType: 'staff', actorId: staff.id, target: `request:${id}` });
      return { ok: true as const };
    }),
  );
}

/**
 * Approve = create the web account for the ERP customer code, or link the request to the
 * existing account of that code, and send the first-login link through the same token
 * mechanism as the reset flow. One transaction: the state change (conditional, so never twice),
 * the account and the mail stand or fall together.
 */
export async function approveRequest(deps: AdminDeps, staff: StaffActor, id: number, rawCode: string) {
  const code = normalizeIdentifier(rawCode);
  if (!code) return { error: 'CODE_INVALID' as const };
  return run(() =>
    deps.db.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      let account = await accounts.findAccountByCode(trx, code);
      const created = account === undefined;
      const request = await trx.selectFrom('account_requests').selectAll().where('id', '=', id).executeTakeFirst();
      if (!request) throw new RequestActionFailure('NOT_FOUND');
      if (!account) {
        const accountId = await accounts.insertAccount(trx, {
          code,
          email: request.email,
          email_lc: request.email.toLowerCase(),
          company: request.company,
          password_hash: null,
          created_at: now,
          updated_at: now,
          activated_at: null,
          disabled_at: null,
          last_login_at: null,
          password_changed_at: null,
        });
        account = (await accounts.findAccountById(trx, accountId))!;
      }
      const result = await applyTransition(trx, deps.clock, id, 'approve', { id: staff.id }, { accountId: account.id });
      if (!result.ok) throw new RequestActionFailure(result.code);
      const activationSent = account.password_hash === null && account.disabled_at === null;
      if (activationSent) await sendAccountLink(deps, trx, account, 'welcome');
      await recordAudit(trx, deps.clock, staff.origin, {
        event: 'staff.request_approved',
        outcome: 'success',
        actorType: 'staff',
        actorId: staff.id,
        accountId: account.id,
        target: `request:${id}`,
        details: { code, accountCreated: created, activationSent },
      });
      return { ok: true as const, accountId: account.id, created };
    }),
  );
}

/** Reject = the requester gets a mail with the reason; the request is closed for good. */
export async function rejectRequest(deps: AdminDeps, staff: StaffActor, id: number, rawReason: string) {
  const reason = rawReason.trim();
  if (!reason) return { error: 'REASON_REQUIRED' as const };
  if (reason.length > 1000) return { error: 'REASON_TOO_LONG' as const };
  return run(() =>
    deps.db.transaction().execute(async (trx) => {
      const result = await applyTransition(trx, deps.clock, id, 'reject', { id: staff.id }, { reason });
      if (!result.ok) throw new RequestActionFailure(result.code);
      const request = result.request;
      const mail = accountRequestRejectedMail({ brand: deps.config.brandName, company: request.company, name: `${request.first_name} ${request.last_name}`, reason });
      await enqueueMail(trx, deps.clock, { ...mail, kind: 'account_request_rejected', to: request.email, accountId: null });
      await recordAudit(trx, deps.clock, staff.origin, { event: 'staff.request_rejected', outcome: 'success', actorType: 'staff', actorId: staff.id, target: `request:${id}` });
      return { ok: true as const };
    }),
  );
}
