import { HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { type RetentionDeps, runRetention } from './retention.service.js';

export const RETENTION_INTERVAL_MS = HOUR_MS;

interface Logger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RetentionJob {
  /** Cancels the next pass and waits for the one in flight to reach the end of its current step. */
  stop(): Promise<void>;
}

/**
 * Runs the retention pass every hour on an unref'd timer (it never keeps the process alive). The
 * first pass waits a minute so it does not compete with start-up and migrations.
 */
export function startRetentionJob(deps: RetentionDeps, logger: Logger, options: { intervalMs?: number; firstRunMs?: number } = {}): RetentionJob {
  const intervalMs = options.intervalMs ?? RETENTION_INTERVAL_MS;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;

  const schedule = (delayMs: number) => {
    if (abort.signal.aborted) return;
    timer = setTimeout(() => {
      running = pass().finally(() => {
        running = null;
        schedule(intervalMs);
      });
    }, delayMs);
    timer.unref();
  };

  async function pass(): Promise<void> {
    try {
      const started = Date.now();
      const report = await runRetention(deps, abort.signal);
      const purged = Object.values(report).reduce((a, b) => a + b, 0);
      logger.info({ retention: report, durationMs: Date.now() - started }, purged > 0 ? `retention: ${purged} rows purged or emptied` : 'retention: nothing to purge');
    } catch (error) {
      logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'retention pass failed; next try in an hour');
    }
  }

  schedule(options.firstRunMs ?? MINUTE_MS);
  return {
    async stop() {
      abort.abort();
      clearTimeout(timer);
      if (running) await running;
    },
  };
}
