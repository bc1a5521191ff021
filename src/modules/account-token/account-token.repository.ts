import type { Executor } from '../../db/executor.js';
import type { TokenPurpose } from './account-token.table.js';

export async function insertToken(db: Executor, row: { account_id: number; purpose: TokenPurpose; token_hash: string; created_at: number; expires_at: number }) {
  await db.insertInto('account_tokens').values({ ...row, consumed_at: null, revoked_at: null }).execute();
}

export async function revokeOpenTokens(db: Executor, accountId: number, now: number): Promise<number> {
  const result = await db
    .updateTable('account_tokens')
    .set({ revoked_at: now })
    .where('account_id', '=', accountId)
    .where('consumed_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findTokenWithAccount(db: Executor, tokenHash: string) {
  return db
    .selectFrom('account_tokens')
    .innerJoin('accounts', 'accounts.id', 'account_tokens.account_id')
    .select([
      'account_tokens.id',
      'account_tokens.account_id',
      'account_tokens.purpose',
      'account_tokens.expires_at',
      'account_tokens.consumed_at',
      'account_tokens.revoked_at',
      'accounts.code',
      'accounts.email',
      'accounts.company',
      'accounts.disabled_at',
      'accounts.password_hash',
    ])
    .where('account_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** The one conditional UPDATE that makes a token single-use, even under concurrent submits (S12). */
export async function markTokenConsumed(db: Executor, tokenHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('account_tokens')
    .set({ consumed_at: now })
    .where('token_hash', '=', tokenHash)
    .where('consumed_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
