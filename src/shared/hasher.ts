import os from 'node:os';
import { parseOptions } from '@node-rs/argon2';
import { runHashJob } from './hash-threads.js';
import { randomToken } from './crypto.js';

/** S4: argon2id at OWASP's minimum or above. Raise these and old hashes upgrade at next login. */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
// @node-rs/argon2 exposes Algorithm as a const enum, which isolated-module builds cannot inline.
const ARGON2ID = 2;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(phc: string, password: string): Promise<boolean>;
  /** True when the stored hash was made with weaker parameters than today's. */
  needsRehash(phc: string): boolean;
  /** Jobs waiting or running, for metrics. */
  queueLength(): number;
  /** True when a new job would be refused: callers answer 429 before doing any other work. */
  saturated(): boolean;
}

/** Thrown when the hashing queue is full, before any other work: the answer is 429 (S10, errors.tsx). */
export class HashQueueFullError extends Error {
  readonly code = 'HASH_QUEUE_FULL';
}

export interface HasherOptions {
  concurrency?: number;
  maxQueue?: number;
}

/**
 * argon2id on the low-priority hashing threads (hash-threads.ts), never on the event loop, with
 * at most `concurrency` hashes at once (the number of cores) and a bounded wait queue, so a
 * login flood costs CPU, not the ability to serve pages (S10). The queue is long enough to hold
 * a few hundred attempts (about a second of hashing on two cores): a flood's attempts wait
 * their turn, which slows the flood down to the hashing rate, and a real customer's login
 * during it takes that second rather than a refusal. Beyond it, 429 (after a pause: errors.tsx).
 */
export function createArgon2Hasher(options: HasherOptions = {}): PasswordHasher {
  const limit = createLimiter(options.concurrency ?? os.availableParallelism(), options.maxQueue ?? 256);
  const argonOptions = { algorithm: ARGON2ID, ...ARGON2_PARAMS } as const;
  return {
    hash: (password) => limit.run(async () => (await runHashJob({ op: 'hash', password: password.normalize('NFKC'), options: argonOptions })) as string),
    // A malformed stored hash verifies nothing.
    verify: (phc, password) => limit.run(() => runHashJob({ op: 'verify', phc, password: password.normalize('NFKC') }).then((ok) => ok === true, () => false)),
    needsRehash(phc) {
      try {
        const p = parseOptions(phc);
        return (
          (p.algorithm as number) !== ARGON2ID ||
          (p.memoryCost ?? 0) < ARGON2_PARAMS.memoryCost ||
          (p.timeCost ?? 0) < ARGON2_PARAMS.timeCost ||
          (p.parallelism ?? 0) < ARGON2_PARAMS.parallelism
        );
      } catch {
        return true;
      }
    },
    queueLength: () => limit.size(),
    saturated: () => limit.full(),
  };
}

/**
 * S7: the hash that unknown identifiers and passwordless accounts are verified against, made
 * with the same parameters as real ones so every failure costs the same time.
 */
export async function createDummyHash(hasher: PasswordHasher): Promise<string> {
  return hasher.hash(randomToken(24));
}

function createLimiter(concurrency: number, maxQueue: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) {
      running++;
      next();
    }
  };
  return {
    size: () => running + waiting.length,
    full: () => running >= concurrency && waiting.length >= maxQueue,
    async run<T>(job: () => Promise<T>): Promise<T> {
      if (running >= concurrency) {
        if (waiting.length >= maxQueue) throw new HashQueueFullError('password hashing queue is full');
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running++;
      }
      try {
        return await job();
      } finally {
        release();
      }
    },
  };
}
