import type { CleanupStep } from '../retention/retention.service.js';
import { deleteExpiredChallenges } from './passkeys.service.js';

/** Passkey ceremony challenges never answered (they live 5 minutes). */
export const passkeysCleanup: CleanupStep[] = [{ name: 'webauthnChallenges', run: ({ db, now }) => deleteExpiredChallenges(db, now) }];
