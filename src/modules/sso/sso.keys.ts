import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { randomToken } from '../../shared/crypto.js';
import type { SecretBox } from '../../shared/secret-box.js';
import * as repo from './sso.repository.js';

/** Algorithms we sign ID tokens and logout tokens with: ES256, and RS256 for older shops. */
export const SIGNING_ALGS = ['ES256', 'RS256'] as const;

/**
 * How long a retired key stays published / accepted after its successor took over: long enough
 * for everything it signed to expire. Signing keys sign ID tokens (1 h) and logout tokens (short);
 * cookie keys sign the provider's session cookie (12 h, like our sessions). Plus a margin.
 */
export const SIGNING_KEY_GRACE_MS = 2 * 60 * 60 * 1000;
export const COOKIE_KEY_GRACE_MS = 13 * 60 * 60 * 1000;

/**
 * S40: a private key (the JWK with its `d`) and a cookie key are stored only sealed by the secret
 * box (AES-256-GCM, SECRETS_KEY or DATA_DIR/secrets.key), like the staff TOTP secrets: a database
 * dump or backup alone cannot mint an ID token nor forge a provider cookie.
 */
function newSigningKey(secrets: SecretBox, alg: (typeof SIGNING_ALGS)[number], now: number) {
  const kid = `${alg.toLowerCase()}-${randomToken(9)}`;
  const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...pair.privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { kid, use: 'sig' as const, alg, material: secrets.seal(JSON.stringify(jwk)), created_at: now, retired_at: null };
}

function newCookieKey(secrets: SecretBox, now: number) {
  return { kid: `cookie-${randomToken(9)}`, use: 'cookie' as const, alg: 'HS256', material: secrets.seal(randomBytes(32).toString('base64url')), created_at: now, retired_at: null };
}

/**
 * Seals what is still stored in clear (rows written before keys were sealed) or under a retired
 * SECRETS_KEY, at every start: the upgrade needs no step of its own and keeps every kid.
 */
async function resealKeys(db: Kysely<DB>, secrets: SecretBox, rows: Array<{ kid: string; material: string }>): Promise<number> {
  let resealed = 0;
  for (const row of rows) {
    if (!secrets.needsResealing(row.material)) continue;
    await repo.replaceKeyMaterial(db, row.kid, row.material, secrets.seal(secrets.open(row.material)));
    resealed++;
  }
  return resealed;
}

/** Keys sealed under a SECRETS_KEY this process does not have: say which setting, not only which key id. */
function cannotOpen(error: unknown): never {
  throw new Error(
    `single sign-on keys (oidc_keys) are sealed with another SECRETS_KEY: give every instance and the CLI the same SECRETS_KEY (or DATA_DIR/secrets.key), keeping an old key after the new one while rotating (${(error as Error).message})`,
  );
}

export interface ProviderKeys {
  /** Private JWKs, newest first per algorithm: the provider signs with the first of an alg. */
  jwks: { keys: Record<string, unknown>[] };
  /** Newest first: the first signs cookies, every one verifies. */
  cookieKeys: string[];
}

/**
 * The keys, created at first start. Two instances starting together on an empty table may both
 * create a set: harmless, both sets are kept and the newest signs (every instance publishes all).
 * Key material is never logged nor printed, and stored only sealed (S40): rows still in clear
 * (written before sealing) or under a retired SECRETS_KEY are resealed here, at every start.
 */
export async function loadOrCreateKeys(db: Kysely<DB>, secrets: SecretBox, now = Date.now()): Promise<ProviderKeys> {
  let sig = await repo.listKeys(db, 'sig');
  const missing = SIGNING_ALGS.filter((alg) => !sig.some((k) => k.alg === alg));
  if (missing.length > 0) {
    await repo.insertKeys(db, missing.map((alg) => newSigningKey(secrets, alg, now)));
    sig = await repo.listKeys(db, 'sig');
  }
  let cookie = await repo.listKeys(db, 'cookie');
  if (cookie.length === 0) {
    await repo.insertKeys(db, [newCookieKey(secrets, now)]);
    cookie = await repo.listKeys(db, 'cookie');
  }
  await resealKeys(db, secrets, [...sig, ...cookie]).catch(cannotOpen);
  // Active keys first (newest first), then retired ones, still published so what they signed verifies.
  const ordered = [...sig.filter((k) => k.retired_at === null), ...sig.filter((k) => k.retired_at !== null)];
  return {
    jwks: { keys: ordered.map((k) => JSON.parse(secrets.open(k.material)) as Record<string, unknown>) },
    cookieKeys: [...cookie.filter((k) => k.retired_at === null), ...cookie.filter((k) => k.retired_at !== null)].map((k) => secrets.open(k.material)),
  };
}

/**
 * `oidc:rotate-keys`: a new key per algorithm and a new cookie key; the previous ones are retired
 * (still published and still verifying) and dropped by retention once their grace is over.
 * Instances read keys at start: restart them (one after the other) after a rotation.
 */
export async function rotateKeys(db: Kysely<DB>, secrets: SecretBox, now = Date.now()): Promise<{ signing: string[]; retired: number }> {
  const fresh = [...SIGNING_ALGS.map((alg) => newSigningKey(secrets, alg, now)), newCookieKey(secrets, now)];
  const before = (await repo.listKeys(db, 'sig')).filter((k) => k.retired_at === null).length;
  // The keys that stay (retired, still verifying) are resealed under the current SECRETS_KEY too.
  await resealKeys(db, secrets, [...(await repo.listKeys(db, 'sig')), ...(await repo.listKeys(db, 'cookie'))]);
  await db.transaction().execute(async (trx) => {
    await repo.insertKeys(trx, fresh);
    const kids = fresh.map((k) => k.kid);
    await repo.retireKeys(trx, 'sig', now, kids);
    await repo.retireKeys(trx, 'cookie', now, kids);
  });
  return { signing: fresh.filter((k) => k.use === 'sig').map((k) => k.kid), retired: before };
}

/** Retention: retired keys whose grace is over (on the system clock, the provider's). */
export async function dropExpiredKeys(db: Kysely<DB>, now = Date.now()): Promise<number> {
  return (await repo.deleteRetiredKeys(db, 'sig', now - SIGNING_KEY_GRACE_MS)) + (await repo.deleteRetiredKeys(db, 'cookie', now - COOKIE_KEY_GRACE_MS));
}
