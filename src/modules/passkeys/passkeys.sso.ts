import type { Executor } from '../../db/executor.js';
import { ACR_PASSKEY, ACR_PASSWORD } from '../sso/sso.provider.js';
import { authenticationContext, sessionSignInMethod } from './passkeys.service.js';

/** The `amr` and `acr` the provider states for the sign-in behind a customer session (RFC 8176). */
export async function ssoAuthenticationContext(db: Executor, sessionId: string): Promise<{ amr: string[]; acr: string }> {
  const context = authenticationContext(await sessionSignInMethod(db, sessionId));
  return { amr: context.amr, acr: context.acr === 'passkey' ? ACR_PASSKEY : ACR_PASSWORD };
}
