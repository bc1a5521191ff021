import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import * as common from '@zxcvbn-ts/language-common';
import * as fr from '@zxcvbn-ts/language-fr';

/** S1: at most 128 code points after NFKC, checked before hashing, never truncated. */
export const PASSWORD_MAX_LENGTH = 128;

/**
 * S1–S3: length in Unicode code points after NFKC (no truncation, no composition rules, no
 * expiry), two shipped blocklists (zxcvbn-ts common passwords and French common words, about
 * 77,000 entries; and about 611,000 breached passwords of 8 to 128 characters, see
 * data/README.md), trivial patterns, a common word or name padded with digits, a year, symbols,
 * a repetition or a keyboard run (NIST 800-63B-4 §3.1.1.2: the short blocklist alone is
 * useless once 15 characters are required), and words tied to this account or site.
 */
export type PasswordProblem = 'REQUIRED' | 'TOO_SHORT' | 'TOO_LONG' | 'COMMON' | 'TRIVIAL' | 'PREDICTABLE' | 'CONTEXT';

export interface PasswordVerdict {
  problem: PasswordProblem;
  length: number;
}

const BLOCKLIST: ReadonlySet<string> = new Set(
  [...(common.dictionary['passwords-common'] as string[]), ...(fr.dictionary['commonWords-fr'] as string[])].map((w) => String(w).toLowerCase()),
);

/**
 * Breached passwords (see data/README.md), folded like `fold` below and sorted by bytes. Kept as
 * one decompressed buffer searched by bisection: a Set of the 611,000 strings would cost about
 * 50 MB of heap and a quarter of a second at start; this costs about 8 MB and a few ms per check less.
 */
class SortedLines {
  private readonly starts: Uint32Array;
  constructor(private readonly buffer: Buffer) {
    let count = 0;
    for (let i = 0; i < buffer.length; i++) if (buffer[i] === 0x0a) count++;
    this.starts = new Uint32Array(count + 1);
    let line = 1;
    for (let i = 0; i < buffer.length; i++) if (buffer[i] === 0x0a) this.starts[line++] = i + 1;
  }

  get size(): number {
    return this.starts.length - 1;
  }

  has(value: string): boolean {
    const key = Buffer.from(value, 'utf8');
    let low = 0;
    let high = this.starts.length - 2;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const cmp = Buffer.compare(key, this.buffer.subarray(this.starts[mid]!, this.starts[mid + 1]! - 1));
      if (cmp === 0) return true;
      if (cmp < 0) high = mid - 1;
      else low = mid + 1;
    }
    return false;
  }
}

function loadBreached(): SortedLines {
  // Beside this module: src/shared/data/, or dist/shared/data/ where `npm run build` copies it.
  const file = new URL('./data/breached-passwords.txt.gz', import.meta.url);
  if (!fs.existsSync(file)) throw new Error(`${fileURLToPath(file)} is missing: the password blocklist cannot be loaded (run \`npm run build\` again)`);
  return new SortedLines(zlib.gunzipSync(fs.readFileSync(file)));
}

export const BREACHED = loadBreached();

/**
 * Words and names someone builds a password around: common passwords, French common and
 * Wikipedia words, French first and last names, the English diceware list, and the small
 * themed lists (months, colours, planets…), folded, letters only, 3 letters or more.
 */
const WORDS: ReadonlySet<string> = (() => {
  const out = new Set<string>();
  for (const list of [...Object.values(common.dictionary), ...Object.values(fr.dictionary)] as unknown[]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const word = fold(String(raw)).replace(/[^a-z]/g, '');
      if (word.length >= 3) out.add(word);
    }
  }
  return out;
})();
const LONGEST_WORD = Math.min(32, Math.max(...[...WORDS].map((w) => w.length)));

/** Leetspeak read back as letters; `1` is tried as `i` then as `l`. */
const LEET_I: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '!': 'i', '+': 't', '|': 'l', '€': 'e' };
const LEET_L: Record<string, string> = { ...LEET_I, '1': 'l', '!': 'l' };

/**
 * "A common word or name padded with digits, a year, symbols, a repetition or a keyboard run":
 * covers the password with the fewest pieces, where a digit or symbol and a keyboard or alphabet
 * run of 3 keys or more are free, and a dictionary word (leetspeak read back) or a stray letter
 * costs one. Refused: everything covered by at most one word (`Motdepasse2024!!`, `Jetaime123456789`,
 * `azertyuiop123456`), or by two with padding (`Soleil Marie 1987!`), or a repeated unit that is
 * itself refused. A passphrase needs several words, so it costs several and passes.
 */
