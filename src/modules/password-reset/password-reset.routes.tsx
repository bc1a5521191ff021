/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clearSecureCookie, COOKIE, readCookie, setSecureCookie } from '../../plugins/cookies.js';
import { enterLink, LINK_COOKIE_PREFILL_SECONDS } from '../auth-core/link-entry.js';
import { requestOrigin } from '../../plugins/request-origin.js';
import { identifierOfLinkCookie } from './password-reset.service.js';
import { pageContext, sendPage, sendTooManyRequests } from '../../plugins/views.js';
import { formatDuration } from '../../shared/format.js';
import { parseSignInIdentifier } from '../../shared/identifier.js';
import { catalogueOf, languageOf } from '../../plugins/language.js';
import type { Catalogue } from '../../shared/i18n/fr.js';
import { passwordMessage } from '../../shared/i18n/password.js';
import { isValidEmail, normalizeEmail } from '../../shared/validation.js';
import type { FieldErrors } from '../../views/forms.js';
import { h } from '../../views/jsx.js';
import { MessagePage } from '../../views/pages/message.js';
import { ActivationPage, ResetRequestPage, ResetSentPage } from '../../views/pages/password-reset.js';
import { checkResetLink, completePasswordReset, type ResetFieldError, requestPasswordReset } from './password-reset.service.js';

/** The link's token lives here between the first visit and Valider, never in the address bar (S14). */
export const RESET_COOKIE = COOKIE.resetLink;

const requestBody = {
  type: 'object',
  required: ['identifiant', 'email'],
  properties: { _csrf: { type: 'string' }, identifiant: { type: 'string', maxLength: 320 }, email: { type: 'string', maxLength: 320 } },
} as const;

const activationBody = {
  type: 'object',
  required: ['mot_de_passe', 'confirmation'],
  properties: {
    _csrf: { type: 'string' },
    identifiant: { type: 'string', maxLength: 320 },
    // Room for our own "too long" message (S1) while bounding the work.
    mot_de_passe: { type: 'string', maxLength: 4096 },
    confirmation: { type: 'string', maxLength: 4096 },
  },
} as const;

/**
 * The customer code to pre-fill on the next page (after an activation, or from a dead link to
 * "Mot de passe oublié ?") never travels in a URL (history, logs, Referer) nor in a cookie of its
 * own (S21): the link's cookie — a random token whose row names the account — is kept a few
 * minutes more, and the next page looks the account up through it, once.
 */
function keepLinkCookieForPrefill(request: FastifyRequest, reply: FastifyReply, code: string | null): void {
  const token = readCookie(request, RESET_COOKIE);
  if (code && token) setSecureCookie(reply, RESET_COOKIE, token, LINK_COOKIE_PREFILL_SECONDS);
  else clearSecureCookie(reply, RESET_COOKIE);
}

