import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn } from '../helpers/staff.js';
import { addMember, seedCompany, signedIn } from './support.js';

for (const dialect of DIALECTS) {
  describe(`S42 privacy per person in company accounts [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => resetDatabase(t.db, t.dialect));

    async function act(browser: Browser, page: string, action: string) {
      const html = await browser.get(page);
      return browser.post(action, { _csrf: csrfToken(html.body) });
    }

    test('S42 a person downloads their own data from Mon Espace Pro (JSON and CSV, RGPD art. 15 and 20): theirs only, and the download is in the journal', async () => {
      const a = await seedCompany(t, { code: '11111', company: 'Librairie du Port', email: 'admin@port.fr' });
      const buyer = await addMember(t, a.companyId, { email: 'acheteur@port.fr', role: 'buyer' });
      await t.db.insertInto('login_throttle').values({ key: '11111', failures: 3, blocked_until: 0, updated_at: t.clock.now() }).execute();
      const browser = await signedIn(t, buyer, a.companyId);
      const home = await browser.get('/espace-pro');
      assert.match(home.body, /href="\/espace-pro\/mes-donnees.json"/);
      assert.match(home.body, /href="\/espace-pro\/mes-donnees.csv"/);
      const json = await browser.get('/espace-pro/mes-donnees.json');
      assert.equal(json.statusCode, 200);
      assert.match(json.headers['content-disposition'] as string, /attachment; filename="mes-donnees.json"/);
      const data = json.json();
      assert.equal(data.account.email, 'acheteur@port.fr');
      assert.equal(data.account.password_hash, undefined, 'never the hash');
      assert.deepEqual(data.memberships.map((m: { code: string; role: string }) => [m.code, m.role]), [['11111', 'buyer']]);
      assert.deepEqual(data.throttle, [], 'the holder’s code throttle is not the member’s');
      assert.ok(!json.body.includes('admin@port.fr'), 'nothing of a colleague');
      const csv = await browser.get('/espace-pro/mes-donnees.csv');
      assert.equal(csv.statusCode, 200);
      assert.match(csv.headers['content-type'] as string, /text\/csv/);
      assert.match(csv.body, /"account";"1";"email";"acheteur@port.fr"/);
      const entries = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'privacy.self_exported').execute();
      assert.deepEqual(entries.map((e) => [Number(e.account_id), Number(e.company_id), e.actor_type]), [[buyer, a.companyId, 'customer'], [buyer, a.companyId, 'customer']]);
      assert.equal((await new (await import('../helpers/app.js')).Browser(t.app).get('/espace-pro/mes-donnees.json')).statusCode, 303, 'anonymous: sign in first');
    });

    test('S42 staff export one person; erasing a person never erases a holder; erasing a company erases its people who belong to no other company', async () => {
      const a = await seedCompany(t, { code: '11111', company: 'Librairie du Port', email: 'admin@port.fr' });
      const b = await seedCompany(t, { code: '22222', company: 'Papeterie Martin', email: 'admin@martin.fr' });
      const onlyA = await addMember(t, a.companyId, { email: 'acheteur@port.fr', role: 'buyer' });
      const both = await addMember(t, a.companyId, { email: 'compta@commun.fr', role: 'viewer' });
      await addMember(t, b.companyId, { email: 'compta@commun.fr', role: 'viewer' });
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const page = `/back-office/comptes/${a.companyId}`;
      const exported = await admin.get(`${page}/personnes/${onlyA}/donnees.json`);
      assert.equal(exported.statusCode, 200);
      assert.equal(exported.json().account.email, 'acheteur@port.fr');
      assert.equal((await admin.get(`/back-office/comptes/${b.companyId}/personnes/${onlyA}/donnees.json`)).statusCode, 404, 'not a person of B');
      const holder = await act(admin, page, `${page}/personnes/${a.holderId}/effacer`);
      assert.equal(holder.statusCode, 409);
      assert.ok(await t.db.selectFrom('accounts').select('id').where('id', '=', a.holderId).executeTakeFirst());
      const company = await act(admin, page, `${page}/effacer`);
      assert.equal(company.statusCode, 200);
      const left = (await t.db.selectFrom('accounts').select('email').orderBy('email').execute()).map((r) => r.email);
      assert.deepEqual(left, ['admin@martin.fr', 'compta@commun.fr'], 'A’s holder and A-only people erased; the shared person stays');
      assert.equal((await t.db.selectFrom('companies').select('code').execute()).map((c) => c.code).join(), '22222');
      assert.deepEqual((await t.db.selectFrom('memberships').select('company_id').where('account_id', '=', both).execute()).map((m) => Number(m.company_id)), [b.companyId]);
    });
  });
}
