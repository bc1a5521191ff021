import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app. Times are epoch milliseconds.

/**
 * Company accounts: a customer code is a company, and a company has people.
 *
 * - `companies`: the customer code, the company name, its holder (the person who signs in with
 *   the code) and whether customer service disabled it.
 * - `accounts` stays the table of web accounts, one per person (e-mail, password, factors): every
 *   row that points at an account today — sessions, remember-me, pre-fill devices, known browsers,
 *   links, e-mail changes, mails, audit, the single sign-on `sub` — keeps pointing at the same
 *   person. Its `code` and `company` move to `companies`.
 * - `memberships`: person × company × role (admin, buyer, viewer).
 * - `invitations`: a pending place in a company; its link is a row of `link_tokens`.
 *
 * Each existing account becomes a company with the same id, whose holder is that account as its
 * administrator, so a session or remember-me series opened before the upgrade stays signed in to
 * the same company. A disabled account becomes a disabled company (its person stays usable for
 * other companies it may later join).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = postgres ? sql`bigserial primary key` : sql`integer primary key autoincrement`;

  await db.schema
    .createTable('companies')
    .addColumn('id', id)
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('holder_account_id', 'bigint', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .execute();
  await db.schema.createIndex('companies_name').on('companies').column('name').execute();
  await sql`
    insert into companies (id, code, name, holder_account_id, created_at, updated_at, disabled_at)
    select id, code, company, id, created_at, updated_at, disabled_at from accounts`.execute(db);
  if (postgres) await sql`select setval(pg_get_serial_sequence('companies', 'id'), coalesce((select max(id) from companies), 0) + 1, false)`.execute(db);

  await db.schema
    .createTable('memberships')
    .addColumn('id', id)
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('memberships_company_account', ['company_id', 'account_id'])
    .execute();
  await db.schema.createIndex('memberships_account').on('memberships').column('account_id').execute();
  await sql`insert into memberships (company_id, account_id, role, created_at, updated_at) select id, id, 'admin', created_at, updated_at from accounts`.execute(db);

  await db.schema
    .createTable('invitations')
    .addColumn('id', id)
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_lc', 'text', (c) => c.notNull())
    .addColumn('given_name', 'text', (c) => c.notNull())
    .addColumn('family_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    // Who invited: a customer administrator (account id) or a staff member; the rule "void when the
    // inviter is no longer an administrator" reads the first.
    .addColumn('invited_by_account_id', 'bigint', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('invited_by_staff_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    // pending → accepted | withdrawn
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('accepted_account_id', 'bigint', (c) => c.references('accounts.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('invitations_company').on('invitations').columns(['company_id', 'created_at']).execute();

  // The company a session or a remember-me series is signed in to (null: the person has not chosen yet).
  await db.schema.alterTable('sessions').addColumn('company_id', 'bigint').execute();
  await sql`update sessions set company_id = account_id`.execute(db);
  await db.schema.alterTable('remember_tokens').addColumn('company_id', 'bigint').execute();
  await sql`update remember_tokens set company_id = account_id`.execute(db);
  // The journal names the company too (the account id was the company until now).
  await db.schema.alterTable('audit_log').addColumn('company_id', 'bigint').execute();
  await sql`update audit_log set company_id = account_id where account_id is not null`.execute(db);
  await db.schema.createIndex('audit_log_company').on('audit_log').columns(['company_id', 'at']).execute();

  // Single sign-on: the company a grant was given for (its claims: customer_code, company, role).
  await db.schema.alterTable('oidc_models').addColumn('company_id', 'bigint').execute();

  // The person: own name and language; the code and company name now live on the company.
  if (postgres) {
    await sql`alter table accounts drop column code, drop column company, add column given_name text, add column family_name text, add column language text`.execute(db);
    await sql`update accounts set disabled_at = null`.execute(db);
    return;
  }
  // SQLite cannot drop a UNIQUE column: the table is rebuilt under the same name (SQLite's own
  // procedure), with foreign keys off so that dropping the old table cascades nowhere; every
  // table that references `accounts` by name then references the new one.
  await sql`pragma foreign_keys = off`.execute(db);
  await sql`
    create table accounts_new (
      id integer primary key autoincrement,
      email text not null,
      email_lc text not null,
      password_hash text,
      created_at bigint not null,
      updated_at bigint not null,
      activated_at bigint,
      disabled_at bigint,
      last_login_at bigint,
      password_changed_at bigint,
      oidc_sub text,
      given_name text,
      family_name text,
      language text
    )`.execute(db);
  await sql`
    insert into accounts_new (id, email, email_lc, password_hash, created_at, updated_at, activated_at, disabled_at, last_login_at, password_changed_at, oidc_sub)
    select id, email, email_lc, password_hash, created_at, updated_at, activated_at, null, last_login_at, password_changed_at, oidc_sub from accounts`.execute(db);
  await sql`drop table accounts`.execute(db);
  await sql`alter table accounts_new rename to accounts`.execute(db);
  await sql`create index accounts_email_lc on accounts (email_lc)`.execute(db);
  await sql`create unique index accounts_oidc_sub on accounts (oidc_sub)`.execute(db);
  await sql`pragma foreign_keys = on`.execute(db);
  const broken = await sql<Record<string, unknown>>`pragma foreign_key_check`.execute(db);
  if (broken.rows.length > 0) throw new Error(`014_companies: ${broken.rows.length} rows break a foreign key`);
}

export async function down(): Promise<void> {
  throw new Error('014_companies cannot be undone: restore the backup taken before the upgrade');
}
