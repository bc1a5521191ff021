import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { backupSqliteFile } from './db/backup.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { listAccounts } from './modules/account/account.repository.js';
import { type AccountInputError, accountStatus, createAccount } from './modules/account/account.service.js';
import { listStaff } from './modules/staff/staff.repository.js';
import { createStaff, resetStaffAccess, type StaffMemberError, staffStatus } from './modules/staff/staff.members.service.js';
import { importAccounts } from './modules/import/import.service.js';
import { importLineDetail } from './shared/i18n/import.js';
import { runRetention } from './modules/retention/retention.service.js';
import { CLEANUP_STEPS } from './jobs.js';
import { ClientError, createClient, listClients, setClientDisabled } from './modules/sso/sso.clients.service.js';
import { rotateKeys } from './modules/sso/sso.keys.js';
import { systemClock } from './shared/clock.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                                   apply pending database migrations
  account:create --code 12345 --email a@b.fr --company "Librairie du Port"
                                            create a customer account without password
                                            (the customer activates it with "Première connexion")
  account:list [--limit 100]                list customer accounts
  staff:create --email a@b.fr --role admin|agent
                                            create a back-office staff member and print their
                                            one-time setup link (password + TOTP), valid RESET_TOKEN_TTL
  staff:list                                list staff members: e-mail, role, status
  staff:reset --email a@b.fr                when a member (the last admin…) lost phone and recovery
                                            codes: ends their sessions and prints a new setup link
  account:import FILE.csv [--dry-run] [--send-activation]
                                            import the ERP customer list (code;email;company),
                                            idempotent; --dry-run only reports
  retention:run                             purge what is past its retention time now
                                            (the server also does it every hour)
  client:create --name "Boutique pro" --redirect-uri https://shop.example.fr/callback
                [--post-logout-uri URL] [--backchannel-logout-uri URL] [--home-url URL]
                [--auth-method client_secret_basic|client_secret_post] [--id-token-alg ES256|RS256]
                [--no-pkce]
                                            register an application for single sign-on (OpenID
                                            Connect); prints its client_id and secret, shown once.
                                            --no-pkce: for a shop module that cannot send PKCE; it
                                            must then send a nonce (see src/modules/sso/README.md)
  client:list                               list registered applications
  client:disable CLIENT_ID                  refuse an application from now on
  oidc:rotate-keys                          new signing and cookie keys; the old public keys stay
                                            published until their tokens expired (restart the server)
  backup FILE.sqlite                        online copy of the SQLite database, safe while the
                                            server runs (on PostgreSQL: use pg_dump)
