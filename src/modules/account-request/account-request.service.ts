import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { sha256 } from '../../shared/crypto.js';
import { formatDateTime } from '../../shared/format.js';
import type { Lang } from '../../shared/i18n/languages.js';
import { normalizeIdentifier } from '../../shared/identifier.js';
import { isValidEmail, normalizeEmail } from '../../shared/validation.js';
import { accountRequestAckMail, accountRequestNotificationMail } from '../../views/mail/templates.js';
import type { Executor } from '../../db/executor.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { enqueueMail } from '../mail/mail.service.js';
import { clientKey, LIMITS, releaseLimit, reserveLimit } from '../auth-core/limits.js';
import * as repo from './account-request.repository.js';
import { type AccountRequestEvent, type AccountRequestState, transition } from './account-request.state.js';
import type { AccountRequest } from './account-request.table.js';

export interface AccountRequestDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
}

/** The form's fields, by their HTML names, in the order the page shows them. */
export const ACCOUNT_REQUEST_FIELDS = ['raison_sociale', 'code_client', 'siret', 'nom', 'prenom', 'email', 'telephone', 'adresse', 'code_postal', 'ville', 'pays', 'message'] as const;
export type AccountRequestField = (typeof ACCOUNT_REQUEST_FIELDS)[number];
export type AccountRequestForm = Record<AccountRequestField, string>;

export const REQUIRED_FIELDS = ['raison_sociale', 'nom', 'prenom', 'email', 'telephone'] as const satisfies readonly AccountRequestField[];
export type RequiredField = (typeof REQUIRED_FIELDS)[number];

/**
 * S33: the longest value we keep, in characters, after trimming. The body schema lets a little
 * more through (BODY_MAX_LENGTH) so that an over-long value gets a French message next to its
 * field rather than the generic "bad request" page, while the work stays bounded.
 */
export const FIELD_MAX_LENGTH: Record<AccountRequestField, number> = {
  raison_sociale: 120,
  code_client: 16,
  siret: 32,
  nom: 80,
  prenom: 80,
  email: 254,
  telephone: 32,
  adresse: 200,
  code_postal: 16,
  ville: 80,
  pays: 80,
  message: 2000,
};
export const BODY_MAX_LENGTH = (field: AccountRequestField) => FIELD_MAX_LENGTH[field] * 4;

export type FieldError =
  | { field: RequiredField; code: 'REQUIRED' }
  | { field: AccountRequestField; code: 'TOO_LONG'; max: number; length: number }
  | { field: 'code_client'; code: 'CUSTOMER_CODE_FORMAT' }
  | { field: 'siret'; code: 'SIRET_FORMAT' }
  | { field: 'siret'; code: 'SIRET_LENGTH'; length: number }
  | { field: 'siret'; code: 'SIRET_CHECKSUM' }
  | { field: 'email'; code: 'EMAIL_FORMAT' }
  | { field: 'telephone'; code: 'PHONE_FORMAT' }
  | { field: 'code_postal'; code: 'POSTAL_CODE_FORMAT' };

/** What is stored, once cleaned and checked. */
export interface CleanAccountRequest {
  company: string;
  customerCode: string | null;
  siret: string | null;
  lastName: string;
  firstName: string;
  email: string;
  phone: string;
  address: string | null;
  postalCode: string | null;
  city: string | null;
  country: string | null;
  message: string | null;
}

// Every control character and line separator: none of them belongs in a one-line field, and
// folding them into a space means a company name can never split a mail header (S26).
const ONE_LINE_BREAKS = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One line: NFC, every run of white space or control characters folded into one space. */
export function oneLine(raw: string): string {
  return raw.normalize('NFC').replace(ONE_LINE_BREAKS, ' ').trim();
}

/** The message keeps its line breaks (as \n) and loses every other control character. */
export function multiLine(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/\r\n?|[\u0085\u2028\u2029]/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
    .trim();
}

/** Characters as a person counts them (an emoji is one), like the HTML maxlength. */
function lengthOf(value: string): number {
  return [...value].length;
}

