import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * S21: every cookie is `__Host-` prefixed, Secure, Path=/, HttpOnly, SameSite=Lax, and holds only
 * random values. Browsers accept Secure cookies on http://localhost, so development works too.
 */
export const COOKIE = {
  session: '__Host-ep_session',
  remember: '__Host-ep_remember',
  device: '__Host-ep_device',
  csrf: '__Host-ep_csrf',
  /** Staff (back-office) session: separate from the customer session (S31). */
  staff: '__Host-ep_staff',
} as const;

export function setSecureCookie(reply: FastifyReply, name: string, value: string, maxAgeSeconds?: number): void {
  reply.setCookie(name, value, {
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'lax',
    ...(maxAgeSeconds !== undefined ? { maxAge: Math.max(0, Math.floor(maxAgeSeconds)) } : {}),
  });
  // S29: a response that sets a cookie is never stored by a cache.
  reply.header('cache-control', 'no-store');
}

export function clearSecureCookie(reply: FastifyReply, name: string): void {
  reply.clearCookie(name, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
  reply.header('cache-control', 'no-store');
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const value = request.cookies[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
}
