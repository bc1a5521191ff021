import type { Clock } from '../../shared/clock.js';
import { randomToken, sha256 } from '../../shared/crypto.js';
import type { Executor } from '../../db/executor.js';
import * as repo from './account-token.repository.js';
import type { TokenPurpose } from './account-token.table.js';

/**
 * S11/S12: 256 bits from the CSPRNG, only the SHA-256 stored. Issuing a link voids every older
 * open link of the account, so only the newest works.
 */
export async function issueAccountToken(db: Executor, clock: Clock, accountId: number, purpose: TokenPurpose, ttlSeconds: number) {
  const token = randomToken(32);
  const now = clock.now();
  await repo.revokeOpenTokens(db, accountId, now);
  const expiresAt = now + ttlSeconds * 1000;
  await repo.insertToken(db, { account_id: accountId, purpose, token_hash: sha256(token), created_at: now, expires_at: expiresAt });
  return { token, expiresAt };
}

/** Voids every open link of the account (password change, e-mail change, disable). */
export async function revokeAccountTokens(db: Executor, clock: Clock, accountId: number): Promise<number> {
  return repo.revokeOpenTokens(db, accountId, clock.now());
}

export type TokenState = 'valid' | 'expired' | 'used' | 'unknown';

/** What a link is worth now, and whose it is when it is known. */
export async function inspectAccountToken(db: Executor, clock: Clock, token: string) {
  const row = await repo.findTokenWithAccount(db, sha256(token));
  if (!row || row.disabled_at !== null) return { state: 'unknown' as TokenState, row: null };
  if (row.consumed_at !== null || row.revoked_at !== null) return { state: 'used' as TokenState, row };
  if (row.expires_at <= clock.now()) return { state: 'expired' as TokenState, row };
  return { state: 'valid' as TokenState, row };
}

/** True for exactly one caller per token; run inside the transaction that uses the token. */
export async function consumeAccountToken(db: Executor, clock: Clock, token: string): Promise<boolean> {
  return repo.markTokenConsumed(db, sha256(token), clock.now());
}
