import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app. Times are epoch milliseconds.

/**
 * One table for every e-mailed link — customer activation and reset, staff setup — told apart by
 * purpose and subject (an account or a staff member). The existing rows of `account_tokens` and
 * `staff_tokens` are carried over as they are (only their SHA-256 was ever stored).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = db.getExecutor().adapter instanceof PostgresAdapter ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  await db.schema
    .createTable('link_tokens')
    .addColumn('id', id)
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'bigint', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    // A link used in two steps (staff setup: password, then the authenticator) marks the first here.
    .addColumn('step_done_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    // superseded (a newer link), password_changed, email_changed, disabled, replaced…
    .addColumn('revoked_reason', 'text')
    .execute();
  await db.schema.createIndex('link_tokens_subject').on('link_tokens').columns(['subject_type', 'subject_id']).execute();
  await db.schema.createIndex('link_tokens_expires').on('link_tokens').column('expires_at').execute();

  await sql`
    insert into link_tokens (purpose, subject_type, subject_id, token_hash, created_at, expires_at, step_done_at, consumed_at, revoked_at, revoked_reason)
    select purpose, 'account', account_id, token_hash, created_at, expires_at, null, consumed_at, revoked_at, case when revoked_at is null then null else 'revoked' end
    from account_tokens`.execute(db);
  await sql`
    insert into link_tokens (purpose, subject_type, subject_id, token_hash, created_at, expires_at, step_done_at, consumed_at, revoked_at, revoked_reason)
    select 'staff_setup', 'staff', staff_id, token_hash, created_at, expires_at, password_set_at, consumed_at, revoked_at, case when revoked_at is null then null else 'revoked' end
    from staff_tokens`.execute(db);
  await db.schema.dropTable('account_tokens').execute();
  await db.schema.dropTable('staff_tokens').execute();
}

export async function down(): Promise<void> {
  throw new Error('007_link_tokens cannot be undone: restore the backup taken before the upgrade');
}
