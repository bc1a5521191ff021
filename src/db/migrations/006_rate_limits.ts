import type { Kysely } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app. Times are epoch milliseconds.

/**
 * Rate limits become sliding windows: one row per limited key holding the times of the uses
 * still inside the window (a JSON array, at most the limit's size), replacing the fixed-window
 * counters that let twice the limit through at a window boundary.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('hits', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limits_expires').on('rate_limits').column('expires_at').execute();
  // Counters of windows of at most an hour: nothing worth carrying over.
  await db.schema.dropTable('rate_counters').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.dropTable('rate_limits').execute();
}
