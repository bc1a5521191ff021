import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { csrfToken, DIALECTS } from '../helpers/app.js';
import { finishAuthorization, signInThroughShop, type SsoSetup, startSso, WebBrowser } from './support.js';

for (const dialect of DIALECTS) {
  describe(`SSO in Mon Espace Pro (${dialect})`, () => {
    let s: SsoSetup;
    before(async () => {
      s = await startSso(dialect);
    });
    after(async () => s.close());

    test('SSO: Mon Espace Pro lists the applications with a home URL; the security page lists those holding tokens, and "Révoquer" ends their tokens with a back-channel notice', async () => {
      const browser = new WebBrowser();
      const { callbackUrl, pending } = await signInThroughShop(s, browser);
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      const home = await (await browser.request(`${s.origin}/espace-pro`)).text();
      assert.match(home, /Vos applications/);
      assert.match(home, /<a href="http:\/\/127\.0\.0\.1:8081\/">Boutique pro<\/a>/);

      const security = await (await browser.request(`${s.origin}/espace-pro/securite`)).text();
      assert.match(security, /Applications connectées/);
      assert.match(security, new RegExp(`name="application" value="${s.clientId}"`));
      const received = s.receiver.tokens.length;
      const revoked = await browser.request(`${s.origin}/espace-pro/applications/revoquer`, { form: { _csrf: csrfToken(security), application: s.clientId } });
      assert.equal(revoked.status, 303);
      assert.ok(s.receiver.tokens.length > received, 'back-channel logout sent');
      await assert.rejects(oidc.refreshTokenGrant(s.config, tokens.refresh_token!));
      const after = await (await browser.request(`${s.origin}/espace-pro/securite`)).text();
      assert.match(after, /Aucune application n’est connectée/);
      // Espace Pro itself stays signed in.
      assert.equal((await browser.request(`${s.origin}/espace-pro`)).status, 200);
    });
  });
}
