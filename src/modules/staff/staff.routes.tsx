/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { dashboardFigures } from '../back-office/dashboard.service.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clearSecureCookie, COOKIE, readCookie } from '../../plugins/cookies.js';
import { requestOrigin } from '../../plugins/request-origin.js';
import { forgetLoadedStaff, getStaff, loadStaffSession, registerStaffScope, STAFF_CODE_PATH, STAFF_LOGIN_PATH, STEP_UP_PATH } from './staff.guard.js';
import { pageContext, sendPage, sendTooManyRequests } from '../../plugins/views.js';
import { formatDateTime, formatDuration, formatShortDateTime } from '../../shared/format.js';
import { fr } from '../../shared/i18n/fr.js';
import { isSafeLocalPath, safeNextPath } from '../../shared/safe-next.js';
import type { FieldErrors } from '../../views/forms.js';
import { h, Html } from '../../views/jsx.js';
import { MessagePage } from '../../views/pages/message.js';
import {
  DashboardPage,
  StaffCodePage,
  StaffLoginPage,
  StaffRecoveryCodesPage,
  StaffSetupPasswordPage,
  StaffSetupTotpPage,
  StaffStepUpPage,
  TeamPage,
  type TeamPageProps,
} from '../../views/back-office/staff.js';
import { recordAudit } from '../audit/audit.service.js';
import { passwordMessage } from '../../shared/i18n/password.js';
import { createStaff, findStaffMember, listStaffMembers, resendSetupLink, setStaffEnabled, staffStatus } from './staff.members.service.js';
import { authenticateStaff, verifyStaffSecondFactor } from './staff.login.service.js';
import { createStaffSession, invalidateStaffSession, refreshSecondFactor } from './staff.sessions.js';
import { checkSetupLink, confirmTotpEnrolment, setupPassword } from './staff.setup.service.js';
import {
  changeOwnStaffPassword,
  confirmTotpReenrolment,
  endOtherStaffSessions,
  listOwnStaffSessions,
  pendingTotpSecret,
  regenerateRecoveryCodes,
  startTotpReenrolment,
} from './staff.self.service.js';
import { countRecoveryCodesLeft } from './staff.members.service.js';
import { MyAccountPage, type MyAccountPageProps } from '../../views/back-office/my-account.js';
import { enterLink } from '../auth-core/link-entry.js';
import { endSessionCookie, startSessionCookie } from '../auth-core/sessions.js';
import { formatSecret, totpQrSvg, totpUri } from './totp.js';
import { countPasskeys, countPasskeysByOwner, listOwnPasskeys } from '../passkeys/passkeys.service.js';

/** The setup link's token lives here between the first visit and the last step, never in the address bar (S14). */
export const STAFF_SETUP_COOKIE = COOKIE.staffSetupLink;

