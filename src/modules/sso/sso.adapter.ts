import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import * as repo from './sso.repository.js';

/**
 * oidc-provider's storage on Kysely (SQLite and PostgreSQL): one table for every model, nothing in
 * process memory, so several instances behind a load balancer share sessions, codes and tokens.
 * Time is the system clock: the provider computes every expiry from Date.now() itself, so the
 * adapter must agree with it (the injected Clock of the rest of the app cannot drive the provider).
 *
 * `Client` is not stored here: it is read from `oidc_clients`, which the operator fills
 * (src/modules/sso/sso.clients.service.ts), so a disabled application is refused at once.
 */
export function kyselyAdapter(db: Kysely<DB>, clientMetadata: (clientId: string) => Promise<Record<string, unknown> | undefined>) {
  return class KyselyAdapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with the CLI (client:create)');
      const str = (v: unknown) => (typeof v === 'string' ? v : null);
      await repo.upsertModel(db, {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: str(payload.grantId),
        uid: str(payload.uid),
        user_code: str(payload.userCode),
        account_id: str(payload.accountId),
        expires_at: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : null,
        consumed_at: null,
      });
    }

    async find(id: string): Promise<Record<string, unknown> | undefined> {
      if (this.model === 'Client') return clientMetadata(id);
      return parse(await repo.findModel(db, this.model, id, Date.now()));
    }

    async findByUid(uid: string) {
      return parse(await repo.findModelBy(db, this.model, 'uid', uid, Date.now()));
    }

    async findByUserCode(userCode: string) {
      return parse(await repo.findModelBy(db, this.model, 'user_code', userCode, Date.now()));
    }

    async consume(id: string): Promise<void> {
      await repo.consumeModel(db, this.model, id, Math.floor(Date.now() / 1000));
    }

    async destroy(id: string): Promise<void> {
      await repo.destroyModel(db, this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await repo.destroyByGrant(db, grantId);
    }
  };
}

function parse(row: { payload: string; consumed_at: number | null } | undefined) {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as Record<string, unknown>;
  // The provider reads `consumed` (epoch seconds) to detect a replayed code or refresh token.
  return row.consumed_at === null ? payload : { ...payload, consumed: Number(row.consumed_at) };
}
