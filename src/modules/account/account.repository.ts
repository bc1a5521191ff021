import { type Insertable, sql } from 'kysely';
import { prepareQuery } from '../../db/prepared.js';
import type { Executor } from '../../db/executor.js';
import type { AccountTable } from './account.table.js';
import type { Role } from '../company/company.table.js';

/**
 * A person's web account seen through one of their companies: the person's own columns, plus
 * the customer code, the company name and the role. `disabled_at` is the person's or, failing
 * that, the company's: a disabled company signs none of its people in.
 */
function companyAccounts(db: Executor) {
  return db
    .selectFrom('accounts')
    .innerJoin('memberships', 'memberships.account_id', 'accounts.id')
    .innerJoin('companies', 'companies.id', 'memberships.company_id')
    .select((eb) => [
      'accounts.id',
      'accounts.email',
      'accounts.email_lc',
      'accounts.password_hash',
      'accounts.created_at',
      'accounts.activated_at',
      'accounts.last_login_at',
      'accounts.password_changed_at',
      'accounts.given_name',
      'accounts.family_name',
      'accounts.language',
      'accounts.oidc_sub',
      'accounts.disabled_at as person_disabled_at',
      eb.fn.coalesce('accounts.disabled_at', 'companies.disabled_at').as('disabled_at'),
      'companies.id as company_id',
      'companies.code',
      'companies.name as company',
      'companies.disabled_at as company_disabled_at',
      'companies.holder_account_id',
      'memberships.role',
    ]);
}

export type CompanyAccount = {
  id: number;
  email: string;
  email_lc: string;
  password_hash: string | null;
  created_at: number;
  activated_at: number | null;
  last_login_at: number | null;
  password_changed_at: number | null;
  given_name: string | null;
  family_name: string | null;
  language: string | null;
  oidc_sub: string | null;
  person_disabled_at: number | null;
  disabled_at: number | null;
  company_id: number;
  code: string;
  company: string;
  company_disabled_at: number | null;
  holder_account_id: number | null;
  role: Role;
};

/** S5: every person starts without a password; they choose it through a link. */
export async function insertPasswordlessPerson(db: Executor, row: { email: string; givenName?: string | null; familyName?: string | null; now: number }): Promise<number> {
  const values: Insertable<AccountTable> = {
    email: row.email,
    email_lc: row.email.toLowerCase(),
    password_hash: null,
    created_at: row.now,
    updated_at: row.now,
    activated_at: null,
    disabled_at: null,
    last_login_at: null,
    password_changed_at: null,
    given_name: row.givenName ?? null,
    family_name: row.familyName ?? null,
  };
  const result = await db.insertInto('accounts').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(result.id);
}

/**
 * A company and its holder, who becomes its administrator: what the CLI, the import and an
 * approved request create. Returns both ids (they differ once people join companies).
 */
