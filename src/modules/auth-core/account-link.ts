import type { Config } from '../../config.js';
import type { Executor } from '../../db/executor.js';
import type { Clock } from '../../shared/clock.js';
import { formatDateTime, formatDuration } from '../../shared/format.js';
import { resetLinkMail } from '../../views/mail/templates.js';
import { enqueueMail } from '../mail/mail.service.js';
import { mailLanguage } from '../account/account.service.js';
import type { Lang } from '../../shared/i18n/languages.js';
import { issueLinkToken } from './link-tokens.js';

/**
 * Queues the activation (no password yet) or reset link mail of an account, in the caller's
 * transaction: the link and its mail exist together or not at all. S13: the link's origin is
 * PUBLIC_URL, never anything a request said.
 */
export async function sendAccountLink(
  deps: { clock: Clock; config: Config },
  trx: Executor,
  account: { id: number; code: string; email: string; company: string; password_hash: string | null; language?: string | null },
  /** `welcome`: the account was just opened on the customer's own request (an approved account-opening request). */
  occasion: 'welcome' | 'link' = 'link',
  /** The language of the page the link was asked from, if a customer asked (S51: the person's own comes first). */
  requestLanguage?: Lang,
  /** Who asked (an approved request's first and last name): the mail greets them by name. */
  name?: string,
) {
  const { clock, config } = deps;
  const purpose = account.password_hash === null ? 'activation' : 'reset';
  const { token, expiresAt } = await issueLinkToken(trx, clock, { purpose, subject: { type: 'account', id: account.id }, ttlSeconds: config.resetTokenTtlSeconds });
  const link = `${config.publicUrl}/activation?token=${token}`;
  const lang = mailLanguage(account, requestLanguage);
  const mail = resetLinkMail({
    lang,
    brand: config.brandName,
    company: account.company,
    code: account.code,
    link,
    duration: formatDuration(config.resetTokenTtlSeconds, lang),
    until: formatDateTime(expiresAt, config.displayTimezone, lang),
    kind: purpose === 'reset' ? 'reset' : occasion === 'welcome' ? 'welcome' : 'activation',
    name,
  });
  const kind = purpose === 'reset' ? 'reset_link' : occasion === 'welcome' ? 'welcome_link' : 'activation_link';
  await enqueueMail(trx, clock, { ...mail, kind, to: account.email, accountId: account.id });
  return { purpose, expiresAt };
}

/** Every open link of an account, voided (S12). */
export function accountSubject(accountId: number) {
  return { type: 'account' as const, id: accountId };
}
