import { en } from './en.js';
import { type Catalogue, fr } from './fr.js';

/** The languages of the customer pages and mails; French is the default and the reference. */
export const LANGUAGES = ['fr', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Lang = 'fr';

const CATALOGUES: Record<Lang, Catalogue> = { fr, en };

/** The locale of `Intl` formatting per language (dates and times, S51). */
export const LOCALES: Record<Lang, string> = { fr: 'fr-FR', en: 'en-GB' };

export function catalogue(lang: Lang): Catalogue {
  return CATALOGUES[lang];
}

/** `fr` or `en` exactly, else null: a stored or sent value outside the enum is ignored (S51). */
export function asLanguage(value: unknown): Lang | null {
  return value === 'fr' || value === 'en' ? value : null;
}

/** Longer than this, an Accept-Language header is not a browser's: read no further than this. */
const MAX_HEADER_LENGTH = 512;
const MAX_RANGES = 20;
const QUALITY = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/i;

/**
 * The language of an `Accept-Language` header (RFC 9110 §12.5.4), by hand: the supported primary
 * tag (`fr`, `fr-CA`, `en`, `en-US`…) with the highest quality wins, the first listed on a tie;
 * `q=0` refuses one; `*`, other languages, malformed ranges and qualities are ignored. Nothing
 * supported: French.
 */
export function negotiateLanguage(header: unknown): Lang {
  if (typeof header !== 'string') return DEFAULT_LANGUAGE;
  let best: { lang: Lang; q: number } | null = null;
  for (const range of header.slice(0, MAX_HEADER_LENGTH).split(',').slice(0, MAX_RANGES)) {
    const [tag = '', ...params] = range.split(';').map((part) => part.trim());
    const lang = asLanguage(/^[a-z]{2}(-[a-z0-9]{1,8})*$/i.test(tag) ? tag.slice(0, 2).toLowerCase() : null);
    if (!lang) continue;
    let q = 1;
    if (params.length > 0) {
      const quality = params.length === 1 ? QUALITY.exec(params[0]!) : null;
      if (!quality) continue;
      q = Number(quality[1]);
    }
    if (q > 0 && (best === null || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? DEFAULT_LANGUAGE;
}
