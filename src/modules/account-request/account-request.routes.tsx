/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyInstance } from 'fastify';
import { requestOrigin } from '../../plugins/request-origin.js';
import { pageContext, sendPage, sendTooManyRequests } from '../../plugins/views.js';
import { catalogueOf, languageOf } from '../../plugins/language.js';
import type { Catalogue } from '../../shared/i18n/fr.js';
import type { FieldErrors } from '../../views/forms.js';
import { h } from '../../views/jsx.js';
import { AccountRequestPage, AccountRequestThanksPage } from '../../views/pages/account-request.js';
import {
  ACCOUNT_REQUEST_FIELDS,
  type AccountRequestForm,
  BODY_MAX_LENGTH,
  FIELD_MAX_LENGTH,
  type FieldError,
  submitAccountRequest,
} from './account-request.service.js';

/** The honeypot's name: plausible enough for a robot to fill in. */
export const HONEYPOT_FIELD = 'site_web';

/**
 * S27: every field must be a string (an array or object is refused before the handler runs);
 * S33: each is bounded. The bound is looser than the real limit so the form can say "too long"
 * in French next to the field; past it the generic 400 page answers.
 */
const requestBody = {
  type: 'object',
  properties: {
    _csrf: { type: 'string' },
    [HONEYPOT_FIELD]: { type: 'string', maxLength: 1000 },
    ...Object.fromEntries(ACCOUNT_REQUEST_FIELDS.map((field) => [field, { type: 'string', maxLength: BODY_MAX_LENGTH(field) }])),
  },
} as const;

type RequestBody = Partial<Record<string, string>>;

function fieldMessage(error: FieldError, catalogue: Catalogue): string {
  const t = catalogue.accountRequest;
  switch (error.code) {
    case 'REQUIRED':
      return t.REQUIRED[error.field];
    case 'TOO_LONG':
      return t.TOO_LONG(t.labels[error.field], error.max, error.length);
    case 'SIRET_LENGTH':
      return t.SIRET_LENGTH(error.length);
    case 'CUSTOMER_CODE_FORMAT':
    case 'SIRET_FORMAT':
    case 'SIRET_CHECKSUM':
    case 'EMAIL_FORMAT':
    case 'PHONE_FORMAT':
    case 'POSTAL_CODE_FORMAT':
      return t[error.code];
  }
}

/** "Demande d'ouverture de compte": the public form, its post and the thank-you page (PRG). */
export async function accountRequestRoutes(app: FastifyInstance) {
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock, config: app.deps.config });

  app.get('/ouverture-de-compte', async (request, reply) => sendPage(reply, <AccountRequestPage ctx={pageContext(request, reply)} maxLengths={FIELD_MAX_LENGTH} retentionDays={app.deps.config.requestRetentionDays} />));

  app.post<{ Body: RequestBody }>('/ouverture-de-compte', { schema: { body: requestBody } }, async (request, reply) => {
    const body = request.body ?? {};
    const form = Object.fromEntries(ACCOUNT_REQUEST_FIELDS.map((field) => [field, body[field] ?? ''])) as AccountRequestForm;
    const result = await submitAccountRequest(deps(), { form, honeypot: body[HONEYPOT_FIELD] ?? '', origin: requestOrigin(request), language: languageOf(request) });
    switch (result.kind) {
      case 'limited':
        return sendTooManyRequests(request, reply, result.retryAfterSeconds);
      case 'errors': {
        const errors: FieldErrors = {};
        for (const error of result.errors) errors[error.field] = fieldMessage(error, catalogueOf(request));
        // The input comes back as typed (S25: the template encodes it).
        return sendPage(reply, <AccountRequestPage ctx={pageContext(request, reply)} values={form} errors={errors} maxLengths={FIELD_MAX_LENGTH} retentionDays={app.deps.config.requestRetentionDays} />, 400);
      }
      case 'accepted':
        return reply.redirect('/ouverture-de-compte/merci', 303);
    }
  });

  app.get('/ouverture-de-compte/merci', async (request, reply) => sendPage(reply, <AccountRequestThanksPage ctx={pageContext(request, reply)} />));
}