/** The Luhn checksum the SIREN/SIRET numbers carry. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** SIREN of La Poste: its establishments' SIRET follow "sum of the digits is a multiple of 5" instead of Luhn (INSEE). */
const LA_POSTE_SIREN = '356000000';

/** 14 digits with a valid checksum (spaces, dots and hyphens already removed). */
export function isValidSiret(digits: string): boolean {
  if (!/^[0-9]{14}$/.test(digits) || /^0+$/.test(digits)) return false;
  if (luhnValid(digits)) return true;
  if (digits.startsWith(LA_POSTE_SIREN)) return [...digits].reduce((sum, d) => sum + Number(d), 0) % 5 === 0;
  return false;
}

/**
 * French or international phone number. Digits, spaces, dots and hyphens; a leading + (or 00)
 * for the international form, with "(0)" tolerated after the country code as people write it.
 * French numbers have 10 digits (0X XX XX XX XX, or +33 X XX XX XX XX); other countries 7 to 15
 * digits after their code (E.164).
 */
export function isValidPhone(raw: string): boolean {
  const value = raw.normalize('NFKC').trim().replace(/^(\+[0-9]{1,3})\s*\(0\)/, '$1');
  if (!/^\+?[0-9 .-]+$/.test(value)) return false;
  let compact = value.replace(/[ .-]/g, '');
  if (compact.startsWith('00')) compact = '+' + compact.slice(2);
  if (!compact.startsWith('+')) return /^0[1-9][0-9]{8}$/.test(compact);
  const digits = compact.slice(1);
  if (digits.startsWith('33')) return /^[1-9][0-9]{8}$/.test(digits.slice(2));
  return /^[1-9][0-9]{6,14}$/.test(digits);
}

/** Checks the form; on success returns the cleaned values that will be stored. */
export function validateAccountRequest(form: AccountRequestForm): { ok: true; value: CleanAccountRequest } | { ok: false; errors: FieldError[] } {
  const clean = {} as Record<AccountRequestField, string>;
  for (const field of ACCOUNT_REQUEST_FIELDS) clean[field] = field === 'message' ? multiLine(form[field]) : oneLine(form[field]);

  const errors: FieldError[] = [];
  const tooLong = new Set<AccountRequestField>();
  for (const field of ACCOUNT_REQUEST_FIELDS) {
    const length = lengthOf(clean[field]);
    if (length > FIELD_MAX_LENGTH[field]) {
      tooLong.add(field);
      errors.push({ field, code: 'TOO_LONG', max: FIELD_MAX_LENGTH[field], length });
    }
  }
  for (const field of REQUIRED_FIELDS) if (clean[field] === '') errors.push({ field, code: 'REQUIRED' });

  let customerCode: string | null = null;
  if (clean.code_client !== '' && !tooLong.has('code_client')) {
    customerCode = normalizeIdentifier(clean.code_client);
    if (!customerCode) errors.push({ field: 'code_client', code: 'CUSTOMER_CODE_FORMAT' });
  }

  let siret: string | null = null;
  if (clean.siret !== '' && !tooLong.has('siret')) {
    const compact = clean.siret.normalize('NFKC').replace(/[\s.-]/g, '');
    if (!/^[0-9]+$/.test(compact)) errors.push({ field: 'siret', code: 'SIRET_FORMAT' });
    else if (compact.length !== 14) errors.push({ field: 'siret', code: 'SIRET_LENGTH', length: compact.length });
    else if (!isValidSiret(compact)) errors.push({ field: 'siret', code: 'SIRET_CHECKSUM' });
    else siret = compact;
  }

  const email = normalizeEmail(clean.email);
  if (email !== '' && !tooLong.has('email') && !isValidEmail(email)) errors.push({ field: 'email', code: 'EMAIL_FORMAT' });
  if (clean.telephone !== '' && !tooLong.has('telephone') && !isValidPhone(clean.telephone)) errors.push({ field: 'telephone', code: 'PHONE_FORMAT' });
  if (clean.code_postal !== '' && !tooLong.has('code_postal') && !/^[0-9A-Za-z][0-9A-Za-z -]*$/.test(clean.code_postal.normalize('NFKC'))) {
    errors.push({ field: 'code_postal', code: 'POSTAL_CODE_FORMAT' });
  }

  if (errors.length > 0) {
    // One message per field, in the order of the form.
    const order = (f: AccountRequestField) => ACCOUNT_REQUEST_FIELDS.indexOf(f);
    const seen = new Set<AccountRequestField>();
    return {
      ok: false,
      errors: errors
        .sort((a, b) => order(a.field) - order(b.field))
        .filter((e) => (seen.has(e.field) ? false : (seen.add(e.field), true))),
    };
  }
  const optional = (value: string) => (value === '' ? null : value);
  return {
    ok: true,
    value: {
      company: clean.raison_sociale,
      customerCode,
      siret,
      lastName: clean.nom,
      firstName: clean.prenom,
      email,
      phone: clean.telephone,
      address: optional(clean.adresse),
      postalCode: optional(clean.code_postal),
      city: optional(clean.ville),
      country: optional(clean.pays),
      message: optional(clean.message),
    },
  };
}