const csrf = { _csrf: { type: 'string', maxLength: 200 } } as const;
const loginBody = {
  type: 'object',
  required: ['email', 'mot_de_passe'],
  properties: { ...csrf, email: { type: 'string', maxLength: 320 }, mot_de_passe: { type: 'string', maxLength: 4096 }, next: { type: 'string', maxLength: 512 } },
} as const;
const codeBody = { type: 'object', required: ['code'], properties: { ...csrf, code: { type: 'string', maxLength: 64 }, next: { type: 'string', maxLength: 512 } } } as const;
const setupPasswordBody = {
  type: 'object',
  required: ['mot_de_passe', 'confirmation'],
  properties: { ...csrf, email: { type: 'string', maxLength: 320 }, mot_de_passe: { type: 'string', maxLength: 4096 }, confirmation: { type: 'string', maxLength: 4096 } },
} as const;
const selfPasswordBody = {
  type: 'object',
  required: ['actuel', 'mot_de_passe', 'confirmation'],
  properties: { ...csrf, actuel: { type: 'string', maxLength: 4096 }, mot_de_passe: { type: 'string', maxLength: 4096 }, confirmation: { type: 'string', maxLength: 4096 } },
} as const;
const createBody = { type: 'object', required: ['email', 'role'], properties: { ...csrf, email: { type: 'string', maxLength: 320 }, role: { type: 'string', maxLength: 16 } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,12}$' } } } as const;

/** Only back-office paths are acceptable targets after a staff login (S24). */
function backOfficeNext(raw: unknown): string | null {
  const next = safeNextPath(raw);
  if (next === null || !isSafeLocalPath(next)) return null;
  return next === '/back-office' || next.startsWith('/back-office/') || next.startsWith('/back-office?') ? next : null;
}

/** Ends this browser's staff session server-side (the cookie side is endSessionCookie or a new session's cookie). */
async function endStaffSession(request: FastifyRequest, reply: FastifyReply) {
  const session = await loadStaffSession(request, reply);
  if (session) await invalidateStaffSession(request.server.deps.db, session.id);
  forgetLoadedStaff(request);
  return session;
}

/**
 * The second factor passed (a code, a recovery code or a passkey, S50): a privilege change, so a
 * brand-new session again (S18); the pending one dies.
 */
export async function openStaffSignedInSession(request: FastifyRequest, reply: FastifyReply, staffId: number): Promise<void> {
  await endStaffSession(request, reply);
  const full = await createStaffSession(request.server.deps.db, request.server.deps.clock, staffId, requestOrigin(request), true);
  startSessionCookie(request, reply, COOKIE.staff, full.token);
}

/** Staff login, second factor, logout and the setup link: outside the guard, by nature. */
async function staffEntryRoutes(app: FastifyInstance) {
  const { config } = app.deps;
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock, config, hasher: app.deps.hasher, dummyHash: app.deps.dummyHash, secrets: app.deps.secrets });

  app.get<{ Querystring: { next?: string; deconnecte?: string } }>(STAFF_LOGIN_PATH, async (request, reply) => {
    const next = backOfficeNext(request.query.next);
    const session = await loadStaffSession(request, reply);
    if (session?.mfaPassed) return reply.redirect(next ?? '/back-office', 303);
    const notice = request.query.deconnecte ? fr.staff.loggedOut : undefined;
    return sendPage(reply, <StaffLoginPage ctx={pageContext(request, reply)} next={next} notice={notice} />);
  });

  app.post<{ Body: { email: string; mot_de_passe: string; next?: string } }>(STAFF_LOGIN_PATH, { schema: { body: loginBody } }, async (request, reply) => {
    const next = backOfficeNext(request.body.next);
    const origin = requestOrigin(request);
    const result = await authenticateStaff(deps(), { email: request.body.email, password: request.body.mot_de_passe, origin });
    if (!result.ok && result.code === 'TOO_MANY_ATTEMPTS') return sendTooManyRequests(request, reply, result.retryAfterSeconds);
    if (!result.ok) {
      // S6: one status, one page, one message whatever failed; the password is never echoed.
      return sendPage(
        reply,
        <StaffLoginPage ctx={pageContext(request, reply)} email={request.body.email.slice(0, 254)} next={next} errors={{ email: fr.staff.INVALID_CREDENTIALS }} />,
        401,
      );
    }
    // S18: a new session; whatever this browser held before dies. It opens only the TOTP step.
    await endStaffSession(request, reply);
    const session = await createStaffSession(app.deps.db, app.deps.clock, result.staffId, origin, false);
    startSessionCookie(request, reply, COOKIE.staff, session.token);
    return reply.redirect(next ? `${STAFF_CODE_PATH}?next=${encodeURIComponent(next)}` : STAFF_CODE_PATH, 303);
  });

  app.get<{ Querystring: { next?: string } }>(STAFF_CODE_PATH, async (request, reply) => {
    const next = backOfficeNext(request.query.next);
    const session = await loadStaffSession(request, reply);
    if (!session) return reply.redirect(STAFF_LOGIN_PATH, 303);
    if (session.mfaPassed) return reply.redirect(next ?? '/back-office', 303);
    return sendPage(reply, <StaffCodePage ctx={pageContext(request, reply)} next={next} passkey={(await countPasskeys(app.deps.db, { type: 'staff', id: session.staffId })) > 0} />);
  });

  app.post<{ Body: { code: string; next?: string } }>(STAFF_CODE_PATH, { schema: { body: codeBody } }, async (request, reply) => {
    const next = backOfficeNext(request.body.next);
    const session = await loadStaffSession(request, reply);
    if (!session) return reply.redirect(STAFF_LOGIN_PATH, 303);
    if (session.mfaPassed) return reply.redirect(next ?? '/back-office', 303);
    const origin = requestOrigin(request);
    const result = await verifyStaffSecondFactor(deps(), { staffId: session.staffId, code: request.body.code, origin });
    if (!result.ok && result.code === 'TOO_MANY_ATTEMPTS') return sendTooManyRequests(request, reply, result.retryAfterSeconds);
    if (!result.ok) {
      const passkey = (await countPasskeys(app.deps.db, { type: 'staff', id: session.staffId })) > 0;
      return sendPage(reply, <StaffCodePage ctx={pageContext(request, reply)} next={next} passkey={passkey} errors={{ code: fr.staff.INVALID_CODE }} />, 401);
    }
    await openStaffSignedInSession(request, reply, session.staffId);
    if (result.method === 'recovery_code') return reply.redirect(`/back-office?codes_secours=${result.recoveryCodesLeft ?? 0}`, 303);
    return reply.redirect(next ?? '/back-office', 303);
  });

  // S22: a POST (CSRF-checked by the global hook) that deletes the session server-side.
  app.post('/back-office/deconnexion', async (request, reply) => {
    const session = await endStaffSession(request, reply);
    endSessionCookie(request, reply, COOKIE.staff);
    if (session) {
      await recordAudit(app.deps.db, app.deps.clock, requestOrigin(request), {
        event: 'staff.logout',
        outcome: 'success',
        actorType: 'staff',
        actorId: session.email,
        target: session.email,
      });
    }
    return reply.redirect(`${STAFF_LOGIN_PATH}?deconnecte=1`, 303);
  });

  // ---- setup link ----

  const invalidLink = (request: FastifyRequest, reply: FastifyReply) => {
    clearSecureCookie(reply, STAFF_SETUP_COOKIE);
    return sendPage(
      reply,
      <MessagePage ctx={pageContext(request, reply, 'fr')} title={fr.staff.invalidLinkTitle} body={fr.staff.invalidLinkBody} isError action={{ href: STAFF_LOGIN_PATH, label: fr.staff.toLogin }} />,
      410,
    );
  };

  const totpPage = async (request: FastifyRequest, reply: FastifyReply, email: string, secret: string, errors?: FieldErrors) => {
    const svg = await totpQrSvg(totpUri(secret, `${config.brandName} ${fr.staff.backOffice}`, email));
    return sendPage(
      reply,
      <StaffSetupTotpPage ctx={pageContext(request, reply)} qrSvg={new Html(svg)} secret={formatSecret(secret)} errors={errors} />,
      errors ? 400 : 200,
    );
  };

  app.get<{ Querystring: { token?: string } }>('/back-office/activation', async (request, reply) => {
    const entry = enterLink(request, reply, STAFF_SETUP_COOKIE, '/back-office/activation');
    if (entry.kind === 'redirected') return reply;
    const link = await checkSetupLink(deps(), entry.token, requestOrigin(request));
    if (link.kind === 'limited') return sendTooManyRequests(request, reply, link.retryAfterSeconds);
    if (link.kind === 'invalid') return invalidLink(request, reply);
    if (link.step === 'totp' && link.totpSecret) return totpPage(request, reply, link.email, link.totpSecret);
    return sendPage(reply, <StaffSetupPasswordPage ctx={pageContext(request, reply)} email={link.email} minLength={config.passwordMinLength} />);
  });

  app.post<{ Body: { mot_de_passe: string; confirmation: string } }>('/back-office/activation', { schema: { body: setupPasswordBody } }, async (request, reply) => {
    const result = await setupPassword(deps(), {
      token: readCookie(request, STAFF_SETUP_COOKIE),
      password: request.body.mot_de_passe,
      confirmation: request.body.confirmation,
      origin: requestOrigin(request),
    });
    switch (result.kind) {
      case 'limited':
        return sendTooManyRequests(request, reply, result.retryAfterSeconds);
      case 'invalid':
        return invalidLink(request, reply);
      case 'errors': {
        const errors: FieldErrors = {};
        if (result.password) errors.mot_de_passe = passwordMessage(result.password, config.passwordMinLength, config.brandName);
        if (result.confirmation) errors.confirmation = fr.activation[result.confirmation];
        return sendPage(reply, <StaffSetupPasswordPage ctx={pageContext(request, reply)} email={result.email} minLength={config.passwordMinLength} errors={errors} />, 400);
      }
      case 'wrong_step':
      case 'done':
        // Post/redirect/get: the next step (TOTP enrolment) is the same token-free address.
        return reply.redirect('/back-office/activation', 303);
    }
  });

  app.post<{ Body: { code: string } }>('/back-office/activation/code', { schema: { body: codeBody } }, async (request, reply) => {
    const result = await confirmTotpEnrolment(deps(), { token: readCookie(request, STAFF_SETUP_COOKIE), code: request.body.code, origin: requestOrigin(request) });
    switch (result.kind) {
      case 'limited':
        return sendTooManyRequests(request, reply, result.retryAfterSeconds);
      case 'invalid':
        return invalidLink(request, reply);
      case 'wrong_step':
        return reply.redirect('/back-office/activation', 303);
      case 'wrong_code':
        return totpPage(request, reply, result.email, result.totpSecret, { code: fr.staff.SETUP_WRONG_CODE });
      case 'done':
        // Shown this once, in the answer itself (no-store): only digests are kept. No automatic login.
        clearSecureCookie(reply, STAFF_SETUP_COOKIE);
        return sendPage(reply, <StaffRecoveryCodesPage ctx={pageContext(request, reply)} codes={result.recoveryCodes} />);
    }
  });
}

