import type { FastifyRequest } from 'fastify';
import { COOKIE, readCookie } from '../../plugins/cookies.js';
import type { Clock } from '../../shared/clock.js';
import { RECENT_SIGN_IN_MS } from './passkeys.service.js';

/**
 * Does Mon Espace Pro invite this person to add a passkey? After a password sign-in (this
 * session's, at most 10 minutes old: the time in which adding needs no password again, S49), when
 * the person has none, and unless this browser answered "Non merci" (a cookie holding only that
 * flag, S21). The page shows the invitation only where WebAuthn works (passkeys.js).
 */
export function shouldInviteToPasskeys(deps: { clock: Clock }, request: FastifyRequest, session: { signIn: { at: number; method: string }; passkeyCount: number }): boolean {
  if (readCookie(request, COOKIE.passkeyOffer) === 'declined') return false;
  // The session's sign-in and the person's passkey count come with the session (no query of their own).
  if (session.signIn.method !== 'pwd' || deps.clock.now() - session.signIn.at > RECENT_SIGN_IN_MS) return false;
  return session.passkeyCount === 0;
}
