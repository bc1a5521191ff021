import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/app.js';
import { signInThroughShop, type SsoSetup, startAuthorization, startSso, WebBrowser } from './support.js';

describe('SSO runtime warning', () => {
  const stderrOf = (script: string) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }).stderr;

  test('SSO: oidc-provider\'s "Unsupported runtime" line on Node 20 is the only thing kept out of the log', () => {
    // The line exists on this runtime when the library is imported directly…
    if (!process.release.lts || process.release.lts < 'Jod') assert.match(stderrOf("await import('oidc-provider');"), /Unsupported runtime/);
    // …and not through our loader, which lets every other warning through.
    const ours = stderrOf("const { loadOidcProvider } = await import('./src/modules/sso/sso.provider.ts'); await loadOidcProvider(); console.warn('oidc-provider WARNING: some other warning');");
    assert.doesNotMatch(ours, /Unsupported runtime/);
    assert.match(ours, /some other warning/);
  });
});

for (const dialect of DIALECTS) {
  describe(`SSO headers, CSRF and proxies (${dialect})`, () => {
    let s: SsoSetup;
    before(async () => {
      s = await startSso(dialect);
    });
    after(async () => s.close());

    test('SSO: provider answers carry our headers; CSP without form-action (its forms go to registered shop URIs); our pages keep form-action \'self\'', async () => {
      const res = await fetch(`${s.issuer}/.well-known/openid-configuration`);
      const csp = res.headers.get('content-security-policy')!;
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /form-action/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      const ours = await fetch(`${s.origin}/connexion`);
      assert.match(ours.headers.get('content-security-policy')!, /form-action 'self'/);
    });

    test('SSO: response_mode=form_post passes our CSP: its one inline script is allowed by its hash only', async () => {
      const browser = new WebBrowser();
      await signInThroughShop(s, browser);
      const pending = await startAuthorization(s, { response_mode: 'form_post' });
      const res = await browser.request(pending.url);
      assert.equal(res.status, 200);
      const html = await res.text();
      const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
      const hash = createHash('sha256').update(script).digest('base64');
      const csp = res.headers.get('content-security-policy')!;
      assert.match(csp, new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/]/g, (c) => `\\${c}`)}'`));
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.match(html, new RegExp(`action="${s.redirectUri}"`));
    });

    test('SSO: the token endpoint, a POST from the shop server, is not subject to our CSRF hook; our own forms still are', async () => {
      const res = await fetch(`${s.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://shop.example' }, body: 'grant_type=authorization_code&code=x' });
      // The provider's own answer (no client authentication), not our 403 CSRF page.
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
      const csrf = await fetch(`${s.origin}/deconnexion`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.equal(csrf.status, 403);
    });

    test('SSO: X-Forwarded-Host / -Proto from a visitor change neither the issuer nor any endpoint', async () => {
      const res = await fetch(`${s.issuer}/.well-known/openid-configuration`, { headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } });
      const meta = (await res.json()) as Record<string, string>;
      for (const key of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint']) assert.ok(meta[key]!.startsWith(s.origin), key);
      const pending = await startAuthorization(s);
      const redirect = await fetch(pending.url, { redirect: 'manual', headers: { 'x-forwarded-host': 'evil.example' } });
      assert.ok(redirect.headers.get('location')!.startsWith(`${s.origin}/oidc/interaction/`) || redirect.headers.get('location')!.startsWith('/oidc/interaction/'));
    });

    test('SSO: an unknown or expired interaction is a French error page, never a redirect', async () => {
      const res = await fetch(`${s.origin}/oidc/interaction/inconnu`, { redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /Connexion impossible/);
    });

    test('SSO: /connexion?reconnexion=1 with a next shows the form to a signed-in customer; without it, the customer is sent on', async () => {
      const browser = new WebBrowser();
      await signInThroughShop(s, browser);
      const plain = await browser.request(`${s.origin}/connexion?next=%2Fespace-pro`);
      assert.equal(plain.status, 303);
      const forced = await browser.request(`${s.origin}/connexion?next=%2Fespace-pro&reconnexion=1`);
      assert.equal(forced.status, 200);
      assert.match(await forced.text(), /name="next" value="\/espace-pro"/);
    });
  });
}
