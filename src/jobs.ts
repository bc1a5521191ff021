import { passkeysCleanup } from './modules/passkeys/passkeys.cleanup.js';
import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import type { DialectName } from './db/database.js';
import type { DB } from './db/schema.js';
import { accountRequestCleanup } from './modules/account-request/account-request.cleanup.js';
import { auditCleanup } from './modules/audit/audit.cleanup.js';
import { authCoreCleanup } from './modules/auth-core/auth-core.cleanup.js';
import { mailCleanup } from './modules/mail/mail.cleanup.js';
import { createOutboxWorker, type WorkerLogger } from './modules/mail/outbox-worker.js';
import type { MailTransport } from './modules/mail/transport.js';
import { processPendingResets } from './modules/password-reset/password-reset.service.js';
import { passwordResetCleanup } from './modules/password-reset/password-reset.cleanup.js';
import { startRetentionJob, type RetentionJob } from './modules/retention/retention.job.js';
import type { CleanupStep } from './modules/retention/retention.service.js';
import { sessionCleanup } from './modules/session/session.cleanup.js';
import { ssoCleanup } from './modules/sso/sso.cleanup.js';
import { staffCleanup } from './modules/staff/staff.cleanup.js';
import type { Clock } from './shared/clock.js';

export interface JobsDeps {
  db: Kysely<DB>;
  dialect: DialectName;
  clock: Clock;
  config: Config;
  transport: MailTransport;
  logger: WorkerLogger;
  /** Domain of the Message-ID of every mail (the host of PUBLIC_URL). */
  messageIdDomain: string;
}

/**
 * Every module's own clean-up job, in the order of a retention pass: retention runs them and knows
 * no feature (src/modules/retention/README.md). A new table with personal data adds its module's
 * steps here.
 */
export const CLEANUP_STEPS: readonly CleanupStep[] = Object.freeze([
  ...sessionCleanup,
  ...staffCleanup,
  ...authCoreCleanup,
  ...passwordResetCleanup,
  ...accountRequestCleanup,
  ...auditCleanup,
  ...mailCleanup,
  ...ssoCleanup,
  ...passkeysCleanup,
]);

/** How often the reset matcher looks for new "Réinitialiser mot de passe" submissions. */
const RESET_MATCHER_POLL_MS = 1000;

/**
 * Every background job, composed once — server.ts starts them, the tests drive them by hand:
 * the reset matcher (S15: requests are matched off the web request and become outbox mails),
 * the mail outbox, and the hourly retention pass.
 */
export function createBackgroundJobs(deps: JobsDeps) {
  const { db, dialect, clock, config, transport, logger } = deps;
  const outbox = createOutboxWorker({
    db,
    dialect,
    clock,
    transport,
    from: config.mailFrom,
    messageIdDomain: deps.messageIdDomain,
    leaseMs: config.outboxLeaseSeconds * 1000,
    logger,
  });
  const matchResets = () => processPendingResets({ db, clock, config });

  let matcherTimer: NodeJS.Timeout | undefined;
  let matcherPass: Promise<unknown> | null = null;
  let stopped = false;
  const scheduleMatcher = () => {
    if (stopped) return;
    matcherTimer = setTimeout(() => {
      matcherPass = matchResets()
        .catch((error: unknown) => logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'reset matcher pass failed; will try again'))
        .finally(() => {
          matcherPass = null;
          scheduleMatcher();
        });
    }, RESET_MATCHER_POLL_MS);
    matcherTimer.unref();
  };
  let retention: RetentionJob | null = null;

  return {
    outbox,
    /** Matches pending reset requests, then delivers every mail due, until nothing is left (tests, CLI). */
    async drain(): Promise<number> {
      let total = 0;
      for (;;) {
        const handled = (await matchResets()) + (await outbox.runOnce());
        total += handled;
        if (handled === 0) return total;
      }
    },
    start(): void {
      stopped = false;
      scheduleMatcher();
      outbox.start();
      retention = startRetentionJob({ db, clock, config, steps: CLEANUP_STEPS }, logger);
    },
    /** Stops every job; the mail being sent and the retention step in flight finish first. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(matcherTimer);
      await Promise.all([matcherPass, outbox.stop(), retention?.stop()]);
    },
  };
}

export type BackgroundJobs = ReturnType<typeof createBackgroundJobs>;
