import type { Kysely } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app.

/**
 * Where "Répondre" goes: the customer-service notification of an account-opening request is
 * answered to the requester, not to the no-reply sender. Empty for every other mail.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('reply_to', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('reply_to').execute();
}
