import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { recordAudit } from '../audit/audit.service.js';
import type { AppMetrics } from '../metrics/metrics.js';
import * as repo from './sso.repository.js';

/** One provider per database (one per app): endSsoSessions finds it here to send back-channel logouts. */
const providers = new WeakMap<object, any>();
const metricsOf = new WeakMap<object, AppMetrics>();

export function registerProvider(db: Kysely<DB>, provider: unknown, metrics: AppMetrics): void {
  providers.set(db, provider);
  metricsOf.set(db, metrics);
}

/** Grants revoked by us (not by the provider, which emits its own event): one per application. */
function countRevocations(db: object, clientIds: Iterable<string>): void {
  for (const clientId of clientIds) metricsOf.get(db)?.countSso?.('revocation', clientId);
}

export type EndReason = 'logout' | 'password_reset' | 'password_changed' | 'account_disabled' | 'revoked' | 'staff_revoked' | 'account_erased' | 'membership_changed';

/** What single sign-on holds for a subject: its grants (grant id → application) and the sessions to notify. */
export interface SsoHoldings {
  sub: string;
  /** How many provider sessions it has. */
  sessions: number;
  grants: Map<string, string>;
  notify: Map<string, { clientId: string; sid: string }>;
}

/** Reads, without changing anything, the grants and provider sessions of a subject. */
export async function ssoHoldingsOf(db: Kysely<DB>, sub: string): Promise<SsoHoldings> {
  const sessions = await repo.findSessionsOf(db, sub);
  // grant id → application, from the grants themselves and from the sessions that hold them.
  const grants = new Map((await repo.findGrantsOf(db, sub, 0)).map((g) => [g.id, (JSON.parse(g.payload) as { clientId: string }).clientId]));
  const notify = new Map<string, { clientId: string; sid: string }>();
  for (const row of sessions) {
    const payload = JSON.parse(row.payload) as { authorizations?: Record<string, { grantId?: string; sid?: string }> };
    for (const [clientId, auth] of Object.entries(payload.authorizations ?? {})) {
      if (auth.grantId) grants.set(auth.grantId, clientId);
      if (auth.sid) notify.set(`${clientId} ${auth.sid}`, { clientId, sid: auth.sid });
    }
  }
  return { sub, sessions: sessions.length, grants, notify };
}

/**
 * Logout everywhere, in one place: every provider session of the account, every grant it gave
 * (so every refresh and access token) is deleted, then each application that was signed in
 * through one of those sessions receives a back-channel logout token. Called after the caller's
 * own transaction has committed. Without a running provider (the CLI), the rows still go.
 * `earlier`: holdings read before a change that deletes rows itself (erasure), still notified.
 */
export async function endSsoSessions(
  deps: { db: Kysely<DB>; clock: Clock },
  accountId: number,
  reason: EndReason,
  earlier?: SsoHoldings | null,
): Promise<{ sessions: number; grants: number; notified: number }> {
  const { db } = deps;
  const sub = earlier?.sub ?? (await repo.findSubjectOfAccount(db, accountId));
  if (!sub) return { sessions: 0, grants: 0, notified: 0 };
  const { grants: grantIds, notify } = await ssoHoldingsOf(db, sub);
  for (const [id, clientId] of earlier?.grants ?? []) grantIds.set(id, clientId);
  for (const [key, value] of earlier?.notify ?? []) notify.set(key, value);
  for (const grantId of grantIds.keys()) {
    await repo.destroyByGrant(db, grantId);
    await repo.destroyModel(db, 'Grant', grantId);
  }
  const ended = Math.max(await repo.deleteModelsOfAccount(db, sub, ['Session']), earlier?.sessions ?? 0);
  countRevocations(db, grantIds.values());
  let notified = 0;
  const provider = providers.get(db);
  if (provider) {
    await Promise.all(
      [...notify.values()].map(async ({ clientId, sid }) => {
        const client = await provider.Client.find(clientId);
        if (!client?.backchannelLogoutUri) return;
        try {
          await client.backchannelLogout(sub, sid);
          notified++;
        } catch {
          // An application that is down misses this notice; its tokens are already gone.
        }
      }),
    );
  }
  if (ended > 0 || grantIds.size > 0) {
    await recordAudit(db, deps.clock, { ip: null, userAgent: null }, {
      event: 'sso.sessions_ended',
      outcome: 'success',
      actorType: 'system',
      accountId,
      details: { reason, sessions: ended, grants: grantIds.size, backchannel: notified },
    });
  }
  return { sessions: ended, grants: grantIds.size, notified };
}

/**
 * Security page "Révoquer" on one application: its grants for this account (and every token they
 * carry) go, it leaves the account's provider sessions, and it gets a back-channel logout notice.
 */
export async function revokeApplication(deps: { db: Kysely<DB>; clock: Clock }, accountId: number, clientId: string): Promise<number> {
  const { db } = deps;
  const sub = await repo.findSubjectOfAccount(db, accountId);
  if (!sub) return 0;
  const grants = (await repo.findGrantsOf(db, sub, 0)).filter((g) => (JSON.parse(g.payload) as { clientId?: string }).clientId === clientId);
  for (const g of grants) {
    await repo.destroyByGrant(db, g.id);
    await repo.destroyModel(db, 'Grant', g.id);
  }
  countRevocations(db, grants.map(() => clientId));
  const sids: string[] = [];
  for (const row of await repo.findSessionsOf(db, sub)) {
    const payload = JSON.parse(row.payload) as { authorizations?: Record<string, { sid?: string }> };
    const auth = payload.authorizations?.[clientId];
    if (!auth) continue;
    if (auth.sid) sids.push(auth.sid);
    delete payload.authorizations![clientId];
    await repo.updateModelPayload(db, 'Session', row.id, JSON.stringify(payload));
  }
  const provider = providers.get(db);
  const client = provider ? await provider.Client.find(clientId) : undefined;
  if (client?.backchannelLogoutUri) await Promise.all(sids.map((sid) => client.backchannelLogout(sub, sid).catch(() => undefined)));
  if (grants.length > 0) {
    await recordAudit(db, deps.clock, { ip: null, userAgent: null }, { event: 'sso.application_revoked', outcome: 'success', actorType: 'customer', accountId, target: clientId, details: { grants: grants.length } });
  }
  return grants.length;
}

/** The applications holding a grant for this account (security page). */
export async function applicationsWithTokens(deps: { db: Kysely<DB> }, accountId: number): Promise<Array<{ clientId: string; name: string }>> {
  const sub = await repo.findSubjectOfAccount(deps.db, accountId);
  if (!sub) return [];
  const ids = new Set((await repo.findGrantsOf(deps.db, sub, Date.now())).map((g) => (JSON.parse(g.payload) as { clientId: string }).clientId));
  const out: Array<{ clientId: string; name: string }> = [];
  for (const clientId of ids) {
    const c = await repo.findClient(deps.db, clientId);
    if (c) out.push({ clientId, name: c.name });
  }
  return out;
}
