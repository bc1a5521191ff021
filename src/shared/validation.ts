/** A pragmatic e-mail check: one @, a dotted domain, no spaces or control characters, ≤ 254. */
export function isValidEmail(value: string): boolean {
  return value.length <= 254 && /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/.test(value);
}

/** S26: anything that may reach a mail header must be one line. */
export function hasLineBreak(value: string): boolean {
  return /[\r\n\u0085\u2028\u2029]/.test(value);
}

export function normalizeEmail(value: string): string {
  return value.normalize('NFKC').trim();
}
