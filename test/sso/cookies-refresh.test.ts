import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { DIALECTS } from '../helpers/app.js';
import { finishAuthorization, signInThroughShop, type SsoSetup, startSso, WebBrowser } from './support.js';

const isOAuthError = (code: string) => (e: unknown) => (e as { error?: string }).error === code;

/** A WebBrowser that keeps every Set-Cookie line it was sent, with its attributes. */
class RecordingBrowser extends WebBrowser {
  readonly setCookies: string[] = [];
  override async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const response = await super.request(url, init);
    this.setCookies.push(...response.headers.getSetCookie());
    return response;
  }
}

async function rpLogout(s: SsoSetup, browser: WebBrowser, idToken: string) {
  const end = oidc.buildEndSessionUrl(s.config, { id_token_hint: idToken, post_logout_redirect_uri: s.postLogoutUri });
  const html = await (await browser.request(end.href)).text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
  const confirmed = await browser.request(new URL(action, s.origin).href, { form: { xsrf, logout: 'yes' } });
  assert.equal(confirmed.status, 303);
}

for (const dialect of DIALECTS) {
  describe(`S21 S41 provider cookies and refresh tokens (${dialect})`, () => {
    let s: SsoSetup;
    before(async () => {
      s = await startSso(dialect);
    });
    after(async () => s.close());
    beforeEach(() => s.t.clock.set(Date.now()));

    test('S21 the provider session cookie is __Host- (Secure, Path=/, no Domain, HttpOnly, SameSite=Lax); the path-scoped interaction cookies are __Secure-', async () => {
      const browser = new RecordingBrowser();
      const { callbackUrl, pending } = await signInThroughShop(s, browser);
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      await rpLogout(s, browser, tokens.id_token!);
      const provider = browser.setCookies.filter((c) => /ep_oidc/.test(c.split('=')[0]!));
      const names = new Set(provider.map((c) => c.split('=')[0]!));
      // Positive control: all three cookies (and their signatures) were seen.
      for (const name of ['__Host-ep_oidc_session', '__Secure-ep_oidc_interaction', '__Secure-ep_oidc_resume']) assert.ok(names.has(name), name);
      for (const line of provider) {
        const [pair, ...attrs] = line.split(';').map((a) => a.trim().toLowerCase());
        const name = line.split('=')[0]!;
        assert.match(name, /^(__Host-|__Secure-)/, `${name}: prefixed`);
        assert.ok(attrs.includes('secure'), `${name}: Secure`);
        assert.ok(attrs.includes('httponly'), `${name}: HttpOnly`);
        assert.ok(attrs.includes('samesite=lax'), `${name}: SameSite=Lax`);
        assert.ok(!attrs.some((a) => a.startsWith('domain=')), `${name}: no Domain`);
        if (name.startsWith('__Host-')) assert.ok(attrs.includes('path=/'), `${name}: Path=/`);
        assert.ok(pair);
      }
    });

    test('S41 refresh tokens are bound to the sign-in: issued with or without offline_access, they die with the provider session, RP-initiated logout included', async () => {
      const asks: Array<Record<string, string>> = [
        { scope: 'openid profile email customer' },
        { scope: 'openid profile email customer offline_access' },
        // The form in which OpenID Connect Core grants offline access: prompt=consent.
        { scope: 'openid profile email customer offline_access', prompt: 'consent' },
      ];
      for (const extra of asks) {
        const scope = JSON.stringify(extra);
        const browser = new WebBrowser();
        const { callbackUrl, pending } = await signInThroughShop(s, browser, extra);
        const tokens = await finishAuthorization(s, callbackUrl, pending);
        assert.ok(tokens.refresh_token, `${scope}: a refresh token for a shop allowed the refresh_token grant`);
        const refreshed = await oidc.refreshTokenGrant(s.config, tokens.refresh_token!); // positive control
        await rpLogout(s, browser, tokens.id_token!);
        await assert.rejects(oidc.refreshTokenGrant(s.config, refreshed.refresh_token!), isOAuthError('invalid_grant'), `${scope}: dead after the shop's own logout`);
      }
    });

    test('S41 a refresh token never outlives its provider session (expired or deleted), even with offline_access', async () => {
      const browser = new WebBrowser();
      const { callbackUrl, pending } = await signInThroughShop(s, browser, { scope: 'openid offline_access', prompt: 'consent' });
      const tokens = await finishAuthorization(s, callbackUrl, pending);
      const sub = tokens.claims()!.sub;
      const refreshed = await oidc.refreshTokenGrant(s.config, tokens.refresh_token!); // positive control
      await s.t.db.deleteFrom('oidc_models').where('model', '=', 'Session').where('account_id', '=', sub).execute();
      await assert.rejects(oidc.refreshTokenGrant(s.config, refreshed.refresh_token!), isOAuthError('invalid_grant'));
    });
  });
}
