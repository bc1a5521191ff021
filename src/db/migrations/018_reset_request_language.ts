import type { Kysely } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app.

/**
 * The language of the page a "Réinitialiser mot de passe" was sent from ('fr' | 'en'): the link
 * mail goes out in it when the person never chose one (S51). Null for rows queued before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reset_requests').addColumn('language', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reset_requests').dropColumn('language').execute();
}