export type SubmitResult =
  | { kind: 'accepted'; requestId: number | null }
  | { kind: 'errors'; errors: FieldError[] }
  | { kind: 'limited'; retryAfterSeconds: number };

/**
 * "Envoyer" on the account-opening form. The caller shows the same thank-you page for every
 * accepted submission: stored, caught by the honeypot, known customer code or not (S33).
 *
 * Only accepted submissions count against the IP (5 per hour): a person fixing a typo in the
 * SIRET is not punished, and a refused form stores and sends nothing. Once the limit is
 * reached, every post from that IP gets the 429 page until the window ends.
 */
export async function submitAccountRequest(
  deps: AccountRequestDeps,
  input: { form: AccountRequestForm; honeypot: string; origin: AuditOrigin & { ip: string }; language: Lang },
): Promise<SubmitResult> {
  const { db, clock, config } = deps;
  const { origin } = input;
  // S33 and S36: the submission is counted before anything else is done; a form sent back with
  // errors gives its use back, so only accepted requests (honeypot catches included) count.
  const reserved = await reserveLimit(db, clock, LIMITS.accountRequestsPerIp, clientKey(origin.ip));
  if (!reserved.ok) {
    await recordAudit(db, clock, origin, { event: 'account_request.rate_limited', outcome: 'blocked', actorType: 'anonymous' });
    return { kind: 'limited', retryAfterSeconds: reserved.retryAfterSeconds };
  }

  // A person never sees the honeypot; a robot fills it. It gets the same answer, and nothing is
  // stored or sent — checked before the other fields so the robot learns nothing from errors.
  if (input.honeypot.trim() !== '') {
    await recordAudit(db, clock, origin, { event: 'account_request.spam', outcome: 'blocked', actorType: 'anonymous', details: { reason: 'honeypot' } });
    return { kind: 'accepted', requestId: null };
  }

  const checked = validateAccountRequest(input.form);
  if (!checked.ok) {
    await releaseLimit(db, clock, reserved.reservation);
    return { kind: 'errors', errors: checked.errors };
  }
  const request = checked.value;

  const requestId = await db.transaction().execute(async (trx) => {
    const now = clock.now();
    const id = await repo.insertAccountRequest(trx, {
      state: 'new',
      company: request.company,
      customer_code: request.customerCode,
      siret: request.siret,
      last_name: request.lastName,
      first_name: request.firstName,
      email: request.email,
      phone: request.phone,
      address: request.address,
      postal_code: request.postalCode,
      city: request.city,
      country: request.country,
      message: request.message,
      created_at: now,
      updated_at: now,
      ip: origin.ip.slice(0, 64),
      user_agent: origin.userAgent ? origin.userAgent.slice(0, 512) : null,
      handled_by: null,
      handled_at: null,
      decision_reason: null,
      account_id: null,
    });

    const notification = accountRequestNotificationMail({
      brand: config.brandName,
      request,
      when: formatDateTime(now, config.displayTimezone),
      // S13: the link's origin is PUBLIC_URL, never anything the request said.
      link: `${config.publicUrl}/back-office/demandes/${id}`,
    });
    await enqueueMail(trx, clock, { ...notification, kind: 'account_request_notification', to: config.customerServiceEmail, accountId: null, replyTo: request.email });

    // S33: one acknowledgement per address per day, so the form cannot be used to flood someone's
    // mailbox. The counter lives in this transaction: two simultaneous requests cannot both pass,
    // and a rolled-back request does not use up the day. Only a digest of the address is kept.
    const ackAllowed = (await reserveLimit(trx, clock, LIMITS.accountRequestAckPerEmail, sha256(request.email.toLowerCase()))).ok;
    if (ackAllowed) {
      // The requester is nobody's account yet: the language of the page they sent the form from (S51).
      const ack = accountRequestAckMail({ brand: config.brandName, when: formatDateTime(now, config.displayTimezone, input.language), name: `${request.firstName} ${request.lastName}`, lang: input.language });
      await enqueueMail(trx, clock, { ...ack, kind: 'account_request_ack', to: request.email, accountId: null });
    }

    await recordAudit(trx, clock, origin, {
      event: 'account_request.created',
      outcome: 'success',
      actorType: 'anonymous',
      target: `account_request:${id}`,
      details: { acknowledgement: ackAllowed ? 'sent' : 'already_sent_today' },
    });
    return id;
  });
  return { kind: 'accepted', requestId };
}

