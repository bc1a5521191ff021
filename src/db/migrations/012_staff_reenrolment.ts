import type { Kysely } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app.

/**
 * A member re-enrolling their authenticator from "Mon compte": the new secret (sealed) waits on
 * the session that asked for it until a code from the new app confirms it; it dies with the session.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('staff_sessions').addColumn('pending_totp_secret', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('staff_sessions').dropColumn('pending_totp_secret').execute();
}