/** Signed-in pages of every staff member. */
async function dashboardRoutes(scope: FastifyInstance) {
  const { config } = scope.deps;
  const deps = () => ({ db: scope.deps.db, clock: scope.deps.clock, config, hasher: scope.deps.hasher, dummyHash: scope.deps.dummyHash, secrets: scope.deps.secrets });

  // S38: a fresh code before a sensitive action, through the attempt core like the login's.
  scope.get<{ Querystring: { next?: string } }>(STEP_UP_PATH, async (request, reply) => {
    const passkey = (await countPasskeys(scope.deps.db, { type: 'staff', id: getStaff(request).staffId })) > 0;
    return sendPage(reply, <StaffStepUpPage ctx={pageContext(request, reply)} staff={getStaff(request)} next={backOfficeNext(request.query.next)} passkey={passkey} />);
  });
  scope.post<{ Body: { code: string; next?: string } }>(STEP_UP_PATH, { schema: { body: codeBody } }, async (request, reply) => {
    const staff = getStaff(request);
    const next = backOfficeNext(request.body.next);
    const result = await verifyStaffSecondFactor(deps(), { staffId: staff.staffId, code: request.body.code, origin: requestOrigin(request), purpose: 'step_up' });
    if (!result.ok && result.code === 'TOO_MANY_ATTEMPTS') return sendTooManyRequests(request, reply, result.retryAfterSeconds);
    if (!result.ok) {
      const passkey = (await countPasskeys(scope.deps.db, { type: 'staff', id: staff.staffId })) > 0;
      return sendPage(reply, <StaffStepUpPage ctx={pageContext(request, reply)} staff={staff} next={next} passkey={passkey} errors={{ code: fr.staff.INVALID_CODE }} />, 401);
    }
    await refreshSecondFactor(scope.deps.db, scope.deps.clock, staff.sessionId);
    return reply.redirect(next ?? '/back-office', 303);
  });

  scope.get<{ Querystring: { codes_secours?: string } }>('/back-office', async (request, reply) => {
    const staff = getStaff(request);
    const left = request.query.codes_secours;
    const notice = typeof left === 'string' && /^[0-9]{1,2}$/.test(left) ? fr.staff.recoveryCodesLeft(Number(left)) : undefined;
    const figures = await dashboardFigures({ db: scope.deps.db, clock: scope.deps.clock });
    return sendPage(reply, <DashboardPage ctx={pageContext(request, reply)} staff={staff} notice={notice} figures={figures} />);
  });
}

