/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { catalogueOf, languageOf } from '../../plugins/language.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { COOKIE, readCookie, setSecureCookie } from '../../plugins/cookies.js';
import { requestOrigin } from '../../plugins/request-origin.js';
import { pageContext, sendPage, sendTooManyRequests } from '../../plugins/views.js';
import { randomToken } from '../../shared/crypto.js';
import { fr } from '../../shared/i18n/fr.js';
import { isSafeLocalPath, safeNextPath } from '../../shared/safe-next.js';
import type { FieldErrors } from '../../views/forms.js';
import { h } from '../../views/jsx.js';
import { LoginPage } from '../../views/pages/login.js';
import { PasskeysPage } from '../../views/pages/passkeys.js';
import { StaffCodePage, StaffStepUpPage } from '../../views/back-office/staff.js';
import { attemptPassword } from '../auth-core/attempts.js';
import { mailLanguage } from '../account/account.service.js';
import { recordAudit } from '../audit/audit.service.js';
import { openCustomerSignIn } from '../login/login.routes.js';
import { loadCustomer } from '../session/customer-session.js';
import type { ValidSession } from '../session/session.service.js';
import { getStaff, loadStaffSession, registerStaffScope, STAFF_CODE_PATH, STAFF_LOGIN_PATH, STEP_UP_MAX_AGE_MS, STEP_UP_PATH } from '../staff/staff.guard.js';
import { verifyStaffSecondFactor } from '../staff/staff.login.service.js';
import * as staffRepo from '../staff/staff.repository.js';
import { openStaffSignedInSession, renderMyAccount } from '../staff/staff.routes.js';
import { refreshSecondFactor } from '../staff/staff.sessions.js';
import {
  assertionCheck,
  finishRegistration,
  findPerson,
  hasRecentSignIn,
  listOwnPasskeys,
  markSessionReauthenticated,
  type OwnerContext,
  type PasskeyDeps,
  removeOwnPasskey,
  removePasskeysByStaff,
  renameOwnPasskey,
  RESPONSE_MAX_LENGTH,
  signInWithPasskey,
  startAssertion,
  type OptionsAnswer,
  type PasskeyNameError,
  startRegistration,
} from './passkeys.service.js';

