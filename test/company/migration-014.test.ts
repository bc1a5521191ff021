import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { listAuditEntries } from '../../src/modules/audit/audit.repository.js';
import { listPendingEmailChanges } from '../../src/modules/back-office/accounts-admin.repository.js';
import { createArgon2Hasher } from '../../src/shared/hasher.js';
import { randomToken, sha256 } from '../../src/shared/crypto.js';
import { STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, CookieJar, DIALECTS, inputValue, type TestApp } from '../helpers/app.js';
import { finishAuthorization, signInThroughShop, type SsoSetup, startSso, WebBrowser } from '../sso/support.js';

// The upgrade to company accounts (014_companies), tested from a database the product filled
// before it: every kind of row a customer relies on must still work the day it ships.
const HOUR = 3600_000;
const T0 = Date.now();
const SHARED = 'commun@librairies.fr';

const secrets = {
  session: randomToken(32),
  selector: randomToken(16),
  validator: randomToken(32),
  device: randomToken(32),
  browser: randomToken(32),
  activation: randomToken(32),
};

async function fillAt012(db: Kysely<any>): Promise<void> {
  const hash = await createArgon2Hasher().hash(STRONG_PASSWORD);
  const accounts: Array<[string, string, string, string | null, number | null]> = [
    ['12345', 'contact@librairie-du-port.fr', 'Librairie du Port', hash, null],
    ['23456', SHARED, 'Librairie Nord', hash, null],
    ['34567', SHARED, 'Librairie Sud', await createArgon2Hasher().hash(`${STRONG_PASSWORD} sud`), null],
    ['45678', 'ferme@x.fr', 'Boutique fermée', hash, T0 - HOUR],
    ['56789', 'nouveau@x.fr', 'Papeterie Neuve', null, null],
  ];
  for (const [code, email, company, password_hash, disabled_at] of accounts) {
    await db
      .insertInto('accounts')
      .values({ code, email, email_lc: email.toLowerCase(), company, password_hash, created_at: T0 - 48 * HOUR, updated_at: T0 - 48 * HOUR, activated_at: password_hash ? T0 - 24 * HOUR : null, disabled_at, last_login_at: password_hash ? T0 - 2 * HOUR : null, password_changed_at: null, oidc_sub: `sub-${code}` })
      .execute();
  }
  const id = async (code: string) => Number((await db.selectFrom('accounts').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id);
  const port = await id('12345');
  await db.insertInto('sessions').values({ id: sha256(secrets.session), account_id: port, created_at: T0 - HOUR, last_seen_at: T0 - 60_000, expires_at: T0 + 11 * HOUR, remember_series: null, ip: '203.0.113.9', user_agent: 'Firefox', authenticated_at: T0 - HOUR }).execute();
  await db.insertInto('remember_tokens').values({ selector: secrets.selector, series: 'serie-port', account_id: port, validator_hash: sha256(secrets.validator), created_at: T0 - HOUR, expires_at: T0 + 29 * 24 * HOUR, rotated_at: null }).execute();
  await db.insertInto('devices').values({ id: sha256(secrets.device), account_id: port, created_at: T0 - HOUR, expires_at: T0 + 29 * 24 * HOUR }).execute();
  await db.insertInto('known_browsers').values({ id: sha256(secrets.browser), account_id: port, created_at: T0 - HOUR, last_seen_at: T0 - HOUR }).execute();
  await db.insertInto('link_tokens').values({ purpose: 'activation', subject_type: 'account', subject_id: await id('56789'), token_hash: sha256(secrets.activation), created_at: T0 - HOUR, expires_at: T0 + 7 * HOUR, step_done_at: null, consumed_at: null, revoked_at: null, revoked_reason: null }).execute();
  await db.insertInto('email_changes').values({ account_id: port, old_email: 'contact@librairie-du-port.fr', new_email: 'direction@librairie-du-port.fr', requested_by: '7', requested_at: T0 - HOUR, decided_by: null, decided_at: null, outcome: null }).execute();
  await db.insertInto('audit_log').values({ at: T0 - 2 * HOUR, event: 'login.success', outcome: 'success', actor_type: 'customer', actor_id: '12345', account_id: port, target: '12345', ip: '203.0.113.9', user_agent: 'Firefox', details: null }).execute();
}

const jarWith = (cookies: Record<string, string>) => {
  const jar = new CookieJar();
  for (const [k, v] of Object.entries(cookies)) jar.cookies.set(k, v);
  return jar;
};

for (const dialect of DIALECTS) {
  describe(`014_companies: an upgrade customers do not notice [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, { before: { upTo: '012_staff_reenrolment', fill: fillAt012 } });
      t.clock.set(T0);
    });
    after(async () => t.close());

    test('each account became a company, same id, with its holder as administrator and the same sub', async () => {
      const rows = await t.db
        .selectFrom('companies')
        .innerJoin('memberships', 'memberships.company_id', 'companies.id')
        .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
        .select(['companies.id as company_id', 'companies.code', 'companies.name', 'companies.holder_account_id', 'companies.disabled_at', 'accounts.id', 'accounts.oidc_sub', 'memberships.role'])
        .orderBy('companies.code')
        .execute();
      assert.deepEqual(rows.map((r) => [r.code, r.role, r.company_id === r.id, r.holder_account_id === r.id, r.oidc_sub]), [
        ['12345', 'admin', true, true, 'sub-12345'],
        ['23456', 'admin', true, true, 'sub-23456'],
        ['34567', 'admin', true, true, 'sub-34567'],
        ['45678', 'admin', true, true, 'sub-45678'],
        ['56789', 'admin', true, true, 'sub-56789'],
      ]);
      assert.equal(rows.find((r) => r.code === '45678')!.disabled_at, T0 - HOUR, 'the disabled account is a disabled company');
    });

    test('a session opened before the upgrade is still signed in, to the same company', async () => {
      const res = await new Browser(t.app, jarWith({ '__Host-ep_session': secrets.session })).get('/espace-pro');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Librairie du Port/);
      assert.match(res.body, /12345/);
    });

    test('a remember-me series issued before the upgrade signs the browser back in and rotates (S20)', async () => {
      const browser = new Browser(t.app, jarWith({ '__Host-ep_remember': `${secrets.selector}.${secrets.validator}` }));
      const res = await browser.get('/espace-pro');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Librairie du Port/);
      assert.notEqual(browser.jar.get('__Host-ep_remember'), `${secrets.selector}.${secrets.validator}`, 'rotated');
    });

    test('the remembered browser still pre-fills its code', async () => {
      const res = await new Browser(t.app, jarWith({ '__Host-ep_device': secrets.device })).get('/connexion');
      assert.equal(inputValue(res.body, 'identifiant'), '12345');
    });

    test('the password set before the upgrade still signs in with the code; a known browser is still known (no notice)', async () => {
      const browser = new Browser(t.app, jarWith({ '__Host-ep_browser': secrets.browser }));
      const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/espace-pro');
      const notices = await t.db.selectFrom('outbox').select('id').where('kind', '=', 'new_browser_notice').execute();
      assert.equal(notices.length, 0);
    });

    test('two accounts that shared one address keep signing in by their codes; the address alone names nobody (S6)', async () => {
      for (const [code, password] of [
        ['23456', STRONG_PASSWORD],
        ['34567', `${STRONG_PASSWORD} sud`],
      ]) {
        const res = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: code!, mot_de_passe: password! });
        assert.equal(res.statusCode, 303, code);
      }
      const byEmail = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: SHARED, mot_de_passe: STRONG_PASSWORD });
      const unknown = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: 'personne@nulle-part.fr', mot_de_passe: STRONG_PASSWORD });
      assert.equal(byEmail.statusCode, 401);
      assert.equal(unknown.statusCode, 401);
      assert.equal(byEmail.body.replace(/name="_csrf" value="[^"]*"/g, '').replace(/value="[^"]*@[^"]*"/g, ''), unknown.body.replace(/name="_csrf" value="[^"]*"/g, '').replace(/value="[^"]*@[^"]*"/g, ''));
    });

    test('the disabled account stays refused with the one failure answer', async () => {
      const res = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '45678', mot_de_passe: STRONG_PASSWORD });
      assert.equal(res.statusCode, 401);
    });

    test('an activation link mailed before the upgrade still opens the activation page, the code as Identifiant', async () => {
      const browser = new Browser(t.app);
      const first = await browser.get(`/activation?token=${secrets.activation}`);
      assert.equal(first.statusCode, 303);
      const page = await browser.get(first.headers.location as string);
      assert.equal(page.statusCode, 200);
      assert.equal(inputValue(page.body, 'identifiant'), '56789');
    });

    test('the journal still finds the old entries by code, and the pending e-mail change is still waiting', async () => {
      const entries = await listAuditEntries(t.db, { accountCode: '12345', event: 'login.success' }, 50);
      assert.ok(entries.some((e) => e.at === T0 - 2 * HOUR && e.account_code === '12345'));
      const pending = await listPendingEmailChanges(t.db, 10);
      assert.deepEqual(pending.map((p) => [p.code, p.new_email]), [['12345', 'direction@librairie-du-port.fr']]);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`014_companies: single sign-on with the rows from before the upgrade [${dialect}]`, () => {
    let s: SsoSetup;
    before(async () => {
      s = await startSso(dialect, { seed: false, before: { upTo: '012_staff_reenrolment', fill: fillAt012 } });
    });
    after(async () => s.close());

    test('the holder signs in to the shop with the password set before the upgrade: the same sub, the company and its role', async () => {
      const { callbackUrl, pending } = await signInThroughShop(s, new WebBrowser(), {}, { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const claims = (await finishAuthorization(s, callbackUrl, pending)).claims()!;
      assert.equal(claims.sub, 'sub-12345', 'the sub given before company accounts');
      assert.equal(claims.customer_code, '12345');
      assert.equal(claims.company, 'Librairie du Port');
      assert.equal(claims.role, 'admin');
    });
  });
}
