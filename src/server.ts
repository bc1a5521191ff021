import path from 'node:path';
import { buildApp, loggerOptions } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { createOutboxWorker } from './modules/mail/outbox-worker.js';
import { fileTransport, smtpTransport } from './modules/mail/transport.js';
import { systemClock } from './shared/clock.js';
import { createArgon2Hasher } from './shared/hasher.js';

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
  const app = await buildApp(
    { config, db: database.db, dialect: database.dialect, clock: systemClock, hasher: createArgon2Hasher() },
    { logger: loggerOptions(config.logLevel) },
  );

  // Mail leaves through the durable outbox: SMTP when configured, else .eml files to open by hand.
  const outboxDir = path.join(config.dataDir, 'outbox');
  const worker = createOutboxWorker({
    db: database.db,
    dialect: database.dialect,
    clock: systemClock,
    transport: config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(outboxDir),
    from: config.mailFrom,
    messageIdDomain: new URL(config.publicUrl).hostname,
    logger: app.log,
  });
  if (!config.smtpUrl) app.log.info({ outboxDir }, `SMTP_URL is not set: mails are written as .eml files in ${outboxDir}`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    await worker.stop();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  worker.start();
  app.log.info({ publicUrl: config.publicUrl, database: database.dialect }, `Espace Pro is ready at ${config.publicUrl}`);
}

main().catch((error) => {
  console.error('Espace Pro failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
