import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';
import { randomInt } from 'node:crypto';
import { safeEqual, sha256 } from '../../shared/crypto.js';
import type { PasswordHasher } from '../../shared/hasher.js';

/**
 * TOTP (RFC 6238) with the parameters every authenticator app understands: SHA-1, 6 digits,
 * 30-second steps, a 160-bit Base32 secret. Time always comes from the injected clock, so tests
 * can stand anywhere on the time line.
 */
export const TOTP_PERIOD_SECONDS = 30;
/** ±1 step of tolerance for phone clocks that drift (RFC 6238 §5.2 recommends at most one). */
const TOTP_TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The time step a given instant falls in. */
export function totpStep(epochMs: number): number {
  return Math.floor(epochMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The current code: used by tests and nowhere else in the application. */
export function totpCode(secret: string, epochMs: number): string {
  return generateSync({ secret, epoch: Math.floor(epochMs / 1000) });
}

/**
 * The time step the code belongs to (current step ±1), or null. A code whose step is not later
 * than `lastUsedStep` is refused: each code works once (replay protection); the caller then
 * records the step atomically.
 */
export function verifyTotp(secret: string, code: string, epochMs: number, lastUsedStep: number | null): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  try {
    const result = verifySync({
      secret,
      token: code,
      epoch: Math.floor(epochMs / 1000),
      epochTolerance: TOTP_TOLERANCE_SECONDS,
      ...(lastUsedStep !== null ? { afterTimeStep: lastUsedStep } : {}),
    });
    // The functional API types TOTP and HOTP results together; a TOTP result carries timeStep.
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    return null;
  }
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(secret: string, issuer: string, email: string): string {
  return generateURI({ issuer, label: email, secret });
}

/** The QR code as inline SVG markup (our own, not user data; the CSP allows inline SVG). */
export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 240 });
}

/** The secret in groups of four, easier to type by hand. */
export function formatSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

// ---- recovery codes ----------------------------------------------------------------------------

export const RECOVERY_CODE_COUNT = 10;
// No 0/O, 1/I/L: codes are read from paper. 31 symbols × 10 ≈ 49 random bits per code, plenty
// for a code that works once and only after the password, behind per-account throttling.
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const codes: string[] = [];
  while (codes.length < count) {
    // randomInt is uniform (no modulo bias) and comes from the CSPRNG.
    const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]!);
    codes.push(`${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`);
  }
  return codes;
}

/** What the user typed, without case, spaces or dashes; null when it cannot be a recovery code. */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input.normalize('NFKC').toLowerCase().replace(/[\s-]+/g, '');
  return /^[a-z0-9]{10}$/.test(compact) ? compact : null;
}

/**
 * S40: recovery codes are stored as argon2id hashes (salted, slow), like passwords: a leaked table
 * gives nothing to try offline. Ten hashes at enrolment or renewal; a login with one checks the
 * unused hashes of that member only.
 */
export async function hashRecoveryCodes(hasher: PasswordHasher, codes: string[]): Promise<string[]> {
  return Promise.all(codes.map((code) => hasher.hash(`staff-recovery:${normalizeRecoveryCode(code) ?? code}`)));
}

/** The id of the unused code `typed` is, among `stored` (argon2id, or the SHA-256 of codes made before), or null. */
export async function findRecoveryCode(hasher: PasswordHasher, stored: ReadonlyArray<{ id: number; code_hash: string }>, normalized: string): Promise<number | null> {
  const material = `staff-recovery:${normalized}`;
  for (const row of stored) {
    const matches = row.code_hash.startsWith('$argon2') ? await hasher.verify(row.code_hash, material) : safeEqual(row.code_hash, sha256(material));
    if (matches) return row.id;
  }
  return null;
}
