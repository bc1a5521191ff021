import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { hasLineBreak, isValidEmail, normalizeEmail } from '../../shared/validation.js';
import { findAccountById } from '../account/account.repository.js';
import { revokeAccountTokens } from '../account-token/account-token.service.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { sendAccountLink } from '../password-reset/password-reset.service.js';
import { clearIdentifierThrottle } from '../security/security.service.js';
import { findThrottle } from '../security/security.repository.js';
import { invalidateAccountSessions } from '../session/session.service.js';
import * as repo from './accounts-admin.repository.js';

export interface AdminDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
}

/** Who acts in the back office, as the audit log names them. */
export interface StaffActor {
  id: string;
  origin: AuditOrigin;
}

/** What customer service sees of an account. Staff never see or set a password (S5). */
export type AdminAccountStatus = 'pre-created' | 'link-sent' | 'activated' | 'throttled' | 'disabled';

export function adminStatus(account: { password_hash: string | null; disabled_at: number | null }, openLink: boolean, throttled: boolean): AdminAccountStatus {
  if (account.disabled_at !== null) return 'disabled';
  if (throttled) return 'throttled';
  if (account.password_hash !== null) return 'activated';
  return openLink ? 'link-sent' : 'pre-created';
}

export async function searchAccounts(db: Kysely<DB>, query: string, now: number) {
  return repo.searchAccounts(db, query.slice(0, 100), 100, now);
}

export async function getAccountDetail(deps: AdminDeps, id: number) {
  const { db, clock } = deps;
  const account = await findAccountById(db, id);
  if (!account) return null;
  const now = clock.now();
  const [openLink, throttle, mails, sessions] = await Promise.all([
    repo.findOpenToken(db, id, now),
    findThrottle(db, account.code),
    repo.listMailsOfAccount(db, id, 20),
    repo.countSessions(db, id, now),
  ]);
  const throttled = throttle !== undefined && Number(throttle.blocked_until) > now;
  return {
    account: {
      id: account.id,
      code: account.code,
      email: account.email,
      company: account.company,
      createdAt: account.created_at,
      activatedAt: account.activated_at,
      lastLoginAt: account.last_login_at,
      disabledAt: account.disabled_at,
    },
    status: adminStatus(account, openLink !== undefined, throttled),
    openLink: openLink ?? null,
    throttle: throttle ? { failures: Number(throttle.failures), blockedUntil: Number(throttle.blocked_until) } : null,
    sessions,
    mails,
  };
}

export type AdminActionError = 'NOT_FOUND' | 'INVALID_EMAIL' | 'DISABLED';

async function withAccount<T>(deps: AdminDeps, id: number, fn: (account: NonNullable<Awaited<ReturnType<typeof findAccountById>>>) => Promise<T>): Promise<T | AdminActionError> {
  const account = await findAccountById(deps.db, id);
  if (!account) return 'NOT_FOUND';
  return fn(account);
}

/** Sends an activation (no password yet) or reset link; the newest link voids older ones. */
export async function sendLinkByStaff(deps: AdminDeps, staff: StaffActor, id: number) {
  return withAccount(deps, id, async (account) => {
    if (account.disabled_at !== null) return 'DISABLED' as const;
    return deps.db.transaction().execute(async (trx) => {
      const { purpose } = await sendAccountLink(deps, trx, account);
      await recordAudit(trx, deps.clock, staff.origin, { event: 'staff.link_sent', outcome: 'success', actorType: 'staff', actorId: staff.id, accountId: id, target: account.code, details: { purpose } });
      return purpose;
    });
  });
}

/** Changing the e-mail voids every pending link (S12): it was sent to the old address. */
export async function changeEmailByStaff(deps: AdminDeps, staff: StaffActor, id: number, rawEmail: string) {
  const email = normalizeEmail(rawEmail);
  if (!isValidEmail(email) || hasLineBreak(email)) return 'INVALID_EMAIL' as const;
  return withAccount(deps, id, (account) =>
    deps.db.transaction().execute(async (trx) => {
      await repo.updateEmail(trx, id, email, deps.clock.now());
      const voided = await revokeAccountTokens(trx, deps.clock, id);
      await recordAudit(trx, deps.clock, staff.origin, {
        event: 'staff.email_changed',
        outcome: 'success',
        actorType: 'staff',
        actorId: staff.id,
        accountId: id,
        target: account.code,
        details: { from: account.email, to: email, linksVoided: voided },
      });
      return 'ok' as const;
    }),
  );
}

/** Disable revokes every session, remember-me token and link of the account at once. */
export async function setAccountDisabled(deps: AdminDeps, staff: StaffActor, id: number, disabled: boolean) {
  return withAccount(deps, id, (account) =>
    deps.db.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      await repo.setDisabledAt(trx, id, disabled ? now : null, now);
      let sessions = 0;
      if (disabled) {
        sessions = await invalidateAccountSessions(trx, id);
        await revokeAccountTokens(trx, deps.clock, id);
      }
      await recordAudit(trx, deps.clock, staff.origin, {
        event: disabled ? 'staff.account_disabled' : 'staff.account_enabled',
        outcome: 'success',
        actorType: 'staff',
        actorId: staff.id,
        accountId: id,
        target: account.code,
        details: disabled ? { sessionsRevoked: sessions } : undefined,
      });
      return 'ok' as const;
    }),
  );
}

export async function revokeSessionsByStaff(deps: AdminDeps, staff: StaffActor, id: number) {
  return withAccount(deps, id, (account) =>
    deps.db.transaction().execute(async (trx) => {
      const sessions = await invalidateAccountSessions(trx, id);
      await recordAudit(trx, deps.clock, staff.origin, { event: 'staff.sessions_revoked', outcome: 'success', actorType: 'staff', actorId: staff.id, accountId: id, target: account.code, details: { sessionsRevoked: sessions } });
      return 'ok' as const;
    }),
  );
}

export async function clearThrottleByStaff(deps: AdminDeps, staff: StaffActor, id: number) {
  return withAccount(deps, id, async (account) => {
    await clearIdentifierThrottle(deps.db, account.code);
    await recordAudit(deps.db, deps.clock, staff.origin, { event: 'staff.throttle_cleared', outcome: 'success', actorType: 'staff', actorId: staff.id, accountId: id, target: account.code });
    return 'ok' as const;
  });
}
