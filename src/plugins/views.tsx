/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyReply, FastifyRequest } from 'fastify';
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

/** The French 429 page with Retry-After (S9, S17). */
export function sendTooManyRequests(request: FastifyRequest, reply: FastifyReply, retryAfterSeconds: number): FastifyReply {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  reply.header('retry-after', String(seconds));
  const ctx = { brandName: request.server.deps.config.brandName, csrfToken: '', branding: brandingOf(request.server.deps.config) };
  return sendPage(reply, <MessagePage ctx={ctx} title={fr.errors.tooManyTitle} body={fr.errors.tooManyBody(Math.ceil(seconds / 60))} isError />, 429);
}