/**
 * "Mon compte" as it stands for the signed-in member, with a notice, errors or a one-time
 * display; the passkey routes answer their refusals with it too (errors next to the passkeys).
 */
export async function renderMyAccount(request: FastifyRequest, reply: FastifyReply, extra: Partial<MyAccountPageProps> = {}, status = 200) {
  const { db, clock, config } = request.server.deps;
  const staff = getStaff(request);
  const [sessions, left, passkeys] = await Promise.all([
    listOwnStaffSessions({ db, clock, config }, staff),
    countRecoveryCodesLeft(db, staff.staffId),
    listOwnPasskeys({ db, config }, { type: 'staff', id: staff.staffId }),
  ]);
  return sendPage(
    reply,
    <MyAccountPage ctx={pageContext(request, reply)} staff={staff} sessions={sessions} recoveryCodesLeft={left} minLength={config.passwordMinLength} passkeys={passkeys} {...extra} />,
    status,
  );
}

/** "Mon compte": every member's own password, sessions, recovery codes and authenticator. */
async function myAccountRoutes(scope: FastifyInstance) {
  const { config } = scope.deps;
  const deps = () => ({ db: scope.deps.db, clock: scope.deps.clock, config, hasher: scope.deps.hasher, dummyHash: scope.deps.dummyHash, secrets: scope.deps.secrets });
  const PAGE = '/back-office/mon-compte';
  const render = renderMyAccount;

  scope.get<{ Querystring: { ok?: string } }>(PAGE, async (request, reply) => {
    const ok = request.query.ok;
    const pending = await pendingTotpSecret(deps(), getStaff(request));
    const reenrolment = pending ? { qrSvg: new Html(await totpQrSvg(totpUri(pending, `${config.brandName} ${fr.staff.backOffice}`, getStaff(request).email))), secret: formatSecret(pending) } : undefined;
    return render(request, reply, { notice: ok ? fr.staff.done[ok] : undefined, reenrolment });
  });

  scope.post<{ Body: { actuel: string; mot_de_passe: string; confirmation: string } }>(`${PAGE}/mot-de-passe`, { schema: { body: selfPasswordBody } }, async (request, reply) => {
    const { actuel, mot_de_passe, confirmation } = request.body;
    const result = await changeOwnStaffPassword(deps(), getStaff(request), { current: actuel, password: mot_de_passe, confirmation }, requestOrigin(request));
    if (result.ok) return reply.redirect(`${PAGE}?ok=password`, 303);
    const message = result.code === 'PASSWORD' && result.verdict ? passwordMessage(result.verdict, config.passwordMinLength, config.brandName) : fr.staff.selfErrors[result.code];
    return render(request, reply, { errors: { [result.field ?? 'actuel']: message } }, 400);
  });

  scope.post(`${PAGE}/sessions`, async (request, reply) => {
    await endOtherStaffSessions(deps(), getStaff(request), requestOrigin(request));
    return reply.redirect(`${PAGE}?ok=sessions`, 303);
  });

  // New recovery codes or a new authenticator change how this member gets in: a fresh code first (S38).
  scope.post(`${PAGE}/codes`, async (request, reply) => {
    const codes = await regenerateRecoveryCodes(deps(), getStaff(request), requestOrigin(request));
    // Shown in this answer only (no-store): only salted hashes are kept.
    return render(request, reply, { newCodes: codes });
  });

  scope.post(`${PAGE}/application`, async (request, reply) => {
    await startTotpReenrolment(deps(), getStaff(request));
    return reply.redirect(PAGE, 303);
  });

  scope.post<{ Body: { code: string } }>(`${PAGE}/application/code`, { schema: { body: codeBody } }, async (request, reply) => {
    const staff = getStaff(request);
    const result = await confirmTotpReenrolment(deps(), staff, request.body.code, requestOrigin(request));
    if (result.ok) return reply.redirect(`${PAGE}?ok=totp`, 303);
    const pending = await pendingTotpSecret(deps(), staff);
    const reenrolment = pending ? { qrSvg: new Html(await totpQrSvg(totpUri(pending, `${config.brandName} ${fr.staff.backOffice}`, staff.email))), secret: formatSecret(pending) } : undefined;
    return render(request, reply, { reenrolment, errors: { code: fr.staff.selfErrors[result.code] } }, 400);
  });
}

