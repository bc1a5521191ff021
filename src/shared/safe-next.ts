const PROBE_ORIGIN = 'http://next.invalid';

/**
 * S24: the post-login target is accepted only as a same-origin path. Rejects protocol-relative
 * (`//x`), backslash tricks (`/\x`), schemes, control characters, and the same hidden behind
 * percent-encoding. Returns the path to redirect to, or null.
 */
export function safeNextPath(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 512) return null;
  let decoded = raw;
  // Decode repeatedly so %252F%252F cannot smuggle "//" past a single decode.
  for (let i = 0; i < 3; i++) {
    if (!isPlainPath(decoded)) return null;
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return null;
    }
    if (next === decoded) break;
    decoded = next;
  }
  if (!isPlainPath(decoded)) return null;
  const url = new URL(raw, PROBE_ORIGIN);
  if (url.origin !== PROBE_ORIGIN) return null;
  return url.pathname + url.search;
}

function isPlainPath(value: string): boolean {
  if (!value.startsWith('/')) return false;
  if (value.startsWith('//')) return false;
  // Backslashes are read as slashes by browsers; controls include CR/LF and tabs.
  return !/[\\\u0000-\u0020\u007f-\u009f]/.test(value);
}