function isPredictable(compact: string): boolean {
  const chars = [...compact];
  const n = chars.length;
  const unit = repeatedUnit(chars);
  if (unit !== null && unit.length >= 3 && (isPredictable(unit) || WORDS.has(unit) || BLOCKLIST.has(unit))) return true;
  const readI = chars.map((c) => LEET_I[c] ?? c).join('');
  const readL = chars.map((c) => LEET_L[c] ?? c).join('');
  const hasLeet = readI !== compact;
  const isLetter = chars.map((c) => /\p{L}/u.test(c));
  let letters = 0;
  for (const l of isLetter) if (l) letters++;
  if (letters === 0) return false; // digits and symbols only: the trivial-pattern check decides
  // cost[i]: fewest paid pieces covering chars[0..i).
  const cost = new Array<number>(n + 1).fill(Infinity);
  cost[0] = 0;
  // Only covers of cost 2 or less decide anything, so dearer states are not explored: a long
  // passphrase leaves that budget within a few words and costs little to check.
  for (let i = 0; i < n; i++) {
    const here = cost[i]!;
    if (here > 2) continue;
    if (!isLetter[i]) cost[i + 1] = Math.min(cost[i + 1]!, here);
    else cost[i + 1] = Math.min(cost[i + 1]!, here + 1); // a stray letter
    const run = keyboardRunLength(chars, i);
    for (let j = i + 3; j <= i + run; j++) cost[j] = Math.min(cost[j]!, here);
    if (here > 1) continue; // a word would make it 3
    for (let j = i + 3; j <= Math.min(n, i + LONGEST_WORD); j++) {
      // Chars are single UTF-16 units once folded (letters a–z, digits, ASCII symbols); others never match.
      if (WORDS.has(readI.slice(i, j)) || (hasLeet && WORDS.has(readL.slice(i, j)))) cost[j] = Math.min(cost[j]!, here + 1);
    }
  }
  const total = cost[n]!;
  const padded = letters < n;
  return total <= 1 || (total === 2 && padded);
}

/** The shortest unit that, repeated, makes the whole (`passw0rd!passw0rd!` → `passw0rd!`), or null. */
function repeatedUnit(chars: string[]): string | null {
  for (let size = 1; size <= chars.length / 2; size++) {
    if (chars.length % size !== 0) continue;
    let same = true;
    for (let i = size; i < chars.length && same; i++) same = chars[i] === chars[i - size];
    if (same) return chars.slice(0, size).join('');
  }
  return null;
}

/** How many keys from `start` follow one keyboard row or the alphabet or the digits, either way. */
function keyboardRunLength(chars: string[], start: number): number {
  let best = 1;
  for (const row of SEQUENCES) {
    for (const step of [1, -1]) {
      let length = 1;
      let at = row.indexOf(chars[start]!);
      if (at < 0) continue;
      while (start + length < chars.length && row[at + step] !== undefined && row[at + step] === chars[start + length]) {
        at += step;
        length++;
      }
      best = Math.max(best, length);
    }
  }
  return best;
}

/** Rows of digits and of AZERTY and QWERTY keyboards: walking along them is not a password. */
const SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'azertyuiop', 'qsdfghjklm', 'wxcvbn', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

export function passwordLength(password: string): number {
  return [...password.normalize('NFKC')].length;
}

/** Removes accents and case so "Cartothèque" and "CARTOTHEQUE" are the same context word. */
function fold(value: string): string {
  return value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

function isTrivial(compact: string): boolean {
  const chars = [...compact];
  if (new Set(chars).size < 5) return true;
  // Every step stays on one keyboard row or digit run (either direction) or repeats a key.
  return chars.every((c, i) => {
    if (i === 0) return true;
    const prev = chars[i - 1]!;
    if (prev === c) return true;
    return SEQUENCES.some((row) => {
      const a = row.indexOf(prev);
      const b = row.indexOf(c);
      // Neighbours on the row, or wrapping around it (…7890123…).
      return a >= 0 && b >= 0 && (Math.abs(a - b) === 1 || Math.abs(a - b) === row.length - 1);
    });
  });
}

/** "motdepassemotdepasse": a repeated unit that is itself common or short. */
function isRepeatedCommon(compact: string): boolean {
  for (let size = 1; size <= compact.length / 2; size++) {
    if (compact.length % size !== 0) continue;
    const unit = compact.slice(0, size);
    if (unit.repeat(compact.length / size) === compact) return size <= 4 || BLOCKLIST.has(unit);
  }
  return false;
}

export interface PasswordContext {
  minLength: number;
  /** Brand name, customer code, e-mail: none may appear in the password. */
  words: string[];
}

/** Returns null when the password is acceptable, or the first problem to explain to the user. */
export function checkPassword(password: string, context: PasswordContext): PasswordVerdict | null {
  const length = passwordLength(password);
  if (length === 0) return { problem: 'REQUIRED', length };
  // S1: checked before anything else, and before hashing; never truncated.
  if (length > PASSWORD_MAX_LENGTH) return { problem: 'TOO_LONG', length };
  if (length < context.minLength) return { problem: 'TOO_SHORT', length };
  const folded = fold(password.normalize('NFKC'));
  const compact = folded.replace(/\s+/g, '');
  if (BLOCKLIST.has(folded) || BLOCKLIST.has(compact) || isRepeatedCommon(compact)) return { problem: 'COMMON', length };
  // A keyboard walk is explained as such even when it also appears in the breached corpus.
  if (isTrivial(compact)) return { problem: 'TRIVIAL', length };
  if (BREACHED.has(compact)) return { problem: 'COMMON', length };
  if (isPredictable(compact)) return { problem: 'PREDICTABLE', length };
  for (const word of contextWords(context.words)) {
    if (compact.includes(word)) return { problem: 'CONTEXT', length };
  }
  return null;
}

/** The brand, the code and the e-mail's local part, folded; words shorter than 4 are ignored. */
function contextWords(words: string[]): string[] {
  const out = new Set<string>();
  for (const raw of words) {
    const value = fold(raw.normalize('NFKC'));
    const local = value.includes('@') ? value.split('@')[0]! : value;
    for (const candidate of [local.replace(/\s+/g, ''), ...local.split(/[^a-z0-9]+/)]) {
      if (candidate.length >= 4) out.add(candidate);
    }
  }
  return [...out];
}
