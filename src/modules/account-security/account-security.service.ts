import type { Config } from '../../config.js';
import { describeUserAgent as describeBrowser, ipPrefix } from '../../shared/device.js';
import type { Lang } from '../../shared/i18n/languages.js';
import { mailLanguage } from '../account/account.service.js';
import { formatDateTime, formatShortDateTime } from '../../shared/format.js';
import { checkPassword, type PasswordVerdict } from '../../shared/password-policy.js';
import { passwordChangedMail, supportContact } from '../../views/mail/templates.js';
import * as accounts from '../account/account.repository.js';
import { type AttemptDeps, attemptPassword } from '../auth-core/attempts.js';
import { accountSubject } from '../auth-core/account-link.js';
import { revokeLinkTokens } from '../auth-core/link-tokens.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { enqueueMail } from '../mail/mail.service.js';
import { deleteRememberSeries, deleteSession, deleteSessionsOfSeries } from '../session/session.repository.js';
import { SESSION_IDLE_MS, type ValidSession } from '../session/session.service.js';
import { endSsoSessions } from '../sso/sso.service.js';
import { changeAndEndSignIns } from '../session/sign-out.js';
import * as repo from './account-security.repository.js';

export interface SecurityDeps extends AttemptDeps {
  config: Config;
}

/** Everything the "Sécurité" section shows; only ever the signed-in customer's own rows (S32). */
export async function getSecurityOverview(deps: SecurityDeps, customer: ValidSession, lang: Lang) {
  const { db, clock, config } = deps;
  const now = clock.now();
  // Every date of the page sits in a table: the short form; the page names the zone once.
  const when = (ms: number) => formatShortDateTime(ms, config.displayTimezone, lang);
  const describeUserAgent = (ua: string | null) => describeBrowser(ua, lang);
  const [sessions, series, activity] = await Promise.all([
    repo.listLiveSessions(db, customer.accountId, now, SESSION_IDLE_MS),
    repo.listRememberedSeries(db, customer.accountId, now),
    repo.listSignInActivity(db, customer.accountId, 20),
  ]);
  return {
    sessions: sessions.map((s) => ({
      id: s.id,
      browser: describeUserAgent(s.user_agent),
      place: ipPrefix(s.ip),
      lastSeen: when(s.last_seen_at),
      current: s.id === customer.id,
    })),
    devices: series.map((s) => {
      const session = sessions.find((x) => x.remember_series === s.series);
      return {
        series: s.series,
        browser: session ? describeUserAgent(session.user_agent) : null,
        since: when(s.created_at),
        until: when(s.expires_at),
        current: customer.rememberSeries === s.series,
      };
    }),
    activity: activity.map((a) => ({
      at: when(a.at),
      success: a.event === 'login.success',
      browser: describeUserAgent(a.user_agent),
      place: ipPrefix(a.ip),
    })),
  };
}

/** Ends one of the customer's sessions; an id that is not theirs changes nothing, silently (S32). */
export async function revokeOwnSession(deps: SecurityDeps, customer: ValidSession, sessionId: string, origin: AuditOrigin): Promise<void> {
  const { db, clock } = deps;
  const session = await repo.findOwnSession(db, customer.accountId, sessionId);
  if (!session) return;
  await db.transaction().execute(async (trx) => {
    await deleteSession(trx, session.id);
    if (session.remember_series) await deleteRememberSeries(trx, session.remember_series);
    await recordAudit(trx, clock, origin, { event: 'session.revoked', outcome: 'success', actorType: 'customer', actorId: customer.code, accountId: customer.accountId });
  });
  // S41: the applications signed in through Espace Pro are signed out too (back-channel).
  await endSsoSessions(deps, customer.accountId, 'revoked');
}

/** Forgets a remembered browser: its remember-me series and every session it opened. */
export async function revokeOwnDevice(deps: SecurityDeps, customer: ValidSession, series: string, origin: AuditOrigin): Promise<void> {
  const { db, clock } = deps;
  if (!(await repo.findOwnSeries(db, customer.accountId, series))) return;
  await db.transaction().execute(async (trx) => {
    await deleteRememberSeries(trx, series);
    await deleteSessionsOfSeries(trx, series);
    await recordAudit(trx, clock, origin, { event: 'remember.revoked', outcome: 'success', actorType: 'customer', actorId: customer.code, accountId: customer.accountId });
  });
  await endSsoSessions(deps, customer.accountId, 'revoked');
}

