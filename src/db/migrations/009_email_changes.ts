import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app. Times are epoch milliseconds.

/**
 * S37: a change of an activated account's e-mail asked by one staff member waits here until a
 * second one approves it; the account keeps its old address (and every link goes there) until then.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = db.getExecutor().adapter instanceof PostgresAdapter ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  await db.schema
    .createTable('email_changes')
    .addColumn('id', id)
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('old_email', 'text', (c) => c.notNull())
    .addColumn('new_email', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    // approved | rejected
    .addColumn('outcome', 'text')
    .execute();
  // At most one pending change per account, whatever two agents do at the same moment.
  await sql`create unique index email_changes_one_pending on email_changes (account_id) where decided_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('email_changes').execute();
}
