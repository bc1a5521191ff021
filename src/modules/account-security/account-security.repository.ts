import type { Executor } from '../../db/executor.js';

export async function listLiveSessions(db: Executor, accountId: number, now: number, idleMs: number) {
  return db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_seen_at', 'ip', 'user_agent', 'remember_series'])
    .where('account_id', '=', accountId)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', now - idleMs)
    .orderBy('last_seen_at', 'desc')
    .execute();
}

/** The live link of each remember-me series: one per remembered browser. */
export async function listRememberedSeries(db: Executor, accountId: number, now: number) {
  return db
    .selectFrom('remember_tokens')
    .select(['series', 'created_at', 'expires_at'])
    .where('account_id', '=', accountId)
    .where('rotated_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function listSignInActivity(db: Executor, accountId: number, limit: number) {
  return db
    .selectFrom('audit_log')
    .select(['at', 'event', 'outcome', 'ip', 'user_agent'])
    .where('account_id', '=', accountId)
    .where('event', 'in', ['login.success', 'login.failure'])
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Deletes one session of this account; another account's id matches nothing (S32). */
export async function findOwnSession(db: Executor, accountId: number, sessionId: string) {
  return db.selectFrom('sessions').select(['id', 'remember_series']).where('id', '=', sessionId).where('account_id', '=', accountId).executeTakeFirst();
}

export async function findOwnSeries(db: Executor, accountId: number, series: string) {
  return db.selectFrom('remember_tokens').select('series').where('series', '=', series).where('account_id', '=', accountId).executeTakeFirst();
}
