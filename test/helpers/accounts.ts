import { type Kysely, sql } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import { createAccount } from '../../src/modules/account/account.service.js';
import type { TestApp } from './app.js';

export const STRONG_PASSWORD = 'cheval batterie agrafe correcte';

/** An account created as the CLI would, optionally with a password already set. */
export async function seedAccount(
  t: TestApp,
  fields: { code?: string; email?: string; company?: string; password?: string | null; disabled?: boolean } = {},
) {
  const created = await createAccount(
    t.db,
    t.clock,
    { code: fields.code ?? '12345', email: fields.email ?? 'contact@librairie-du-port.fr', company: fields.company ?? 'Librairie du Port' },
    { ip: null, userAgent: 'test' },
    { type: 'operator', id: 'test' },
  );
  if (!created.ok) throw new Error(`seedAccount: ${created.code}`);
  const account = created.value;
  const password = fields.password === undefined ? STRONG_PASSWORD : fields.password;
  if (password !== null) {
    const hash = await t.hasher.hash(password);
    await t.db.updateTable('accounts').set({ password_hash: hash, activated_at: t.clock.now() }).where('id', '=', account.id).execute();
  }
  if (fields.disabled) await t.db.updateTable('accounts').set({ disabled_at: t.clock.now() }).where('id', '=', account.id).execute();
  t.hasher.hashCalls = 0;
  t.hasher.verifyCalls = 0;
  t.hasher.verified.length = 0;
  return account;
}


/** The web account (person) that signs in with a customer code: `.where('id', 'in', holderOfCode(db, '12345'))`. */
export function holderOfCode(db: Kysely<DB>, code: string) {
  return db.selectFrom('companies').select(sql<number>`holder_account_id`.as('id')).where('code', '=', code);
}

/**
 * A person who joins an existing company with a role, optionally with a password (what an accepted
 * invitation leaves). Reuses the person when one already has this address.
 */
export async function seedMember(
  t: TestApp,
  fields: ({ code: string } | { companyId: number }) & { email: string; role?: 'admin' | 'buyer' | 'viewer'; password?: string | null; givenName?: string; familyName?: string },
): Promise<{ id: number; companyId: number }> {
  const now = t.clock.now();
  const company = 'companyId' in fields ? { id: fields.companyId } : await t.db.selectFrom('companies').select('id').where('code', '=', fields.code).executeTakeFirstOrThrow();
  let person = await t.db.selectFrom('accounts').select('id').where('email_lc', '=', fields.email.toLowerCase()).executeTakeFirst();
  if (!person) {
    const inserted = await t.db
      .insertInto('accounts')
      .values({ email: fields.email, email_lc: fields.email.toLowerCase(), created_at: now, updated_at: now, given_name: fields.givenName ?? null, family_name: fields.familyName ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    person = { id: Number(inserted.id) };
    const password = fields.password === undefined ? STRONG_PASSWORD : fields.password;
    if (password !== null) await t.db.updateTable('accounts').set({ password_hash: await t.hasher.hash(password), activated_at: now }).where('id', '=', person.id).execute();
  }
  await t.db.insertInto('memberships').values({ company_id: company.id, account_id: person.id, role: fields.role ?? 'buyer', created_at: now, updated_at: now }).execute();
  t.hasher.hashCalls = 0;
  t.hasher.verifyCalls = 0;
  t.hasher.verified.length = 0;
  return { id: person.id, companyId: company.id };
}
