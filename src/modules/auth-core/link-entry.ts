import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearSecureCookie, readCookie, setSecureCookie } from '../../plugins/cookies.js';
import { isWellFormedLinkToken } from './link-tokens.js';

/** How long the token waits in its cookie between the first visit and the last step. */
export const LINK_COOKIE_MAX_AGE_SECONDS = 3600;
/** How long a used or dead link's cookie is kept so the next page can pre-fill its account's code. */
export const LINK_COOKIE_PREFILL_SECONDS = 600;

export type LinkEntry = { kind: 'redirected' } | { kind: 'malformed'; token: string } | { kind: 'cookie'; token: string | undefined };

/**
 * The first visit of an e-mailed link, customer or staff (S14): a well-formed token leaves the
 * address bar (history, Referer) for a short-lived HttpOnly cookie and the browser is sent to the
 * token-free page. A malformed one (S40) is never written into a header: the caller shows the
 * invalid-link page, counted like any invalid link. Without a token in the URL, the cookie's.
 */
export function enterLink(request: FastifyRequest<{ Querystring: { token?: unknown } }>, reply: FastifyReply, cookieName: string, tokenFreePath: string): LinkEntry {
  const fromUrl = request.query.token;
  if (fromUrl === undefined || fromUrl === '') return { kind: 'cookie', token: readCookie(request, cookieName) };
  if (!isWellFormedLinkToken(fromUrl)) {
    clearSecureCookie(reply, cookieName);
    return { kind: 'malformed', token: typeof fromUrl === 'string' ? fromUrl : '' };
  }
  setSecureCookie(reply, cookieName, fromUrl, LINK_COOKIE_MAX_AGE_SECONDS);
  reply.header('referrer-policy', 'no-referrer');
  reply.redirect(tokenFreePath, 303);
  return { kind: 'redirected' };
}
