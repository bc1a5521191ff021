import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * S28 and S29 on every response, errors and 404 included. Written by hand rather than with
 * helmet: the list is short, and each header here is one we mean.
 */
export const securityHeaders = fp(async function securityHeaders(app: FastifyInstance, opts: { https: boolean }) {
  // An external logo (BRAND_LOGO_URL=https://…) is the one other origin images may come from.
  const logo = app.deps.config.brandLogo;
  const imgSrc = logo?.kind === 'url' ? `img-src 'self' data: ${new URL(logo.url).origin}` : "img-src 'self' data:";
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    imgSrc,
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  const always: Record<string, string> = {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
  if (opts.https) always['strict-transport-security'] = 'max-age=63072000; includeSubDomains';
  // A callback hook, not an async one: it runs on every response, and a promise each time is waste.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(always);
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'same-origin');
    // Static assets may be cached; every page and every other answer may not (S29).
    if (!request.url.startsWith('/static/')) reply.header('cache-control', 'no-store');
    reply.removeHeader('x-powered-by');
    done(null, payload);
  });
});
