import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * The process's password-hashing threads (S10): one per core, started on first use, each at the
 * lowest CPU priority (nice 19, Linux) so that when the cores are busy, serving pages comes
 * first and hashing takes what is left. The threads also carry the part of each argon2 call
 * that the library runs synchronously (about 0.3 ms), which used to stall the event loop.
 */
export type HashJob = { op: 'hash'; password: string; options: object } | { op: 'verify'; phc: string; password: string };

// CommonJS evaluated in the thread: no file to find, whether the app runs from src/ or dist/.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const argon2 = require(workerData.argon2);
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, workerData.nice);
} catch {}
parentPort.on('message', (job) => {
  try {
    const value = job.op === 'hash' ? argon2.hashSync(job.password, job.options) : argon2.verifySync(job.phc, job.password);
    parentPort.postMessage({ value });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
});
`;

const ARGON2_PATH = createRequire(import.meta.url).resolve('@node-rs/argon2');
const LOWEST_PRIORITY = 19;

interface Pending {
  job: HashJob;
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

class HashThread {
  private readonly worker: Worker;
  current: Pending | null = null;

  constructor() {
    this.worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { argon2: ARGON2_PATH, nice: LOWEST_PRIORITY } });
    this.worker.unref();
    this.worker.on('message', (message: { value?: string | boolean; error?: string }) => {
      const pending = this.finish();
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve(message.value!);
    });
    // A thread that dies fails its job and leaves the pool; a new one takes the next job.
    this.worker.on('error', (error) => this.die(error));
    this.worker.on('exit', () => this.die(new Error('password hashing thread stopped')));
  }

  private die(error: Error) {
    if (threads.includes(this)) threads.splice(threads.indexOf(this), 1);
    this.finish()?.reject(error);
  }

  run(pending: Pending) {
    this.current = pending;
    this.worker.ref(); // a job in flight keeps the process alive; an idle thread does not
    this.worker.postMessage(pending.job);
  }

  private finish(): Pending | null {
    const pending = this.current;
    this.current = null;
    this.worker.unref();
    const next = queue.shift();
    if (next) (threads.includes(this) ? this : startThread()).run(next);
    return pending;
  }
}

const threads: HashThread[] = [];
const queue: Pending[] = [];

function startThread(): HashThread {
  const thread = new HashThread();
  threads.push(thread);
  return thread;
}

/** Runs one argon2 job on a hashing thread, in order of arrival. */
export function runHashJob(job: HashJob): Promise<string | boolean> {
  return new Promise((resolve, reject) => {
    const pending = { job, resolve, reject };
    const idle = threads.find((t) => t.current === null) ?? (threads.length < os.availableParallelism() ? startThread() : undefined);
    if (idle) idle.run(pending);
    else queue.push(pending);
  });
}
