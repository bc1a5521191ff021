import { isValidEmail } from './validation.js';

/**
 * The customer code printed on invoices: exactly 5 digits after NFKC and trimming,
 * so " 12345" and full-width "１２３４５" are the same identifier. Anything else is null,
 * which callers treat exactly like a wrong identifier.
 */
export function normalizeIdentifier(raw: string): string | null {
  const canonical = raw.normalize('NFKC').trim();
  return /^[0-9]{5}$/.test(canonical) ? canonical : null;
}

/** What we keep of a malformed identifier to re-display it: bounded and printable. */
export function displayableIdentifier(raw: string): string {
  return raw.normalize('NFKC').trim().slice(0, 254);
}

/**
 * What the Identifiant field accepts since company accounts: the 5-digit customer code (its
 * holder) or a person's own e-mail address. Null for anything else, treated like a wrong
 * identifier (S6, S47). `key` is the canonical form the per-identifier throttle counts on (S8).
 */
export type SignInIdentifier = { kind: 'code'; code: string; key: string } | { kind: 'email'; emailLc: string; key: string };

export function parseSignInIdentifier(raw: string): SignInIdentifier | null {
  const code = normalizeIdentifier(raw);
  if (code) return { kind: 'code', code, key: code };
  const email = raw.normalize('NFKC').trim().toLowerCase();
  if (!isValidEmail(email)) return null;
  return { kind: 'email', emailLc: email, key: `email:${email}` };
}
