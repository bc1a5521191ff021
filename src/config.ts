import fs from 'node:fs';
import path from 'node:path';
import { parseSecretKey } from './shared/secret-box.js';

/** Everything the operator can set, read once from the environment and frozen. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** null means the embedded SQLite file `DATA_DIR/espace-pro.sqlite`. */
  readonly databaseUrl: string | null;
  /** Origin of every link we send (S13): scheme, host and port, no trailing slash. */
  readonly publicUrl: string;
  readonly publicIsHttps: boolean;
  /** Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For we believe (S9). */
  readonly trustProxy: readonly string[];
  readonly brandName: string;
  readonly logLevel: string;
  readonly resetTokenTtlSeconds: number;
  /** Validity of a company invitation link (INVITATION_TTL_HOURS, S44). */
  readonly invitationTtlSeconds: number;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly displayTimezone: string;
  readonly passwordMinLength: number;
  /** Where account-opening requests are announced. */
  readonly customerServiceEmail: string;
  /** How long a worker owns a mail it claimed; a dead worker's mails are taken over after it. */
  readonly outboxLeaseSeconds: number;
  /** Port of the Prometheus metrics listener (on METRICS_HOST); null: no metrics. */
  readonly metricsPort: number | null;
  /** Address of the metrics listener: loopback unless the operator opens it (the endpoint has no authentication). */
  readonly metricsHost: string;
  /** Approved or rejected account-opening requests are deleted this many days after the decision. */
  readonly requestRetentionDays: number;
  /** Audit entries are deleted after this many days. */
  readonly auditRetentionDays: number;
  /** Brand colour (#rrggbb) of the header bar and primary buttons: white text on it is AA (≥ 4.5:1). */
  readonly brandColor: string;
  /** Logo: an https URL, or an absolute path to a file under DATA_DIR (served at /static/logo.<ext>); null: the name only. */
  readonly brandLogo: { readonly kind: 'url'; readonly url: string } | { readonly kind: 'file'; readonly file: string; readonly ext: string } | null;
  /** Customer-service contact shown in the footer of every page (each optional). */
  readonly supportEmail: string | null;
  readonly supportPhone: string | null;
  /** Footer links (S42): the company's legal notice, and its privacy policy (else the built-in /confidentialite page). */
  readonly legalNoticeUrl: string | null;
  readonly privacyPolicyUrl: string | null;
  /** SECRETS_KEY: keys of the secret box (newest first); empty: the key file under DATA_DIR. */
  readonly secretsKeys: readonly Buffer[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

/** Parses the environment; every wrong value is named with what was expected. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const fail = (name: string, expected: string): undefined => {
    problems.push(`${name}: ${expected} (${shownValue(name, env[name] ?? '')})`);
    return undefined;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^[0-9]+$/.test(raw) || value < min || value > max) {
      fail(name, `expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };

  const port = integer('PORT', 3000, 1, 65535);
  const host = get('HOST') ?? '127.0.0.1';
  const dataDir = path.resolve(get('DATA_DIR') ?? './data');

  let databaseUrl: string | null = get('DATABASE_URL') ?? null;
  if (databaseUrl !== null) {
    // A Unix-socket URL (postgresql:///espace?host=/run/postgresql) names its host in the query.
    const problem = urlProblem(databaseUrl, ['postgres', 'postgresql'], { hostInQuery: true });
    if (problem) databaseUrl = fail('DATABASE_URL', `expected a postgres:// or postgresql:// URL, or nothing for SQLite: ${problem}`) ?? null;
  }

  let publicUrl = `http://localhost:${port}`;
  const rawPublicUrl = get('PUBLIC_URL');
  if (rawPublicUrl !== undefined) {
    const problem = urlProblem(rawPublicUrl, ['http', 'https']);
    if (problem) {
      fail('PUBLIC_URL', `expected an http(s) origin such as https://pro.example.fr: ${problem}`);
    } else {
      const url = new URL(rawPublicUrl);
      if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
        fail('PUBLIC_URL', 'expected an http(s) origin such as https://pro.example.fr, without path or query');
      } else {
        publicUrl = url.origin;
      }
    }
  }

  const trustProxy: string[] = [];
  for (const entry of (get('TRUST_PROXY') ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    // S9: a /0 range trusts every peer, so anyone's X-Forwarded-For would pick their own client IP.
    if (isIpOrCidr(entry) && /\/0+$/.test(entry)) fail('TRUST_PROXY', `"${entry}" would trust every address, so any visitor could choose the client IP the limits count; list the proxies' own addresses or ranges`);
    else if (isIpOrCidr(entry)) trustProxy.push(entry);
    else fail('TRUST_PROXY', `expected a comma-separated list of IP addresses or CIDR ranges, "${entry}" is neither`);
  }

  const brandName = get('BRAND_NAME') ?? 'Cartothèque';
  if (/[\r\n]/.test(brandName) || brandName.length > 80) fail('BRAND_NAME', 'expected one line of at most 80 characters');

  const logLevel = get('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) fail('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}`);

  let resetTokenTtlSeconds = 8 * 3600;
  const rawTtl = get('RESET_TOKEN_TTL');
  if (rawTtl !== undefined) {
    const seconds = parseDuration(rawTtl);
    if (seconds === null || seconds < 300 || seconds > 7 * 86400) {
      fail('RESET_TOKEN_TTL', 'expected a duration from 5m to 7d, such as 8h, 90m or 28800 (seconds)');
    } else {
      resetTokenTtlSeconds = seconds;
    }
  }

  let smtpUrl: string | null = get('SMTP_URL') ?? null;
  if (smtpUrl !== null) {
    const problem = urlProblem(smtpUrl, ['smtp', 'smtps']);
    if (problem) smtpUrl = fail('SMTP_URL', `expected smtp://user:pass@host:587 or smtps://host:465: ${problem}`) ?? null;
  }

  const mailFrom = get('MAIL_FROM') ?? `${brandName} <no-reply@localhost>`;
  if (/[\r\n]/.test(mailFrom) || !/@/.test(mailFrom)) fail('MAIL_FROM', 'expected an address such as "Cartothèque <no-reply@cartotheque.com>"');

  const displayTimezone = get('DISPLAY_TIMEZONE') ?? 'Europe/Paris';
  try {
    new Intl.DateTimeFormat('fr-FR', { timeZone: displayTimezone });
  } catch {
    fail('DISPLAY_TIMEZONE', 'expected an IANA time zone such as Europe/Paris');
  }

  const passwordMinLength = integer('PASSWORD_MIN_LENGTH', 15, 8, 64);
  const outboxLeaseSeconds = integer('OUTBOX_LEASE_SECONDS', 60, 2, 3600);

  // Off unless set: the metrics listener belongs on the monitoring network, never the public one.
  let metricsPort: number | null = null;
  if (get('METRICS_PORT') !== undefined) {
    const value = integer('METRICS_PORT', 0, 1, 65535); // 0: already reported as wrong
    if (value !== 0 && value === port) fail('METRICS_PORT', `expected a port other than PORT (${port})`);
    else if (value !== 0) metricsPort = value;
  }
  const metricsHost = get('METRICS_HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(metricsHost)) fail('METRICS_HOST', 'expected an address to listen on, such as 127.0.0.1, 10.0.0.5 or ::1');

  // S23: in production, links and cookies go over TLS; plain http is only for this machine.
  if ((env.NODE_ENV ?? '').trim() === 'production' && publicUrl.startsWith('http:')) {
    const hostname = new URL(publicUrl).hostname;
    if (!['localhost', '127.0.0.1', '[::1]'].includes(hostname)) {
      fail('PUBLIC_URL', 'expected an https:// address in production (NODE_ENV=production); http:// is accepted only for localhost, 127.0.0.1 or [::1]');
    }
  }
  const requestRetentionDays = integer('REQUEST_RETENTION_DAYS', 365, 1, 3650);
  const auditRetentionDays = integer('AUDIT_RETENTION_DAYS', 400, 1, 3650);
  const invitationTtlSeconds = integer('INVITATION_TTL_HOURS', 168, 1, 720) * 3600;

  const customerServiceEmail = get('CUSTOMER_SERVICE_EMAIL') ?? 'service-client@localhost';
  // One bare address on one line (S26): it becomes the To header of the notification mails.
  if (customerServiceEmail.length > 254 || !/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/.test(customerServiceEmail)) {
    fail('CUSTOMER_SERVICE_EMAIL', 'expected one e-mail address such as service-client@cartotheque.com');
  }

  const brandColor = (get('BRAND_COLOR') ?? '#0b5394').toLowerCase();
  if (!/^#[0-9a-f]{6}$/.test(brandColor)) fail('BRAND_COLOR', 'expected a colour such as #0b5394 (# and 6 hexadecimal digits)');
  else if (contrastWithWhite(brandColor) < 4.5) {
    fail('BRAND_COLOR', `expected a colour dark enough for white text (contrast ${contrastWithWhite(brandColor).toFixed(2)}:1, at least 4.5:1 needed)`);
  }

  let brandLogo: Config['brandLogo'] = null;
  const rawLogo = get('BRAND_LOGO_URL');
  if (rawLogo !== undefined) {
    const ext = path.extname(rawLogo.split('?')[0]!).toLowerCase().slice(1);
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(rawLogo)) {
      const problem = urlProblem(rawLogo, ['https']);
      if (problem) fail('BRAND_LOGO_URL', `expected an https:// URL or the path of a file under DATA_DIR: ${problem}`);
      else brandLogo = { kind: 'url', url: new URL(rawLogo).href };
    } else {
      const file = path.resolve(dataDir, rawLogo);
      if (!['png', 'svg', 'jpg', 'jpeg', 'webp'].includes(ext)) fail('BRAND_LOGO_URL', 'expected an https:// URL, or a .png, .svg, .jpg or .webp file under DATA_DIR');
      else if (!file.startsWith(dataDir + path.sep)) fail('BRAND_LOGO_URL', `expected an https:// URL, or a file under DATA_DIR (${dataDir})`);
      else if (!fs.existsSync(file) || !fs.statSync(file).isFile()) fail('BRAND_LOGO_URL', `expected an https:// URL, or an existing file under DATA_DIR (${file} not found)`);
      else brandLogo = { kind: 'file', file, ext };
    }
  }

  // Issue 23: "contactez notre service client" must say how. SUPPORT_EMAIL, or else the
  // CUSTOMER_SERVICE_EMAIL set for the notifications (never its localhost default).
  const supportEmail = get('SUPPORT_EMAIL') ?? (get('CUSTOMER_SERVICE_EMAIL') ? customerServiceEmail : null);
  if (supportEmail !== null && (supportEmail.length > 254 || !/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/.test(supportEmail))) {
    fail('SUPPORT_EMAIL', 'expected one e-mail address such as service-client@cartotheque.com');
  }
  const supportPhone = get('SUPPORT_PHONE') ?? null;
  if (supportPhone !== null && !/^\+?[0-9][0-9 .-]{3,24}$/.test(supportPhone)) fail('SUPPORT_PHONE', 'expected a phone number such as 01 23 45 67 89 or +33 1 23 45 67 89');
  // In production a customer told to contact customer service must be told how: no start without
  // a contact (on this machine a start-up warning says the same, so `npm start` works as it is).
  if ((env.NODE_ENV ?? '').trim() === 'production' && supportEmail === null && supportPhone === null) {
    fail('SUPPORT_EMAIL', 'expected in production (NODE_ENV=production), or SUPPORT_PHONE, or CUSTOMER_SERVICE_EMAIL: the notices tell customers how to reach customer service');
  }

  const pageUrl = (name: string): string | null => {
    const raw = get(name);
    if (raw === undefined) return null;
    const problem = /["<>]/.test(raw) ? 'no quotes or angle brackets' : urlProblem(raw, ['https']);
    if (!problem) return new URL(raw).href;
    fail(name, `expected an https:// address such as https://www.cartotheque.com/mentions-legales: ${problem}`);
    return null;
  };
  const legalNoticeUrl = pageUrl('LEGAL_NOTICE_URL');
  const privacyPolicyUrl = pageUrl('PRIVACY_POLICY_URL');

  const secretsKeys: Buffer[] = [];
  for (const part of (get('SECRETS_KEY') ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const key = parseSecretKey(part);
    if (key) secretsKeys.push(key);
    // Never echo a key, even a wrong one (S40).
    else problems.push('SECRETS_KEY: expected comma-separated keys of 64 hexadecimal digits or 43 base64url characters (value not shown)');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port,
    host,
    dataDir,
    databaseUrl,
    publicUrl,
    publicIsHttps: publicUrl.startsWith('https:'),
    trustProxy: Object.freeze(trustProxy),
    brandName,
    logLevel,
    resetTokenTtlSeconds,
    invitationTtlSeconds,
    smtpUrl,
    mailFrom,
    displayTimezone,
    passwordMinLength,
    customerServiceEmail,
    outboxLeaseSeconds,
    metricsPort,
    metricsHost,
    requestRetentionDays,
    auditRetentionDays,
    brandColor,
    brandLogo,
    supportEmail,
    supportPhone,
    secretsKeys: Object.freeze(secretsKeys),
    legalNoticeUrl,
    privacyPolicyUrl,
  });
}

/**
 * S40: a configuration error never echoes a credential. A URL setting is shown without its
 * userinfo, query or fragment (`postgres://***@db:5432/app`); a key, secret, password or token
 * setting only by its length; any other value as typed.
 */
export function shownValue(name: string, value: string): string {
  if (/KEY|SECRET|PASSWORD|PASS$|TOKEN|CREDENTIAL/i.test(name)) return `value hidden, ${value.length} characters`;
  if (/_URL$|_URI$|_DSN$/i.test(name) || /:\/\/|@/.test(value)) return `got "${redactUrl(value)}"`;
  return `got "${value}"`;
}

function redactUrl(value: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value)?.[0] ?? '';
  // Without a scheme nothing tells where a credential starts ("host=db password=…", "user:pass@db"): hide it all.
  if (scheme === '' && /[@=:\s]/.test(value)) return `*** (${value.length} characters, hidden)`;
  let rest = value.slice(scheme.length);
  // Everything up to the last "@" may be userinfo, whatever a malformed URL put in it ("/", ":", spaces).
  const at = rest.lastIndexOf('@');
  if (at >= 0) rest = `***@${rest.slice(at + 1)}`;
  // ?password=… and #… are not needed to see what is wrong.
  rest = rest.replace(/[?#][\s\S]*$/, (tail) => `${tail[0]}***`);
  const shown = scheme + rest;
  return /[\r\n]/.test(shown) ? shown.replace(/[\r\n]/g, ' ') : shown;
}

/**
 * What is wrong with a URL setting, or null: scheme among `schemes`, a host, a port (when given)
 * from 1 to 65535, no spaces. The answer never quotes the value (it may hold a password, S40);
 * shownValue() shows it redacted.
 */
export function urlProblem(raw: string, schemes: readonly string[], options: { hostInQuery?: boolean } = {}): string | null {
  const expected = schemes.map((s) => `${s}://`).join(' or ');
  if (/[\s\u0000-\u001f\u007f]/.test(raw)) return 'no spaces or control characters';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined || !schemes.includes(scheme)) return `the scheme must be ${expected}`;
  // The authority is between "//" and the first "/", "?" or "#"; the host and port after its last "@".
  const authority = raw.slice(scheme.length + 3).split(/[/?#]/, 1)[0]!;
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const port = /:([^\]:]*)$/.exec(hostPort)?.[1];
  if (port !== undefined && (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return 'the port must be a whole number from 1 to 65535';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'the host name is not valid';
  }
  if (url.hostname === '') return options.hostInQuery && url.searchParams.get('host') ? null : 'a host name is missing';
  // smtp:// and postgres:// hosts are "opaque" to the URL parser (anything goes): check the name ourselves.
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?)$/.test(url.hostname)) return 'the host name is not valid';
  return null;
}

/** WCAG contrast ratio of a #rrggbb colour against white. */
export function contrastWithWhite(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05);
}

/** "8h", "90m", "45s", "2d" or plain seconds. */
export function parseDuration(raw: string): number | null {
  const match = /^([0-9]+)\s*([smhd]?)$/.exec(raw.trim());
  if (!match) return null;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function isIpOrCidr(value: string): boolean {
  const [address, bits, extra] = value.split('/');
  if (extra !== undefined || address === undefined) return false;
  const v4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(address);
  const v6 = !v4 && /^[0-9a-fA-F:.]+$/.test(address) && address.includes(':');
  if (!v4 && !v6) return false;
  if (bits === undefined) return true;
  return /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (v4 ? 32 : 128);
}
