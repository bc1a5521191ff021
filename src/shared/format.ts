import { fr } from './i18n/fr.js';

// Building an Intl.DateTimeFormat loads ICU data (tens of ms the first time): build each once.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = make()));
  return f;
}

/**
 * "jeudi 15 janvier 2026 à 18:00 (heure de Paris)" in the customer's time zone; French writes
 * the first day of a month as an ordinal ("mardi 1er décembre"), which Intl does not.
 */
export function formatDateTime(epochMs: number, timeZone: string): string {
  const parts = formatter(`long:${timeZone}`, () =>
    new Intl.DateTimeFormat('fr-FR', { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }),
  ).formatToParts(new Date(epochMs));
  const text = parts.map((p) => (p.type === 'day' && p.value === '1' ? fr.time.firstOfMonth : p.value)).join('');
  return `${text} (${fr.time.zone(timeZone)})`;
}

/** "8 heures", "1 heure", "90 minutes". */
export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return fr.time.hours(seconds / 3600);
  return fr.time.minutes(Math.round(seconds / 60));
}

/** "15/01/2026 10:00" for dense back-office tables, in the display time zone. */
export function formatShortDateTime(epochMs: number, timeZone: string): string {
  return formatter(`short:${timeZone}`, () => new Intl.DateTimeFormat('fr-FR', { timeZone, dateStyle: 'short', timeStyle: 'short' })).format(new Date(epochMs));
}