`;

/** Wrong usage: a clear line and exit code 2. */
class UsageError extends Error {}
/** A command that cannot be done here as asked: its message alone, and exit code 2. */
class RefusedError extends Error {}

const ACCOUNT_ERRORS = {
  INVALID_CODE: '--code must be exactly 5 digits (the customer code printed on invoices)',
  INVALID_EMAIL: '--email must be a valid e-mail address',
  INVALID_COMPANY: '--company must be 1 to 200 characters on one line',
  DUPLICATE_CODE: 'an account with this customer code already exists; nothing was written',
} satisfies Record<AccountInputError, string>;

const STAFF_ERRORS = {
  INVALID_EMAIL: '--email must be a valid e-mail address',
  INVALID_ROLE: '--role must be admin or agent',
  DUPLICATE_EMAIL: 'a staff member with this e-mail already exists; nothing was written',
  NOT_FOUND: 'no staff member with this e-mail',
  SELF: 'a member cannot do this to themselves',
  LAST_ADMIN: 'this is the last active admin',
} satisfies Record<StaffMemberError, string>;

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
        const created = await createAccount(
          db,
          systemClock,
          { code: values.code as string, email: values.email as string, company: values.company as string },
          operator,
          { type: 'operator', id: 'cli' },
        );
        if (!created.ok) throw new RefusedError(ACCOUNT_ERRORS[created.code]);
        const account = created.value;
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
    case 'account:import': {
      const { values, positionals } = parseWithFile(rest, { 'dry-run': { type: 'boolean' }, 'send-activation': { type: 'boolean' } });
      if (positionals.length !== 1) throw new UsageError('account:import needs exactly one CSV file');
      let text: string;
      try {
        text = fs.readFileSync(positionals[0]!, 'utf8');
      } catch {
        throw new UsageError(`cannot read ${positionals[0]}`);
      }
      const dryRun = values['dry-run'] === true;
      await withDb(async ({ db }) => {
        const started = Date.now();
        const report = await importAccounts({ db, clock: systemClock, config }, text, {
          dryRun,
          sendActivation: values['send-activation'] === true,
          actor: { type: 'operator', id: 'cli' },
          origin: operator,
          onProgress: (done, total) => process.stderr.write(`\r${done}/${total} lines written…`),
        });
        if (!dryRun) process.stderr.write('\n');
        for (const line of report.lines) {
          if (line.outcome !== 'unchanged') console.log(`line ${line.line}\t${line.code}\t${line.outcome}${line.outcome === 'created' ? '' : `\t${importLineDetail(line)}`}`);
        }
        const { created, updated, unchanged, rejected } = report.totals;
        console.log(
          `${dryRun ? 'Dry run, nothing written: would create' : 'Created'} ${created}, ${dryRun ? 'update' : 'updated'} ${updated}, unchanged ${unchanged}, rejected ${rejected}` +
            (report.activationMails ? `, activation mails queued ${report.activationMails}` : '') +
            ` (${((Date.now() - started) / 1000).toFixed(1)} s)`,
        );
      });
      return 0;
    }
    case 'staff:create': {
      const values = parse(rest, { email: { type: 'string' }, role: { type: 'string' } });
      for (const name of ['email', 'role'] as const) {
        if (typeof values[name] !== 'string') throw new UsageError(`--${name} is required`);
      }
      await withDb(async ({ db }) => {
        // The only way in for the first admin: no default account, no password ever printed.
        const created = await createStaff({ db, clock: systemClock, config }, { email: values.email as string, role: values.role as string }, operator, { type: 'operator', id: 'cli' }, 'print');
        if (!created.ok) throw new RefusedError(STAFF_ERRORS[created.code]);
        const staff = created.value;
        console.log(`Created staff member ${staff.email} (${staff.role}), without password or second factor.`);
        console.log(`Send them this one-time setup link, valid ${config.resetTokenTtlSeconds / 3600} h, until ${new Date(staff.expiresAt).toISOString()} (password, then the TOTP app):`);
        console.log(staff.link);
      });
      return 0;
    }
    case 'staff:reset': {
      const values = parse(rest, { email: { type: 'string' } });
      if (typeof values.email !== 'string') throw new UsageError('--email is required');
      await withDb(async ({ db }) => {
        const reset = await resetStaffAccess({ db, clock: systemClock, config }, values.email as string, operator, { type: 'operator', id: 'cli' });
        if (!reset.ok) throw new RefusedError(STAFF_ERRORS[reset.code]);
        const { email, link, expiresAt, sessionsEnded } = reset.value;
        console.log(`Ended ${sessionsEnded} session(s) of ${email}. Their password and second factor stay until this one-time link is used,`);
        console.log(`valid ${config.resetTokenTtlSeconds / 3600} h, until ${new Date(expiresAt).toISOString()} (new password, then the TOTP app):`);
        console.log(link);
      });
      return 0;
    }
    case 'staff:list': {
      parse(rest, {});
      await withDb(async ({ db }) => {
        const rows = await listStaff(db);
        if (rows.length === 0) console.log('No staff yet. Create the first admin with: npm run cli -- staff:create --email a@b.fr --role admin');
        for (const row of rows) console.log([row.email, row.role, staffStatus(row)].join('\t'));
      });
      return 0;
    }
    case 'retention:run': {
      parse(rest, {});
      await withDb(async ({ db }) => {
        const report = await runRetention({ db, clock: systemClock, config, steps: CLEANUP_STEPS });
        for (const [kind, n] of Object.entries(report)) console.log(`${kind}\t${n}`);
        console.log(`Retention pass done: requests kept ${config.requestRetentionDays} days after their decision, audit entries ${config.auditRetentionDays} days.`);
      });
      return 0;
    }
    // ---- Single sign-on (src/modules/sso)
    case 'client:create': {
      const values = parse(rest, {
        name: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-uri': { type: 'string', multiple: true },
        'backchannel-logout-uri': { type: 'string' },
        'home-url': { type: 'string' },
        'auth-method': { type: 'string' },
        'id-token-alg': { type: 'string' },
        'no-pkce': { type: 'boolean' },
      } as Record<string, { type: 'string' | 'boolean' }>) as Record<string, string | string[] | boolean | undefined>;
      if (typeof values.name !== 'string') throw new UsageError('--name is required');
      if (!values['redirect-uri']) throw new UsageError('--redirect-uri is required (repeat it for several)');
      await withDb(async ({ db }) => {
        try {
          const { clientId, clientSecret } = await createClient(db, systemClock, {
            name: values.name as string,
            redirectUris: values['redirect-uri'] as string[],
            postLogoutUris: values['post-logout-uri'] as string[] | undefined,
            backchannelLogoutUri: values['backchannel-logout-uri'] as string | undefined,
            homeUrl: values['home-url'] as string | undefined,
            authMethod: values['auth-method'] as never,
            idTokenAlg: values['id-token-alg'] as never,
            pkceRequired: values['no-pkce'] !== true,
          }, { origin: operator, type: 'operator', id: 'cli' });
          console.log(`Registered "${values.name}".
