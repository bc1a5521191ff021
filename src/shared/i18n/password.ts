import type { PasswordVerdict } from '../password-policy.js';
import { type Catalogue, fr } from './fr.js';

/**
 * The reason for a refused password (S1–S3), the same on every form that sets one, in the page's
 * language (`catalogueOf(request)`; the back office passes nothing and stays French).
 */
export function passwordMessage(verdict: PasswordVerdict, minLength: number, brand: string, t: Catalogue = fr): string {
  switch (verdict.problem) {
    case 'REQUIRED':
      return t.activation.REQUIRED;
    case 'TOO_SHORT':
      return t.activation.TOO_SHORT(minLength, verdict.length);
    case 'TOO_LONG':
      return t.activation.TOO_LONG(verdict.length);
    case 'COMMON':
      return t.activation.COMMON;
    case 'TRIVIAL':
      return t.activation.TRIVIAL;
    case 'PREDICTABLE':
      return t.activation.PREDICTABLE;
    case 'CONTEXT':
      return t.activation.CONTEXT(brand);
  }
}
