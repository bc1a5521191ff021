import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearSecureCookie, COOKIE, readCookie, setSecureCookie } from '../../plugins/cookies.js';
import { requestOrigin } from '../../plugins/request-origin.js';
import { recordAudit } from '../audit/audit.service.js';
import {
  consumeRememberToken,
  createSession,
  REMEMBER_ME_MS,
  type ChoosingSession,
  type ValidSession,
  validateSessionToken,
} from './session.service.js';
import { sessionLoader } from '../auth-core/sessions.js';


/**
 * The signed-in customer, from the session cookie or, failing that, from the remember-me
 * cookie, which is rotated together with a new session (S20). Never from the URL (S18).
 */
export const loadCustomer = sessionLoader<ValidSession | ChoosingSession>(COOKIE.session, (request, token) => validateSessionToken(request.server.deps.db, request.server.deps.clock, token), restoreRemembered);

/** A remembered browser without a live session: a new session of its series, or nothing (theft detected, expired). */
async function restoreRemembered(request: FastifyRequest, reply: FastifyReply): Promise<ValidSession | ChoosingSession | null> {
  const { db, clock } = request.server.deps;
  const remember = readCookie(request, COOKIE.remember);
  if (!remember) return null;
  const outcome = await consumeRememberToken(db, clock, remember);
  if (outcome.kind === 'rotated' || outcome.kind === 'grace') {
    const session = await createSession(db, clock, { accountId: outcome.accountId, companyId: outcome.companyId }, requestOrigin(request), outcome.series);
    setSecureCookie(reply, COOKIE.session, session.token);
    // Within the grace the browser already holds the successor cookie (another tab got it): leave it be.
    if (outcome.kind === 'rotated') setSecureCookie(reply, COOKIE.remember, outcome.cookieValue, (outcome.expiresAt - clock.now()) / 1000);
    await recordAudit(db, clock, requestOrigin(request), { event: 'remember.used', outcome: 'success', actorType: 'customer', accountId: outcome.accountId, companyId: outcome.companyId, details: outcome.kind === 'grace' ? { grace: true } : undefined });
    return validateSessionToken(db, clock, session.token);
  }
  clearSecureCookie(reply, COOKIE.remember);
  if (outcome.kind === 'theft') {
    await recordAudit(db, clock, requestOrigin(request), {
      event: 'remember.theft_detected',
      outcome: 'blocked',
      actorType: 'anonymous',
      accountId: outcome.accountId,
      details: { action: 'series and its sessions revoked' },
    });
  }
  return null;
}

/** The longest a remember-me cookie may live in the browser. */
export const REMEMBER_COOKIE_MAX_AGE_SECONDS = REMEMBER_ME_MS / 1000;

/** "Choisissez le compte client": where a person with several companies picks one. */
export const CHOOSER_PATH = '/espace-pro/compte-client';

/** True once the person is signed in to a company (not still at "Choisissez le compte client"). */
export function hasCompany(session: ValidSession | ChoosingSession | null): session is ValidSession {
  return session !== null && session.companyId !== null;
}

/**
 * The signed-in person and their company, for routes of the customer scope: its preHandler has
 * already sent anyone else to the login page or to the chooser.
 */
export async function currentCustomer(request: FastifyRequest, reply: FastifyReply): Promise<ValidSession> {
  const session = await loadCustomer(request, reply);
  if (!hasCompany(session)) throw new Error('currentCustomer outside the customer scope');
  return session;
}