client_id:     ${clientId}
client_secret: ${clientSecret}
The secret is shown this once (only its hash is kept). Discovery: ${config.publicUrl}/oidc/.well-known/openid-configuration`);
          if (values['no-pkce'] === true) console.log('PKCE is NOT required for this application: it must send a nonce with every sign-in (recorded in the journal).');
        } catch (error) {
          if (error instanceof ClientError && error.field === 'pkce') throw new RefusedError('--no-pkce: only for an application that authenticates with its secret (a public client must use PKCE); nothing was written');
          if (error instanceof ClientError) throw new RefusedError(`--${error.field}: ${error.code === 'INVALID_URI' ? 'an https:// URL (http:// only on localhost), without #fragment' : 'invalid value'}; nothing was written`);
          throw error;
        }
      });
      return 0;
    }
    case 'client:list': {
      parse(rest, {});
      await withDb(async ({ db }) => {
        const rows = await listClients(db);
        if (rows.length === 0) console.log('No application yet. Register one with: npm run cli -- client:create --name "Boutique pro" --redirect-uri https://…');
        for (const c of rows) console.log([c.clientId, c.disabled ? 'disabled' : 'active', c.name, c.redirectUris.join(' '), c.homeUrl ?? '-', c.pkceRequired ? 'pkce' : 'NO-PKCE (nonce required)'].join('\t'));
      });
      return 0;
    }
    case 'client:disable': {
      const { positionals } = parseWithFile(rest, {});
      if (positionals.length !== 1) throw new UsageError('client:disable needs exactly one client_id (see client:list)');
      await withDb(async ({ db }) => {
        try {
          await setClientDisabled(db, systemClock, positionals[0]!, true);
        } catch (error) {
          if (error instanceof ClientError) throw new RefusedError(`no application with client_id ${positionals[0]}`);
          throw error;
        }
        console.log(`Disabled ${positionals[0]}: its sign-ins, tokens and refreshes are refused from now on.`);
      });
      return 0;
    }
    case 'oidc:rotate-keys': {
      parse(rest, {});
      await withDb(async ({ db }) => {
        const { signing } = await rotateKeys(db);
        // Key ids only: key material is never printed.
        console.log(`New signing keys ${signing.join(', ')} and a new cookie key. Restart the server (each instance in turn) so they sign; the previous public keys stay published until what they signed has expired.`);
      });
      return 0;
    }
    // ---- end of single sign-on
    case 'backup': {
      const { positionals } = parseWithFile(rest, {});
      if (positionals.length !== 1) throw new UsageError('backup needs exactly one destination file, such as /var/backups/espace-pro-2026-01-15.sqlite');
      if (config.databaseUrl) {
        throw new RefusedError(
          'backup copies the SQLite database; this server uses PostgreSQL (DATABASE_URL). Use pg_dump instead, for example:\n' +
            '  pg_dump --format=custom --file=espace-pro.dump "$DATABASE_URL"\n' +
            'and pg_restore to restore it (docs/operations.md, "Backup and restore").',
        );
      }
      const destination = path.resolve(positionals[0]!);
      const source = path.join(config.dataDir, 'espace-pro.sqlite');
      if (fs.existsSync(destination)) throw new RefusedError(`${destination} already exists; choose a new file name (nothing was written)`);
      if (!fs.existsSync(source)) throw new RefusedError(`no SQLite database at ${source}; check DATA_DIR`);
      const result = await backupSqliteFile(source, destination);
      console.log(`Backed up ${source} to ${destination} (${result.pages} pages, ${Math.ceil(result.bytes / 1024)} KiB, integrity checked).`);
      console.log(`To restore: stop the server, copy this file to ${source} (and delete any ${path.basename(source)}-wal and -shm next to it), start the server.`);
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

function parseWithFile<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], options: T) {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
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
    if (error instanceof RefusedError) {
      console.error(`Error: ${error.message}`);
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
