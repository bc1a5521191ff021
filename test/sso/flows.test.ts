import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { issueLinkToken } from '../../src/modules/auth-core/link-tokens.js';
import { Browser, csrfToken, DIALECTS } from '../helpers/app.js';
import { STRONG_PASSWORD, holderOfCode } from '../helpers/accounts.js';
import { decodeJwt, finishAuthorization, signInThroughShop, type SsoSetup, startAuthorization, startSso, verifyWithJwks, WebBrowser } from './support.js';

export function isOAuthError(code: string) {
  return (e: unknown) => (e as { error?: string }).error === code;
}

async function waitFor(check: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const dialect of DIALECTS) {
  describe(`S41 SSO flows with openid-client as the shop (${dialect})`, () => {
    let s: SsoSetup;
    before(async () => {
      s = await startSso(dialect);
    });
    after(async () => s.close());
    // The provider reads Date.now(), our services the injected clock; tests move ours forward, so
    // each one starts with both agreeing again, as they do in production.
    beforeEach(() => s.t.clock.set(Date.now()));

    const subjectOf12345 = async () => (await s.t.db.selectFrom('accounts').select('oidc_sub').where('id', 'in', holderOfCode(s.t.db, '12345')).executeTakeFirstOrThrow()).oidc_sub;

    test('SSO discovery: issuer under /oidc, code flow only, PKCE S256 only, no registration, back-channel and RP-initiated logout', async () => {
      const meta = s.config.serverMetadata();
      assert.equal(meta.issuer, s.issuer);
      assert.equal(meta.authorization_endpoint, `${s.issuer}/auth`);
      assert.deepEqual(meta.response_types_supported, ['code']);
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
      assert.equal(meta.registration_endpoint, undefined);
      assert.equal(meta.backchannel_logout_supported, true);
      assert.equal(meta.end_session_endpoint, `${s.issuer}/session/end`);
      assert.deepEqual([...(meta.id_token_signing_alg_values_supported ?? [])].sort(), ['ES256', 'RS256']);
      assert.ok(meta.scopes_supported?.includes('customer'));
      assert.deepEqual(meta.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post']);
    });

    test('SSO code + PKCE: the ID token is signed by a published key, with iss, aud, nonce, exp, a stable sub that is not the customer code, truthful acr/amr/auth_time', async () => {
      const browser = new WebBrowser();
      const before = s.t.clock.now();
      const { callbackUrl, pending, askedPassword } = await signInThroughShop(s, browser);
      assert.equal(askedPassword, true);
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      const { payload, alg } = await verifyWithJwks(s.config.serverMetadata().jwks_uri!, tokens.id_token!);
      assert.equal(alg, 'ES256');
      assert.equal(payload.iss, s.issuer);
      assert.equal(payload.aud, s.clientId);
      assert.equal(payload.nonce, pending.nonce);
      assert.ok((payload.exp as number) > Date.now() / 1000 && (payload.exp as number) <= Date.now() / 1000 + 3600 + 5);
      assert.notEqual(payload.sub, '12345');
      assert.equal(payload.sub, await subjectOf12345());
      assert.match(payload.sub as string, /^[0-9a-f-]{36}$/);
      assert.deepEqual(payload.amr, ['pwd']);
      assert.equal(payload.acr, 'urn:espace-pro:acr:password');
      assert.equal(payload.auth_time, Math.floor(before / 1000));
      // The same customer keeps the same sub on a later sign-in.
      const again = await signInThroughShop(s, new WebBrowser());
      assert.equal((await finishAuthorization(s, again.callbackUrl, again.pending)).claims()!.sub, payload.sub);
    });

    test('SSO userinfo: customer_code, company, email, email_verified for the scopes granted', async () => {
      const { callbackUrl, pending } = await signInThroughShop(s, new WebBrowser());
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      const info = await oidc.fetchUserInfo(s.config, tokens.access_token, tokens.claims()!.sub);
      assert.equal(info.customer_code, '12345');
      assert.equal(info.company, 'Librairie du Port');
      assert.equal(info.email, 'contact@librairie-du-port.fr');
      assert.equal(info.email_verified, true);
      // Without the `customer` scope, neither code nor company.
      const narrow = await signInThroughShop(s, new WebBrowser(), { scope: 'openid email' });
      const narrowTokens = await finishAuthorization(s, narrow.callbackUrl, narrow.pending);
      const narrowInfo = await oidc.fetchUserInfo(s.config, narrowTokens.access_token, narrowTokens.claims()!.sub);
      assert.equal(narrowInfo.customer_code, undefined);
      assert.equal(narrowInfo.company, undefined);
    });

    test('SSO: a second authorize in the same browser returns a code without the password', async () => {
      const browser = new WebBrowser();
      await signInThroughShop(s, browser);
      const verifies = s.t.hasher.verifyCalls;
      const second = await signInThroughShop(s, browser);
      assert.equal(second.askedPassword, false);
      assert.equal(s.t.hasher.verifyCalls, verifies, 'no password checked');
      const tokens = await finishAuthorization(s, second.callbackUrl, second.pending);
      assert.ok(tokens.access_token);
    });

    test('SSO: a customer signed in to Espace Pro only (no provider session yet) is signed in to the shop without typing anything', async () => {
      const browser = new WebBrowser();
      // Sign in on our own page first, as a customer visiting Espace Pro does.
      const page = await browser.request(`${s.origin}/connexion`);
      const posted = await browser.request(`${s.origin}/connexion`, { form: { _csrf: csrfToken(await page.text()), identifiant: '12345', mot_de_passe: STRONG_PASSWORD } });
      assert.equal(posted.status, 303);
      const { askedPassword, callbackUrl, pending } = await signInThroughShop(s, browser);
      assert.equal(askedPassword, false);
      assert.ok((await finishAuthorization(s, callbackUrl, pending)).id_token);
    });

    test('SSO prompt=login shows the password form to a signed-in customer, and auth_time moves to the new check', async () => {
      const browser = new WebBrowser();
      await signInThroughShop(s, browser);
      s.t.clock.advance(5000);
      const forced = await signInThroughShop(s, browser, { prompt: 'login' });
      assert.equal(forced.askedPassword, true);
      const tokens = await finishAuthorization(s, forced.callbackUrl, forced.pending);
      assert.equal(tokens.claims()!.auth_time, Math.floor(s.t.clock.now() / 1000));
    });

    test('SSO prompt=login cannot be skipped by coming back to the interaction without typing the password', async () => {
      const browser = new WebBrowser();
      await signInThroughShop(s, browser);
      s.t.clock.advance(1000);
      const pending = await startAuthorization(s, { prompt: 'login' });
      const login = await browser.follow(pending.url, s.redirectUri);
      assert.match(login.url, /\/connexion\?next=.*reconnexion=1/);
      const interaction = decodeURIComponent(/next=([^&]+)/.exec(login.url)![1]!);
      const again = await browser.follow(new URL(interaction, s.origin).href, s.redirectUri);
      assert.match(again.url, /\/connexion\?next=/, 'still asked for the password');
    });

    test('SSO: the provider session is not honoured once the Espace Pro session has ended (30 min idle)', async () => {
      const browser = new WebBrowser();
      await signInThroughShop(s, browser);
      assert.equal((await signInThroughShop(s, browser)).askedPassword, false);
      s.t.clock.advance(31 * 60_000);
      assert.equal((await signInThroughShop(s, browser)).askedPassword, true);
    });

    test('SSO auth_time after a remember-me restore is still the time of the password check that began the series', async () => {
      const browser = new WebBrowser();
      const passwordAt = s.t.clock.now();
      await signInThroughShop(s, browser, {}, { memoriser: true });
      s.t.clock.advance(40 * 60_000);
      const restored = await signInThroughShop(s, browser);
      assert.equal(restored.askedPassword, false, 'remember-me signs the customer in');
      const tokens = await finishAuthorization(s, restored.callbackUrl, restored.pending);
      assert.equal(tokens.claims()!.auth_time, Math.floor(passwordAt / 1000));
    });

    test('SSO max_age: a password check older than max_age is asked again, a recent one is not', async () => {
      const browser = new WebBrowser();
      await signInThroughShop(s, browser);
      const recent = await signInThroughShop(s, browser, { max_age: '600' });
      assert.equal(recent.askedPassword, false);
      // The provider reads Date.now(), our services the injected clock: both move on 2 minutes.
      s.t.clock.advance(120_000);
      const realNow = Date.now;
      Date.now = () => realNow() + 120_000;
      try {
        const stale = await signInThroughShop(s, browser, { max_age: '60' });
        assert.equal(stale.askedPassword, true);
      } finally {
        Date.now = realNow;
      }
    });

    test('SSO refresh: a refresh token gives new tokens, and the used one is not accepted twice', async () => {
      const { callbackUrl, pending } = await signInThroughShop(s, new WebBrowser());
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      assert.ok(tokens.refresh_token);
      const refreshed = await oidc.refreshTokenGrant(s.config, tokens.refresh_token!);
      assert.ok(refreshed.access_token && refreshed.access_token !== tokens.access_token);
      await assert.rejects(oidc.refreshTokenGrant(s.config, tokens.refresh_token!), isOAuthError('invalid_grant'));
    });

    test('SSO RP-initiated logout from the shop ends the Espace Pro session of the browser too, with a back-channel notice', async () => {
      const browser = new WebBrowser();
      const { callbackUrl, pending } = await signInThroughShop(s, browser, {}, { memoriser: true });
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      assert.equal((await browser.request(`${s.origin}/espace-pro`)).status, 200);
      const received = s.receiver.tokens.length;
      const stolen = new WebBrowser();
      for (const [k, v] of browser.cookies) stolen.cookies.set(k, v);
      const end = oidc.buildEndSessionUrl(s.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: s.postLogoutUri, state: 'bye' });
      const page = await browser.request(end.href);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Se déconnecter/);
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
      const confirmed = await browser.request(new URL(action, s.origin).href, { form: { xsrf, logout: 'yes' } });
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.headers.get('location'), `${s.postLogoutUri}?state=bye`);
      const espace = await browser.request(`${s.origin}/espace-pro`);
      assert.equal(espace.status, 303, 'Espace Pro session and remember-me ended');
      // Ended on the server, not only forgotten by this browser: a copy of the cookies is dead too.
      assert.equal((await stolen.request(`${s.origin}/espace-pro`)).status, 303);
      await waitFor(() => s.receiver.tokens.length > received);
      // And the shop's next sign-in asks for the password.
      assert.equal((await signInThroughShop(s, browser)).askedPassword, true);
    });

    test('SSO back-channel logout on "Se déconnecter": a signed logout token reaches the shop, its tokens die', async () => {
      const browser = new WebBrowser();
      const { callbackUrl, pending } = await signInThroughShop(s, browser);
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      const received = s.receiver.tokens.length;
      const page = await browser.request(`${s.origin}/espace-pro`);
      const out = await browser.request(`${s.origin}/deconnexion`, { form: { _csrf: csrfToken(await page.text()) } });
      assert.equal(out.status, 303);
      // Other sessions of the account (earlier tests) are notified too: pick this browser's.
      const sid = tokens.claims()!.sid;
      await waitFor(() => s.receiver.tokens.slice(received).some((t) => decodeJwt(t).sid === sid));
      const logoutToken = s.receiver.tokens.slice(received).find((t) => decodeJwt(t).sid === sid)!;
      const { payload } = await verifyWithJwks(s.config.serverMetadata().jwks_uri!, logoutToken);
      assert.equal(payload.iss, s.issuer);
      assert.equal(payload.aud, s.clientId);
      assert.equal(payload.sub, tokens.claims()!.sub);
      assert.equal(payload.sid, tokens.claims()!.sid);
      assert.ok((payload.events as Record<string, unknown>)['http://schemas.openid.net/event/backchannel-logout']);
      await assert.rejects(oidc.refreshTokenGrant(s.config, tokens.refresh_token!), isOAuthError('invalid_grant'));
      await assert.rejects(oidc.fetchUserInfo(s.config, tokens.access_token, tokens.claims()!.sub));
      assert.equal((await signInThroughShop(s, browser)).askedPassword, true, 'signed out of the shop as well');
    });

    test('SSO back-channel logout on password reset: every application session of the account ends', async () => {
      const browser = new WebBrowser();
      const { callbackUrl, pending } = await signInThroughShop(s, browser);
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      const received = s.receiver.tokens.length;
      const account = await s.t.db.selectFrom('accounts').select('id').where('id', 'in', holderOfCode(s.t.db, '12345')).executeTakeFirstOrThrow();
      const { token } = await issueLinkToken(s.t.db, s.t.clock, { purpose: 'reset', subject: { type: 'account', id: account.id }, ttlSeconds: 3600 });
      const other = new Browser(s.t.app);
      const first = await other.get(`/activation?token=${token}`);
      const form = await other.get(first.headers.location as string);
      const done = await other.post('/activation', { _csrf: csrfToken(form.body), mot_de_passe: STRONG_PASSWORD + ' bis', confirmation: STRONG_PASSWORD + ' bis' });
      assert.equal(done.statusCode, 303);
      await waitFor(() => s.receiver.tokens.length > received);
      assert.equal(decodeJwt(s.receiver.tokens.at(-1)!).sub, tokens.claims()!.sub);
      await assert.rejects(oidc.refreshTokenGrant(s.config, tokens.refresh_token!), isOAuthError('invalid_grant'));
      // Restore the password the other tests use.
      const { hash } = { hash: await s.t.hasher.hash(STRONG_PASSWORD) };
      await s.t.db.updateTable('accounts').set({ password_hash: hash }).where('id', '=', account.id).execute();
    });
  });
}
