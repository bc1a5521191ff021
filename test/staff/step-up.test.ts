import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { seedAccount } from '../helpers/accounts.js';
import { type Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn, currentTotp, nextTotpStep, seedStaff } from '../helpers/staff.js';

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`S38 a fresh second factor for sensitive staff actions [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => resetDatabase(t.db, t.dialect));

    /** Every sensitive action, as a request the member's browser would send from the page it lives on. */
    async function sensitiveActions() {
      const account = await seedAccount(t, { code: '12345', email: 'client@x.fr' });
      const member = await seedStaff(t);
      const accountPage = `/back-office/comptes/${account.companyId}`;
      const now = t.clock.now();
      const person = Number(
        (await t.db.insertInto('accounts').values({ email: 'personne@x.fr', email_lc: 'personne@x.fr', password_hash: null, created_at: now, updated_at: now, activated_at: null, disabled_at: null, last_login_at: null, password_changed_at: null }).returning('id').executeTakeFirstOrThrow()).id,
      );
      await t.db.insertInto('memberships').values({ company_id: account.companyId, account_id: person, role: 'buyer', created_at: now, updated_at: now }).execute();
      const list: Array<{ name: string; page: string; method: string; url: string; form: Record<string, string> }> = [
        { name: 'e-mail change', page: accountPage, method: 'POST', url: `${accountPage}/email`, form: { email: 'autre@x.fr' } },
        { name: 'account disable', page: accountPage, method: 'POST', url: `${accountPage}/desactiver`, form: {} },
        { name: 'account enable', page: accountPage, method: 'POST', url: `${accountPage}/reactiver`, form: {} },
        { name: 'staff creation', page: '/back-office/equipe', method: 'POST', url: '/back-office/equipe', form: { email: 'nouveau@cartotheque.test', role: 'agent' } },
        { name: 'setup link', page: '/back-office/equipe', method: 'POST', url: `/back-office/equipe/${member.id}/lien`, form: {} },
        { name: 'staff disable', page: '/back-office/equipe', method: 'POST', url: `/back-office/equipe/${member.id}/desactiver`, form: {} },
        { name: 'audit export', page: '/back-office/journal', method: 'GET', url: '/back-office/journal.csv', form: {} },
        // Company accounts: the company page's sensitive actions on its people (src/modules/company).
        { name: 'invitation', page: accountPage, method: 'POST', url: `${accountPage}/invitations`, form: { prenom: 'Léa', nom: 'Petit', email: 'lea@x.fr', role: 'buyer' } },
        { name: 'person disable', page: accountPage, method: 'POST', url: `${accountPage}/personnes/${person}/desactiver`, form: {} },
        { name: 'person enable', page: accountPage, method: 'POST', url: `${accountPage}/personnes/${person}/reactiver`, form: {} },
        { name: 'person e-mail change', page: accountPage, method: 'POST', url: `${accountPage}/personnes/${person}/email`, form: { [`email-${person}`]: 'autre.personne@x.fr' } },
        { name: 'holder hand-over', page: accountPage, method: 'POST', url: `${accountPage}/personnes/${person}/titulaire`, form: {} },
      ];
      return list;
    }

    async function send(browser: Browser, action: { page: string; method: string; url: string; form: Record<string, string> }) {
      if (action.method === 'GET') return browser.get(action.url, { referer: `http://localhost:3000${action.page}` });
      const page = await browser.get(action.page);
      return browser.post(action.url, { _csrf: csrfToken(page.body), ...action.form }, { referer: `http://localhost:3000${action.page}` });
    }

    test('S38 with a second factor 11 minutes old, every sensitive action sends the member to confirm a code first, and nothing is done', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const actions = await sensitiveActions();
      t.clock.advance(11 * MINUTE);
      const auditBefore = (await t.db.selectFrom('audit_log').select('id').execute()).length;
      for (const action of actions) {
        const res = await send(admin, action);
        assert.equal(res.statusCode, 303, action.name);
        assert.match(res.headers.location as string, /^\/back-office\/verification\?next=/, action.name);
        assert.equal(decodeURIComponent((res.headers.location as string).split('next=')[1]!), action.method === 'GET' ? action.url : action.page, `${action.name}: back to where it was asked`);
      }
      assert.equal((await t.db.selectFrom('accounts').select('email').executeTakeFirstOrThrow()).email, 'client@x.fr');
      assert.equal((await t.db.selectFrom('staff').selectAll().where('email', '=', 'nouveau@cartotheque.test').execute()).length, 0);
      assert.equal((await t.db.selectFrom('outbox').selectAll().execute()).length, 0, 'no link mailed');
      const staffEvents = (await t.db.selectFrom('audit_log').select('event').execute()).slice(auditBefore).filter((e) => e.event.startsWith('staff.'));
      assert.deepEqual(staffEvents, [], 'no staff action recorded');
    });

    test('S38 a fresh code (through the attempt core) opens them again for 10 minutes; within 10 minutes of login no code is asked', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const actions = await sensitiveActions();
      t.clock.advance(9 * MINUTE);
      assert.equal((await send(admin, actions[6]!)).statusCode, 200, 'positive control: the export within 10 minutes of the login');
      t.clock.advance(2 * MINUTE);
      assert.equal((await send(admin, actions[6]!)).statusCode, 303, 'stale now');
      nextTotpStep(t);
      const page = await admin.get('/back-office/verification?next=%2Fback-office%2Fjournal');
      assert.match(page.body, /Confirmez votre identité/);
      const wrong = await admin.post('/back-office/verification', { _csrf: csrfToken(page.body), code: '000000', next: '/back-office/journal' });
      assert.equal(wrong.statusCode, 401);
      const right = await admin.post('/back-office/verification', { _csrf: csrfToken(page.body), code: currentTotp(t, admin.staff.totpSecret), next: '/back-office/journal' });
      assert.equal(right.statusCode, 303);
      assert.equal(right.headers.location, '/back-office/journal');
      for (const action of actions) {
        const res = await send(admin, action);
        assert.ok([200, 303].includes(res.statusCode) && !String(res.headers.location ?? '').includes('verification'), action.name);
      }
      assert.equal((await t.db.selectFrom('email_changes').selectAll().execute()).length, 1, 'the e-mail change was asked (it waits for a second member, S37)');
      assert.equal((await t.db.selectFrom('staff').selectAll().where('email', '=', 'nouveau@cartotheque.test').execute()).length, 1, 'the member was created');
      const events = (await t.db.selectFrom('audit_log').select('event').execute()).map((e) => e.event);
      assert.ok(events.includes('staff.step_up.success') && events.includes('staff.step_up.failure'), 'S34 step-up audited');
      t.clock.advance(11 * MINUTE);
      assert.equal((await send(admin, actions[6]!)).statusCode, 303, 'and it expires again');
    });

    test('S36 S38 parallel wrong step-up codes: at most 5 checked, then even the right code is refused while throttled', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      t.clock.advance(11 * MINUTE);
      nextTotpStep(t);
      const page = await admin.get('/back-office/verification');
      const token = csrfToken(page.body);
      const right = currentTotp(t, admin.staff.totpSecret);
      const wrongs = Array.from({ length: 12 }, (_, i) => String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0'));
      const answers = await Promise.all(wrongs.map((code) => admin.post('/back-office/verification', { _csrf: token, code })));
      assert.ok(answers.every((a) => a.statusCode === 401));
      const failures = await t.db.selectFrom('audit_log').select('details').where('event', '=', 'staff.step_up.failure').execute();
      const checked = failures.filter((f) => /wrong_code/.test(f.details ?? '')).length;
      assert.ok(checked <= 5, `${checked} codes checked`);
      assert.ok(failures.some((f) => /throttled/.test(f.details ?? '')), 'the rest refused unchecked');
      assert.equal((await admin.post('/back-office/verification', { _csrf: token, code: right })).statusCode, 401, 'the right code waits for the delay');
    });
  });
}
