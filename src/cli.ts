import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { listAccounts } from './modules/account/account.repository.js';
import { AccountError, accountStatus, createAccount } from './modules/account/account.service.js';
import { systemClock } from './shared/clock.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                                   apply pending database migrations
  account:create --code 12345 --email a@b.fr --company "Librairie du Port"
                                            create a customer account without password
                                            (the customer activates it with "Première connexion")
  account:list [--limit 100]                list customer accounts
`;

/** Wrong usage: a clear line and exit code 2. */
class UsageError extends Error {}

const ACCOUNT_ERRORS: Record<string, string> = {
  INVALID_CODE: '--code must be exactly 5 digits (the customer code printed on invoices)',
  INVALID_EMAIL: '--email must be a valid e-mail address',
  INVALID_COMPANY: '--company must be 1 to 200 characters on one line',
  DUPLICATE_CODE: 'an account with this customer code already exists; nothing was written',
};

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  const openDb = () => openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: path.join(config.dataDir, 'espace-pro.sqlite') });
  const withDb = async (fn: (database: Database) => Promise<void>) => {
    const database = openDb();
    try {
      await migrateToLatest(database.db);
      await fn(database);
    } finally {
      await database.close();
    }
  };
  const operator = { ip: null, userAgent: 'cli' };

  switch (command) {
    case 'migrate': {
      parse(rest, {});
      const database = openDb();
      try {
        const applied = await migrateToLatest(database.db);
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database already up to date.');
      } finally {
        await database.close();
      }
      return 0;
    }
    case 'account:create': {
      const values = parse(rest, { code: { type: 'string' }, email: { type: 'string' }, company: { type: 'string' } });
      for (const name of ['code', 'email', 'company'] as const) {
        if (typeof values[name] !== 'string') throw new UsageError(`--${name} is required`);
      }
      await withDb(async ({ db }) => {
        const account = await createAccount(
          db,
          systemClock,
          { code: values.code as string, email: values.email as string, company: values.company as string },
          operator,
          { type: 'operator', id: 'cli' },
        );
        console.log(`Created account ${account.code} (${account.company}, ${account.email}), without password: the customer activates it through "Mot de passe oublié ? / Première connexion".`);
      });
      return 0;
    }
    case 'account:list': {
      const values = parse(rest, { limit: { type: 'string' } });
      const limit = values.limit === undefined ? 100 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100000) throw new UsageError('--limit must be a whole number from 1 to 100000');
      await withDb(async ({ db }) => {
        const rows = await listAccounts(db, limit);
        if (rows.length === 0) console.log('No accounts yet. Create one with: npm run cli -- account:create --code 12345 --email a@b.fr --company "Librairie du Port"');
        for (const row of rows) console.log([row.code, accountStatus(row), row.email, row.company].join('\t'));
      });
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof UsageError) {
      console.error(`Error: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof AccountError) {
      console.error(`Error: ${ACCOUNT_ERRORS[error.code] ?? error.code}`);
      process.exit(2);
    }
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
      process.exit(1);
    }
    console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