/** Staff management: admins only (S31, "agents cannot manage staff"). */
async function teamRoutes(scope: FastifyInstance) {
  const { config } = scope.deps;
  const deps = () => ({ db: scope.deps.db, clock: scope.deps.clock, config });

  const render = async (request: FastifyRequest, reply: FastifyReply, extra: Omit<TeamPageProps, 'ctx' | 'staff' | 'members'> = {}, status = 200) => {
    const staff = getStaff(request);
    const rows = await listStaffMembers(scope.deps.db);
    const passkeys = await countPasskeysByOwner(scope.deps.db, 'staff', rows.map((row) => Number(row.id)));
    const members = rows.map((row) => ({
      passkeys: passkeys.get(Number(row.id)) ?? 0,
      id: Number(row.id),
      email: row.email,
      role: row.role,
      status: staffStatus(row),
      // Short in a table; the zone is named once, above it.
      lastLogin: row.last_login_at === null ? null : formatShortDateTime(row.last_login_at, config.displayTimezone),
    }));
    return sendPage(reply, <TeamPage ctx={pageContext(request, reply)} staff={staff} members={members} {...extra} />, status);
  };
  const validity = (expiresAt: number) => fr.staff.linkValidity(formatDuration(config.resetTokenTtlSeconds), formatDateTime(expiresAt, config.displayTimezone));
  const actor = (request: FastifyRequest) => {
    const staff = getStaff(request);
    return { type: 'staff' as const, id: staff.email, staffId: staff.staffId };
  };

  scope.get<{ Querystring: { fait?: string; membre?: string } }>('/back-office/equipe', async (request, reply) => {
    const { fait, membre } = request.query;
    let notice: string | undefined;
    if ((fait === 'desactive' || fait === 'active') && typeof membre === 'string' && /^[0-9]{1,12}$/.test(membre)) {
      const member = await findStaffMember(scope.deps.db, Number(membre));
      if (member) notice = fait === 'desactive' ? fr.staff.teamDisabled(member.email) : fr.staff.teamEnabled(member.email);
    }
    if (fait === 'cles') notice = fr.passkeys.teamRemoved;
    return render(request, reply, { notice });
  });

  scope.post<{ Body: { email: string; role: string } }>('/back-office/equipe', { schema: { body: createBody } }, async (request, reply) => {
    const { email, role } = request.body;
    const created = await createStaff(deps(), { email, role }, requestOrigin(request), actor(request), 'mail');
    if (!created.ok) {
      const field = created.field === 'role' ? 'role' : 'email';
      return render(request, reply, { form: { email: email.slice(0, 254), role }, errors: { [field]: fr.staff.errors[created.code] } }, 400);
    }
    const { value } = created;
    return render(request, reply, { notice: fr.staff.teamCreated(value.email), issued: { email: value.email, validity: validity(value.expiresAt) } });
  });

  for (const [action, enabled] of [
    ['desactiver', false],
    ['activer', true],
  ] as const) {
    scope.post<{ Params: { id: string } }>(`/back-office/equipe/:id/${action}`, { schema: { params: idParams } }, async (request, reply) => {
      const id = Number(request.params.id);
      const result = await setStaffEnabled(deps(), id, enabled, requestOrigin(request), actor(request));
      if (!result.ok) return render(request, reply, { problem: fr.staff.errors[result.code] }, result.code === 'NOT_FOUND' ? 404 : 409);
      return reply.redirect(`/back-office/equipe?fait=${enabled ? 'active' : 'desactive'}&membre=${id}`, 303);
    });
  }

  scope.post<{ Params: { id: string } }>('/back-office/equipe/:id/lien', { schema: { params: idParams } }, async (request, reply) => {
    const issued = await resendSetupLink(deps(), Number(request.params.id), requestOrigin(request), actor(request));
    if (!issued.ok) return render(request, reply, { problem: fr.staff.errors[issued.code] }, 404);
    return render(request, reply, { issued: { email: issued.value.email, validity: validity(issued.value.expiresAt) } });
  });
}

/**
 * Everything of the staff module: the entry pages (public by nature), then the dashboard for any
 * signed-in member and the team page for admins, each in a guarded scope of its own.
 */
export async function staffRoutes(app: FastifyInstance) {
  await app.register(staffEntryRoutes);
  await registerStaffScope(app, dashboardRoutes);
  await registerStaffScope(app, myAccountRoutes);
  await registerStaffScope(app, teamRoutes, { role: 'admin' });
}

