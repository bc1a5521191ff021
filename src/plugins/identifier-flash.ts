import type { FastifyReply, FastifyRequest } from 'fastify';
import { normalizeIdentifier } from '../shared/identifier.js';
import { clearSecureCookie, readCookie, setSecureCookie } from './cookies.js';

/**
 * The customer code to pre-fill on the next page (after an activation, or from an expired link
 * to "Mot de passe oublié ?"), carried in a short-lived HttpOnly cookie rather than in the URL,
 * where it would end up in the history, in proxies' logs and in Referer headers.
 */
const IDENTIFIER_FLASH_COOKIE = '__Host-ep_identifiant';
const MAX_AGE_SECONDS = 600;

export function flashIdentifier(reply: FastifyReply, code: string): void {
  setSecureCookie(reply, IDENTIFIER_FLASH_COOKIE, code, MAX_AGE_SECONDS);
}

/** The code left by the previous page, read once. */
export function takeFlashedIdentifier(request: FastifyRequest, reply: FastifyReply): string | null {
  const raw = readCookie(request, IDENTIFIER_FLASH_COOKIE);
  if (raw === undefined) return null;
  clearSecureCookie(reply, IDENTIFIER_FLASH_COOKIE);
  return normalizeIdentifier(raw);
}
