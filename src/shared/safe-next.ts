const PROBE_ORIGIN = 'http://next.invalid';
const MAX_LENGTH = 512;
/** More layers of percent-encoding than this is not a link anyone typed: refused. */
const MAX_DECODING_ROUNDS = 4;

/**
 * S24, by construction: the post-login target is computed first (parsed and normalised against a
 * probe origin, which collapses dot segments: `/.//evil.example` becomes `//evil.example`), and
 * only that final value is returned, after it has itself passed `isSafeLocalPath`. The raw input
 * must pass too, so an encoded trick is refused even when normalisation would happen to hide it.
 * Returns the path to redirect to, or null.
 */
export function safeNextPath(raw: unknown): string | null {
  if (typeof raw !== 'string' || !isSafeLocalPath(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw, PROBE_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== PROBE_ORIGIN) return null;
  const result = url.pathname + url.search;
  return isSafeLocalPath(result) ? result : null;
}

/**
 * True when `value`, and every form it takes when percent-decoded again and again, is a plain
 * same-origin path: one leading `/`, no `//` anywhere, no backslash (browsers read it as a slash),
 * no dot segment, no control, format or whitespace character, no `@` in the path, bounded length.
 * A leading `/` excludes any scheme (`javascript:`, `https:`). Callers assert what they emit with it.
 */
export function isSafeLocalPath(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  let layer = value;
  for (let round = 0; round <= MAX_DECODING_ROUNDS; round++) {
    if (!hasSafeShape(layer)) return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      return false; // malformed escapes: a browser or proxy might read them differently
    }
    if (decoded === layer) return true;
    layer = decoded;
  }
  return false;
}

function hasSafeShape(value: string): boolean {
  if (value.length === 0 || value.length > MAX_LENGTH) return false;
  if (value[0] !== '/' || value.includes('//') || value.includes('\\')) return false;
  // Controls (CR, LF, TAB, NUL…), format characters (bidi overrides, zero-width) and every Unicode space.
  if (/[\p{C}\p{Z}\s]/u.test(value)) return false;
  const path = value.split(/[?#]/, 1)[0]!;
  // `@` only matters after an authority, which cannot exist here; refused anyway so no layer can look like userinfo.
  if (path.includes('@')) return false;
  return !path.split('/').some((segment) => segment === '.' || segment === '..');
}
