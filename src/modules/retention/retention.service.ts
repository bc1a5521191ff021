import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';

/** What every clean-up step may read: a step takes its own cutoffs from `now` and `config`. */
export interface CleanupContext {
  db: Kysely<DB>;
  /** The injected clock's time (epoch ms). */
  now: number;
  config: Pick<Config, 'requestRetentionDays' | 'auditRetentionDays'>;
}

/**
 * One clean-up job of a feature module (its `*.cleanup.ts`): a name for the report and a purge
 * returning how many rows it deleted or emptied. Retention runs them and knows no feature;
 * src/jobs.ts, the composition root, lists every module's steps (CLEANUP_STEPS).
 */
export interface CleanupStep {
  name: string;
  run(context: CleanupContext): Promise<number>;
}

export interface RetentionDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: CleanupContext['config'];
  steps: readonly CleanupStep[];
}

/** Rows purged or emptied, per step name. */
export type RetentionReport = Record<string, number>;

/**
 * One retention pass (GDPR, storage limitation): every registered step, in order
 * (src/modules/retention/README.md). Safe to run from several instances at once, and to stop
 * between two steps (`signal`): the next pass picks up what is left.
 */
export async function runRetention(deps: RetentionDeps, signal?: AbortSignal): Promise<RetentionReport> {
  const context: CleanupContext = { db: deps.db, now: deps.clock.now(), config: deps.config };
  const report: RetentionReport = Object.fromEntries(deps.steps.map((step) => [step.name, 0]));
  for (const step of deps.steps) {
    if (signal?.aborted) break;
    report[step.name] = await step.run(context);
  }
  return report;
}
