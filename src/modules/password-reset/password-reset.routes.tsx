/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clearSecureCookie, readCookie, setSecureCookie } from '../../plugins/cookies.js';
import { requestOrigin } from '../../plugins/customer-session.js';
import { flashIdentifier, takeFlashedIdentifier } from '../../plugins/identifier-flash.js';
import { pageContext, sendPage, sendTooManyRequests } from '../../plugins/views.js';
import { formatDuration } from '../../shared/format.js';
import { normalizeIdentifier } from '../../shared/identifier.js';
import { fr } from '../../shared/i18n/fr.js';
import type { PasswordVerdict } from '../../shared/password-policy.js';
import { isValidEmail, normalizeEmail } from '../../shared/validation.js';
import type { FieldErrors } from '../../views/forms.js';
import { h } from '../../views/jsx.js';
import { MessagePage } from '../../views/pages/message.js';
import { ActivationPage, ResetRequestPage, ResetSentPage } from '../../views/pages/password-reset.js';
import { checkResetLink, completePasswordReset, type ResetFieldError, requestPasswordReset } from './password-reset.service.js';

/** The link's token lives here between the first visit and Valider, never in the address bar (S14). */
export const RESET_COOKIE = '__Host-ep_reset';
const RESET_COOKIE_MAX_AGE_SECONDS = 3600;

const requestBody = {
  type: 'object',
  required: ['identifiant', 'email'],
  properties: { _csrf: { type: 'string' }, identifiant: { type: 'string', maxLength: 64 }, email: { type: 'string', maxLength: 320 } },
} as const;

const activationBody = {
  type: 'object',
  required: ['mot_de_passe', 'confirmation'],
  properties: {
    _csrf: { type: 'string' },
    identifiant: { type: 'string', maxLength: 64 },
    // Room for our own "too long" message (S1) while bounding the work.
    mot_de_passe: { type: 'string', maxLength: 4096 },
    confirmation: { type: 'string', maxLength: 4096 },
  },
} as const;

export function passwordMessage(verdict: PasswordVerdict, minLength: number, brand: string): string {
  switch (verdict.problem) {
    case 'REQUIRED':
      return fr.activation.REQUIRED;
    case 'TOO_SHORT':
      return fr.activation.TOO_SHORT(minLength, verdict.length);
    case 'TOO_LONG':
      return fr.activation.TOO_LONG(verdict.length);
    case 'COMMON':
      return fr.activation.COMMON;
    case 'TRIVIAL':
      return fr.activation.TRIVIAL;
    case 'CONTEXT':
      return fr.activation.CONTEXT(brand);
  }
}

export async function passwordResetRoutes(app: FastifyInstance) {
  const { config } = app.deps;
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock, hasher: app.deps.hasher, config });

  const invalidLink = (request: FastifyRequest, reply: FastifyReply, code: string | null) => {
    clearSecureCookie(reply, RESET_COOKIE);
    if (code) flashIdentifier(reply, code);
    const href = '/mot-de-passe-oublie';
    return sendPage(
      reply,
      <MessagePage ctx={pageContext(request, reply)} title={fr.activation.invalidTitle} body={fr.activation.invalidBody(formatDuration(config.resetTokenTtlSeconds))} isError action={{ href, label: fr.activation.invalidAction }} />,
      410,
    );
  };

  app.get<{ Querystring: { identifiant?: string } }>('/mot-de-passe-oublie', async (request, reply) => {
    const raw = typeof request.query.identifiant === 'string' ? request.query.identifiant : '';
    const identifier = normalizeIdentifier(raw) ?? takeFlashedIdentifier(request, reply);
    return sendPage(reply, <ResetRequestPage ctx={pageContext(request, reply)} identifier={identifier ?? undefined} />);
  });

  app.post<{ Body: { identifiant: string; email: string } }>('/mot-de-passe-oublie', { schema: { body: requestBody } }, async (request, reply) => {
    const { identifiant, email } = request.body;
    const errors: FieldErrors = {};
    if (identifiant.trim() === '') errors.identifiant = fr.reset.IDENTIFIER_REQUIRED;
    else if (!normalizeIdentifier(identifiant)) errors.identifiant = fr.reset.IDENTIFIER_FORMAT;
    if (email.trim() === '') errors.email = fr.reset.EMAIL_REQUIRED;
    else if (!isValidEmail(normalizeEmail(email))) errors.email = fr.reset.EMAIL_FORMAT;
    if (Object.keys(errors).length > 0) {
      // Format only: this says nothing about whether an account matches.
      return sendPage(reply, <ResetRequestPage ctx={pageContext(request, reply)} identifier={identifiant.slice(0, 32)} email={email.slice(0, 254)} errors={errors} />, 400);
    }
    await requestPasswordReset(deps(), { identifier: identifiant, email, origin: requestOrigin(request) });
    return reply.redirect('/mot-de-passe-oublie/confirmation', 303);
  });

  app.get('/mot-de-passe-oublie/confirmation', async (request, reply) =>
    sendPage(reply, <ResetSentPage ctx={pageContext(request, reply)} duration={formatDuration(config.resetTokenTtlSeconds)} />),
  );

  app.get<{ Querystring: { token?: string } }>('/activation', async (request, reply) => {
    const fromUrl = request.query.token;
    if (typeof fromUrl === 'string' && fromUrl.length > 0) {
      // S14: the token leaves the address bar (and the history, and any Referer) at once.
      setSecureCookie(reply, RESET_COOKIE, fromUrl.slice(0, 128), RESET_COOKIE_MAX_AGE_SECONDS);
      reply.header('referrer-policy', 'no-referrer');
      return reply.redirect('/activation', 303);
    }
    const link = await checkResetLink(deps(), readCookie(request, RESET_COOKIE), requestOrigin(request));
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
            errors={fieldErrors(result.errors, config.passwordMinLength, config.brandName)} />,
          400,
        );
      case 'done':
        // S16: no automatic login; the customer signs in with the new password.
        clearSecureCookie(reply, RESET_COOKIE);
        flashIdentifier(reply, result.code);
        return reply.redirect('/connexion?enregistre=1', 303);
    }
  });
}

function fieldErrors(errors: ResetFieldError[], minLength: number, brand: string): FieldErrors {
  const out: FieldErrors = {};
  for (const error of errors) {
    out[error.field] = error.field === 'mot_de_passe' ? passwordMessage(error.verdict, minLength, brand) : fr.activation[error.code];
  }
  return out;
}
