import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app. Times are epoch milliseconds.

function idColumn(db: Kysely<any>) {
  return db.getExecutor().adapter instanceof PostgresAdapter ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
}

/**
 * Passkeys (WebAuthn, S48–S50) for customers and staff in one table, and the server-side
 * challenges of their ceremonies.
 *
 * - `passkeys.owner_type` is 'person' (a customer: the id of today's `accounts` row, which the
 *   people/companies work renames to `people` with the same ids) or 'staff'. No foreign key: one
 *   column points at two tables; the services delete a person's or a member's passkeys with them.
 * - `webauthn_challenges`: one row per ceremony, shared by every instance; `browser_hash` is the
 *   SHA-256 of a random cookie of the browser that asked, so a challenge is answered only from
 *   there; consumed by one conditional DELETE (single use), 5 minutes at most.
 * - `sessions.auth_method` and `remember_tokens.auth_method`: how the sign-in behind a session
 *   was made ('pwd' or 'passkey'; null: before this migration, a password), for the truthful
 *   single sign-on `amr`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('passkeys')
    .addColumn('id', idColumn(db))
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('credential_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('user_handle', 'text', (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('device_type', 'text', (c) => c.notNull())
    .addColumn('backed_up', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('passkeys_owner').on('passkeys').columns(['owner_type', 'owner_id']).execute();

  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('challenge', 'text', (c) => c.primaryKey())
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('owner_type', 'text')
    .addColumn('owner_id', 'bigint')
    // Registration only: the WebAuthn user handle the options carried, stored with the new passkey.
    .addColumn('user_handle', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webauthn_challenges_expires').on('webauthn_challenges').column('expires_at').execute();

  await db.schema.alterTable('sessions').addColumn('auth_method', 'text').execute();
  await db.schema.alterTable('remember_tokens').addColumn('auth_method', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('remember_tokens').dropColumn('auth_method').execute();
  await db.schema.alterTable('sessions').dropColumn('auth_method').execute();
  await db.schema.dropTable('webauthn_challenges').execute();
  await db.schema.dropTable('passkeys').execute();
}
