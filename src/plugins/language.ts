import type { FastifyReply, FastifyRequest } from 'fastify';
import { asLanguage, catalogue, type Lang, negotiateLanguage } from '../shared/i18n/languages.js';
import type { Catalogue } from '../shared/i18n/fr.js';
import { COOKIE, readCookie, setSecureCookie } from './cookies.js';

/** The language cookie lives a year: a choice, not a session. */
export const LANGUAGE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;

/** The language the visitor picked (the cookie), if any: `fr` or `en`, anything else ignored (S51). */
export function chosenLanguage(request: Pick<FastifyRequest, 'headers'>): Lang | null {
  // readCookie already refuses any value outside the cookie's format (cookies.ts); asLanguage narrows the type.
  return asLanguage(readCookie(request, COOKIE.language));
}

/** The language of this request's pages: the visitor's choice, else their browser's Accept-Language, else French. */
export function languageOf(request: Pick<FastifyRequest, 'headers'>): Lang {
  return chosenLanguage(request) ?? negotiateLanguage(request.headers['accept-language']);
}

/** The catalogue of this request's language, for routes that pick a sentence (a form error, a notice). */
export function catalogueOf(request: FastifyRequest): Catalogue {
  return catalogue(languageOf(request));
}

/** Keeps the visitor's choice in the `__Host-ep_lang` cookie (its value checked by setSecureCookie). */
export function setLanguageCookie(reply: FastifyReply, lang: Lang): void {
  setSecureCookie(reply, COOKIE.language, lang, LANGUAGE_COOKIE_MAX_AGE_SECONDS);
}
