import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { issueLinkToken } from '../../src/modules/auth-core/link-tokens.js';
import { STRONG_PASSWORD, seedAccount } from '../helpers/accounts.js';
import { Browser, csrfToken, DIALECTS } from '../helpers/app.js';
import { createStaffAndSignIn } from '../helpers/staff.js';
import { decodeJwt, finishAuthorization, signInThroughShop, type SsoSetup, startSso, WebBrowser } from './support.js';

const isOAuthError = (code: string) => (e: unknown) => (e as { error?: string }).error === code;

async function waitFor(check: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const NEW_PASSWORD = `${STRONG_PASSWORD} bis`;

/**
 * S16, S20, S41: every way a customer's password or access changes ends, through one function
 * (changeAndEndSignIns), the Espace Pro sessions, the remember-me series and the single sign-on
 * (refresh token, access token on /oidc/me, provider session), with a back-channel logout.
 */
interface Way {
  name: string;
  /** Whether the browser that made the change keeps its own Espace Pro session. */
  keepsChanger: boolean;
  run(s: SsoSetup, ctx: { accountId: number; code: string; shopBrowser: WebBrowser }): Promise<void>;
}

const WAYS: Way[] = [
  {
    name: 'own change in Mon Espace Pro ("Changer mon mot de passe")',
    keepsChanger: true,
    async run(s, { shopBrowser }) {
      const page = await shopBrowser.request(`${s.origin}/espace-pro/securite`);
      const done = await shopBrowser.request(`${s.origin}/espace-pro/mot-de-passe`, { form: { _csrf: csrfToken(await page.text()), actuel: STRONG_PASSWORD, mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD } });
      assert.equal(done.status, 303);
    },
  },
  {
    name: 'reset through an e-mailed link',
    keepsChanger: false,
    async run(s, { accountId }) {
      const { token } = await issueLinkToken(s.t.db, s.t.clock, { purpose: 'reset', subject: { type: 'account', id: accountId }, ttlSeconds: 3600 });
      const other = new Browser(s.t.app);
      const first = await other.get(`/activation?token=${token}`);
      const form = await other.get(first.headers.location as string);
      const done = await other.post('/activation', { _csrf: csrfToken(form.body), mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD });
      assert.equal(done.statusCode, 303);
    },
  },
  {
    name: 'staff-forced ("Fermer toutes les sessions")',
    keepsChanger: false,
    async run(s, { accountId }) {
      const agent = await createStaffAndSignIn(s.t);
      const page = `/back-office/comptes/${accountId}`;
      assert.equal((await agent.submit(page, `${page}/sessions`, {})).statusCode, 303);
    },
  },
  {
    name: 'disable by staff',
    keepsChanger: false,
    async run(s, { accountId }) {
      const agent = await createStaffAndSignIn(s.t);
      const page = `/back-office/comptes/${accountId}`;
      assert.equal((await agent.submit(page, `${page}/desactiver`, {})).statusCode, 303);
    },
  },
  {
    name: 'erasure (S42)',
    keepsChanger: false,
    async run(s, { accountId }) {
      const admin = await createStaffAndSignIn(s.t, { role: 'admin' });
      const page = `/back-office/comptes/${accountId}`;
      assert.equal((await admin.submit(page, `${page}/effacer`, {})).statusCode, 200);
    },
  },
];

for (const dialect of DIALECTS) {
  describe(`S41 every password or access change ends every sign-in, single sign-on included (${dialect})`, () => {
    let s: SsoSetup;
    let n = 0;
    before(async () => {
      s = await startSso(dialect, { seed: false });
    });
    after(async () => s.close());
    beforeEach(() => s.t.clock.set(Date.now()));

    for (const way of WAYS) {
      test(`S41 S16 S20 ${way.name}: sessions, remember-me, refresh and access tokens end; the shop gets a back-channel logout`, async () => {
        const code = String(20001 + n++);
        const account = await seedAccount(s.t, { code });
        // The shop's browser: signed in to Espace Pro (remembered) and to the shop through it.
        const shopBrowser = new WebBrowser();
        const { callbackUrl, pending } = await signInThroughShop(s, shopBrowser, {}, { identifiant: code, memoriser: true });
        const tokens = await finishAuthorization(s, callbackUrl, pending);
        // A second browser, remembered too: it is "another session" for every way.
        const elsewhere = new WebBrowser();
        await signInThroughShop(s, elsewhere, {}, { identifiant: code, memoriser: true });
        const sub = tokens.claims()!.sub;
        // Positive control: before the change, everything works.
        const refreshed = await oidc.refreshTokenGrant(s.config, tokens.refresh_token!);
        await oidc.fetchUserInfo(s.config, refreshed.access_token, sub);
        const received = s.receiver.tokens.length;

        await way.run(s, { accountId: account.id, code, shopBrowser });

        await assert.rejects(oidc.refreshTokenGrant(s.config, refreshed.refresh_token!), isOAuthError('invalid_grant'), 'the refresh token is dead');
        await assert.rejects(oidc.fetchUserInfo(s.config, refreshed.access_token, sub), 'the access token no longer reads /oidc/me');
        await waitFor(() => s.receiver.tokens.slice(received).some((t) => decodeJwt(t).sub === sub));
        const grants = await s.t.db.selectFrom('oidc_models').select('id').where('account_id', '=', sub).where('model', 'in', ['Grant', 'Session', 'RefreshToken', 'AccessToken']).execute();
        assert.deepEqual(grants, [], 'no provider session, grant or token of the account is left');
        // The other browser is signed out of Espace Pro, and its remember-me cookie restores nothing.
        const other = await elsewhere.request(`${s.origin}/espace-pro`);
        assert.equal(other.status, 303, 'the other browser is signed out');
        assert.match(other.headers.get('location') ?? '', /^\/connexion/);
        const series = await s.t.db.selectFrom('remember_tokens').select('series').where('account_id', '=', account.id).execute();
        const sessions = await s.t.db.selectFrom('sessions').select('id').where('account_id', '=', account.id).execute();
        const mine = await shopBrowser.request(`${s.origin}/espace-pro`);
        if (way.keepsChanger) {
          assert.equal(mine.status, 200, 'the browser that changed its own password stays signed in to Espace Pro');
          assert.equal(new Set(series.map((r) => r.series)).size, 1, 'only its own remember-me series is left');
          assert.equal(sessions.length, 1);
        } else {
          assert.notEqual(mine.status, 200);
          assert.deepEqual(series, [], 'every remember-me series ended');
          assert.deepEqual(sessions, [], 'every session ended');
        }
      });
    }
  });
}