export async function passwordResetRoutes(app: FastifyInstance) {
  const { config } = app.deps;
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock, hasher: app.deps.hasher, config });

  const invalidLink = (request: FastifyRequest, reply: FastifyReply, code: string | null) => {
    // The link's cookie stays a few minutes so "Demander un nouveau lien" can pre-fill the code (never in a URL or cookie of its own, S21).
    keepLinkCookieForPrefill(request, reply, code);
    const href = '/mot-de-passe-oublie';
    const ctx = pageContext(request, reply);
    const t = ctx.t;
    return sendPage(
      reply,
      <MessagePage ctx={ctx} title={t.activation.invalidTitle} body={t.activation.invalidBody(formatDuration(config.resetTokenTtlSeconds, ctx.lang))} isError action={{ href, label: t.activation.invalidAction }} />,
      410,
    );
  };

  app.get<{ Querystring: { identifiant?: string } }>('/mot-de-passe-oublie', async (request, reply) => {
    const raw = typeof request.query.identifiant === 'string' ? request.query.identifiant : '';
    const typed = parseSignInIdentifier(raw);
    const identifier = (typed ? raw.normalize('NFKC').trim() : null) ?? (await identifierOfLinkCookie(app.deps, request, reply));
    return sendPage(reply, <ResetRequestPage ctx={pageContext(request, reply)} identifier={identifier ?? undefined} />);
  });

  app.post<{ Body: { identifiant: string; email: string } }>('/mot-de-passe-oublie', { schema: { body: requestBody } }, async (request, reply) => {
    const { identifiant, email } = request.body;
    const t = catalogueOf(request);
    const errors: FieldErrors = {};
    if (identifiant.trim() === '') errors.identifiant = t.reset.IDENTIFIER_REQUIRED;
    else if (!parseSignInIdentifier(identifiant)) errors.identifiant = t.reset.IDENTIFIER_FORMAT;
    if (email.trim() === '') errors.email = t.reset.EMAIL_REQUIRED;
    else if (!isValidEmail(normalizeEmail(email))) errors.email = t.reset.EMAIL_FORMAT;
    if (Object.keys(errors).length > 0) {
      // Format only: this says nothing about whether an account matches.
      return sendPage(reply, <ResetRequestPage ctx={pageContext(request, reply)} identifier={identifiant.slice(0, 254)} email={email.slice(0, 254)} errors={errors} />, 400);
    }
    await requestPasswordReset(deps(), { identifier: identifiant, email, origin: requestOrigin(request), language: languageOf(request) });
    return reply.redirect('/mot-de-passe-oublie/confirmation', 303);
  });

  app.get('/mot-de-passe-oublie/confirmation', async (request, reply) => {
    const ctx = pageContext(request, reply);
    return sendPage(reply, <ResetSentPage ctx={ctx} duration={formatDuration(config.resetTokenTtlSeconds, ctx.lang)} />);
  });

  app.get<{ Querystring: { token?: string } }>('/activation', async (request, reply) => {
    const entry = enterLink(request, reply, RESET_COOKIE, '/activation');
    if (entry.kind === 'redirected') return reply;
    const link = await checkResetLink(deps(), entry.token, requestOrigin(request));
    if (link.kind === 'limited') return sendTooManyRequests(request, reply, link.retryAfterSeconds);
    if (link.kind === 'invalid') return invalidLink(request, reply, link.code);
    return sendPage(reply, <ActivationPage ctx={pageContext(request, reply)} code={link.code} minLength={config.passwordMinLength} words={[config.brandName, link.code, link.email]} />);
  });

  app.post<{ Body: { mot_de_passe: string; confirmation: string } }>('/activation', { schema: { body: activationBody } }, async (request, reply) => {
    const result = await completePasswordReset(deps(), {
      token: readCookie(request, RESET_COOKIE),
      password: request.body.mot_de_passe,
      confirmation: request.body.confirmation,
      origin: requestOrigin(request),
      language: languageOf(request),
    });
    switch (result.kind) {
      case 'limited':
        return sendTooManyRequests(request, reply, result.retryAfterSeconds);
      case 'invalid':
        return invalidLink(request, reply, result.code);
      case 'errors':
        return sendPage(
          reply,
          <ActivationPage
            ctx={pageContext(request, reply)}
            code={result.code}
            minLength={config.passwordMinLength}
            words={[config.brandName, result.code, result.email]}
            errors={newPasswordFieldErrors(result.errors, config.passwordMinLength, config.brandName, catalogueOf(request))} />,
          400,
        );
      case 'done':
        // S16: no automatic login; the customer signs in with the new password.
        // The consumed link's cookie stays a few minutes: the login page finds the code through it.
        keepLinkCookieForPrefill(request, reply, result.code);
        return reply.redirect('/connexion?enregistre=1', 303);
    }
  });
}

/** The messages of newPasswordErrors next to their fields, in the page's language (also the invitation page's). */
export function newPasswordFieldErrors(errors: ResetFieldError[], minLength: number, brand: string, t: Catalogue): FieldErrors {
  const out: FieldErrors = {};
  for (const error of errors) {
    out[error.field] = error.field === 'mot_de_passe' ? passwordMessage(error.verdict, minLength, brand, t) : t.activation[error.code];
  }
  return out;
}
