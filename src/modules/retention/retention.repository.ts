import type { Executor } from '../../db/executor.js';

// Every purge is a plain, idempotent DELETE (or UPDATE) bounded by a time cutoff: two instances
// running it at once just find fewer rows. The large, append-only tables are purged in batches so
// a first run over years of history never holds SQLite's single write lock for long.

export const RETENTION_BATCH_SIZE = 1000;

const count = (result: { numDeletedRows: bigint } | { numUpdatedRows: bigint }) =>
  Number('numDeletedRows' in result ? result.numDeletedRows : result.numUpdatedRows);

/** Sessions past their absolute end, or idle since `idleCutoff` (last_seen_at at or before it). */
export async function deleteEndedSessions(db: Executor, now: number, idleCutoff: number): Promise<number> {
  return count(await db.deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleCutoff)])).executeTakeFirstOrThrow());
}

export async function deleteEndedStaffSessions(db: Executor, now: number, idleCutoff: number): Promise<number> {
  return count(await db.deleteFrom('staff_sessions').where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleCutoff)])).executeTakeFirstOrThrow());
}

export async function deleteExpiredRememberTokens(db: Executor, now: number): Promise<number> {
  return count(await db.deleteFrom('remember_tokens').where('expires_at', '<=', now).executeTakeFirstOrThrow());
}

/** Browsers that have not signed their account in for `cutoff`: a later sign-in from them is new again. */
export async function deleteForgottenBrowsers(db: Executor, cutoff: number): Promise<number> {
  return count(await db.deleteFrom('known_browsers').where('last_seen_at', '<=', cutoff).executeTakeFirstOrThrow());
}

export async function deleteExpiredDevices(db: Executor, now: number): Promise<number> {
  return count(await db.deleteFrom('devices').where('expires_at', '<=', now).executeTakeFirstOrThrow());
}

/** E-mailed links, customer and staff (used, revoked or not), whose expiry is at or before `cutoff`. */
export async function deleteLinkTokensExpiredBy(db: Executor, cutoff: number): Promise<number> {
  return count(await db.deleteFrom('link_tokens').where('expires_at', '<=', cutoff).executeTakeFirstOrThrow());
}

/** Rate-limit rows whose newest use has left the window: they hold nothing that still counts. */
export async function deleteEndedRateLimits(db: Executor, now: number): Promise<number> {
  return count(await db.deleteFrom('rate_limits').where('expires_at', '<=', now).executeTakeFirstOrThrow());
}

/** Failure counters untouched since `cutoff` and not blocking anyone now. */
export async function deleteStaleLoginThrottles(db: Executor, now: number, cutoff: number): Promise<number> {
  return count(await db.deleteFrom('login_throttle').where('updated_at', '<=', cutoff).where('blocked_until', '<=', now).executeTakeFirstOrThrow());
}

/** Password-reset submissions already matched by the worker (their mail, if any, is in the outbox). */
export async function deleteProcessedResetRequests(db: Executor, cutoff: number): Promise<number> {
  return count(await db.deleteFrom('reset_requests').where('processed_at', '<=', cutoff).executeTakeFirstOrThrow());
}

/** Approved or rejected requests decided at or before `cutoff`; open ones are never purged. */
export async function deleteProcessedAccountRequests(db: Executor, cutoff: number, batchSize = RETENTION_BATCH_SIZE): Promise<number> {
  return inBatches(batchSize, async () =>
    count(
      await db
        .deleteFrom('account_requests')
        .where('id', 'in', db.selectFrom('account_requests').select('id').where('state', 'in', ['approved', 'rejected']).where('handled_at', '<=', cutoff).limit(batchSize))
        .executeTakeFirstOrThrow(),
    ),
  );
}

export async function deleteAuditEntriesBefore(db: Executor, cutoff: number, batchSize = RETENTION_BATCH_SIZE): Promise<number> {
  return inBatches(batchSize, async () =>
    count(
      await db
        .deleteFrom('audit_log')
        .where('id', 'in', db.selectFrom('audit_log').select('id').where('at', '<=', cutoff).limit(batchSize))
        .executeTakeFirstOrThrow(),
    ),
  );
}

/**
 * Empties the bodies (the personal content and the links) of mails sent, or failed for good, at or
 * before `cutoff`; the row stays as the record that a mail of this kind went to this address.
 */
export async function clearOldMailBodies(db: Executor, cutoff: number, batchSize = RETENTION_BATCH_SIZE): Promise<number> {
  return inBatches(batchSize, async () =>
    count(
      await db
        .updateTable('outbox')
        .set({ text_body: null, html_body: null })
        .where(
          'id',
          'in',
          db
            .selectFrom('outbox')
            .select('id')
            .where((eb) =>
              eb.and([
                eb.or([eb('text_body', 'is not', null), eb('html_body', 'is not', null)]),
                eb.or([eb.and([eb('status', '=', 'sent'), eb('sent_at', '<=', cutoff)]), eb.and([eb('status', '=', 'failed'), eb('created_at', '<=', cutoff)])]),
              ]),
            )
            .limit(batchSize),
        )
        .executeTakeFirstOrThrow(),
    ),
  );
}

/** Single sign-on: provider models past their expiry (codes, tokens, sessions, interactions, grants). */
export async function deleteExpiredOidcModels(db: Executor, now: number): Promise<number> {
  return count(await db.deleteFrom('oidc_models').where('expires_at', '<=', now).executeTakeFirstOrThrow());
}

async function inBatches(batchSize: number, batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await batch();
    total += done;
    if (done < batchSize) return total;
  }
}
