import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Executor } from '../../db/executor.js';
import type { Clock } from '../../shared/clock.js';
import { findSubjectOfAccount } from '../sso/sso.repository.js';
import { endSsoSessions, ssoHoldingsOf } from '../sso/sso.service.js';
import * as repo from './session.repository.js';

/** Why every sign-in of a customer ends: a change of password or access. */
export type SignInsEndReason = 'password_changed' | 'password_reset' | 'account_disabled' | 'staff_revoked' | 'account_erased';

/** Returned by a change that did not happen (a link consumed by a concurrent submit): nothing ends. */
export const NOTHING_CHANGED = Symbol('nothing changed');

class Unchanged extends Error {}

/**
 * S16, S20, S41: the one way a customer's sign-ins end after their password or their access
 * changed — own change in Mon Espace Pro, reset or activation, disable, "revoke every session" by
 * staff, erasure. In one transaction with `change`: every Espace Pro session and remember-me
 * series of the account (but `keep`, the browser that changed its own password) is deleted.
 * After the commit: every provider session and grant (so every refresh and access token of every
 * application) is deleted and each application signed in through it gets a back-channel logout.
 * What single sign-on holds is read before the change too, so a change that deletes those rows
 * itself (erasure) still notifies the applications.
 */
export async function changeAndEndSignIns<T>(
  deps: { db: Kysely<DB>; clock: Clock },
  accountId: number,
  reason: SignInsEndReason,
  change: (trx: Executor, ended: { sessions: number }) => Promise<T | typeof NOTHING_CHANGED>,
  keep?: { sessionId: string; rememberSeries: string | null },
): Promise<T | typeof NOTHING_CHANGED> {
  const { db } = deps;
  const sub = await findSubjectOfAccount(db, accountId);
  const earlier = sub ? await ssoHoldingsOf(db, sub) : null;
  let result: T;
  try {
    result = await db.transaction().execute(async (trx) => {
      const sessions = await repo.deleteSessionsOfAccountExcept(trx, accountId, keep?.sessionId ?? null);
      await repo.deleteRememberTokensOfAccountExcept(trx, accountId, keep?.rememberSeries ?? null);
      const value = await change(trx, { sessions });
      if (value === NOTHING_CHANGED) throw new Unchanged();
      return value;
    });
  } catch (error) {
    if (error instanceof Unchanged) return NOTHING_CHANGED;
    throw error;
  }
  await endSsoSessions(deps, accountId, reason, earlier);
  return result;
}
