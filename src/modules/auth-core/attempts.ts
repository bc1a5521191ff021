import type { Kysely } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import type { HashSlot, PasswordHasher } from '../../shared/hasher.js';
import { PASSWORD_MAX_LENGTH, passwordLength } from '../../shared/password-policy.js';
import { clearIdentifierThrottle, clientKey, LIMITS, type LimitReservation, releaseLimit, reserveIdentifierAttempt, reserveLimit, type ThrottleDecision, undoIdentifierAttempt } from './limits.js';

/**
 * The one way a secret is checked, for customers and staff alike: the customer login, the staff
 * login (password, then TOTP or recovery code), the current password of the security page and
 * any later re-authentication. Every step is decided before the check, atomically:
 *
 *   1. a place in the hashing queue (S10: a full queue refuses before any database work);
 *   2. in one transaction, the per-client limit (S9) and the per-identifier throttle (S8) are
 *      reserved — the attempt is counted as a failure now;
 *   3. exactly one check (S7: against the dummy hash when there is nothing real to check, or when
 *      the identifier is being slowed down);
 *   4. settle: a success gives the client's use back and clears the identifier's count, in the
 *      caller's success transaction (`settle`); a failure keeps both.
 *
 * Nothing is read first and written later, so N concurrent attempts cannot all be checked (S36).
 */
export interface AttemptDeps {
  db: Kysely<DB>;
  clock: Clock;
  hasher: PasswordHasher;
  /** S7: what is verified when there is no real hash to verify. */
  dummyHash: string;
}

export type AttemptOutcome =
  /** The per-client limit is used up (S9): 429, nothing was checked. */
  | { kind: 'ip_blocked'; retryAfterSeconds: number }
  /** The identifier is being slowed down (S8) for `retryAfterMs` more: refused like a failure, nothing real was checked. */
  | { kind: 'throttled'; retryAfterMs: number }
  /** Checked and wrong (or nothing to check): counted. `delayStartedMs` > 0 when this failure started a delay. */
  | { kind: 'failed'; failures: number; delayStartedMs: number }
  /**
   * Checked and right: call `settle(trx)` inside the transaction that records the success. It
   * gives the client's use back and clears the identifier's count (`'clear'`, a completed login),
   * or only takes this attempt's count back (`'undo'`, a first step such as the staff password:
   * the count goes on until the second factor passes, so re-entering the password never buys
   * fresh code guesses).
   */
  | { kind: 'passed'; settle: (trx: Executor, mode?: 'clear' | 'undo') => Promise<void> };

interface Reserved {
  ip: LimitReservation;
  throttle: ThrottleDecision | null;
}

async function reserve(deps: AttemptDeps, ip: string, throttleKey: string | null): Promise<Reserved | { retryAfterSeconds: number }> {
  return deps.db.transaction().execute(async (trx) => {
    const client = await reserveLimit(trx, deps.clock, LIMITS.loginFailuresPerIp, clientKey(ip));
    if (!client.ok) return { retryAfterSeconds: client.retryAfterSeconds };
    const throttle = throttleKey ? await reserveIdentifierAttempt(trx, deps.clock, throttleKey) : null;
    return { ip: client.reservation, throttle };
  });
}

function settled(deps: AttemptDeps, reserved: Reserved, throttleKey: string | null): AttemptOutcome {
  return {
    kind: 'passed',
    settle: async (trx, mode = 'clear') => {
      await releaseLimit(trx, deps.clock, reserved.ip);
      if (!throttleKey) return;
      if (mode === 'clear') await clearIdentifierThrottle(trx, throttleKey);
      else if (reserved.throttle?.ok) await undoIdentifierAttempt(trx, throttleKey, reserved.throttle.delayStartedMs > 0);
    },
  };
}

function failed(reserved: Reserved): AttemptOutcome {
  if (reserved.throttle && !reserved.throttle.ok) return { kind: 'throttled', retryAfterMs: reserved.throttle.retryAfterMs };
  const counted = reserved.throttle?.ok ? reserved.throttle : { failures: 0, delayStartedMs: 0 };
  return { kind: 'failed', failures: counted.failures, delayStartedMs: counted.delayStartedMs };
}

/**
 * A password against the hash `loadHash` finds (null: unknown identifier, no password yet,
 * disabled — the dummy is verified instead). It is looked up only once the attempt holds its
 * place and its reservations, so a refused attempt costs no lookup. `throttleKey` is null for a
 * malformed identifier: only the client is counted.
 */
export async function attemptPassword(
  deps: AttemptDeps,
  input: { ip: string; throttleKey: string | null; loadHash: () => Promise<string | null>; password: string },
): Promise<AttemptOutcome> {
  // S1: an over-long password is refused before any hashing (and still counted).
  const tooLong = passwordLength(input.password) > PASSWORD_MAX_LENGTH;
  const slot: HashSlot | null = tooLong ? null : deps.hasher.admit();
  let reserved: Reserved | { retryAfterSeconds: number };
  try {
    reserved = await reserve(deps, input.ip, input.throttleKey);
  } catch (error) {
    slot?.release();
    throw error;
  }
  if (!('ip' in reserved)) {
    slot?.release();
    return { kind: 'ip_blocked', retryAfterSeconds: reserved.retryAfterSeconds };
  }
  let hash: string | null;
  try {
    hash = reserved.throttle?.ok === false ? null : await input.loadHash();
  } catch (error) {
    slot?.release();
    throw error;
  }
  const matches = slot ? await slot.verify(hash ?? deps.dummyHash, input.password) : false;
  const checkable = hash !== null;
  return checkable && matches ? settled(deps, reserved, input.throttleKey) : failed(reserved);
}

/**
 * A one-time code (TOTP, recovery code) or a passkey assertion: same reservations, then `check`,
 * which is only called when the identifier is not being slowed down and must itself consume what
 * it accepts. `throttleKey` is null when the attempt names no identifier (an assertion too
 * malformed to name its credential): only the client is counted.
 */
export async function attemptCode(deps: AttemptDeps, input: { ip: string; throttleKey: string | null; check: () => Promise<boolean> }): Promise<AttemptOutcome> {
  const reserved = await reserve(deps, input.ip, input.throttleKey);
  if (!('ip' in reserved)) return { kind: 'ip_blocked', retryAfterSeconds: reserved.retryAfterSeconds };
  if (reserved.throttle?.ok === false) return { kind: 'throttled', retryAfterMs: reserved.throttle.retryAfterMs };
  return (await input.check()) ? settled(deps, reserved, input.throttleKey) : failed(reserved);
}
