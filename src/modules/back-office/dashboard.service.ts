import type { Executor } from '../../db/executor.js';
import type { Clock } from '../../shared/clock.js';
import * as repo from './dashboard.repository.js';

export type { AccountFilter } from './dashboard.repository.js';
export { ACCOUNT_FILTERS, UNUSED_LINK_AFTER_MS } from './dashboard.repository.js';

/** What customer service opens the back office for, each figure matching the list it links to. */
export interface DashboardFigures {
  requestsWaiting: number;
  /** How long the oldest waiting request has waited, in ms (null: none waiting). */
  oldestRequestAgeMs: number | null;
  lockedAccounts: number;
  unusedLinks: number;
  failedMails: number;
}

export async function dashboardFigures(deps: { db: Executor; clock: Clock }): Promise<DashboardFigures> {
  const now = deps.clock.now();
  const [requests, accounts] = await Promise.all([repo.waitingRequests(deps.db), repo.countAccountsByFilter(deps.db, now)]);
  return {
    requestsWaiting: requests.count,
    oldestRequestAgeMs: requests.oldestAt === null ? null : Math.max(0, now - requests.oldestAt),
    lockedAccounts: accounts.verrouilles,
    unusedLinks: accounts['liens-non-utilises'],
    failedMails: accounts['mails-en-echec'],
  };
}
