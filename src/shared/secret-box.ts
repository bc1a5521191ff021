import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * S40: secrets the server must read back in clear (the staff TOTP secrets: a shared secret cannot
 * be hashed; the single sign-on private signing keys and cookie keys) are stored sealed with
 * AES-256-GCM. The key comes from `SECRETS_KEY` or, when it is
 * unset, from `DATA_DIR/secrets.key`, created at first start readable by its owner only. Several
 * comma-separated keys rotate: the first seals, any opens, and every start reseals
 * (`resealStaffSecrets`, `loadOrCreateKeys`).
 */
export interface SecretBox {
  seal(plain: string): string;
  /** The secret in clear; a value stored before sealing existed comes back as it is. */
  open(stored: string): string;
  /** True when `stored` is in clear or sealed with an older key. */
  needsResealing(stored: string): boolean;
}

const PREFIX = 'v1';
const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

export function createSecretBox(keys: readonly Buffer[]): SecretBox {
  if (keys.length === 0 || keys.some((k) => k.length !== 32)) throw new Error('secret box: every key must be 32 bytes');
  const byId = new Map(keys.map((k) => [keyId(k), k]));
  const current = keys[0]!;
  const currentId = keyId(current);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}:${currentId}:${iv.toString('base64url')}:${body.toString('base64url')}`;
    },
    open(stored) {
      const [prefix, id, iv, body] = stored.split(':');
      if (prefix !== PREFIX || !id || !iv || !body) return stored;
      const key = byId.get(id);
      if (!key) throw new Error(`secret box: no key ${id} to open a stored secret (was SECRETS_KEY changed without keeping the old key?)`);
      const data = Buffer.from(body, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
    },
    needsResealing(stored) {
      return !stored.startsWith(`${PREFIX}:${currentId}:`);
    },
  };
}

/** A key as written in SECRETS_KEY or the key file: 64 hexadecimal digits or 43 base64url characters. */
export function parseSecretKey(text: string): Buffer | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9_-]{43}$/.test(value)) return Buffer.from(value, 'base64url');
  return null;
}

/**
 * The keys of the secret box: SECRETS_KEY (comma-separated, newest first) when set — checked by
 * loadConfig — or the key file under DATA_DIR, made now (0600, in a 0700 folder) if absent.
 */
export function loadSecretKeys(config: { secretsKeys: readonly Buffer[]; dataDir: string }): Buffer[] {
  if (config.secretsKeys.length > 0) return [...config.secretsKeys];
  const file = path.join(config.dataDir, 'secrets.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    // 'wx': two instances starting at once on one DATA_DIR cannot both write a different key.
    try {
      fs.writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const keys = fs
    .readFileSync(file, 'utf8')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(parseSecretKey);
  if (keys.length === 0 || keys.some((k) => k === null)) throw new Error(`${file}: expected one key per line (64 hexadecimal digits or 43 base64url characters)`);
  return keys as Buffer[];
}
