import type { Clock } from '../../shared/clock.js';
import { hasLineBreak } from '../../shared/validation.js';
import type { MailContent } from '../../views/mail/templates.js';
import type { Executor } from '../../db/executor.js';
import { insertOutboxMessage } from './mail.repository.js';

export class MailHeaderInjectionError extends Error {
  readonly code = 'MAIL_HEADER_INJECTION';
}

/**
 * Queues a mail in the outbox, inside the caller's transaction: the mail exists exactly when
 * what caused it was committed. Nothing is sent here (S15); the worker delivers it.
 */
export async function enqueueMail(db: Executor, clock: Clock, mail: MailContent & { kind: string; to: string; accountId: number | null; replyTo?: string }): Promise<number> {
  // S26: anything that reaches a header is one line, or the mail is refused outright.
  if (hasLineBreak(mail.to) || hasLineBreak(mail.subject) || (mail.replyTo !== undefined && hasLineBreak(mail.replyTo))) throw new MailHeaderInjectionError('line break in a mail header');
  return insertOutboxMessage(db, {
    kind: mail.kind,
    account_id: mail.accountId,
    recipient: mail.to,
    reply_to: mail.replyTo ?? null,
    subject: mail.subject,
    text_body: mail.text,
    html_body: mail.html,
    created_at: clock.now(),
  });
}
