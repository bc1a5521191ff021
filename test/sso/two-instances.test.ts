import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { buildApp } from '../../src/app.js';
import { DIALECTS } from '../helpers/app.js';
import { freePort, rpConfig, signInThroughShop, type SsoSetup, startAuthorization, startSso, verifyWithJwks, WebBrowser } from './support.js';

for (const dialect of DIALECTS) {
  describe(`S41 SSO on two instances sharing one database (${dialect})`, () => {
    let s: SsoSetup;
    let b: Awaited<ReturnType<typeof buildApp>>;
    let bOrigin: string;
    before(async () => {
      s = await startSso(dialect);
      // A second instance: same database, same PUBLIC_URL (as behind a load balancer), its own port.
      b = await buildApp({ config: s.t.config, db: s.t.db, dialect, clock: s.t.clock, hasher: s.t.hasher, secrets: s.t.secrets });
      const port = await freePort();
      await b.listen({ port, host: '127.0.0.1' });
      bOrigin = `http://127.0.0.1:${port}`;
    });
    after(async () => {
      await b.close();
      await s.close();
    });

    test('SSO: a code issued by one instance is exchanged on the other, its tokens work there, and the provider session is shared', async () => {
      const toB = (url: string) => url.replace(s.origin, bOrigin);
      const viaB = await rpConfig(s.issuer, s.clientId, s.clientSecret);
      viaB[oidc.customFetch] = (url, options) => fetch(toB(url), options);
      const browser = new WebBrowser();
      const { callbackUrl, pending } = await signInThroughShop(s, browser);
      const tokens = await oidc.authorizationCodeGrant(viaB, new URL(callbackUrl), { pkceCodeVerifier: pending.verifier, expectedNonce: pending.nonce, expectedState: pending.state });
      await verifyWithJwks(toB(viaB.serverMetadata().jwks_uri!), tokens.id_token!);
      const info = await oidc.fetchUserInfo(viaB, tokens.access_token, tokens.claims()!.sub);
      assert.equal(info.customer_code, '12345');
      // The same browser, now served by instance B: signed in without a password.
      const second = await startAuthorization(s);
      const hop = await browser.follow(toB(second.url), s.redirectUri);
      assert.ok(hop.url.startsWith(s.redirectUri), `single sign-on across instances: ${hop.url}`);
    });
  });
}

