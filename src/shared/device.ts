import { catalogue, type Lang } from './i18n/languages.js';

/** "Firefox sur Windows", "Firefox on Windows": enough for a customer to recognise a device, without a UA library. */
export function describeUserAgent(userAgent: string | null | undefined, lang: Lang = 'fr'): string {
  const words = catalogue(lang).device;
  const ua = userAgent ?? '';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrom(e|ium)\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : null;
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS X|Macintosh/.test(ua)
        ? 'macOS'
        : /Android/.test(ua)
          ? 'Android'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  if (browser && os) return words.browserOn(browser, os);
  return browser ?? os ?? words.unknown;
}

/**
 * The approximate place of an address, as much as can be said without a geolocation database:
 * its network prefix (IPv4 /24, IPv6 /48), which is also all we show of someone's address.
 */
export function ipPrefix(ip: string | null | undefined): string {
  if (!ip) return '—';
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.\d+$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.x`;
  if (ip.includes(':')) return `${ip.split(':').slice(0, 3).join(':')}::/48`;
  return '—';
}
