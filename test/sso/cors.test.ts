import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/app.js';
import { finishAuthorization, signInThroughShop, type SsoSetup, startSso, WebBrowser } from './support.js';

const FOREIGN = 'https://evil.example';
const corsHeaders = (res: Response) => [...res.headers.keys()].filter((h) => h.startsWith('access-control-'));

/**
 * S28: no CORS anywhere but discovery and the public keys (docs/security.md, "CORS"): a page on
 * another origin can neither read the token, userinfo or revocation answers nor preflight them.
 */
for (const dialect of DIALECTS) {
  describe(`S28 CORS on the provider (${dialect})`, () => {
    let s: SsoSetup;
    let accessToken: string;
    before(async () => {
      s = await startSso(dialect);
      const browser = new WebBrowser();
      const { callbackUrl, pending } = await signInThroughShop(s, browser);
      accessToken = (await finishAuthorization(s, callbackUrl, pending)).access_token;
    });
    after(async () => s.close());

    test('S28 discovery and JWKS answer a foreign origin (OpenID Connect needs it: positive control)', async () => {
      for (const path of ['/.well-known/openid-configuration', '/jwks']) {
        const res = await fetch(`${s.issuer}${path}`, { headers: { origin: FOREIGN } });
        assert.equal(res.status, 200);
        assert.ok(res.headers.get('access-control-allow-origin'), `${path} allows CORS`);
      }
    });

    test('S28 token, userinfo, revocation, authorization, logout: no CORS header, on preflights, answers and errors', async () => {
      const endpoints = ['/token', '/me', '/token/revocation', '/auth', '/session/end', '/interaction/x', '/unknown'];
      for (const path of endpoints) {
        const preflight = await fetch(`${s.issuer}${path}`, { method: 'OPTIONS', headers: { origin: FOREIGN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
        assert.deepEqual(corsHeaders(preflight), [], `preflight ${path}`);
        const get = await fetch(`${s.issuer}${path}`, { headers: { origin: FOREIGN, authorization: `Bearer ${accessToken}` } });
        assert.deepEqual(corsHeaders(get), [], `GET ${path}`);
        const post = await fetch(`${s.issuer}${path}`, { method: 'POST', headers: { origin: FOREIGN, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=x' });
        assert.deepEqual(corsHeaders(post), [], `POST ${path}`);
      }
      // Positive control: the access token read above is valid, from a server (no Origin).
      const me = await fetch(`${s.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      assert.equal(me.status, 200, 'positive control: the access token is valid');
      assert.deepEqual(corsHeaders(me), []);
    });
  });
}
