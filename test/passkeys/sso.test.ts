import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, csrfToken, DIALECTS } from '../helpers/app.js';
import { STRONG_PASSWORD } from '../helpers/accounts.js';
import { decodeJwt, finishAuthorization, type SsoSetup, startAuthorization, startSso, WebBrowser } from '../sso/support.js';
import { askOptions, SoftAuthenticator } from '../helpers/webauthn.js';

for (const dialect of DIALECTS) {
  describe(`passkeys: single sign-on [${dialect}]`, () => {
    let s: SsoSetup;
    before(async () => {
      s = await startSso(dialect);
    });
    after(async () => s.close());

    test('S48 a passkey sign-in inside the provider flow returns to the shop like a password one, with amr ["pop","mfa"] and the passkey acr', async () => {
      // The customer adds a passkey in Mon Espace Pro (RP ID and origin: this PUBLIC_URL).
      const authenticator = new SoftAuthenticator(s.origin);
      const me = new Browser(s.t.app);
      await me.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const { options: creation, csrf } = await askOptions(me, '/espace-pro/cles', '/espace-pro/cles/options');
      assert.equal(creation.rp.id, '127.0.0.1');
      assert.equal((await me.post('/espace-pro/cles', { _csrf: csrf, reponse: JSON.stringify(authenticator.register(creation)) })).statusCode, 303);

      // The shop sends a fresh browser; Authentification; "Se connecter avec une clé d'accès".
      const browser = new WebBrowser();
      const pending = await startAuthorization(s);
      const hop = await browser.follow(pending.url, s.redirectUri);
      assert.match(hop.url, /\/connexion\?next=/);
      const html = await (await browser.request(hop.url)).text();
      const next = /name="next" value="([^"]*)"/.exec(html)![1]!.replace(/&amp;/g, '&');
      const token = csrfToken(html);
      const options = await (await browser.request(`${s.origin}/connexion/cle/options`, { form: { _csrf: token } })).json();
      const posted = await browser.request(`${s.origin}/connexion/cle`, { form: { _csrf: token, next, reponse: JSON.stringify(authenticator.assert(options as never)) } });
      assert.equal(posted.status, 303);
      const back = await browser.follow(hop.url, s.redirectUri, posted);
      assert.ok(back.url.startsWith(s.redirectUri), back.url);
      const tokens = await finishAuthorization(s, back.url, pending);
      const claims = decodeJwt(tokens.id_token!);
      assert.deepEqual(claims.amr, ['pop', 'mfa']);
      assert.equal(claims.acr, 'urn:espace-pro:acr:passkey');

      // A password sign-in still says pwd (positive control).
      const other = new WebBrowser();
      const pending2 = await startAuthorization(s);
      const hop2 = await other.follow(pending2.url, s.redirectUri);
      const html2 = await (await other.request(hop2.url)).text();
      const next2 = /name="next" value="([^"]*)"/.exec(html2)![1]!.replace(/&amp;/g, '&');
      const posted2 = await other.request(`${s.origin}/connexion`, { form: { _csrf: csrfToken(html2), next: next2, identifiant: '12345', mot_de_passe: STRONG_PASSWORD } });
      const back2 = await other.follow(hop2.url, s.redirectUri, posted2);
      const claims2 = decodeJwt((await finishAuthorization(s, back2.url, pending2)).id_token!);
      assert.deepEqual(claims2.amr, ['pwd']);
      assert.equal(claims2.acr, 'urn:espace-pro:acr:password');
    });
  });
}
