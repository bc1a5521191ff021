import { createHmac, createSecretKey, hash, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';

// One call to the CSPRNG yields the bytes of many tokens, as Node does for randomUUID(): asking
// OpenSSL for 32 bytes at a time cost more than the rest of the login page's CSRF binding.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** An opaque random value from the CSPRNG, base64url. 32 bytes = 256 bits unless told otherwise. */
export function randomToken(bytes = 32): string {
  if (bytes > 256) return randomBytes(bytes).toString('base64url');
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const token = pool.toString('base64url', offset, offset + bytes);
  // Each byte serves once and does not linger in memory after it has.
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return token;
}

/** Only this digest of a token, session id or validator is ever stored (S11, S18, S20). */
export function sha256(value: string): string {
  // Node's one-shot digest (20.12+): the same SHA-256, without a Hash object per call. It runs for
  // every session lookup and sign-in (token → id); a Hash object cost three times as much.
  return hash('sha256', value, 'hex');
}

// The HMAC keys in use (the CSRF key, the pseudonym key: a handful per process), each imported
// once as a KeyObject instead of from its string at every call: the CSRF token is computed on
// every page with a form and checked on every POST.
const hmacKeys = new Map<string, KeyObject>();

export function hmacSha256(key: string, value: string): string {
  let secret = hmacKeys.get(key);
  if (!secret) {
    secret = createSecretKey(Buffer.from(key, 'utf8'));
    if (hmacKeys.size < 16) hmacKeys.set(key, secret);
  }
  return createHmac('sha256', secret).update(value, 'utf8').digest('base64url');
}

/** Constant-time comparison of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}
