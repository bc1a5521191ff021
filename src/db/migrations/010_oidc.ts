import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';

// Frozen in time: Kysely<any>, nothing imported from the app. Times are epoch milliseconds.

/**
 * Single sign-on (OpenID Connect provider, src/modules/sso): the provider's models, its signing
 * and cookie keys, the registered applications, a stable subject per account, and the time of the
 * last password check of each session (the truthful `auth_time`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Every oidc-provider model (Session, Interaction, AuthorizationCode, AccessToken, RefreshToken,
  // Grant…) in one table; the indexed columns are copies of payload fields the provider looks up by.
  await db.schema
    .createTable('oidc_models')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('uid', 'text')
    .addColumn('user_code', 'text')
    .addColumn('account_id', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oidc_models_pk', ['model', 'id'])
    .execute();
  await db.schema.createIndex('oidc_models_grant').on('oidc_models').column('grant_id').execute();
  await db.schema.createIndex('oidc_models_uid').on('oidc_models').columns(['model', 'uid']).execute();
  await db.schema.createIndex('oidc_models_user_code').on('oidc_models').columns(['model', 'user_code']).execute();
  await db.schema.createIndex('oidc_models_account').on('oidc_models').columns(['account_id', 'model']).execute();
  await db.schema.createIndex('oidc_models_expiry').on('oidc_models').column('expires_at').execute();

  // use = 'sig' (a private JWK, JSON) or 'cookie' (a random key). The newest of each signs; a
  // retired one still verifies until what it signed has expired, then retention drops it.
  await db.schema
    .createTable('oidc_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('use', 'text', (c) => c.notNull())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('material', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .execute();

  // Applications registered by an operator; only the SHA-256 of the secret is stored.
  await db.schema
    .createTable('oidc_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
    .addColumn('backchannel_logout_uri', 'text')
    .addColumn('home_url', 'text')
    .addColumn('auth_method', 'text', (c) => c.notNull().defaultTo('client_secret_basic'))
    .addColumn('id_token_alg', 'text', (c) => c.notNull().defaultTo('ES256'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .execute();

  // The OpenID `sub`: random, stable, never the customer code (a code can be reassigned in the ERP).
  await db.schema.alterTable('accounts').addColumn('oidc_sub', 'text').execute();
  const rows = await db.selectFrom('accounts').select('id').execute();
  for (const row of rows) await db.updateTable('accounts').set({ oidc_sub: randomUUID() }).where('id', '=', row.id).execute();
  await db.schema.createIndex('accounts_oidc_sub').on('accounts').column('oidc_sub').unique().execute();

  // Time of the password check behind a session (a remember-me restore keeps the series' one).
  await db.schema.alterTable('sessions').addColumn('authenticated_at', 'bigint').execute();
  await sql`UPDATE sessions SET authenticated_at = created_at`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('authenticated_at').execute();
  await db.schema.dropIndex('accounts_oidc_sub').execute();
  await db.schema.alterTable('accounts').dropColumn('oidc_sub').execute();
  await db.schema.dropTable('oidc_clients').execute();
  await db.schema.dropTable('oidc_keys').execute();
  await db.schema.dropTable('oidc_models').execute();
}
