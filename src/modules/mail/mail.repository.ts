import { sql } from 'kysely';
import type { DialectName } from '../../db/database.js';
import type { Executor } from '../../db/executor.js';
import type { OutboxMessage } from './mail.table.js';
import { countRows, inBatches, RETENTION_BATCH_SIZE } from '../retention/retention.batches.js';

export async function insertOutboxMessage(
  db: Executor,
  row: { kind: string; account_id: number | null; recipient: string; reply_to: string | null; subject: string; text_body: string; html_body: string; created_at: number },
): Promise<number> {
  const result = await db
    .insertInto('outbox')
    .values({ ...row, status: 'pending', attempts: 0, next_attempt_at: row.created_at, lease_until: null, last_error: null, sent_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(result.id);
}

/**
 * Claims up to `limit` due messages for `leaseMs`. A message is due when pending and its time has
 * come, or when it was being sent by a worker whose lease ran out (that worker died). On
 * PostgreSQL, FOR UPDATE SKIP LOCKED lets several instances claim side by side without ever
 * taking the same row; SQLite has a single writer, so the UPDATE alone is atomic.
 */
export async function claimDueMessages(db: Executor, dialect: DialectName, now: number, leaseMs: number, limit: number): Promise<OutboxMessage[]> {
  let due = db
    .selectFrom('outbox')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
      ]),
    )
    .orderBy('id')
    .limit(limit);
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  return db
    .updateTable('outbox')
    .set({ status: 'sending', lease_until: now + leaseMs, attempts: sql<number>`attempts + 1` })
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

/**
 * Extends our claim on a message just before sending it, if it is still ours: the lease value we
 * set when claiming acts as a fencing token. False when the lease ran out and another worker
 * took the message, so a slow batch never sends a mail that someone else is sending.
 */
export async function renewClaim(db: Executor, id: number, heldLease: number, newLease: number): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ lease_until: newLease })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('lease_until', '=', heldLease)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Mails whose body holds a live link: the body is erased as soon as the mail is delivered. */
export const LINK_MAIL_KINDS = ['activation_link', 'welcome_link', 'reset_link', 'staff_setup_link'];

export async function markMessageSent(db: Executor, id: number, kind: string, now: number): Promise<void> {
  // S11: the outbox must keep a pending link mail to survive a restart, but not one minute longer.
  const erase = LINK_MAIL_KINDS.includes(kind) ? { text_body: null, html_body: null } : {};
  await db.updateTable('outbox').set({ status: 'sent', sent_at: now, lease_until: null, last_error: null, ...erase }).where('id', '=', id).execute();
}

export async function scheduleRetry(db: Executor, id: number, nextAttemptAt: number, error: string): Promise<void> {
  await db.updateTable('outbox').set({ status: 'pending', next_attempt_at: nextAttemptAt, lease_until: null, last_error: error }).where('id', '=', id).execute();
}

export async function markMessageFailed(db: Executor, id: number, error: string): Promise<void> {
  // S40: a link that will never be delivered must not wait 30 days in the outbox either.
  const link = sql<boolean>`kind in (${sql.join(LINK_MAIL_KINDS)})`;
  await db
    .updateTable('outbox')
    .set({
      status: 'failed',
      lease_until: null,
      last_error: error,
      text_body: sql<string | null>`case when ${link} then null else text_body end`,
      html_body: sql<string | null>`case when ${link} then null else html_body end`,
    })
    .where('id', '=', id)
    .execute();
}

/** Gives back claims this worker holds (graceful shutdown): another instance may take them at once. */
export async function releaseClaims(db: Executor, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('outbox').set({ status: 'pending', lease_until: null }).where('id', 'in', ids).where('status', '=', 'sending').execute();
}

export async function countRecentMailsTo(db: Executor, recipientLc: string, kind: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(sql`lower(recipient)`, '=', recipientLc)
    .where('kind', '=', kind)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---- Retention: what this module's clean-up job deletes (see its *.cleanup.ts).

/**
 * Empties the bodies (the personal content and the links) of mails sent, or failed for good, at or
 * before `cutoff`; the row stays as the record that a mail of this kind went to this address.
 */
export async function clearOldMailBodies(db: Executor, cutoff: number, batchSize = RETENTION_BATCH_SIZE): Promise<number> {
  return inBatches(batchSize, async () =>
    countRows(
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
