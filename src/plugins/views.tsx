/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomToken } from '../shared/crypto.js';
import { catalogue, type Lang } from '../shared/i18n/languages.js';
import { safeNextPath } from '../shared/safe-next.js';
import { escapeHtml, type Html, renderDocument } from '../views/jsx.js';
import { brandingOf, type PageContext } from '../views/layout.js';
import { MessagePage } from '../views/pages/message.js';
import { h } from '../views/jsx.js';
import { csrfTokenFor } from './csrf.js';
import { languageOf } from './language.js';

/**
 * What a page template needs: the brand, a CSRF token bound to this browser, and the request's
 * language with its catalogue (`ctx.lang`, `ctx.t`; src/shared/i18n/README.md). `lang` forces one:
 * the back-office pages that borrow the customer layout stay French.
 */
export function pageContext(request: FastifyRequest, reply: FastifyReply, lang: Lang = languageOf(request)): PageContext {
  return { ...pageBasics(request, lang), csrfToken: csrfTokenFor(request, reply), path: safeNextPath(request.url) ?? undefined };
}

/** A context without CSRF token nor return path: error pages, the 429 page. */
function pageBasics(request: FastifyRequest, lang: Lang): PageContext {
  const config = request.server.deps.config;
  return { brandName: config.brandName, csrfToken: '', branding: brandingOf(config), lang, t: catalogue(lang), timeZone: config.displayTimezone };
}

export function sendPage(reply: FastifyReply, html: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(renderDocument(html));
}

// Marks where a per-request value goes in a page rendered once; nothing a template could produce.
const SLOT_MARK = `\u2063${randomToken(12)}`;
const SLOT = new RegExp(`${SLOT_MARK}(\\w+)\u2063`);
const slot = (name: string) => `${SLOT_MARK}${name}\u2063`;
/** Per app: literal parts and slot names, alternating ([text, name, text, name, text]). */
const renderedOnce = new WeakMap<FastifyInstance, Map<string, string[]>>();

/**
 * A page whose every answer differs only by a few plain values (the visitor's CSRF token, a
 * customer's name and code): rendered once per app, then each answer puts its values, HTML-
 * encoded (S25), in their slots. It saves the rendering, and the copy of the many-piece string
 * when it is written out. The template must use a slot's value as it is, in text or attribute:
 * one transformed (cut, recased, put in a URL) would not be found, and is refused here.
 */
export function sendPageRenderedOnce<S extends string = never>(
  request: FastifyRequest,
  reply: FastifyReply,
  key: string,
  render: (ctx: PageContext, slots: Record<S, string>) => Html,
  values: Record<S, string> = {} as Record<S, string>,
): FastifyReply {
  let pages = renderedOnce.get(request.server);
  if (!pages) renderedOnce.set(request.server, (pages = new Map()));
  // One rendering per language (S51); the language link comes back to the route's own path,
  // never to the address asked (a query string must not make a new cache entry, nor leak into another visitor's page).
  const lang = languageOf(request);
  const cacheKey = `${lang}:${key}`;
  let parts = pages.get(cacheKey);
  if (!parts) {
    const slots = Object.fromEntries(Object.keys(values).map((name) => [name, slot(name)])) as Record<S, string>;
    const ctx: PageContext = { ...pageBasics(request, lang), csrfToken: slot('csrf'), path: safeNextPath(request.routeOptions.url) ?? undefined };
    parts = renderDocument(render(ctx, slots)).split(SLOT);
    // A mark left among the literal parts was cut or recased by the template: refuse the page.
    if (parts.some((part, i) => i % 2 === 0 && part.includes('\u2063'))) throw new Error(`page ${key}: a slot's value was transformed by its template`);
    pages.set(cacheKey, parts);
  }
  const all: Record<string, string> = { ...values, csrf: csrfTokenFor(request, reply) };
  let html = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) html += escapeHtml(all[parts[i]!]!) + parts[i + 1]!;
  return reply.code(200).type('text/html; charset=utf-8').send(html);
}

/** The 429 page, in the request's language, with Retry-After (S9, S17). */
export function sendTooManyRequests(request: FastifyRequest, reply: FastifyReply, retryAfterSeconds: number): FastifyReply {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  reply.header('retry-after', String(seconds));
  const ctx = errorPageContext(request);
  return sendPage(reply, <MessagePage ctx={ctx} title={ctx.t.errors.tooManyTitle} body={ctx.t.errors.tooManyBody(Math.ceil(seconds / 60))} isError />, 429);
}

/** An error page's context (no form on it): the request's language. */
export function errorPageContext(request: FastifyRequest): PageContext {
  return pageBasics(request, languageOf(request));
}
