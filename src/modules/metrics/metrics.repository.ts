import type { Executor } from '../../db/executor.js';

export interface OutboxStats {
  /** pending + sending */
  waiting: number;
  oldestWaitingCreatedAt: number | null;
  failed: number;
}

/** One grouped query over the outbox index (status, …): cheap even with a long sent history. */
export async function readOutboxStats(db: Executor): Promise<OutboxStats> {
  const rows = await db
    .selectFrom('outbox')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n'), eb.fn.min<number>('created_at').as('oldest')])
    .where('status', 'in', ['pending', 'sending', 'failed'])
    .groupBy('status')
    .execute();
  const stats: OutboxStats = { waiting: 0, oldestWaitingCreatedAt: null, failed: 0 };
  for (const row of rows) {
    const count = Number(row.n);
    if (row.status === 'failed') {
      stats.failed = count;
      continue;
    }
    stats.waiting += count;
    const oldest = row.oldest === null ? null : Number(row.oldest);
    if (oldest !== null && (stats.oldestWaitingCreatedAt === null || oldest < stats.oldestWaitingCreatedAt)) stats.oldestWaitingCreatedAt = oldest;
  }
  return stats;
}
