import type { FastifyRequest } from 'fastify';

/** Where a request came from, as the audit log and session rows record it (S34). */
export interface RequestOrigin {
  ip: string;
  userAgent: string;
}

/** The client IP (X-Forwarded-For only from TRUST_PROXY, app.ts) and user agent of a request. */
export function requestOrigin(request: FastifyRequest): RequestOrigin {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? '' };
}
