import type { Executor } from '../../db/executor.js';

// Helpers for the clean-up jobs each feature module registers (src/jobs.ts lists them). Every purge
// is a plain, idempotent DELETE (or UPDATE) bounded by a time cutoff: two instances running it at
// once just find fewer rows. The large, append-only tables are purged in batches so a first run
// over years of history never holds SQLite's single write lock for long.

export type { Executor };

export const RETENTION_BATCH_SIZE = 1000;

/** Rows deleted or updated by a Kysely result. */
export const countRows = (result: { numDeletedRows: bigint } | { numUpdatedRows: bigint }) =>
  Number('numDeletedRows' in result ? result.numDeletedRows : result.numUpdatedRows);

/** Runs `batch` until it handles fewer than `batchSize` rows; returns the total. */
export async function inBatches(batchSize: number, batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await batch();
    total += done;
    if (done < batchSize) return total;
  }
}
