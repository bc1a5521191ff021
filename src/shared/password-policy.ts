import * as common from '@zxcvbn-ts/language-common';
import * as fr from '@zxcvbn-ts/language-fr';

/**
 * S1–S3: length in Unicode code points after NFKC (no truncation, no composition rules, no
 * expiry), a shipped blocklist (zxcvbn-ts common passwords and French common words, about
 * 77,000 entries), trivial patterns, and words tied to this account or site.
 */
/** S1: longer input is refused with a message before hashing, never truncated. */
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordProblem = 'REQUIRED' | 'TOO_SHORT' | 'TOO_LONG' | 'COMMON' | 'TRIVIAL' | 'CONTEXT';

export interface PasswordVerdict {
  problem: PasswordProblem;
  length: number;
}

const BLOCKLIST: ReadonlySet<string> = new Set(
  [...(common.dictionary['passwords-common'] as string[]), ...(fr.dictionary['commonWords-fr'] as string[])].map((w) => String(w).toLowerCase()),
);

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
  if (isTrivial(compact)) return { problem: 'TRIVIAL', length };
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
