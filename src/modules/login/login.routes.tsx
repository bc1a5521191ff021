/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { listCompaniesOfPerson } from '../account/account.repository.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clearSecureCookie, COOKIE, readCookie, setSecureCookie } from '../../plugins/cookies.js';
import { endSessionCookie, startSessionCookie } from '../auth-core/sessions.js';
import { CHOOSER_PATH, loadCustomer, REMEMBER_COOKIE_MAX_AGE_SECONDS } from '../session/customer-session.js';
import { requestOrigin } from '../../plugins/request-origin.js';
import { identifierOfLinkCookie } from '../password-reset/password-reset.service.js';
import { pageContext, sendPage, sendPageRenderedOnce, sendTooManyRequests } from '../../plugins/views.js';
import { DAY_MS } from '../../shared/clock.js';
import { displayableIdentifier, parseSignInIdentifier } from '../../shared/identifier.js';
import { catalogueOf, chosenLanguage, languageOf, setLanguageCookie } from '../../plugins/language.js';
import { settleLanguageAtSignIn } from '../account/account.service.js';
import { safeNextPath } from '../../shared/safe-next.js';
import { h } from '../../views/jsx.js';
import { LoginPage } from '../../views/pages/login.js';
import { recordAudit } from '../audit/audit.service.js';
import {
  createSession,
  findRememberedIdentifier,
  forgetDevice,
  invalidateSession,
  issueRememberToken,
  KNOWN_BROWSER_MS,
  recognizeBrowser,
  rememberDevice,
  revokeRememberCookie,
} from '../session/session.service.js';
import { endSsoSessions } from '../sso/sso.service.js';
import { authenticate, noticeSignInFromNewBrowser } from './login.service.js';

const loginBody = {
  type: 'object',
  required: ['identifiant', 'mot_de_passe'],
  properties: {
    _csrf: { type: 'string', maxLength: 200 },
    // A 5-digit code or an e-mail address (254 characters at most).
    identifiant: { type: 'string', maxLength: 320 },
    // Long enough to reach our own "too long" rule (S1), short enough to bound the work.
    mot_de_passe: { type: 'string', maxLength: 4096 },
    memoriser: { type: 'string', maxLength: 8 },
    next: { type: 'string', maxLength: 512 },
  },
} as const;

const loginQuery = {
  type: 'object',
  properties: {
    next: { type: 'string' },
    deconnecte: { type: 'string' },
    enregistre: { type: 'string' },
    identifiant: { type: 'string' },
    // SSO prompt=login / max_age: show the form even to a signed-in customer (src/modules/sso).
    reconnexion: { type: 'string' },
    revoque: { type: 'string' },
  },
} as const;

interface LoginBody {
  identifiant: string;
  mot_de_passe: string;
  memoriser?: string;
  next?: string;
}

interface LoginQuery {
  next?: string;
  deconnecte?: string;
  enregistre?: string;
  identifiant?: string;
  reconnexion?: string;
  revoque?: string;
}

export async function loginRoutes(app: FastifyInstance) {
  app.get<{ Querystring: LoginQuery }>('/connexion', { schema: { querystring: loginQuery } }, async (request, reply) => {
    const next = safeNextPath(request.query.next);
    if (!(request.query.reconnexion && next) && (await loadCustomer(request, reply))) return reply.redirect(next ?? '/espace-pro', 303);
    const { db, clock } = app.deps;
    const device = readCookie(request, COOKIE.device);
    const remembered = device ? await findRememberedIdentifier(db, clock, device) : undefined;
    const typed = request.query.identifiant && parseSignInIdentifier(request.query.identifiant) ? request.query.identifiant.normalize('NFKC').trim() : null;
    const fromLink = typed ?? (await identifierOfLinkCookie(app.deps, request, reply));
    const t = catalogueOf(request);
    const notice = request.query.enregistre ? t.login.passwordSet : request.query.deconnecte ? t.login.loggedOut : request.query.revoque ? t.login.deviceRevoked : undefined;
    const identifier = fromLink ?? remembered;
    if (identifier === undefined && !next && !notice) return sendPageRenderedOnce(request, reply, 'login', (ctx) => <LoginPage ctx={ctx} remember={false} />);
    return sendPage(
      reply,
      <LoginPage ctx={pageContext(request, reply)} identifier={identifier} remember={remembered !== undefined} next={next} notice={notice} />,
    );
  });

  app.post<{ Body: LoginBody }>('/connexion', { schema: { body: loginBody } }, async (request, reply) => {
    const { db, clock, hasher, dummyHash, config, metrics } = app.deps;
    const body = request.body;
    const next = safeNextPath(body.next);
    const remember = body.memoriser !== undefined;
    const origin = requestOrigin(request);
    const t = catalogueOf(request);
    // An empty required field is named (S6 allows it: it says nothing about any account).
    const missing: Record<string, string> = {};
    if (body.identifiant.trim() === '') missing.identifiant = t.login.IDENTIFIER_REQUIRED;
    if (body.mot_de_passe === '') missing.mot_de_passe = t.login.PASSWORD_REQUIRED;
    if (Object.keys(missing).length > 0) {
      return sendPage(reply, <LoginPage ctx={pageContext(request, reply)} identifier={displayableIdentifier(body.identifiant)} remember={remember} next={next} errors={missing} />, 400);
    }
    const result = await authenticate({ db, clock, hasher, dummyHash, config, metrics }, { identifier: body.identifiant, password: body.mot_de_passe, origin });

    if (!result.ok && result.code === 'TOO_MANY_ATTEMPTS') return sendTooManyRequests(request, reply, result.retryAfterSeconds);
    if (!result.ok) {
      // S6: one status, one page, one message for every kind of failure; the password is never echoed.
      return sendPage(
        reply,
        <LoginPage
          ctx={pageContext(request, reply)}
          identifier={displayableIdentifier(body.identifiant)}
          remember={remember}
          next={next}
          errors={{ identifiant: result.waitMinutes ? t.login.THROTTLED(result.waitMinutes) : t.login.INVALID_CREDENTIALS }}
          errorInSummaryOnly
        />,
        401,
      );
    }

    const signedIn = await openCustomerSignIn(request, reply, { accountId: result.accountId, companyId: result.companyId, firstLogin: result.firstLogin, remember, method: 'pwd' });
    // Several companies: "Choisissez le compte client" first, then where the person was going.
    if (signedIn.companyId === null) return reply.redirect(`${CHOOSER_PATH}${next ? `?next=${encodeURIComponent(next)}` : ''}`, 303);
    return reply.redirect(next ?? '/espace-pro', 303);
  });

  // S22: logout is a POST (CSRF-checked by the global hook) that kills everything server-side.
  app.post('/deconnexion', async (request, reply) => {
    const customer = await loadCustomer(request, reply);
    await endCurrentSession(request, reply);
    endSessionCookie(request, reply, COOKIE.session);
    // Single sign-on: the applications signed in through Espace Pro are signed out too (back-channel).
    if (customer) await endSsoSessions(app.deps, customer.accountId, 'logout');
    if (customer) {
      await recordAudit(app.deps.db, app.deps.clock, requestOrigin(request), {
        event: 'logout',
        outcome: 'success',
        actorType: 'customer',
        actorId: customer.companyId === null ? customer.email : customer.code,
        accountId: customer.accountId,
        companyId: customer.companyId,
      });
    }
    return reply.redirect('/connexion?deconnecte=1', 303);
  });
}