// ——— For the back office ———

export async function listRequests(db: Executor, filter: { state?: AccountRequestState; limit: number; offset: number }): Promise<AccountRequest[]> {
  return repo.listAccountRequests(db, filter);
}

export async function countRequests(db: Executor, filter: { state?: AccountRequestState } = {}): Promise<number> {
  return repo.countAccountRequests(db, filter);
}

export async function getRequest(db: Executor, id: number): Promise<AccountRequest | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  return repo.findAccountRequestById(db, id);
}

export type ApplyTransitionResult =
  | { ok: true; request: AccountRequest; from: AccountRequestState; to: AccountRequestState }
  /**
   * NOT_FOUND: no such request. INVALID_TRANSITION: the event is not allowed from the request's
   * state (an approved or rejected request is final). CONFLICT: someone else moved the request
   * between our read and our write; reload and look again.
   */
  | { ok: false; code: 'NOT_FOUND' | 'INVALID_TRANSITION' | 'CONFLICT' };

/**
 * Applies `event` to a request, in the caller's transaction, so the back office can create or
 * link the account, queue its mails and record its audit entry in that same transaction: if
 * this returns ok: false, roll back (or do nothing else). The UPDATE is conditional on the state
 * just read (WHERE id = ? AND state = ?), so two concurrent approvals, or an approval racing a
 * rejection, end with exactly one winner.
 *
 * Auditing is the caller's: it knows the staff member's IP and user agent.
 */
export async function applyTransition(
  trx: Executor,
  clock: Clock,
  id: number,
  event: AccountRequestEvent,
  staff: { id: string },
  extra: { reason?: string | null; accountId?: number | null } = {},
): Promise<ApplyTransitionResult> {
  const current = await getRequest(trx, id);
  if (!current) return { ok: false, code: 'NOT_FOUND' };
  const next = transition(current.state, event);
  if (!next.ok) return { ok: false, code: next.code };
  const now = clock.now();
  const changes: Parameters<typeof repo.updateAccountRequestState>[3] = { state: next.state, handled_by: staff.id, handled_at: now, updated_at: now };
  if (extra.reason !== undefined) changes.decision_reason = extra.reason === null ? null : multiLine(extra.reason);
  if (extra.accountId !== undefined) changes.account_id = extra.accountId;
  if (!(await repo.updateAccountRequestState(trx, id, current.state, changes))) return { ok: false, code: 'CONFLICT' };
  const request = (await repo.findAccountRequestById(trx, id))!;
  return { ok: true, request, from: current.state, to: next.state };
}
