import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { normalizeIdentifier } from '../../shared/identifier.js';
import { hasLineBreak, isValidEmail, normalizeEmail } from '../../shared/validation.js';
import { recordAudit, type AuditOrigin } from '../audit/audit.service.js';
import { fail, ok, type Result } from '../../shared/result.js';
import * as repo from './account.repository.js';
import type { Executor } from '../../db/executor.js';
import { asLanguage, DEFAULT_LANGUAGE, type Lang } from '../../shared/i18n/languages.js';

export type AccountInputError = 'INVALID_CODE' | 'INVALID_EMAIL' | 'INVALID_COMPANY' | 'DUPLICATE_CODE';

export interface NewAccount {
  code: string;
  email: string;
  company: string;
}

/** Checks and canonicalises the fields of a new or imported account. */
export function validateAccountInput(input: NewAccount): { value: NewAccount } | { error: AccountInputError } {
  const code = normalizeIdentifier(input.code);
  if (!code) return { error: 'INVALID_CODE' };
  const email = normalizeEmail(input.email);
  if (!isValidEmail(email) || hasLineBreak(email)) return { error: 'INVALID_EMAIL' };
  const company = input.company.normalize('NFKC').trim();
  if (company.length === 0 || company.length > 200 || hasLineBreak(company)) return { error: 'INVALID_COMPANY' };
  return { value: { code, email, company } };
}

/**
 * A new company with its holder as administrator (CLI, tests; the import and approved requests
 * use the same repository function). S5: a new account has no password at all; the customer activates it through an e-mailed link.
 */
export async function createAccount(
  db: Kysely<DB>,
  clock: Clock,
  input: NewAccount,
  origin: AuditOrigin,
  actor: { type: 'operator' | 'staff'; id: string },
): Promise<Result<{ id: number; companyId: number; code: string; email: string; company: string }, AccountInputError>> {
  const checked = validateAccountInput(input);
  if ('error' in checked) return fail(checked.error);
  const { code, email, company } = checked.value;
  return db.transaction().execute(async (trx) => {
    if (await repo.findAccountByCode(trx, code)) return fail('DUPLICATE_CODE');
    const now = clock.now();
    const { accountId: id, companyId } = await repo.insertPasswordlessAccount(trx, { code, email, company, now });
    await recordAudit(trx, clock, origin, { event: 'account.created', outcome: 'success', actorType: actor.type, actorId: actor.id, accountId: id, companyId, target: code });
    return ok({ id, companyId, code, email, company });
  });
}

export type AccountStatus = 'pre-created' | 'activated' | 'disabled';

export function accountStatus(account: { password_hash: string | null; disabled_at: number | null }): AccountStatus {
  if (account.disabled_at !== null) return 'disabled';
  return account.password_hash === null ? 'pre-created' : 'activated';
}

/**
 * The language of a mail to this person (S51): the one they chose (saved on them at sign-in),
 * else the language of the request that caused the mail, else French. A stored value outside
 * the enum is ignored.
 */
export function mailLanguage(person: { language?: string | null } | null | undefined, requestLanguage?: Lang): Lang {
  return asLanguage(person?.language) ?? requestLanguage ?? DEFAULT_LANGUAGE;
}

/** Saves the language a signed-in person chose (or reads pages in) so that their mails follow it. */
export async function saveLanguage(db: Executor, accountId: number, language: Lang): Promise<void> {
  await repo.setLanguage(db, accountId, language);
}

/**
 * At sign-in (S51): a language the visitor picked in this browser is saved on the person; without
 * one, the person's saved language is returned for this browser's cookie (the choice follows the
 * person); a person who never chose gets the language they read the pages in.
 */
export async function settleLanguageAtSignIn(db: Executor, accountId: number, chosen: Lang | null, pageLanguage: Lang): Promise<Lang | null> {
  if (chosen) {
    await repo.setLanguage(db, accountId, chosen);
    return null;
  }
  const saved = asLanguage((await repo.findPersonById(db, accountId))?.language);
  if (saved) return saved;
  await repo.setLanguage(db, accountId, pageLanguage);
  return null;
}
