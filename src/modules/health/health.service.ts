import { type Kysely, sql } from 'kysely';
import { isSchemaCurrent } from '../../db/migrate.js';

/** Longest wait for the database before the instance calls itself not ready. */
export const READINESS_TIMEOUT_MS = 2000;

export type Readiness =
  | { ready: true }
  | { ready: false; database: 'unreachable' | 'timeout' | 'ok'; migrations: 'pending' | 'unknown' };

/**
 * Ready = the database answers `select 1` in time and every migration is applied. An instance
 * started against a database another (newer) instance has not finished migrating stays out of
 * the load balancer until it is.
 */
export async function checkReadiness(db: Kysely<any>, timeoutMs = READINESS_TIMEOUT_MS): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const check = (async () => {
    try {
      await sql`select 1`.execute(db);
    } catch {
      return 'unreachable' as const;
    }
    try {
      return (await isSchemaCurrent(db)) ? ('current' as const) : ('pending' as const);
    } catch {
      return 'unknown' as const;
    }
  })();
  try {
    const result = await Promise.race([check, timeout]);
    if (result === 'current') return { ready: true };
    if (result === 'timeout' || result === 'unreachable') return { ready: false, database: result, migrations: 'unknown' };
    return { ready: false, database: 'ok', migrations: result };
  } finally {
    clearTimeout(timer);
  }
}
