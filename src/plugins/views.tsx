/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomToken } from '../shared/crypto.js';
import { fr } from '../shared/i18n/fr.js';
import { type Html, renderDocument } from '../views/jsx.js';
import { brandingOf, type PageContext } from '../views/layout.js';
import { MessagePage } from '../views/pages/message.js';
import { h } from '../views/jsx.js';
import { csrfTokenFor } from './csrf.js';

/** What a page template needs: the brand, and a CSRF token bound to this browser. */
export function pageContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  return { brandName: request.server.deps.config.brandName, csrfToken: csrfTokenFor(request, reply), branding: brandingOf(request.server.deps.config) };
}

export function sendPage(reply: FastifyReply, html: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(renderDocument(html));
}

// Where the visitor's token goes in a page rendered once; nothing a template could produce.
const TOKEN_SLOT = `\u2063${randomToken(12)}\u2063`;
const renderedOnce = new WeakMap<FastifyInstance, Map<string, string[]>>();

/**
 * A page that is the same for every visitor but for its CSRF token (the login page as most
 * visitors see it): rendered once per app, then each answer only puts its own token in. It
 * saves the rendering, and the copy of the many-piece string when it is written to the socket.
 */
export function sendPageRenderedOnce(request: FastifyRequest, reply: FastifyReply, key: string, render: (ctx: PageContext) => Html): FastifyReply {
  let pages = renderedOnce.get(request.server);
  if (!pages) renderedOnce.set(request.server, (pages = new Map()));
  let parts = pages.get(key);
  if (!parts) {
    parts = renderDocument(render({ ...pageContext(request, reply), csrfToken: TOKEN_SLOT })).split(TOKEN_SLOT);
    pages.set(key, parts);
  }
  return reply.code(200).type('text/html; charset=utf-8').send(parts.join(csrfTokenFor(request, reply)));
}

/** The French 429 page with Retry-After (S9, S17). */
export function sendTooManyRequests(request: FastifyRequest, reply: FastifyReply, retryAfterSeconds: number): FastifyReply {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  reply.header('retry-after', String(seconds));
  const ctx = { brandName: request.server.deps.config.brandName, csrfToken: '', branding: brandingOf(request.server.deps.config) };
  return sendPage(reply, <MessagePage ctx={ctx} title={fr.errors.tooManyTitle} body={fr.errors.tooManyBody(Math.ceil(seconds / 60))} isError />, 429);
}