const csrf = { _csrf: { type: 'string', maxLength: 200 } } as const;
const optionsBody = { type: 'object', properties: csrf } as const;
const responseBody = {
  type: 'object',
  required: ['reponse'],
  properties: { ...csrf, reponse: { type: 'string', maxLength: RESPONSE_MAX_LENGTH }, memoriser: { type: 'string', maxLength: 8 }, next: { type: 'string', maxLength: 512 } },
} as const;
const nameBody = { type: 'object', required: ['nom'], properties: { ...csrf, nom: { type: 'string', maxLength: 256 } } } as const;
const confirmBody = { type: 'object', required: ['actuel'], properties: { ...csrf, actuel: { type: 'string', maxLength: 4096 } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,12}$' } } } as const;

interface ResponseBody {
  reponse: string;
  memoriser?: string;
  next?: string;
}

/**
 * S48: the random value that binds a ceremony's challenge to the browser that asked — the
 * browser's CSRF binding (`__Host-ep_csrf`: 256 random bits, HttpOnly, renewed at every sign-in
 * and sign-out), so no cookie is added for passkeys. Only its SHA-256 is stored with the
 * challenge. Every options request is a POST that passed the CSRF check, so the cookie is there;
 * an answer from a browser without it (or with another one) finds no challenge.
 */
const boundBrowser = (request: FastifyRequest) => readCookie(request, COOKIE.csrf) ?? randomToken(32);

/** JSON for passkeys.js (options, or where to go first), never cached. */
function sendJson(reply: FastifyReply, body: unknown, status = 200) {
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/**
 * A refused new name is shown next to that passkey's field; a passkey that is not (or no longer)
 * the person's has no field, so its sentence goes to the top of the list (`#cles`).
 */
function nameRefused(code: PasskeyNameError, message: string, id: number): { errors: FieldErrors; editing?: number } {
  return code === 'NOT_FOUND' ? { errors: { cles: message } } : { errors: { nom: message }, editing: id };
}

/** What a ceremony's challenge is bound to and counted against (S48). */
const ceremony = (request: FastifyRequest) => ({ browserValue: boundBrowser(request), ip: requestOrigin(request).ip });

/** The options, or 429 with Retry-After and the sentence passkeys.js shows when the client asked too often. */
function sendOptions(request: FastifyRequest, reply: FastifyReply, answer: OptionsAnswer<unknown>) {
  if (answer.ok) return sendJson(reply, answer.options);
  const seconds = Math.max(1, Math.ceil(answer.retryAfterSeconds));
  reply.header('retry-after', String(seconds));
  return sendJson(reply, { message: catalogueOf(request).errors.tooManyBody(Math.ceil(seconds / 60)) }, 429);
}

function depsOf(app: FastifyInstance): PasskeyDeps {
  const { db, clock, hasher, dummyHash, config } = app.deps;
  return { db, clock, hasher, dummyHash, config };
}

const customerContext = (customer: ValidSession): OwnerContext => ({
  owner: { type: 'person', id: customer.accountId },
  label: customer.code,
  email: customer.email,
  customer: { company: customer.company, code: customer.code, lang: mailLanguage(customer) },
});

const staffContext = (staff: { staffId: number; email: string }): OwnerContext => ({ owner: { type: 'staff', id: staff.staffId }, label: staff.email, email: staff.email });

/** Only back-office paths are acceptable targets after a staff second factor (S24). */
function backOfficeNext(raw: unknown): string | null {
  const next = safeNextPath(raw);
  if (next === null || !isSafeLocalPath(next)) return null;
  return next === '/back-office' || next.startsWith('/back-office/') || next.startsWith('/back-office?') ? next : null;
}

// ------------------------------------------------------------------ customers: sign-in (public)

/** POST /connexion/cle/options and POST /connexion/cle: signing in with a passkey alone (S48). */
export async function passkeySignInRoutes(app: FastifyInstance) {
  app.post('/connexion/cle/options', { schema: { body: optionsBody } }, async (request, reply) => {
    return sendOptions(request, reply, await startAssertion(depsOf(app), { purpose: 'sign_in', owner: null, ...ceremony(request) }));
  });

  app.post<{ Body: ResponseBody }>('/connexion/cle', { schema: { body: responseBody } }, async (request, reply) => {
    const next = safeNextPath(request.body.next);
    const remember = request.body.memoriser === '1';
    const result = await signInWithPasskey(depsOf(app), { browserValue: boundBrowser(request), response: request.body.reponse, origin: requestOrigin(request) });
    if (!result.ok && result.code === 'TOO_MANY_ATTEMPTS') return sendTooManyRequests(request, reply, result.retryAfterSeconds);
    if (!result.ok) {
      // One answer whatever failed (S6): the audit alone knows why.
      return sendPage(reply, <LoginPage ctx={pageContext(request, reply)} remember={remember} next={next} errors={{ cle: catalogueOf(request).passkeys.SIGN_IN_FAILED }} />, 401);
    }
    await openCustomerSignIn(request, reply, { accountId: result.accountId, firstLogin: result.firstLogin, remember, method: 'passkey' });
    return reply.redirect(next ?? '/espace-pro', 303);
  });
}

// ------------------------------------------------------------------ customers: Mon Espace Pro → Sécurité → Clés d'accès

const CUSTOMER_PAGE = '/espace-pro/cles';

/** Registered inside the customer-only scope (pages.routes customerPages). */
export async function passkeyCustomerRoutes(app: FastifyInstance) {
  const deps = () => depsOf(app);
  const me = async (request: FastifyRequest, reply: FastifyReply) => (await loadCustomer(request, reply)) as ValidSession;

  const render = async (request: FastifyRequest, reply: FastifyReply, extra: { notice?: string; errors?: FieldErrors; editing?: number } = {}, status = 200) => {
    const customer = await me(request, reply);
    const [passkeys, recent] = await Promise.all([listOwnPasskeys(deps(), { type: 'person', id: customer.accountId }, languageOf(request)), hasRecentSignIn(deps(), customer.id)]);
    return sendPage(reply, <PasskeysPage ctx={pageContext(request, reply)} passkeys={passkeys} recent={recent} {...extra} />, status);
  };

  app.get<{ Querystring: { ok?: string } }>(CUSTOMER_PAGE, async (request, reply) => {
    const ok = request.query.ok;
    return render(request, reply, { notice: typeof ok === 'string' ? catalogueOf(request).passkeys.done[ok] : undefined });
  });

  // S49: the password again when the sign-in is more than 10 minutes old, through the attempt core (S8, S9, S36).
  app.post<{ Body: { actuel: string } }>(`${CUSTOMER_PAGE}/confirmer`, { schema: { body: confirmBody } }, async (request, reply) => {
    const customer = await me(request, reply);
    const origin = requestOrigin(request);
    if (request.body.actuel.length === 0) return render(request, reply, { errors: { actuel: catalogueOf(request).passkeys.errors.CURRENT_REQUIRED } }, 400);
    const person = await findPerson(app.deps.db, customer.accountId);
    const attempt = await attemptPassword(deps(), { ip: origin.ip, throttleKey: customer.code, loadHash: async () => person?.password_hash ?? null, password: request.body.actuel });
    if (attempt.kind !== 'passed') {
      await recordAudit(app.deps.db, app.deps.clock, origin, { event: 'passkey.reauthentication_failed', outcome: 'failure', actorType: 'customer', actorId: customer.code, accountId: customer.accountId, details: { reason: attempt.kind } });
      if (attempt.kind === 'ip_blocked') return sendTooManyRequests(request, reply, attempt.retryAfterSeconds);
      return render(request, reply, { errors: { actuel: attempt.kind === 'failed' ? catalogueOf(request).passkeys.errors.CURRENT_WRONG : catalogueOf(request).passkeys.errors.CURRENT_THROTTLED } }, 400);
    }
    await app.deps.db.transaction().execute(async (trx) => {
      await attempt.settle(trx);
      await markSessionReauthenticated(trx, customer.id, app.deps.clock.now());
      await recordAudit(trx, app.deps.clock, origin, { event: 'passkey.reauthenticated', outcome: 'success', actorType: 'customer', actorId: customer.code, accountId: customer.accountId });
    });
    return reply.redirect(`${CUSTOMER_PAGE}?ok=confirmed`, 303);
  });

  app.post(`${CUSTOMER_PAGE}/options`, { schema: { body: optionsBody } }, async (request, reply) => {
    const customer = await me(request, reply);
    // S49: past 10 minutes, the page asks for the password first.
    if (!(await hasRecentSignIn(deps(), customer.id))) return sendJson(reply, { redirect: CUSTOMER_PAGE }, 403);
    return sendOptions(request, reply, await startRegistration(deps(), customerContext(customer), ceremony(request)));
  });

  app.post<{ Body: ResponseBody }>(CUSTOMER_PAGE, { schema: { body: responseBody } }, async (request, reply) => {
    const customer = await me(request, reply);
    if (!(await hasRecentSignIn(deps(), customer.id))) return reply.redirect(CUSTOMER_PAGE, 303);
    const result = await finishRegistration(deps(), customerContext(customer), { browserValue: boundBrowser(request), response: request.body.reponse, origin: requestOrigin(request) });
    if (!result.ok) return render(request, reply, { errors: { cles: catalogueOf(request).passkeys.errors[result.code] } }, 400);
    return reply.redirect(`${CUSTOMER_PAGE}?ok=added`, 303);
  });

  app.post<{ Params: { id: string }; Body: { nom: string } }>(`${CUSTOMER_PAGE}/:id/nom`, { schema: { params: idParams, body: nameBody } }, async (request, reply) => {
    const customer = await me(request, reply);
    const id = Number(request.params.id);
    const result = await renameOwnPasskey(deps(), customerContext(customer), id, request.body.nom, requestOrigin(request));
    if (!result.ok) return render(request, reply, nameRefused(result.code, catalogueOf(request).passkeys.errors[result.code], id), result.code === 'NOT_FOUND' ? 404 : 400);
    return reply.redirect(`${CUSTOMER_PAGE}?ok=renamed`, 303);
  });

  app.post<{ Params: { id: string } }>(`${CUSTOMER_PAGE}/:id/supprimer`, { schema: { params: idParams, body: optionsBody } }, async (request, reply) => {
    const customer = await me(request, reply);
    // S49: removing needs a recent sign-in too (a stolen session cannot strip the owner's passkeys unseen).
    if (!(await hasRecentSignIn(deps(), customer.id))) return reply.redirect(CUSTOMER_PAGE, 303);
    // An id that is not the customer's changes nothing and gets the same page (S32).
    await removeOwnPasskey(deps(), customerContext(customer), Number(request.params.id), requestOrigin(request));
    return reply.redirect(`${CUSTOMER_PAGE}?ok=removed`, 303);
  });

  // "Non merci": this browser is not invited again. The cookie holds the flag only (S21).
  app.post(`${CUSTOMER_PAGE}/invitation/refuser`, { schema: { body: optionsBody } }, async (request, reply) => {
    const customer = await me(request, reply);
    setSecureCookie(reply, COOKIE.passkeyOffer, 'declined', 400 * 24 * 3600);
    await recordAudit(app.deps.db, app.deps.clock, requestOrigin(request), { event: 'passkey.invite_declined', outcome: 'info', actorType: 'customer', actorId: customer.code, accountId: customer.accountId });
    return reply.redirect('/espace-pro', 303);
  });
}

// ------------------------------------------------------------------ staff: second factor (S50)

/** The assertion check a staff second factor or step-up hands to verifyStaffSecondFactor. */
function staffPasskeyCheck(app: FastifyInstance, purpose: 'second_factor' | 'step_up', browserValue: string, response: string) {
  return async (staff: { id: number; email: string }) => {
    const assertion = assertionCheck(depsOf(app), { purpose, owner: { type: 'staff', id: staff.id }, browserValue, response, accept: async () => true });
    return (await assertion.check()) ? null : (assertion.reason ?? 'rejected');
  };
}

/** At sign-in, after the password: the pending session's member uses a passkey instead of the code. */
export async function passkeyStaffEntryRoutes(app: FastifyInstance) {
  const secondFactorDeps = () => ({ ...depsOf(app), secrets: app.deps.secrets });

  app.post(`${STAFF_CODE_PATH}/cle/options`, { schema: { body: optionsBody } }, async (request, reply) => {
    const session = await loadStaffSession(request, reply);
    if (!session) return sendJson(reply, { redirect: STAFF_LOGIN_PATH }, 403);
    if (session.mfaPassed) return sendJson(reply, { redirect: '/back-office' }, 409);
    return sendOptions(request, reply, await startAssertion(depsOf(app), { purpose: 'second_factor', owner: { type: 'staff', id: session.staffId }, ...ceremony(request) }));
  });

  app.post<{ Body: ResponseBody }>(`${STAFF_CODE_PATH}/cle`, { schema: { body: responseBody } }, async (request, reply) => {
    const next = backOfficeNext(request.body.next);
    const session = await loadStaffSession(request, reply);
    if (!session) return reply.redirect(STAFF_LOGIN_PATH, 303);
    if (session.mfaPassed) return reply.redirect(next ?? '/back-office', 303);
    const result = await verifyStaffSecondFactor(secondFactorDeps(), {
      staffId: session.staffId,
      code: '',
      origin: requestOrigin(request),
      passkey: staffPasskeyCheck(app, 'second_factor', boundBrowser(request), request.body.reponse),
    });
    if (!result.ok && result.code === 'TOO_MANY_ATTEMPTS') return sendTooManyRequests(request, reply, result.retryAfterSeconds);
    if (!result.ok) return sendPage(reply, <StaffCodePage ctx={pageContext(request, reply)} next={next} passkey errors={{ code: fr.passkeys.staffRefused }} />, 401);
    await openStaffSignedInSession(request, reply, session.staffId);
    return reply.redirect(next ?? '/back-office', 303);
  });
}

/** Signed-in staff: the step-up by passkey (S38, S50) and Mon compte's passkeys. */
async function passkeyStaffRoutes(scope: FastifyInstance) {
  const app = scope;
  const secondFactorDeps = () => ({ ...depsOf(app), secrets: app.deps.secrets });

  scope.post(`${STEP_UP_PATH}/cle/options`, { schema: { body: optionsBody } }, async (request, reply) => {
    const staff = getStaff(request);
    return sendOptions(request, reply, await startAssertion(depsOf(app), { purpose: 'step_up', owner: { type: 'staff', id: staff.staffId }, ...ceremony(request) }));
  });

  scope.post<{ Body: ResponseBody }>(`${STEP_UP_PATH}/cle`, { schema: { body: responseBody } }, async (request, reply) => {
    const staff = getStaff(request);
    const next = backOfficeNext(request.body.next);
    const result = await verifyStaffSecondFactor(secondFactorDeps(), {
      staffId: staff.staffId,
      code: '',
      origin: requestOrigin(request),
      purpose: 'step_up',
      passkey: staffPasskeyCheck(app, 'step_up', boundBrowser(request), request.body.reponse),
    });
    if (!result.ok && result.code === 'TOO_MANY_ATTEMPTS') return sendTooManyRequests(request, reply, result.retryAfterSeconds);
    if (!result.ok) return sendPage(reply, <StaffStepUpPage ctx={pageContext(request, reply)} staff={staff} next={next} passkey errors={{ code: fr.passkeys.staffRefused }} />, 401);
    await refreshSecondFactor(app.deps.db, app.deps.clock, staff.sessionId);
    return reply.redirect(next ?? '/back-office', 303);
  });

  const PAGE = '/back-office/mon-compte';
  // Adding a passkey changes how this member gets in: a second factor at most 10 minutes old (S38, S49).
  scope.post(`${PAGE}/cles/options`, { schema: { body: optionsBody } }, async (request, reply) => {
    const staff = getStaff(request);
    if (app.deps.clock.now() - staff.mfaPassedAt > STEP_UP_MAX_AGE_MS) return sendJson(reply, { redirect: `${STEP_UP_PATH}?next=${encodeURIComponent(PAGE)}` }, 403);
    return sendOptions(request, reply, await startRegistration(depsOf(app), staffContext(staff), ceremony(request)));
  });

  scope.post<{ Body: ResponseBody }>(`${PAGE}/cles`, { schema: { body: responseBody } }, async (request, reply) => {
    const result = await finishRegistration(depsOf(app), staffContext(getStaff(request)), { browserValue: boundBrowser(request), response: request.body.reponse, origin: requestOrigin(request) });
    if (!result.ok) return renderMyAccount(request, reply, { errors: { cles: fr.passkeys.errors[result.code] } }, 400);
    return reply.redirect(`${PAGE}?ok=passkey_added#cles`, 303);
  });

  scope.post<{ Params: { id: string }; Body: { nom: string } }>(`${PAGE}/cles/:id/nom`, { schema: { params: idParams, body: nameBody } }, async (request, reply) => {
    const id = Number(request.params.id);
    const result = await renameOwnPasskey(depsOf(app), staffContext(getStaff(request)), id, request.body.nom, requestOrigin(request));
    if (!result.ok) {
      const refused = nameRefused(result.code, fr.passkeys.errors[result.code], id);
      return renderMyAccount(request, reply, { errors: refused.errors, editingPasskey: refused.editing }, result.code === 'NOT_FOUND' ? 404 : 400);
    }
    return reply.redirect(`${PAGE}?ok=passkey_renamed#cles`, 303);
  });

  scope.post<{ Params: { id: string } }>(`${PAGE}/cles/:id/supprimer`, { schema: { params: idParams, body: optionsBody } }, async (request, reply) => {
    await removeOwnPasskey(depsOf(app), staffContext(getStaff(request)), Number(request.params.id), requestOrigin(request));
    return reply.redirect(`${PAGE}?ok=passkey_removed#cles`, 303);
  });
}

/** Admins remove every passkey of a customer or of a member (audited, the owner told; S38 step-up). */
async function passkeyAdminRoutes(scope: FastifyInstance) {
  const app = scope;
  scope.post<{ Params: { id: string } }>('/back-office/comptes/:id/cles/supprimer', { schema: { params: idParams, body: optionsBody } }, async (request, reply) => {
    const person = await findPerson(app.deps.db, Number(request.params.id));
    if (!person) return reply.callNotFound();
    const ctx: OwnerContext = { owner: { type: 'person', id: Number(person.id) }, label: person.code, email: person.email, customer: { company: person.company, code: person.code, lang: mailLanguage(person) } };
    const count = await removePasskeysByStaff(depsOf(app), ctx, getStaff(request), requestOrigin(request));
    return reply.redirect(`/back-office/comptes/${person.id}${count > 0 ? '?ok=passkeys_removed' : ''}`, 303);
  });

  scope.post<{ Params: { id: string } }>('/back-office/equipe/:id/cles/supprimer', { schema: { params: idParams, body: optionsBody } }, async (request, reply) => {
    const member = await staffRepo.findStaffById(app.deps.db, Number(request.params.id));
    if (!member) return reply.callNotFound();
    const count = await removePasskeysByStaff(depsOf(app), staffContext({ staffId: Number(member.id), email: member.email }), getStaff(request), requestOrigin(request));
    return reply.redirect(`/back-office/equipe${count > 0 ? `?fait=cles&membre=${member.id}` : ''}`, 303);
  });
}

/** Everything of passkeys outside the customer scope: sign-in, the staff entry, the guarded staff and admin routes. */
export async function passkeyRoutes(app: FastifyInstance) {
  await app.register(passkeySignInRoutes);
  await app.register(passkeyStaffEntryRoutes);
  await registerStaffScope(app, passkeyStaffRoutes);
  await registerStaffScope(app, passkeyAdminRoutes, { role: 'admin' });
}
