import type { Executor } from '../../db/executor.js';
import type { Clock } from '../../shared/clock.js';
import { randomToken, sha256 } from '../../shared/crypto.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import type { LinkPurpose, LinkRevokeReason, LinkToken } from './auth-core.table.js';
import { clientKey, LIMITS, releaseLimit, reserveLimit } from './limits.js';
import * as repo from './link-tokens.repository.js';
import type { LinkSubject } from './link-tokens.repository.js';

export type { LinkSubject };

/**
 * S11: 256 bits from the CSPRNG, written as 43 base64url characters; only the SHA-256 is stored.
 * S40: a token is accepted only in exactly this form, in a URL as in a cookie: anything else is
 * an invalid link before any lookup, and never reaches a header.
 */
export const LINK_TOKEN_BYTES = 32;
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function isWellFormedLinkToken(value: unknown): value is string {
  return typeof value === 'string' && LINK_TOKEN_PATTERN.test(value);
}

/** S12: a new link voids every older open link of its subject, so only the newest works. */
export async function issueLinkToken(db: Executor, clock: Clock, input: { purpose: LinkPurpose; subject: LinkSubject; ttlSeconds: number }) {
  const token = randomToken(LINK_TOKEN_BYTES);
  const now = clock.now();
  await repo.revokeOpenLinkTokens(db, input.subject, now, 'superseded');
  const expiresAt = now + input.ttlSeconds * 1000;
  await repo.insertLinkToken(db, { purpose: input.purpose, subject: input.subject, token_hash: sha256(token), created_at: now, expires_at: expiresAt });
  return { token, expiresAt };
}

/** Voids every open link of the subject (password set, e-mail changed, disabled). */
export async function revokeLinkTokens(db: Executor, clock: Clock, subject: LinkSubject, reason: LinkRevokeReason): Promise<number> {
  return repo.revokeOpenLinkTokens(db, subject, clock.now(), reason);
}

export type LinkState = 'valid' | 'used' | 'revoked' | 'superseded' | 'expired';

/** What a link is worth at `now`: the one rule, pure. */
export function linkState(row: Pick<LinkToken, 'consumed_at' | 'revoked_at' | 'revoked_reason' | 'expires_at'>, now: number): LinkState {
  if (row.consumed_at !== null) return 'used';
  if (row.revoked_at !== null) return row.revoked_reason === 'superseded' ? 'superseded' : 'revoked';
  if (row.expires_at <= now) return 'expired';
  return 'valid';
}

export type LinkCheck =
  | { kind: 'valid'; link: LinkToken }
  /** `link` is known when the token was one of ours (expired, used…): its subject can be named. */
  | { kind: 'invalid'; state: LinkState | 'unknown' | 'malformed'; link: LinkToken | null }
  | { kind: 'limited'; retryAfterSeconds: number };

/**
 * The one link check, for every link page (customer activation and reset, staff setup):
 * S17 — every check is counted against the client before the lookup and given back when the
 * link is valid, so N parallel guesses get 429 past the limit (S36); S40 — a token not in the
 * exact issued format is invalid without a lookup; every refusal is audited (S34).
 */
export async function checkLinkToken(
  deps: { db: Executor; clock: Clock },
  input: { token: string | undefined; purposes: readonly LinkPurpose[]; origin: AuditOrigin & { ip: string } },
): Promise<LinkCheck> {
  const { db, clock } = deps;
  const reserved = await reserveLimit(db, clock, LIMITS.invalidTokensPerIp, clientKey(input.origin.ip));
  if (!reserved.ok) {
    await recordAudit(db, clock, input.origin, { event: 'token.guess_blocked', outcome: 'blocked', actorType: 'anonymous' });
    return { kind: 'limited', retryAfterSeconds: reserved.retryAfterSeconds };
  }
  const wellFormed = isWellFormedLinkToken(input.token);
  const found = wellFormed ? await repo.findLinkToken(db, sha256(input.token!)) : undefined;
  const link = found && input.purposes.includes(found.purpose) ? found : null;
  const state = !wellFormed ? 'malformed' : link ? linkState(link, clock.now()) : 'unknown';
  if (state === 'valid' && link) {
    await releaseLimit(db, clock, reserved.reservation);
    return { kind: 'valid', link };
  }
  await recordAudit(db, clock, input.origin, {
    event: link?.subject_type === 'staff' ? 'staff.setup.invalid_link' : 'token.invalid',
    outcome: 'failure',
    actorType: 'anonymous',
    accountId: link?.subject_type === 'account' ? link.subject_id : null,
    details: { state },
  });
  return { kind: 'invalid', state, link };
}

/** True for exactly one caller per link; run inside the transaction that uses it (S12). */
export async function consumeLinkToken(db: Executor, clock: Clock, token: string, options: { afterStep?: boolean } = {}): Promise<boolean> {
  return repo.markLinkTokenConsumed(db, sha256(token), clock.now(), options.afterStep ?? false);
}

/** The first step of a two-step link is done (staff setup: the password); the link stays open. */
export async function markLinkStepDone(db: Executor, clock: Clock, token: string): Promise<boolean> {
  return repo.markLinkTokenStepDone(db, sha256(token), clock.now());
}

/** The link a token names, whatever its state (to name its subject), or undefined. */
export async function findLinkToken(db: Executor, token: string) {
  return isWellFormedLinkToken(token) ? repo.findLinkToken(db, sha256(token)) : undefined;
}

export async function findOpenLink(db: Executor, clock: Clock, subject: LinkSubject) {
  return repo.findOpenLinkToken(db, subject, clock.now());
}
