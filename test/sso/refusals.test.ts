import { holderOfCode } from '../helpers/accounts.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { setAccountDisabled } from '../../src/modules/back-office/accounts-admin.service.js';
import { setClientDisabled } from '../../src/modules/sso/sso.clients.service.js';
import { DIALECTS } from '../helpers/app.js';
import { finishAuthorization, rpConfig, signInThroughShop, type SsoSetup, startAuthorization, startSso, WebBrowser } from './support.js';

/** An OAuth error from openid-client: in the body, or (401 invalid_client) in WWW-Authenticate. */
const isOAuthError = (code: string) => (e: unknown) => {
  const err = e as { error?: string; cause?: unknown };
  const challenge = Array.isArray(err.cause) ? (err.cause[0] as { parameters?: { error?: string } }).parameters?.error : undefined;
  return (err.error ?? challenge) === code;
};

for (const dialect of DIALECTS) {
  describe(`S41 SSO refusals (${dialect})`, () => {
    let s: SsoSetup;
    before(async () => {
      s = await startSso(dialect);
    });
    after(async () => s.close());

    /** An authorize request as a shop would build it, with some parameters changed or removed. */
    async function authorizeWith(change: (params: URLSearchParams) => void) {
      const pending = await startAuthorization(s);
      const url = new URL(pending.url);
      change(url.searchParams);
      return new WebBrowser().request(url.href);
    }

    test('SSO refuses an unknown client: an error page here, no redirect anywhere', async () => {
      const res = await authorizeWith((p) => p.set('client_id', 'inconnu'));
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /Connexion impossible/);
    });

    test('SSO refuses a redirect_uri that is not exactly a registered one (no redirect to it)', async () => {
      for (const uri of [`${s.redirectUri}/`, `${s.redirectUri}?x=1`, 'http://127.0.0.1:8081/Callback', 'https://evil.example/callback']) {
        const res = await authorizeWith((p) => p.set('redirect_uri', uri));
        assert.equal(res.status, 400, uri);
        assert.equal(res.headers.get('location'), null, uri);
      }
      const missing = await authorizeWith((p) => p.delete('redirect_uri'));
      assert.equal(missing.status, 400);
    });

    test('SSO refuses an authorize request without PKCE, or with the plain method', async () => {
      for (const change of [
        (p: URLSearchParams) => {
          p.delete('code_challenge');
          p.delete('code_challenge_method');
        },
        (p: URLSearchParams) => p.set('code_challenge_method', 'plain'),
      ]) {
        const res = await authorizeWith(change);
        assert.equal(res.status, 303);
        const back = new URL(res.headers.get('location')!);
        assert.equal(back.origin + back.pathname, s.redirectUri);
        assert.equal(back.searchParams.get('error'), 'invalid_request');
        assert.equal(back.searchParams.get('code'), null);
      }
    });

    test('SSO refuses the implicit and hybrid flows', async () => {
      for (const type of ['id_token', 'code id_token', 'token']) {
        const res = await authorizeWith((p) => p.set('response_type', type));
        const location = res.headers.get('location');
        assert.ok(res.status === 400 || (location && /error=unsupported_response_type|error=invalid_request/.test(location)), type);
        assert.ok(!location || !/[#&?](code|id_token|access_token)=/.test(location), type);
      }
    });

    test('SSO refuses a replayed authorization code, and revokes the tokens the first exchange gave', async () => {
      const { callbackUrl, pending } = await signInThroughShop(s, new WebBrowser());
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      await assert.rejects(finishAuthorization(s, callbackUrl, pending), isOAuthError('invalid_grant'));
      await assert.rejects(oidc.fetchUserInfo(s.config, tokens.access_token, tokens.claims()!.sub));
      await assert.rejects(oidc.refreshTokenGrant(s.config, tokens.refresh_token!), isOAuthError('invalid_grant'));
    });

    test('SSO refuses an expired authorization code (60 s; the provider reads Date.now(), shifted here)', async () => {
      const { callbackUrl, pending } = await signInThroughShop(s, new WebBrowser());
      const realNow = Date.now;
      Date.now = () => realNow() + 61_000;
      try {
        await assert.rejects(finishAuthorization(s, callbackUrl, pending), isOAuthError('invalid_grant'));
      } finally {
        Date.now = realNow;
      }
    });

    test('SSO refuses a wrong client secret and a wrong PKCE verifier', async () => {
      const { callbackUrl, pending } = await signInThroughShop(s, new WebBrowser());
      const wrong = await rpConfig(s.issuer, s.clientId, 'pas-le-bon-secret');
      await assert.rejects(finishAuthorization(s, callbackUrl, pending, wrong), isOAuthError('invalid_client'));
      const other = await signInThroughShop(s, new WebBrowser());
      await assert.rejects(finishAuthorization(s, other.callbackUrl, { ...other.pending, verifier: oidc.randomPKCECodeVerifier() }), isOAuthError('invalid_grant'));
    });

    test('SSO refuses a disabled client at once: authorize, token and refresh', async () => {
      const { callbackUrl, pending } = await signInThroughShop(s, new WebBrowser());
      const first = await signInThroughShop(s, new WebBrowser());
      const tokens = await finishAuthorization(s, first.callbackUrl, first.pending);
      await setClientDisabled(s.t.db, s.t.clock, s.clientId, true);
      try {
        const res = await authorizeWith(() => {});
        assert.equal(res.status, 400);
        await assert.rejects(finishAuthorization(s, callbackUrl, pending), isOAuthError('invalid_client'));
        await assert.rejects(oidc.refreshTokenGrant(s.config, tokens.refresh_token!), isOAuthError('invalid_client'));
      } finally {
        await setClientDisabled(s.t.db, s.t.clock, s.clientId, false);
      }
    });

    test('SSO refuses a disabled account: its application tokens die, a back-channel notice goes out, no new code', async () => {
      const browser = new WebBrowser();
      const { callbackUrl, pending } = await signInThroughShop(s, browser);
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      const received = s.receiver.tokens.length;
      // The back office disables the company (its page's id), and so everyone signed in to it.
      const company = await s.t.db.selectFrom('companies').select('id').where('code', '=', '12345').executeTakeFirstOrThrow();
      const staff = { id: 'agent', origin: { ip: null, userAgent: null } };
      await setAccountDisabled({ db: s.t.db, clock: s.t.clock, config: s.t.config }, staff, company.id, true);
      try {
        assert.ok(s.receiver.tokens.length > received, 'back-channel logout sent');
        await assert.rejects(oidc.refreshTokenGrant(s.config, tokens.refresh_token!), isOAuthError('invalid_grant'));
        await assert.rejects(oidc.fetchUserInfo(s.config, tokens.access_token, tokens.claims()!.sub));
        // The same browser is sent to the login page, where the disabled account cannot sign in.
        await assert.rejects(signInThroughShop(s, browser), /did not come back|login page answered/);
      } finally {
        await setAccountDisabled({ db: s.t.db, clock: s.t.clock, config: s.t.config }, staff, company.id, false);
      }
    });

    test('SSO: an account disabled by any path gets no claims and no tokens (findAccount refuses it)', async () => {
      const { callbackUrl, pending } = await signInThroughShop(s, new WebBrowser());
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      // Disabled directly, without the logout-everywhere call: the provider still refuses it.
      await s.t.db.updateTable('accounts').set({ disabled_at: s.t.clock.now() }).where('id', 'in', holderOfCode(s.t.db, '12345')).execute();
      try {
        await assert.rejects(oidc.fetchUserInfo(s.config, tokens.access_token, tokens.claims()!.sub));
        await assert.rejects(oidc.refreshTokenGrant(s.config, tokens.refresh_token!), isOAuthError('invalid_grant'));
      } finally {
        await s.t.db.updateTable('accounts').set({ disabled_at: null }).where('id', 'in', holderOfCode(s.t.db, '12345')).execute();
      }
    });
  });
}
