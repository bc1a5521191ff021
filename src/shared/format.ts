import { catalogue, type Lang, LOCALES } from './i18n/languages.js';

// Building an Intl.DateTimeFormat loads ICU data (tens of ms the first time): build each once.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = make()));
  return f;
}

/**
 * "jeudi 15 janvier 2026 à 18:00 (heure de Paris)", "Thursday 15 January 2026 at 18:00 (Paris
 * time)": in the customer's time zone and language (S51); French writes the first day of a month
 * as an ordinal ("mardi 1er décembre"), which Intl does not.
 */
export function formatDateTime(epochMs: number, timeZone: string, lang: Lang = 'fr'): string {
  const t = catalogue(lang);
  const parts = formatter(`long:${lang}:${timeZone}`, () =>
    new Intl.DateTimeFormat(LOCALES[lang], { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  ).formatToParts(new Date(epochMs));
  const text = parts.map((p) => (p.type === 'day' && p.value === '1' ? t.time.firstOfMonth : p.value)).join('');
  return `${text} (${t.time.zone(timeZone)})`;
}

/** "8 heures", "1 heure", "90 minutes"; "8 hours" in English. */
export function formatDuration(seconds: number, lang: Lang = 'fr'): string {
  const t = catalogue(lang);
  if (seconds % 3600 === 0) return t.time.hours(seconds / 3600);
  return t.time.minutes(Math.round(seconds / 60));
}

/** A validity counted in days when it is a whole number of days ("7 jours", "7 days"), else as formatDuration. */
export function formatValidity(seconds: number, lang: Lang = 'fr'): string {
  if (seconds % 86400 === 0) return catalogue(lang).time.days(seconds / 86400);
  return formatDuration(seconds, lang);
}

/** "15/01/2026 10:00" for dense tables (the back office, the security page), in the display time zone. */
export function formatShortDateTime(epochMs: number, timeZone: string, lang: Lang = 'fr'): string {
  return formatter(`short:${lang}:${timeZone}`, () => new Intl.DateTimeFormat(LOCALES[lang], { timeZone, dateStyle: 'short', timeStyle: 'short' })).format(new Date(epochMs));
}

/**
 * Midnight of a calendar day ("2026-01-15") in a time zone, as epoch ms: the Journal's "Du" and
 * "Au" are days as the staff live them, not UTC days.
 */
export function startOfDayIn(ymd: string, timeZone: string): number {
  const utcMidnight = Date.parse(`${ymd}T00:00:00Z`);
  const parts = formatter(`parts:${timeZone}`, () =>
    new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }),
  );
  // The zone's offset at an instant: its wall-clock time read as UTC, minus the instant.
  const offset = (at: number) => {
    const p = Object.fromEntries(parts.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - at;
  };
  return utcMidnight - offset(utcMidnight - offset(utcMidnight));
}

/** The calendar day after "2026-01-15": "2026-01-16". */
/**
 * A day as a person types it: "15/01/2026" (jj/mm/aaaa; "15.01.2026", "15-01-2026" and one-digit
 * day or month too) or ISO "2026-01-15". Returns it as "2026-01-15", or null when it is not a
 * day of the calendar (31/02/2026, 2026-13-01, "hier").
 */
export function parseDay(value: string): string | null {
  const text = value.trim();
  const french = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const [year, month, day] = french ? [Number(french[3]), Number(french[2]), Number(french[1])] : iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : [NaN, NaN, NaN];
  if (Number.isNaN(year)) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

export function nextDay(ymd: string): string {
  return new Date(Date.parse(`${ymd}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** "14 h 32", as French writes a time in a sentence ("Verrouillé jusqu'à 14 h 32"). */
export function formatTime(epochMs: number, timeZone: string): string {
  const parts = formatter(`time:${timeZone}`, () => new Intl.DateTimeFormat('fr-FR', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).formatToParts(new Date(epochMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  // French typography: no-break spaces, so that "14 h 32" never breaks across two lines.
  return `${Number(get('hour'))}\u00a0h\u00a0${get('minute')}`;
}