export type ChangePasswordError =
  | { field: 'actuel'; code: 'CURRENT_REQUIRED' | 'CURRENT_WRONG' | 'CURRENT_THROTTLED' }
  | { field: 'mot_de_passe'; verdict: PasswordVerdict }
  | { field: 'confirmation'; code: 'CONFIRMATION_REQUIRED' | 'MISMATCH' };

/**
 * Change of password from the signed-in area: the current password is required, the policy is
 * the same, every other session and remembered browser is signed out, a notice mail is queued.
 */
export async function changeOwnPassword(
  deps: SecurityDeps,
  customer: ValidSession,
  input: { current: string; password: string; confirmation: string },
  origin: AuditOrigin,
): Promise<{ ok: true } | { ok: false; errors: ChangePasswordError[] }> {
  const { db, clock, hasher, config } = deps;
  const account = await accounts.findAccountById(db, customer.accountId);
  if (!account?.password_hash) return { ok: false, errors: [{ field: 'actuel', code: 'CURRENT_WRONG' }] };
  const errors: ChangePasswordError[] = [];
  const verdict = checkPassword(input.password, { minLength: config.passwordMinLength, words: [config.brandName, account.code, account.email] });
  if (verdict) errors.push({ field: 'mot_de_passe', verdict });
  if (input.confirmation.length === 0) errors.push({ field: 'confirmation', code: 'CONFIRMATION_REQUIRED' });
  else if (!verdict && input.confirmation.normalize('NFKC') !== input.password.normalize('NFKC')) errors.push({ field: 'confirmation', code: 'MISMATCH' });
  if (input.current.length === 0) errors.unshift({ field: 'actuel', code: 'CURRENT_REQUIRED' });
  if (errors.length > 0) return { ok: false, errors };

  // Re-authentication goes through the attempt core like a login: the same per-identifier
  // throttle and per-client limit, reserved before the check (S8, S9, S36), so a stolen session
  // cannot be used to guess the password.
  const attempt = await attemptPassword(deps, { ip: origin.ip ?? '', throttleKey: account.code, loadHash: async () => account.password_hash, password: input.current });
  if (attempt.kind !== 'passed') {
    const reason = attempt.kind === 'failed' ? 'wrong_current_password' : attempt.kind;
    await recordAudit(db, clock, origin, { event: 'password.change_failed', outcome: attempt.kind === 'failed' ? 'failure' : 'blocked', actorType: 'customer', actorId: account.code, accountId: account.id, details: { reason } });
    return { ok: false, errors: [{ field: 'actuel', code: attempt.kind === 'failed' ? 'CURRENT_WRONG' : 'CURRENT_THROTTLED' }] };
  }

  const passwordHash = await hasher.hash(input.password);
  // S41: this browser stays signed in; every other session and remembered browser, and every
  // application signed in through Espace Pro (grants, refresh tokens: back-channel logout), ends.
  await changeAndEndSignIns(
    deps,
    account.id,
    'password_changed',
    async (trx, ended) => {
      const now = clock.now();
      await attempt.settle(trx);
      await accounts.setPassword(trx, account.id, passwordHash, now);
      await revokeLinkTokens(trx, clock, accountSubject(account.id), 'password_changed');
      const lang = mailLanguage(account);
      const mail = passwordChangedMail({ brand: config.brandName, company: account.company, code: account.code, when: formatDateTime(now, config.displayTimezone, lang), support: supportContact(config, lang), lang });
      await enqueueMail(trx, clock, { ...mail, kind: 'password_changed', to: account.email, accountId: account.id });
      await recordAudit(trx, clock, origin, { event: 'password.changed', outcome: 'success', actorType: 'customer', actorId: account.code, accountId: account.id, details: { otherSessionsRevoked: ended.sessions } });
    },
    { sessionId: customer.id, rememberSeries: customer.rememberSeries },
  );
  return { ok: true };
}
