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
  /**
   * Takes a place in the hashing queue now, synchronously, or throws HashQueueFullError (S10). A
   * caller holding a slot cannot be refused later: the attempt core takes one before it reserves
   * anything in the database, so a full queue never leaves a reservation behind.
   */
  admit(): HashSlot;
}

/** One place in the hashing queue: used once (verify) or given back (release). */
export interface HashSlot {
  verify(phc: string, password: string): Promise<boolean>;
  release(): void;
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
  // A malformed stored hash verifies nothing.
  const verifyJob = (phc: string, password: string) => () =>
    runHashJob({ op: 'verify', phc, password: password.normalize('NFKC') }).then((ok) => ok === true, () => false);
  return {
    hash: (password) => limit.enter().run(async () => (await runHashJob({ op: 'hash', password: password.normalize('NFKC'), options: argonOptions })) as string),
    verify: (phc, password) => limit.enter().run(verifyJob(phc, password)),
    admit() {
      const place = limit.enter();
      return { verify: (phc, password) => place.run(verifyJob(phc, password)), release: () => place.release() };
    },
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
  const next = () => {
    running--;
    const resume = waiting.shift();
    if (resume) {
      running++;
      resume();
    }
  };
  return {
    size: () => running + waiting.length,
    full: () => running >= concurrency && waiting.length >= maxQueue,
    /** A place now (running, or waiting its turn), or HashQueueFullError. Used once by run(), or released. */
    enter() {
      let turn: Promise<void> | null = null;
      let resumeTurn: (() => void) | null = null;
      if (running < concurrency) {
        running++;
      } else if (waiting.length < maxQueue) {
        turn = new Promise<void>((resolve) => waiting.push((resumeTurn = resolve)));
      } else {
        throw new HashQueueFullError('password hashing queue is full');
      }
      let done = false;
      const leave = async () => {
        if (done) return;
        done = true;
        const queued = resumeTurn !== null ? waiting.indexOf(resumeTurn) : -1;
        if (queued >= 0) waiting.splice(queued, 1); // never got its turn: just leave the line
        else {
          if (turn) await turn;
          next();
        }
      };
      return {
        async run<T>(job: () => Promise<T>): Promise<T> {
          if (done) throw new Error('hash slot already used');
          if (turn) await turn;
          try {
            return await job();
          } finally {
            done = true;
            next();
          }
        },
        release(): void {
          void leave();
        },
      };
    },
  };
}
