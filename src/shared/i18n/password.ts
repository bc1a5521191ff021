import type { PasswordVerdict } from '../password-policy.js';
import { fr } from './fr.js';

/** The French reason for a refused password (S1–S3), the same on every form that sets one. */
export function passwordMessage(verdict: PasswordVerdict, minLength: number, brand: string): string {
  switch (verdict.problem) {
    case 'REQUIRED':
      return fr.activation.REQUIRED;
    case 'TOO_SHORT':
      return fr.activation.TOO_SHORT(minLength, verdict.length);
    case 'TOO_LONG':
      return fr.activation.TOO_LONG(verdict.length);
    case 'COMMON':
      return fr.activation.COMMON;
    case 'TRIVIAL':
      return fr.activation.TRIVIAL;
    case 'PREDICTABLE':
      return fr.activation.PREDICTABLE;
    case 'CONTEXT':
      return fr.activation.CONTEXT(brand);
  }
}
