import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { buildApp, loggerOptions } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { createBackgroundJobs } from './jobs.js';
import { fileTransport, smtpTransport } from './modules/mail/transport.js';
import { createMetrics } from './modules/metrics/metrics.js';
import { startMetricsServer } from './modules/metrics/metrics.server.js';
import { systemClock } from './shared/clock.js';
import { createArgon2Hasher } from './shared/hasher.js';
import { createSecretBox, loadSecretKeys } from './shared/secret-box.js';
import { resealStaffSecrets } from './modules/staff/staff.members.service.js';

/** Whatever happens, the process is gone this long after SIGTERM (systemd and Kubernetes wait longer). */
const SHUTDOWN_LIMIT_MS = 10_000;
/** Longest wait for keep-alive connections to be used once more (and closed) or left alone. */
const DRAIN_LIMIT_MS = 5_000;
/** Connections idle this long while nothing else is in flight are taken as abandoned. */
const IDLE_GRACE_MS = 500;

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
      process.exit(1);
    }
    throw error;
  }
  const database = openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: path.join(config.dataDir, 'espace-pro.sqlite') });
  await migrateToLatest(database.db);
  const hasher = createArgon2Hasher();
  const secrets = createSecretBox(loadSecretKeys(config));
  // Staff TOTP secrets stored before sealing existed, or sealed with a rotated-out key (S40).
  await resealStaffSecrets(database.db, secrets);
  const metrics = config.metricsPort === null ? null : createMetrics({ db: database.db, clock: systemClock, hasher });
  let draining = false;
  const app = await buildApp(
    { config, db: database.db, dialect: database.dialect, clock: systemClock, hasher, secrets, metrics: metrics?.app, isDraining: () => draining },
    { logger: loggerOptions(config.logLevel) },
  );
  const connections = trackConnections(app.server, () => draining);

  // Mail leaves through the durable outbox: SMTP when configured, else .eml files to open by hand.
  const outboxDir = path.join(config.dataDir, 'outbox');
  const transport = config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(outboxDir);
  const jobs = createBackgroundJobs({ db: database.db, dialect: database.dialect, clock: systemClock, config, transport, logger: app.log, messageIdDomain: new URL(config.publicUrl).hostname });
  // Issue 23: without a contact the notices cannot say how to reach customer service. Production
  // refuses to start without one (config.ts); on this machine it is said once at start.
  if (!config.supportEmail && !config.supportPhone) {
    app.log.warn('no customer-service contact: set SUPPORT_EMAIL, SUPPORT_PHONE or CUSTOMER_SERVICE_EMAIL so the pages can say how to reach it');
  }
  if (!config.smtpUrl) app.log.info({ outboxDir }, `SMTP_URL is not set: mails are written as .eml files in ${outboxDir}`);

  const metricsServer = metrics && config.metricsPort !== null ? await startMetricsServer(metrics, { port: config.metricsPort, host: config.metricsHost, logger: app.log }) : null;
  await app.listen({ port: config.port, host: config.host });
  jobs.start();

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) {
      app.log.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    closing = true;
    draining = true;
    app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    setTimeout(() => {
      app.log.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown took too long: exiting anyway');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    try {
      // Closes only the listening socket: new connections are refused from here on. Not
      // app.close() yet: http.Server#close() drops idle keep-alive connections at once, and with
      // them a request a client may be writing on one at that very moment (a reset, not an answer).
      net.Server.prototype.close.call(app.server);
      await Promise.all([
        (async () => {
          // Every answer now carries Connection: close, so each busy connection ends cleanly after
          // its current request; then app.close() ends the idle rest and waits for stragglers.
          await connections.drain(DRAIN_LIMIT_MS, IDLE_GRACE_MS);
          await app.close();
        })(),
        // The mail being sent is finished; what was claimed but not sent is given back at once.
        jobs.stop(),
        metricsServer?.close(),
      ]);
      transport.close();
      await database.close();
      app.log.info({ signal }, 'stopped');
      process.exit(0);
    } catch (error) {
      app.log.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  app.log.info(
    { publicUrl: config.publicUrl, database: database.dialect, metricsPort: metricsServer?.port ?? null },
    `Espace Pro is ready at ${config.publicUrl}`,
  );
}

/**
 * Knows which connections are open and which have a request in flight, and once draining puts
 * `Connection: close` on every answer, so keep-alive clients are told to go rather than cut off.
 */
function trackConnections(server: net.Server, isDraining: () => boolean) {
  const inFlight = new Map<net.Socket, number>();
  let lastActivity = Date.now();
  server.on('connection', (socket: net.Socket) => {
    inFlight.set(socket, 0);
    socket.once('close', () => inFlight.delete(socket));
  });
  // First in line, before Fastify's own listener, so the header is set before any answer is written.
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    if (isDraining()) response.setHeader('connection', 'close');
    response.once('close', () => {
      if (inFlight.has(socket)) inFlight.set(socket, Math.max(0, inFlight.get(socket)! - 1));
      lastActivity = Date.now();
    });
  });
  return {
    /** Resolves when every connection is gone, or nothing is in flight and all has been quiet for `idleGraceMs`, or at `limitMs`. */
    async drain(limitMs: number, idleGraceMs: number): Promise<void> {
      const started = Date.now();
      lastActivity = Math.max(lastActivity, started);
      while (inFlight.size > 0 && Date.now() - started < limitMs) {
        const busy = [...inFlight.values()].some((n) => n > 0);
        if (!busy && Date.now() - lastActivity >= idleGraceMs) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

main().catch((error) => {
  console.error('Espace Pro failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
