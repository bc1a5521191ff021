import type { Kysely } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app. Times are epoch milliseconds.

/**
 * S39: the browsers an account has signed in from, each known by the SHA-256 of a random value
 * in its own cookie, so a sign-in from any other browser can be told to the customer.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('known_browsers')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('known_browsers_pk', ['id', 'account_id'])
    .execute();
  await db.schema.createIndex('known_browsers_account').on('known_browsers').column('account_id').execute();
  await db.schema.createIndex('known_browsers_seen').on('known_browsers').column('last_seen_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('known_browsers').execute();
}
