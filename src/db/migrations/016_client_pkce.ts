import type { Kysely } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app.

/**
 * Shop modules that cannot send PKCE (issue 22): a per-application exception, off for every
 * application that exists (1 = PKCE S256 required, as before). Only a confidential client may be
 * set to 0, and then it must send a nonce (src/modules/sso/README.md).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('oidc_clients').addColumn('pkce_required', 'integer', (c) => c.notNull().defaultTo(1)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('oidc_clients').dropColumn('pkce_required').execute();
}
