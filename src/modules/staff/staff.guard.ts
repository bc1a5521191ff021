import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { MINUTE_MS } from '../../shared/clock.js';
import { COOKIE } from '../../plugins/cookies.js';
import { sessionLoader } from '../auth-core/sessions.js';
import { requestOrigin } from '../../plugins/request-origin.js';
import type { StaffGate } from '../../plugins/staff-gate.js';
import { recordAudit } from '../audit/audit.service.js';
import { sendStaffForbidden } from './staff.forbidden.js';
import { type ValidStaffSession, validateStaffSessionToken } from './staff.sessions.js';
import type { StaffRole } from './staff.table.js';

export const STAFF_LOGIN_PATH = '/back-office/connexion';
export const STAFF_CODE_PATH = '/back-office/connexion/code';

/** A signed-in staff member who passed both factors. */
export interface CurrentStaff {
  /** SHA-256 of the session token (the staff_sessions id). */
  sessionId: string;
  staffId: number;
  email: string;
  role: StaffRole;
  /** When the second factor was last checked (login or step-up). */
  mfaPassedAt: number;
}

/**
 * The staff session behind the `__Host-ep_staff` cookie, including one still waiting for its
 * second factor (only the TOTP step may use such a session). Never from the URL (S18), never
 * from the customer cookie: a customer session opens nothing here (S31).
 */
export const loadStaffSession = sessionLoader<ValidStaffSession>(COOKIE.staff, (request, token) => validateStaffSessionToken(request.server.deps.db, request.server.deps.clock, token));

/** Forgets what loadStaffSession cached for this request (after login or logout changed it). */
export function forgetLoadedStaff(request: FastifyRequest): void {
  loadStaffSession.forget(request);
}

/** The staff member who passed password and TOTP, or null. */
export async function loadStaff(request: FastifyRequest, reply: FastifyReply): Promise<CurrentStaff | null> {
  const session = await loadStaffSession(request, reply);
  if (!session || !session.mfaPassed) return null;
  return { sessionId: session.id, staffId: session.staffId, email: session.email, role: session.role, mfaPassedAt: session.mfaPassedAt! };
}

const CURRENT = Symbol('currentStaff');
type WithCurrent = FastifyRequest & { [CURRENT]?: CurrentStaff };

/** The staff member of a request that went through a staff scope's guard. */
export function getStaff(request: FastifyRequest): CurrentStaff {
  const staff = (request as WithCurrent)[CURRENT];
  if (!staff) throw new Error('getStaff() used outside a staff scope (registerStaffScope)');
  return staff;
}

export interface StaffScopeOptions {
  /** Only this role may enter (agents get 403); any signed-in staff member when absent. */
  role?: StaffRole;
}

/**
 * S31: the guard of every back-office route. Anonymous visitors and customers (a customer session
 * is not a staff session) are sent to the staff login on a GET and refused with a French 403 on
 * anything else; a session that has not passed the second factor only reaches the TOTP step; a
 * member lacking the scope's role gets 403.
 */
export function staffGuard(options: StaffScopeOptions = {}): preHandlerAsyncHookHandler {
  return async function staffGuardHook(request, reply) {
    const session = await loadStaffSession(request, reply);
    const read = request.method === 'GET' || request.method === 'HEAD';
    const { db, clock } = request.server.deps;
    const path = request.url.split('?')[0]!;
    if (!session || !session.mfaPassed) {
      if (read && session) return reply.redirect(STAFF_CODE_PATH, 303);
      if (read) return reply.redirect(`${STAFF_LOGIN_PATH}?next=${encodeURIComponent(request.url)}`, 303);
      await recordAudit(db, clock, requestOrigin(request), {
        event: 'backoffice.access_denied',
        outcome: 'blocked',
        actorType: 'anonymous',
        actorId: session?.email ?? null,
        target: path,
        details: { reason: session ? 'second_factor_missing' : 'not_signed_in' },
      });
      return sendStaffForbidden(request, reply, null);
    }
    const staff: CurrentStaff = { sessionId: session.id, staffId: session.staffId, email: session.email, role: session.role, mfaPassedAt: session.mfaPassedAt! };
    if (options.role && staff.role !== options.role) {
      await recordAudit(db, clock, requestOrigin(request), {
        event: 'backoffice.access_denied',
        outcome: 'blocked',
        actorType: 'staff',
        actorId: staff.email,
        target: path,
        details: { reason: 'role', required: options.role, role: staff.role },
      });
      return sendStaffForbidden(request, reply, staff);
    }
    (request as WithCurrent)[CURRENT] = staff;
  };
}

/**
 * Registers back-office routes in an encapsulated scope of their own whose preHandler is the
 * staff guard (guards by encapsulation, not by URL prefix). Paths stay absolute (/back-office/…).
 *
 *   await registerStaffScope(app, async (scope) => { scope.get('/back-office/demandes', …) });
 *   await registerStaffScope(app, adminRoutes, { role: 'admin' });
 */
export async function registerStaffScope(
  app: FastifyInstance,
  routes: (scope: FastifyInstance) => Promise<void>,
  options: StaffScopeOptions = {},
): Promise<void> {
  await app.register(async function staffScope(scope) {
    scope.addHook('preHandler', staffGuard(options));
    await routes(scope);
  });
}

/** S38: how old the second factor may be for a sensitive action. */
export const STEP_UP_MAX_AGE_MS = 10 * MINUTE_MS;
export const STEP_UP_PATH = '/back-office/verification';

/**
 * S38, on the routes of sensitive actions (e-mail change, disable/enable, setup links, staff
 * creation, import, audit export): a second factor at most 10 minutes old, or the member is sent
 * to confirm a fresh code first (then back to the page they came from, to do it again).
 */
export const requireFreshSecondFactor: preHandlerAsyncHookHandler = async function requireFreshSecondFactor(request, reply) {
  const staff = getStaff(request);
  if (request.server.deps.clock.now() - staff.mfaPassedAt <= STEP_UP_MAX_AGE_MS) return;
  const back = request.method === 'GET' ? request.url : sameSiteBackOfficeReferer(request) ?? '/back-office';
  return reply.redirect(`${STEP_UP_PATH}?next=${encodeURIComponent(back)}`, 303);
};

/** The back-office page a form was posted from, when the browser says so (path only). */
function sameSiteBackOfficeReferer(request: FastifyRequest): string | null {
  const referer = request.headers.referer;
  if (typeof referer !== 'string') return null;
  try {
    const url = new URL(referer);
    return url.origin === request.server.deps.config.publicUrl && url.pathname.startsWith('/back-office') ? url.pathname + url.search : null;
  } catch {
    return null;
  }
}

/** This module's implementation of the shared back-office gate (src/plugins/staff-gate.ts), passed to feature modules by app.ts. */
export const staffGate: StaffGate = {
  admit: (options = {}) => staffGuard(options),
  freshSecondFactor: requireFreshSecondFactor,
  member: (request) => {
    const staff = getStaff(request);
    return { email: staff.email, role: staff.role };
  },
};
