import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import type { PasswordHasher } from '../../shared/hasher.js';
import { readOutboxStats } from './metrics.repository.js';

/** How a customer login attempt ended, as login.service decided it. */
export type LoginOutcome = 'success' | 'failure' | 'throttled' | 'ip_blocked';

/**
 * What the app reports while it serves. The default does nothing, so tests and a server started
 * without METRICS_PORT pay nothing on the request path.
 */
export interface AppMetrics {
  /** One answered HTTP request; `route` is the route pattern (never the raw URL: bounded labels). */
  observeRequest(route: string, method: string, statusCode: number, seconds: number): void;
  countLogin(outcome: LoginOutcome): void;
  /** Single sign-on (src/modules/sso): codes issued (sign-ins), token responses, revocations, per application. */
  countSso?(event: 'sign_in' | 'token' | 'revocation', clientId: string): void;
}

export const noopMetrics: AppMetrics = {
  observeRequest() {},
  countLogin() {},
};

export interface MetricsSources {
  db: Kysely<DB>;
  clock: Clock;
  hasher: PasswordHasher;
  /** Longest wait for the database at scrape time (the scrape still answers without it). */
  scrapeTimeoutMs?: number;
}

export interface Metrics {
  /** Handed to buildApp as `deps.metrics`. */
  readonly app: AppMetrics;
  readonly contentType: string;
  /** The Prometheus text exposition; outbox and hash-queue values are read now. */
  render(): Promise<string>;
}

const PREFIX = 'espace_pro_';
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];

/** Prometheus metrics of one process; every name is explained in docs/operations.md. */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  // process_* and nodejs_*: CPU, memory, event-loop lag, open handles, GC.
  collectDefaultMetrics({ register: registry });

  const requestLabels = ['route', 'method', 'status_class'] as const;
  const requests = new Counter({ name: `${PREFIX}http_requests_total`, help: 'HTTP requests answered, by route pattern, method and status class.', labelNames: requestLabels, registers: [registry] });
  const durations = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time from request received to response sent, by route pattern, method and status class.',
    labelNames: requestLabels,
    // A page is a few ms; a login is one argon2 verification (~15-50 ms), more when the hash queue is busy.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const throttled = new Counter({ name: `${PREFIX}throttled_requests_total`, help: 'Requests refused with 429 (rate limits, login throttling, full hash queue), by route pattern.', labelNames: ['route'], registers: [registry] });
  const logins = new Counter({ name: `${PREFIX}logins_total`, help: 'Customer login attempts by outcome: success, failure, throttled (identifier delay), ip_blocked (per-IP limit).', labelNames: ['outcome'], registers: [registry] });
  for (const outcome of ['success', 'failure', 'throttled', 'ip_blocked']) logins.inc({ outcome }, 0);

  // client_id values are bounded: only operator-registered applications reach these counters.
  const sso = new Counter({ name: `${PREFIX}sso_events_total`, help: 'Single sign-on, per registered application: sign_in (authorization code issued), token (token endpoint answered), revocation (grant revoked).', labelNames: ['event', 'client_id'], registers: [registry] });

  const databaseUp = new Gauge({ name: `${PREFIX}database_up`, help: '1 when the database answered the scrape-time queries, 0 otherwise.', registers: [registry] });
  const outboxDepth = new Gauge({ name: `${PREFIX}outbox_queue_depth`, help: 'Mails waiting in the outbox (pending or being sent), all instances together. NaN when the database did not answer.', registers: [registry] });
  const outboxAge = new Gauge({ name: `${PREFIX}outbox_oldest_pending_age_seconds`, help: 'Age of the oldest mail still waiting in the outbox; 0 when the queue is empty. NaN when the database did not answer.', registers: [registry] });
  const outboxFailed = new Gauge({ name: `${PREFIX}outbox_failed_messages`, help: 'Mails that failed for good (permanent refusal or too many attempts). NaN when the database did not answer.', registers: [registry] });
  const hashQueue = new Gauge({ name: `${PREFIX}password_hash_queue_length`, help: 'argon2 jobs running or waiting in this process.', registers: [registry] });

  const scrapeTimeoutMs = sources.scrapeTimeoutMs ?? 2000;

  async function readDatabaseGauges(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('database did not answer in time')), scrapeTimeoutMs);
    });
    const query = readOutboxStats(sources.db);
    query.catch(() => {}); // still settles after a timeout: never an unhandled rejection
    try {
      const stats = await Promise.race([query, timeout]);
      databaseUp.set(1);
      outboxDepth.set(stats.waiting);
      outboxAge.set(stats.oldestWaitingCreatedAt === null ? 0 : Math.max(0, (sources.clock.now() - stats.oldestWaitingCreatedAt) / 1000));
      outboxFailed.set(stats.failed);
    } catch {
      databaseUp.set(0);
      outboxDepth.set(Number.NaN);
      outboxAge.set(Number.NaN);
      outboxFailed.set(Number.NaN);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    app: {
      observeRequest(route, method, statusCode, seconds) {
        const labels = { route, method, status_class: STATUS_CLASSES[Math.floor(statusCode / 100) - 1] ?? 'other' };
        requests.inc(labels);
        durations.observe(labels, seconds);
        if (statusCode === 429) throttled.inc({ route });
      },
      countLogin(outcome) {
        logins.inc({ outcome });
      },
      countSso(event, clientId) {
        sso.inc({ event, client_id: clientId });
      },
    },
    contentType: registry.contentType,
    async render() {
      hashQueue.set(sources.hasher.queueLength());
      await readDatabaseGauges();
      return registry.metrics();
    },
  };
}
