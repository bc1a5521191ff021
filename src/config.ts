import path from 'node:path';

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
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly displayTimezone: string;
  readonly passwordMinLength: number;
  /** Where account-opening requests are announced. */
  readonly customerServiceEmail: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export const PASSWORD_MAX_LENGTH = 128;

type Env = Record<string, string | undefined>;

/** Parses the environment; every wrong value is named with what was expected. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const fail = (name: string, expected: string): undefined => {
    problems.push(`${name}: ${expected} (got "${env[name]}")`);
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
  if (databaseUrl !== null && !/^postgres(ql)?:\/\/.+/.test(databaseUrl)) {
    databaseUrl = fail('DATABASE_URL', 'expected a postgres:// or postgresql:// URL, or nothing for SQLite') ?? null;
  }

  let publicUrl = `http://localhost:${port}`;
  const rawPublicUrl = get('PUBLIC_URL');
  if (rawPublicUrl !== undefined) {
    try {
      const url = new URL(rawPublicUrl);
      if (!['http:', 'https:'].includes(url.protocol) || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
        fail('PUBLIC_URL', 'expected an http(s) origin such as https://pro.example.fr, without path or query');
      } else {
        publicUrl = url.origin;
      }
    } catch {
      fail('PUBLIC_URL', 'expected an http(s) origin such as https://pro.example.fr');
    }
  }

  const trustProxy: string[] = [];
  for (const entry of (get('TRUST_PROXY') ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (isIpOrCidr(entry)) trustProxy.push(entry);
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
  if (smtpUrl !== null && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) {
    smtpUrl = fail('SMTP_URL', 'expected smtp://user:pass@host:587 or smtps://host:465') ?? null;
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

  const customerServiceEmail = get('CUSTOMER_SERVICE_EMAIL') ?? 'service-client@localhost';
  // One bare address on one line (S26): it becomes the To header of the notification mails.
  if (customerServiceEmail.length > 254 || !/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/.test(customerServiceEmail)) {
    fail('CUSTOMER_SERVICE_EMAIL', 'expected one e-mail address such as service-client@cartotheque.com');
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
    smtpUrl,
    mailFrom,
    displayTimezone,
    passwordMinLength,
    customerServiceEmail,
  });
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