/**
 * What every successful customer sign-in does, whatever proved it (password, passkey): a brand-new
 * session (S18) in a new remember-me series when asked (S20), the new-browser notice (S39), the
 * identifier pre-fill kept or forgotten. `method` is recorded for the single sign-on `amr`.
 */
export async function openCustomerSignIn(
  request: FastifyRequest,
  reply: FastifyReply,
  /** `companyId`: the company signed in to (null: the chooser first); absent, the person's only open company if they have one. */
  input: { accountId: number; companyId?: number | null; firstLogin: boolean; remember: boolean; method: 'pwd' | 'passkey' },
): Promise<{ companyId: number | null }> {
  const { db, clock } = request.server.deps;
  const origin = requestOrigin(request);
  const companyId = input.companyId !== undefined ? input.companyId : await onlyCompanyOf(db, input.accountId);
  // S18: a brand-new session; whatever this browser held before dies now.
  await endCurrentSession(request, reply);
  // The session belongs to the remember-me series, so detected theft kills it too (S20).
  const who = { accountId: input.accountId, companyId };
  const token = input.remember ? await issueRememberToken(db, clock, who, null, input.method) : null;
  const session = await createSession(db, clock, who, origin, token?.series ?? null, input.method);
  startSessionCookie(request, reply, COOKIE.session, session.token);

  // S51: the person's language, for their mails, and for this browser when it never picked one.
  const followed = await settleLanguageAtSignIn(db, input.accountId, chosenLanguage(request), languageOf(request));
  if (followed) setLanguageCookie(reply, followed);

  // S39: a browser this account has not signed in from before; its holder hears of it.
  const browser = await recognizeBrowser(db, clock, input.accountId, readCookie(request, COOKIE.browser));
  setSecureCookie(reply, COOKIE.browser, browser.cookieValue, KNOWN_BROWSER_MS / 1000);
  if (!browser.known && !input.firstLogin) await noticeSignInFromNewBrowser(request.server.deps, { accountId: input.accountId, userAgent: origin.userAgent, ip: origin.ip });

  const device = readCookie(request, COOKIE.device);
  if (token) {
    setSecureCookie(reply, COOKIE.remember, token.cookieValue, REMEMBER_COOKIE_MAX_AGE_SECONDS);
    const deviceValue = await rememberDevice(db, clock, input.accountId, device);
    setSecureCookie(reply, COOKIE.device, deviceValue, (30 * DAY_MS) / 1000);
  } else if (device) {
    // Box left unticked: this browser stops pre-filling the identifier.
    await forgetDevice(db, device);
    clearSecureCookie(reply, COOKIE.device);
  }
  return { companyId };
}

/** The person's one open company, or null when they have several (they choose) or none. */
async function onlyCompanyOf(db: Kysely<DB>, accountId: number): Promise<number | null> {
  const open = (await listCompaniesOfPerson(db, accountId)).filter((c) => c.company_disabled_at === null);
  return open.length === 1 ? open[0]!.company_id : null;
}

/** Deletes this browser's session and remember-me series server-side and clears their cookies. */
async function endCurrentSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { db } = request.server.deps;
  const customer = await loadCustomer(request, reply);
  if (customer) await invalidateSession(db, customer.id);
  const remember = readCookie(request, COOKIE.remember);
  if (remember) await revokeRememberCookie(db, remember);
  if (readCookie(request, COOKIE.session) || customer) clearSecureCookie(reply, COOKIE.session);
  if (remember) clearSecureCookie(reply, COOKIE.remember);
}
