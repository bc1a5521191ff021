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
  return raw.normalize('NFKC').trim().slice(0, 32);
}
