import type { FastifyRequest } from 'fastify';
import type { Executor } from '../../db/executor.js';
import { COOKIE, readCookie } from '../../plugins/cookies.js';
import type { Clock } from '../../shared/clock.js';
import { countPasskeys, findSessionSignIn } from './passkeys.repository.js';
import { RECENT_SIGN_IN_MS } from './passkeys.service.js';

/**
 * Does Mon Espace Pro invite this person to add a passkey? After a password sign-in (this
 * session's, at most 10 minutes old: the time in which adding needs no password again, S49), when
 * the person has none, and unless this browser answered "Non merci" (a cookie holding only that
 * flag, S21). The page shows the invitation only where WebAuthn works (passkeys.js).
 */
export async function shouldInviteToPasskeys(deps: { db: Executor; clock: Clock }, request: FastifyRequest, session: { id: string; accountId: number }): Promise<boolean> {
  if (readCookie(request, COOKIE.passkeyOffer) === 'declined') return false;
  const signIn = await findSessionSignIn(deps.db, session.id);
  if (!signIn || signIn.method !== 'pwd' || deps.clock.now() - signIn.at > RECENT_SIGN_IN_MS) return false;
  return (await countPasskeys(deps.db, { type: 'person', id: session.accountId })) === 0;
}