export async function insertPasswordlessAccount(db: Executor, row: { code: string; email: string; company: string; now: number }): Promise<{ accountId: number; companyId: number }> {
  const accountId = await insertPasswordlessPerson(db, { email: row.email, now: row.now });
  const company = await db
    .insertInto('companies')
    .values({ code: row.code, name: row.company, holder_account_id: accountId, created_at: row.now, updated_at: row.now, disabled_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const companyId = Number(company.id);
  await db.insertInto('memberships').values({ company_id: companyId, account_id: accountId, role: 'admin', created_at: row.now, updated_at: row.now }).execute();
  return { accountId, companyId };
}

// Looked up on every login attempt by code: compiled once.
const holderByCode = prepareQuery((db, p: { code: string }) =>
  companyAccounts(db).where('companies.code', '=', p.code).whereRef('memberships.account_id', '=', 'companies.holder_account_id'),
);

/** The holder of the company with this customer code: who signs in with the code (as before company accounts). */
export async function findAccountByCode(db: Executor, code: string): Promise<CompanyAccount | undefined> {
  return (await holderByCode(db, { code }))[0] as CompanyAccount | undefined;
}

/** The company's page in the back office: the company seen through its holder. */
export async function findCompanyAccount(db: Executor, companyId: number): Promise<CompanyAccount | undefined> {
  return (await companyAccounts(db).where('companies.id', '=', companyId).whereRef('memberships.account_id', '=', 'companies.holder_account_id').executeTakeFirst()) as
    | CompanyAccount
    | undefined;
}

/**
 * A person through one of their companies: the one named, else the one they hold, else the
 * oldest membership. Undefined when the person is not a member of the company named (S43).
 */
export async function findAccountById(db: Executor, id: number, companyId?: number | null): Promise<CompanyAccount | undefined> {
  const rows = companyId != null ? await personInCompany(db, { id, companyId }) : await personFirstCompany(db, { id });
  return rows[0] as CompanyAccount | undefined;
}

// Read at every sign-in (the person behind a passkey, their companies, the new-browser notice): compiled once.
const personInCompany = prepareQuery((db, p: { id: number; companyId: number }) => companyAccounts(db).where('accounts.id', '=', p.id).where('companies.id', '=', p.companyId).limit(1));
const personFirstCompany = prepareQuery((db, p: { id: number }) =>
  companyAccounts(db)
    .where('accounts.id', '=', p.id)
    .orderBy(sql`case when companies.holder_account_id = accounts.id then 0 else 1 end`)
    .orderBy('memberships.id')
    .limit(1),
);
const companiesOfPerson = prepareQuery((db, p: { id: number }) => companyAccounts(db).where('accounts.id', '=', p.id).orderBy('companies.code'));

/** Every company a person belongs to, for the chooser (one query). */
export async function listCompaniesOfPerson(db: Executor, id: number): Promise<CompanyAccount[]> {
  return (await companiesOfPerson(db, { id })) as CompanyAccount[];
}

/** The memberships of the people with this address (sign-in by e-mail): one query. */
export async function listCompaniesOfEmail(db: Executor, emailLc: string): Promise<CompanyAccount[]> {
  return (await companyAccountsByEmail(db, { emailLc })) as CompanyAccount[];
}

// Looked up on every sign-in by e-mail: compiled once, like the lookup by code.
const companyAccountsByEmail = prepareQuery((db, p: { emailLc: string }) => companyAccounts(db).where('accounts.email_lc', '=', p.emailLc).orderBy('companies.code').limit(50));

/** A member of the company with this code, by their own address (the reset request). */
export async function findMemberByCodeAndEmail(db: Executor, code: string, emailLc: string): Promise<CompanyAccount | undefined> {
  return (await companyAccounts(db).where('companies.code', '=', code).where('accounts.email_lc', '=', emailLc).executeTakeFirst()) as CompanyAccount | undefined;
}

/**
 * The one person with this address, through their first open company (the one they hold first).
 * Undefined when nobody, or several people made before company accounts, have it.
 */
export async function findPersonByEmail(db: Executor, emailLc: string): Promise<CompanyAccount | undefined> {
  const rows = await listCompaniesOfEmail(db, emailLc);
  if (rows.length === 0 || rows.some((r) => r.id !== rows[0]!.id)) return undefined;
  const open = rows.filter((r) => r.company_disabled_at === null);
  return open.find((r) => r.holder_account_id === r.id) ?? open[0];
}

const personById = prepareQuery((db, p: { id: number }) => db.selectFrom('accounts').selectAll().where('id', '=', p.id));

export async function findPersonById(db: Executor, id: number) {
  return (await personById(db, { id }))[0];
}

/** People with this address (case-insensitive). Several only for accounts that shared one address before company accounts. */
export async function findPeopleByEmail(db: Executor, emailLc: string) {
  return db.selectFrom('accounts').selectAll().where('email_lc', '=', emailLc).orderBy('id').limit(2).execute();
}

export async function listAccounts(db: Executor, limit: number, offset = 0) {
  return db
    .selectFrom('companies')
    .leftJoin('accounts', 'accounts.id', 'companies.holder_account_id')
    .select(['companies.id', 'companies.code', 'companies.name as company', 'accounts.email', 'accounts.password_hash', 'companies.disabled_at'])
    .orderBy('companies.code')
    .limit(limit)
    .offset(offset)
    .execute();
}

const loginTime = prepareQuery((db, p: { id: number; now: number }) => db.updateTable('accounts').set({ last_login_at: p.now }).where('id', '=', p.id));

export async function recordLogin(db: Executor, id: number, now: number): Promise<void> {
  await loginTime(db, { id, now });
}

export async function updatePasswordHash(db: Executor, id: number, passwordHash: string, now: number): Promise<void> {
  await db.updateTable('accounts').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', id).execute();
}

/** Saves a new password; the first one also marks the account activated. */
export async function setPassword(db: Executor, id: number, passwordHash: string, now: number): Promise<void> {
  await db
    .updateTable('accounts')
    .set((eb) => ({
      password_hash: passwordHash,
      password_changed_at: now,
      updated_at: now,
      activated_at: eb.fn.coalesce('activated_at', eb.val(now)),
    }))
    .where('id', '=', id)
    .execute();
}

/** The person's language for mails ('fr' | 'en', S51); written only when it changes. */
export async function setLanguage(db: Executor, id: number, language: 'fr' | 'en'): Promise<void> {
  await db.updateTable('accounts').set({ language }).where('id', '=', id).where((eb) => eb.or([eb('language', 'is', null), eb('language', '!=', language)])).execute();
}
