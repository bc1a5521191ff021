// The customer both passkey scripts sign in (bench/passkeys.ts, bench/profile-pages.ts): an
// account with one passkey added as the page does, and fresh browsers the account already knows
// (its known-browser cookie), as for a customer on their own computer: no new-browser notice.
import { LIMITS } from '../src/modules/auth-core/limits.js';
import { seedAccount, STRONG_PASSWORD } from '../test/helpers/accounts.js';
import { Browser, csrfToken, type TestApp } from '../test/helpers/app.js';
import { SoftAuthenticator } from '../test/helpers/webauthn.js';

export async function passkeyOwner(t: TestApp) {
  await seedAccount(t);
  const owner = new Browser(t.app);
  await owner.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
  const authenticator = new SoftAuthenticator();
  const page = await owner.get('/espace-pro/cles');
  const creation = JSON.parse((await owner.post('/espace-pro/cles/options', { _csrf: csrfToken(page.body) })).body);
  await owner.post('/espace-pro/cles', { _csrf: csrfToken(page.body), reponse: JSON.stringify(authenticator.register(creation)) });
  const knownBrowser = owner.jar.get('__Host-ep_browser')!;
  let asked = 1;
  return {
    owner,
    authenticator,
    fresh: () => {
      const browser = new Browser(t.app);
      browser.jar.cookies.set('__Host-ep_browser', knownBrowser);
      return browser;
    },
    /**
     * Before each passkey sign-in: every one asks for a challenge from this one client, so past
     * the per-client limit (S48) the test clock moves on by a window; only the clock, never the work.
     */
    beforeOptions: () => {
      if (++asked % (LIMITS.passkeyChallengesPerIp.max - 1) === 0) t.clock.advance(LIMITS.passkeyChallengesPerIp.windowMs);
    },
  };
}
