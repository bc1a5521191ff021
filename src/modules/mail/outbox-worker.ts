import type { Kysely } from 'kysely';
import type { DialectName } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { type Clock, HOUR_MS, SECOND_MS } from '../../shared/clock.js';
import * as repo from './mail.repository.js';
import type { OutboxMessage } from './mail.table.js';
import { type MailTransport, TemporaryMailError } from './transport.js';

export interface WorkerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface OutboxWorkerOptions {
  db: Kysely<DB>;
  dialect: DialectName;
  clock: Clock;
  transport: MailTransport;
  from: string;
  /** Domain of the Message-ID (the host of PUBLIC_URL). */
  messageIdDomain: string;
  logger: WorkerLogger;
  /** How long a claimed message stays ours; a worker that dies loses it after this. */
  leaseMs?: number;
  pollMs?: number;
  batchSize?: number;
  maxAttempts?: number;
}

export const OUTBOX_LEASE_MS = 60 * SECOND_MS;
const RETRY_BASE_MS = 30 * SECOND_MS;
const RETRY_MAX_MS = HOUR_MS;

/** 30 s, 1 min, 2 min… up to 1 h between attempts. */
export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), RETRY_MAX_MS);
}

/**
 * Delivers the outbox in the background. A message is claimed under a lease, sent, then marked
 * sent; nothing is ever sent from inside a web request. If SMTP is down the message waits and
 * is retried with backoff; if the process dies, the lease runs out and any instance takes over.
 */
export function createOutboxWorker(options: OutboxWorkerOptions) {
  const { db, dialect, clock, transport, logger } = options;
  const leaseMs = options.leaseMs ?? OUTBOX_LEASE_MS;
  const batchSize = options.batchSize ?? 10;
  const maxAttempts = options.maxAttempts ?? 10;
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  let pass: Promise<number> | null = null;

  async function deliver(message: OutboxMessage): Promise<void> {
    try {
      const where = await transport.send({
        from: options.from,
        to: message.recipient,
        ...(message.reply_to ? { replyTo: message.reply_to } : {}),
        subject: message.subject,
        kind: message.kind,
        createdAt: Number(message.created_at),
        text: message.text_body ?? '',
        html: message.html_body ?? '',
        messageId: `<outbox-${message.id}@${options.messageIdDomain}>`,
      });
      await repo.markMessageSent(db, message.id, message.kind, clock.now());
      logger.info({ outboxId: message.id, kind: message.kind, delivered: where }, `Mail ${message.kind} #${message.id} delivered: ${where}`);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
      const temporary = error instanceof TemporaryMailError;
      if (temporary && message.attempts < maxAttempts) {
        const delay = retryDelayMs(message.attempts);
        await repo.scheduleRetry(db, message.id, clock.now() + delay, reason);
        logger.warn({ outboxId: message.id, attempts: message.attempts, retryInMs: delay, reason }, 'mail delivery failed, will retry');
      } else {
        await repo.markMessageFailed(db, message.id, reason);
        logger.error({ outboxId: message.id, attempts: message.attempts, reason }, 'mail delivery failed for good');
      }
    }
  }

  /** One pass: claim what is due and deliver it. Returns how many messages were handled. */
  async function runOnce(): Promise<number> {
    const claimed = await repo.claimDueMessages(db, dialect, clock.now(), leaseMs, batchSize);
    for (let i = 0; i < claimed.length; i++) {
      if (stopping) {
        await repo.releaseClaims(db, claimed.slice(i).map((m) => m.id));
        return i;
      }
      const message = claimed[i]!;
      if (!(await repo.renewClaim(db, message.id, message.lease_until!, clock.now() + leaseMs))) continue;
      await deliver(message);
    }
    return claimed.length;
  }

  function schedule() {
    if (stopping) return;
    timer = setTimeout(async () => {
      pass = runOnce().catch((error) => {
        logger.error({ err: { message: (error as Error).message } }, 'outbox pass failed; will try again');
        return 0;
      });
      const handled = await pass;
      pass = null;
      // A full batch means more may be waiting: go again at once.
      if (handled >= batchSize) setImmediate(schedule);
      else schedule();
    }, options.pollMs ?? 1000);
    timer.unref();
  }

  return {
    runOnce,
    /** Delivers everything due now (tests, CLI). */
    async drain(): Promise<number> {
      let total = 0;
      for (;;) {
        const handled = await runOnce();
        total += handled;
        if (handled === 0) return total;
      }
    },
    start(): void {
      stopping = false;
      schedule();
    },
    /** Stops polling, lets the mail being sent finish, and gives back what was claimed but not sent. */
    async stop(): Promise<void> {
      stopping = true;
      if (timer) clearTimeout(timer);
      if (pass) await pass;
    },
  };
}

export type OutboxWorker = ReturnType<typeof createOutboxWorker>;
