import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app. Times are epoch milliseconds (bigint).

function idColumn(db: Kysely<any>) {
  return db.getExecutor().adapter instanceof PostgresAdapter ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
}

export async function up(db: Kysely<any>): Promise<void> {
  // "Demande d'ouverture de compte": what a company without a web account sent us, and what
  // customer service decided. state: new | in_progress | approved | rejected.
  await db.schema
    .createTable('account_requests')
    .addColumn('id', idColumn(db))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('company', 'text', (c) => c.notNull())
    .addColumn('customer_code', 'text')
    .addColumn('siret', 'text')
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('city', 'text')
    .addColumn('country', 'text')
    .addColumn('message', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('handled_by', 'text')
    .addColumn('handled_at', 'bigint')
    .addColumn('decision_reason', 'text')
    // No foreign key: the account may be created after the request, or removed later, and the
    // request stays as the record of what was asked.
    .addColumn('account_id', 'bigint')
    .execute();
  // The back-office queue: by state, newest first.
  await db.schema.createIndex('account_requests_state').on('account_requests').columns(['state', 'created_at']).execute();
  await db.schema.createIndex('account_requests_created').on('account_requests').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('account_requests').execute();
}
