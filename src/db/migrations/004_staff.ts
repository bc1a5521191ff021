import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app. Times are epoch milliseconds (bigint).

function idColumn(db: Kysely<any>) {
  return db.getExecutor().adapter instanceof PostgresAdapter ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
}

export async function up(db: Kysely<any>): Promise<void> {
  // Customer-service staff: a population of their own, never mixed with customer accounts.
  await db.schema
    .createTable('staff')
    .addColumn('id', idColumn(db))
    // Stored lower-cased: the unique constraint is then case-insensitive on both databases.
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    // Null until the one-time setup link is used (S5 for staff too: nobody chooses it for them).
    .addColumn('password_hash', 'text')
    // The TOTP secret is a *shared* secret: the server must read it back to compute the expected
    // code, so it cannot be hashed like a password. Kept only here, never logged or re-displayed.
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled_at', 'bigint')
    // RFC 6238 §5.2: the last accepted time step; a code from this step or earlier is a replay.
    .addColumn('last_totp_step', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .addColumn('last_login_at', 'bigint')
    .execute();

  // Single-use recovery codes; only a digest is kept.
  await db.schema
    .createTable('staff_recovery_codes')
    .addColumn('id', idColumn(db))
    .addColumn('staff_id', 'bigint', (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('staff_recovery_codes_staff').on('staff_recovery_codes').column('staff_id').execute();

  // Staff sessions: separate table and cookie from customer sessions. id = SHA-256 of the token.
  await db.schema
    .createTable('staff_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('staff_id', 'bigint', (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    // Null while only the password was checked: such a session reaches the TOTP step only.
    .addColumn('mfa_passed_at', 'bigint')
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('staff_sessions_staff').on('staff_sessions').column('staff_id').execute();

  // One-time setup links (password + TOTP enrolment). Only the SHA-256 of the token is stored.
  await db.schema
    .createTable('staff_tokens')
    .addColumn('id', idColumn(db))
    .addColumn('staff_id', 'bigint', (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    // The setup runs in two steps; this records that the password step was done with this link.
    .addColumn('password_set_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('staff_tokens_staff').on('staff_tokens').column('staff_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('staff_tokens').execute();
  await db.schema.dropTable('staff_sessions').execute();
  await db.schema.dropTable('staff_recovery_codes').execute();
  await db.schema.dropTable('staff').execute();
}
