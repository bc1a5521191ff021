import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hmacSha256, randomToken, safeEqual } from '../shared/crypto.js';
import { recordAudit } from '../modules/audit/audit.service.js';
import { COOKIE, readCookie, setSecureCookie } from './cookies.js';

/**
 * S23: every state-changing request carries a token bound to this browser, and cross-site
 * requests are refused on their Origin / Sec-Fetch-Site headers before the token is even read.
 *
 * The token is HMAC(server key, browser binding). The binding is a random value in a
 * `__Host-` cookie, renewed at login and logout so a pre-login token dies with the anonymous
 * state; the key lives in the database, so every instance accepts every other's tokens
 * without storing one row per visitor.
 */
const BINDING_KEY = Symbol('csrfBinding');
type WithBinding = FastifyRequest & { [BINDING_KEY]?: string };

function binding(request: FastifyRequest, reply: FastifyReply): string {
  const req = request as WithBinding;
  if (req[BINDING_KEY]) return req[BINDING_KEY];
  let value = readCookie(request, COOKIE.csrf);
  if (!value) {
    value = randomToken(32);
    setSecureCookie(reply, COOKIE.csrf, value);
  }
  req[BINDING_KEY] = value;
  return value;
}

export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply): string {
  return hmacSha256(request.server.deps.csrfKey, binding(request, reply));
}

/** A fresh binding: tokens issued before (for instance on the login page) stop working. */
export function rotateCsrfBinding(request: FastifyRequest, reply: FastifyReply): void {
  const value = randomToken(32);
  setSecureCookie(reply, COOKIE.csrf, value);
  (request as WithBinding)[BINDING_KEY] = value;
}

export type CsrfVerdict = 'ok' | 'cross-site' | 'bad-token';

export function checkCsrf(request: FastifyRequest, publicOrigin: string, csrfKey: string): CsrfVerdict {
  const fetchSite = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  if (fetchSite !== undefined && fetchSite !== 'same-origin') return 'cross-site';
  // Chromium sends `Origin: null` on a form posted from a no-referrer page (S14): accepted only
  // when the browser also vouches the request is same-origin, and the token still has to match.
  if (origin !== undefined && origin !== publicOrigin && !(origin === 'null' && fetchSite === 'same-origin')) return 'cross-site';
  const bindingValue = readCookie(request, COOKIE.csrf);
  const body = request.body as Record<string, unknown> | undefined;
  const sent = body && typeof body === 'object' ? body._csrf : multipartToken(request);
  if (!bindingValue || typeof sent !== 'string') return 'bad-token';
  return safeEqual(sent, hmacSha256(csrfKey, bindingValue)) ? 'ok' : 'bad-token';
}

/**
 * A multipart upload's body is read only by its handler, after this check and the staff guard,
 * so an anonymous 19 MB upload is refused before it is read. Its token therefore travels in the
 * form's address (`?_csrf=…`); it is bound to the browser's cookie, so it is worth nothing alone.
 */
function multipartToken(request: FastifyRequest): unknown {
  if (!/^multipart\/form-data\s*;/i.test(request.headers['content-type'] ?? '')) return undefined;
  const query = request.query as Record<string, unknown> | undefined;
  return query && typeof query === 'object' ? query._csrf : undefined;
}

export class CsrfRefusedError extends Error {
  readonly statusCode = 403;
  readonly code = 'CSRF_REFUSED';
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const csrfProtection = fp(async function csrfProtection(app: FastifyInstance) {
  // preHandler of the root, so it runs before any route's own preHandler (the staff guard) and
  // handler, and after every body parser; the multipart upload is not parsed then (see multipartToken).
  // A callback hook: for the GETs that make most of the traffic it costs no promise.
  app.addHook('preHandler', (request, _reply, done) => {
    if (!UNSAFE.has(request.method)) return done();
    const { config, csrfKey, db, clock } = app.deps;
    const verdict = checkCsrf(request, config.publicUrl, csrfKey);
    if (verdict === 'ok') return done();
    recordAudit(db, clock, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null }, {
      event: 'csrf.refused',
      outcome: 'blocked',
      actorType: 'anonymous',
      target: request.routeOptions.url ?? request.url.split('?')[0],
      details: { reason: verdict },
    }).then(() => done(new CsrfRefusedError('CSRF check failed')), done);
  });
});
