import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app. Times are epoch milliseconds.

/**
 * "Réinitialiser mot de passe" submissions, matched against accounts by the background worker,
 * so the web request does the same work whether or not the details match (S15).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = db.getExecutor().adapter instanceof PostgresAdapter ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  await db.schema
    .createTable('reset_requests')
    .addColumn('id', id)
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    .execute();
  await db.schema.createIndex('reset_requests_pending').on('reset_requests').columns(['processed_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reset_requests').execute();
}
