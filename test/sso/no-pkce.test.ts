import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { ClientError, createClient, mayOmitPkce } from '../../src/modules/sso/sso.clients.service.js';
import { clientMayOmitPkce } from '../../src/modules/sso/sso.provider.js';
import { sha256 } from '../../src/shared/crypto.js';
import { csrfToken, DIALECTS } from '../helpers/app.js';
import { createStaffAndSignIn } from '../helpers/staff.js';
import { signIn, type SsoSetup, startAuthorization, startSso, TEST_OPERATOR, WebBrowser } from './support.js';

/**
 * Issue 22, shop modules that cannot send PKCE (WordPress "OpenID Connect Generic Client"…): a
 * per-application exception, confidential clients only, off by default, that must send a nonce
 * instead (RFC 9700 §2.1.1) and is held to every other rule of S41.
 */

// openid-client (the relying party here) sends the callback address without its query string.
const NO_PKCE_REDIRECT = 'http://127.0.0.1:8082/callback';

for (const dialect of DIALECTS) {
  describe(`S41 applications without PKCE (${dialect})`, () => {
    let s: SsoSetup;
    let noPkce: { clientId: string; clientSecret: string; config: oidc.Configuration };
    before(async () => {
      s = await startSso(dialect);
      const created = await createClient(
        s.t.db,
        s.t.clock,
        { name: 'WordPress', redirectUris: [NO_PKCE_REDIRECT], authMethod: 'client_secret_post', pkceRequired: false },
        TEST_OPERATOR,
      );
      // The WordPress module sends its secret in the body (client_secret_post), as configured here.
      const config = await oidc.discovery(new URL(s.issuer), created.clientId, undefined, oidc.ClientSecretPost(created.clientSecret), { execute: [oidc.allowInsecureRequests] });
      noPkce = { ...created, config };
    });
    after(async () => s.close());

    /** An authorization request as the WordPress module builds it: code, state, scope, no PKCE. */
    function moduleRequest(extra: Record<string, string | undefined>, clientId = noPkce.clientId, redirectUri = NO_PKCE_REDIRECT) {
      const params: Record<string, string> = { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid email profile customer', state: oidc.randomState() };
      for (const [k, v] of Object.entries(extra)) {
        if (v === undefined) delete params[k];
        else params[k] = v;
      }
      return `${s.issuer}/auth?${new URLSearchParams(params)}`;
    }

    async function refusedBackToShop(url: string, redirectUri: string, label: string) {
      const res = await new WebBrowser().request(url);
      assert.equal(res.status, 303, label);
      const back = new URL(res.headers.get('location')!);
      assert.equal(back.origin + back.pathname, redirectUri.split('?')[0], label);
      assert.equal(back.searchParams.get('error'), 'invalid_request', label);
      assert.equal(back.searchParams.get('code'), null, label);
      return back;
    }

    test('S41 a no-PKCE request without a nonce is refused (missing, empty, no openid scope), next to the same request with a nonce that goes on', async () => {
      const attacks: Array<[string, Record<string, string | undefined>]> = [
        ['no nonce', {}],
        ['empty nonce', { nonce: '' }],
        ['nonce but no openid scope', { nonce: oidc.randomNonce(), scope: 'email customer' }],
        ['no nonce, a PKCE method without challenge', { code_challenge_method: 'S256' }],
        ['no nonce, with PKCE (the nonce is required all the same)', { code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }],
      ];
      const [control, ...refused] = await Promise.all([
        new WebBrowser().request(moduleRequest({ nonce: oidc.randomNonce() })),
        ...attacks.map(([label, extra]) => refusedBackToShop(moduleRequest(extra), NO_PKCE_REDIRECT, label)),
      ]);
      assert.equal(refused.length, attacks.length);
      // Positive control: the very same request with a nonce goes on to our sign-in.
      assert.equal(control.status, 303);
      assert.match(control.headers.get('location')!, /\/oidc\/interaction\//);
    });

    test('S41 a no-PKCE client with a nonce signs in end to end with openid-client, without PKCE; the ID token carries the nonce; the journal says "PKCE: no"', async () => {
      const browser = new WebBrowser();
      const nonce = oidc.randomNonce();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(noPkce.config, { redirect_uri: NO_PKCE_REDIRECT, scope: 'openid email profile customer', nonce, state });
      assert.equal(url.searchParams.get('code_challenge'), null, 'no PKCE sent');
      let hop = await browser.follow(url.href, NO_PKCE_REDIRECT.split('?')[0]!);
      assert.match(hop.url, /\/connexion/);
      const posted = await signIn(browser, hop.url);
      hop = await browser.follow(hop.url, NO_PKCE_REDIRECT.split('?')[0]!, posted);
      assert.ok(hop.url.startsWith(NO_PKCE_REDIRECT), hop.url);
      const tokens = await oidc.authorizationCodeGrant(noPkce.config, new URL(hop.url), { expectedNonce: nonce, expectedState: state });
      const claims = tokens.claims()!;
      assert.equal(claims.nonce, nonce);
      assert.equal(claims.customer_code, '12345');
      assert.equal(claims.aud, noPkce.clientId);
      const info = await oidc.fetchUserInfo(noPkce.config, tokens.access_token, claims.sub);
      assert.equal(info.customer_code, '12345');
      const login = await s.t.db.selectFrom('audit_log').select(['details']).where('event', '=', 'sso.login').where('target', '=', noPkce.clientId).executeTakeFirstOrThrow();
      assert.equal(JSON.parse(login.details!).pkce, false);
    });

    test('S41 a no-PKCE client is checked as strictly on everything else: wrong secret, replayed code, a verifier it never committed to, a foreign redirect_uri', async () => {
      const browser = new WebBrowser();
      const nonce = oidc.randomNonce();
      const state = oidc.randomState();
      const first = oidc.buildAuthorizationUrl(noPkce.config, { redirect_uri: NO_PKCE_REDIRECT, scope: 'openid customer', nonce, state });
      let hop = await browser.follow(first.href, NO_PKCE_REDIRECT.split('?')[0]!);
      hop = await browser.follow(hop.url, NO_PKCE_REDIRECT.split('?')[0]!, await signIn(browser, hop.url));
      const callback = new URL(hop.url);
      const wrong = await oidc.discovery(new URL(s.issuer), noPkce.clientId, undefined, oidc.ClientSecretPost('pas-le-bon-secret'), { execute: [oidc.allowInsecureRequests] });
      await assert.rejects(oidc.authorizationCodeGrant(wrong, callback, { expectedNonce: nonce, expectedState: state }));
      // A verifier for a code issued without a challenge is refused (no downgrade game either way).
      await assert.rejects(oidc.authorizationCodeGrant(noPkce.config, callback, { expectedNonce: nonce, expectedState: state, pkceCodeVerifier: oidc.randomPKCECodeVerifier() }));
      // The wrong-secret and wrong-verifier attempts did not consume the code; the right one does, once.
      await oidc.authorizationCodeGrant(noPkce.config, callback, { expectedNonce: nonce, expectedState: state });
      await assert.rejects(oidc.authorizationCodeGrant(noPkce.config, callback, { expectedNonce: nonce, expectedState: state }));
      // redirect_uri exactness: another shop's address is an error page here, never a redirect there.
      const foreign = await new WebBrowser().request(moduleRequest({ nonce: oidc.randomNonce(), redirect_uri: 'https://evil.example/cb' }));
      assert.equal(foreign.status, 400);
      assert.equal(foreign.headers.get('location'), null);
    });

    test('S41 a PKCE client stays PKCE-only, with or without a nonce, next to the same request with PKCE that goes on', async () => {
      const pending = await startAuthorization(s);
      const stripped = new URL(pending.url);
      stripped.searchParams.delete('code_challenge');
      stripped.searchParams.delete('code_challenge_method');
      const noNonceEither = new URL(stripped);
      noNonceEither.searchParams.delete('nonce');
      const [control, withNonce, withoutNonce] = await Promise.all([new WebBrowser().request(pending.url), new WebBrowser().request(stripped.href), new WebBrowser().request(noNonceEither.href)]);
      assert.match(control.headers.get('location')!, /\/oidc\/interaction\//);
      for (const res of [withNonce, withoutNonce]) {
        const back = new URL(res.headers.get('location')!);
        assert.equal(back.origin + back.pathname, s.redirectUri);
        assert.equal(back.searchParams.get('error'), 'invalid_request');
        assert.match(back.searchParams.get('error_description')!, /PKCE/);
      }
    });

    test('S41 a public client can never be exempted from PKCE: the service, the provider check and a forged row all refuse', async () => {
      // The rule itself, for every method: only a secret-holding client may leave PKCE out.
      assert.equal(mayOmitPkce('none', false), false);
      assert.equal(mayOmitPkce('private_key_jwt', false), false);
      assert.equal(mayOmitPkce('client_secret_basic', true), false);
      assert.equal(mayOmitPkce('client_secret_post', false), true);
      assert.equal(clientMayOmitPkce({ espace_pro_pkce_optional: true, tokenEndpointAuthMethod: 'none' }), false);
      assert.equal(clientMayOmitPkce({ espace_pro_pkce_optional: 'true', tokenEndpointAuthMethod: 'client_secret_basic' }), false);
      assert.equal(clientMayOmitPkce(undefined), false);
      assert.equal(clientMayOmitPkce({ espace_pro_pkce_optional: true, tokenEndpointAuthMethod: 'client_secret_basic' }), true);
      // The service: a public method with the exception is refused, and nothing is written.
      const before = await s.t.db.selectFrom('oidc_clients').select('client_id').execute();
      await assert.rejects(
        createClient(s.t.db, s.t.clock, { name: 'Appli mobile', redirectUris: ['https://app.example/cb'], authMethod: 'none' as never, pkceRequired: false }, TEST_OPERATOR),
        (e: unknown) => e instanceof ClientError && e.code === 'INVALID_OPTION',
      );
      assert.equal((await s.t.db.selectFrom('oidc_clients').select('client_id').execute()).length, before.length);
      // A row written behind the service's back (public method, exception set) never gets the
      // exception: the provider refuses the request without PKCE.
      await s.t.db
        .insertInto('oidc_clients')
        .values({
          client_id: 'forged-public',
          name: 'Forged',
          secret_hash: sha256('x'),
          redirect_uris: JSON.stringify(['http://127.0.0.1:8083/cb']),
          post_logout_redirect_uris: '[]',
          backchannel_logout_uri: null,
          home_url: null,
          auth_method: 'none' as never,
          id_token_alg: 'ES256',
          pkce_required: 0,
          created_at: s.t.clock.now(),
          disabled_at: null,
        })
        .execute();
      const res = await new WebBrowser().request(moduleRequest({ nonce: oidc.randomNonce() }, 'forged-public', 'http://127.0.0.1:8083/cb'));
      const location = res.headers.get('location');
      assert.ok(res.status === 400 || (location !== null && new URL(location).searchParams.get('error') !== null), `refused (${res.status} ${location})`);
      assert.ok(location === null || new URL(location).searchParams.get('code') === null);
    });

    test('S41 the exception is off by default and marked: the CLI-style registration is journaled with "PKCE: not required"', async () => {
      const entries = await s.t.db.selectFrom('audit_log').select(['target', 'details', 'actor_type']).where('event', '=', 'sso.client_created').execute();
      const byId = new Map(entries.map((e) => [e.target, JSON.parse(e.details!)]));
      assert.equal(byId.get(s.clientId).pkce, 'required');
      assert.equal(byId.get(noPkce.clientId).pkce, 'not_required_nonce_required');
      const rows = await s.t.db.selectFrom('oidc_clients').select(['client_id', 'pkce_required']).execute();
      assert.equal(rows.find((r) => r.client_id === s.clientId)!.pkce_required, 1);
      assert.equal(rows.find((r) => r.client_id === noPkce.clientId)!.pkce_required, 0);
    });

    test('S41 the back office: unticked keeps PKCE; the ticked checkbox (with its warning) registers the exception, shown in the list and the journal', async () => {
      const admin = await createStaffAndSignIn(s.t, { role: 'admin', email: 'admin-pkce@cartotheque.test' });
      const page = await admin.get('/back-office/applications');
      assert.match(page.body, /name="sans_pkce"/);
      assert.match(page.body, /sans PKCE, un code volé/);
      const plain = await admin.post('/back-office/applications', { _csrf: csrfToken(page.body), nom: 'Boutique Odoo', redirection: 'https://odoo.example/auth_oauth/signin' });
      const ticked = await admin.post('/back-office/applications', { _csrf: csrfToken(page.body), nom: 'Boutique WordPress', redirection: 'https://wp.example/wp-admin/admin-ajax.php?action=openid-connect-authorize', sans_pkce: 'on' });
      assert.equal(plain.statusCode, 200);
      assert.equal(ticked.statusCode, 200);
      const idOf = (body: string) => /client_id<\/dt>\s*<dd>\s*<code>([A-Za-z0-9_-]+)<\/code>/.exec(body)![1]!;
      const rows = await s.t.db.selectFrom('oidc_clients').select(['client_id', 'pkce_required']).where('client_id', 'in', [idOf(plain.body), idOf(ticked.body)]).execute();
      assert.equal(rows.find((r) => r.client_id === idOf(plain.body))!.pkce_required, 1);
      assert.equal(rows.find((r) => r.client_id === idOf(ticked.body))!.pkce_required, 0);
      const list = (await admin.get('/back-office/applications')).body;
      const rowOf = (name: string) => new RegExp(`<td>${name}</td>[\\s\\S]*?</tr>`).exec(list)![0];
      assert.match(rowOf('Boutique WordPress'), /Non exigé \(nonce obligatoire\)/);
      assert.match(rowOf('Boutique Odoo'), /<td>Exigé<\/td>/);
      const journal = (await admin.get('/back-office/journal')).body;
      assert.match(journal, /PKCE : non exigé, nonce obligatoire/);
      const audit = await s.t.db.selectFrom('audit_log').select(['actor_id', 'details']).where('event', '=', 'sso.client_created').where('target', '=', idOf(ticked.body)).executeTakeFirstOrThrow();
      assert.equal(audit.actor_id, 'admin-pkce@cartotheque.test');
      assert.equal(JSON.parse(audit.details!).pkce, 'not_required_nonce_required');
    });
  });
}
