import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { seedAccount, seedMember } from '../helpers/accounts.js';
import { csrfToken, DIALECTS } from '../helpers/app.js';
import { finishAuthorization, signIn, signInThroughShop, type SsoSetup, startAuthorization, startSso, WebBrowser } from '../sso/support.js';

const BUYER = 'claire.martin@librairies.fr';

for (const dialect of DIALECTS) {
  describe(`Comptes entreprise: single sign-on claims of the person and of the chosen company [${dialect}]`, () => {
    let s: SsoSetup;
    let quais: { companyId: number };
    before(async () => {
      s = await startSso(dialect);
      quais = await seedAccount(s.t, { code: '67890', email: 'direction@quais.fr', company: 'Librairie des Quais' });
      await seedMember(s.t, { code: '12345', email: BUYER, role: 'buyer', givenName: 'Claire', familyName: 'Martin' });
      await seedMember(s.t, { code: '67890', email: BUYER, role: 'viewer' });
    });
    after(async () => s.close());

    test('the holder signs in to the shop with the code: their own sub, customer_code, company and role admin', async () => {
      const { callbackUrl, pending } = await signInThroughShop(s, new WebBrowser());
      const claims = (await finishAuthorization(s, callbackUrl, pending)).claims()!;
      // The sub is given on first use (accounts made before 010 too) and never changes after.
      const holderSub = (await s.t.db.selectFrom('accounts').select('oidc_sub').where('email_lc', '=', 'contact@librairie-du-port.fr').executeTakeFirstOrThrow()).oidc_sub;
      assert.equal(claims.sub, holderSub);
      assert.equal(claims.customer_code, '12345');
      assert.equal(claims.company, 'Librairie du Port');
      assert.equal(claims.role, 'admin');
    });

    test('a person of two companies chooses inside the single sign-on flow; the shop reads that company, the role there and the person’s own name', async () => {
      const browser = new WebBrowser();
      const pending = await startAuthorization(s);
      const toLogin = await browser.follow(pending.url, s.redirectUri);
      const posted = await signIn(browser, toLogin.url, { identifiant: BUYER });
      const toChooser = await browser.follow(toLogin.url, s.redirectUri, posted);
      assert.equal(new URL(toChooser.url).pathname, '/espace-pro/compte-client', 'the chooser appears in the provider flow');
      const html = await toChooser.response!.text();
      assert.match(html, /Choisissez le compte client/);
      const next = /name="next" value="([^"]*)"/.exec(html)![1]!.replace(/&amp;/g, '&');
      const chosen = await browser.request(new URL('/espace-pro/compte-client', s.origin).href, { form: { _csrf: csrfToken(html), compte: String(quais.companyId), next } });
      const back = await browser.follow(toChooser.url, s.redirectUri, chosen);
      assert.ok(back.url.startsWith(s.redirectUri), `back to the shop, got ${back.url}`);
      const tokens = await finishAuthorization(s, back.url, pending);
      const claims = tokens.claims()!;
      const person = await s.t.db.selectFrom('accounts').select('oidc_sub').where('email_lc', '=', BUYER).executeTakeFirstOrThrow();
      assert.equal(claims.sub, person.oidc_sub, 'sub per person');
      assert.equal(claims.customer_code, '67890');
      assert.equal(claims.company, 'Librairie des Quais');
      assert.equal(claims.role, 'viewer');
      assert.equal(claims.email, BUYER);
      assert.equal(claims.email_verified, true);
      assert.equal(claims.given_name, 'Claire');
      assert.equal(claims.family_name, 'Martin');
      const info = await oidc.fetchUserInfo(s.config, tokens.access_token, claims.sub);
      assert.equal(info.customer_code, '67890');

      // S45: removed from that company, the shop's tokens for it stop working at once.
      const member = await s.t.db.selectFrom('accounts').select('id').where('email_lc', '=', BUYER).executeTakeFirstOrThrow();
      await s.t.db.deleteFrom('memberships').where('account_id', '=', member.id).where('company_id', '=', quais.companyId).execute();
      await assert.rejects(oidc.fetchUserInfo(s.config, tokens.access_token, claims.sub));
      await assert.rejects(oidc.refreshTokenGrant(s.config, tokens.refresh_token!));
    });
  });
}
