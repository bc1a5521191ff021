/**
 * Issue 23: the dashboard shows what customer service opens it for — requests waiting and the
 * age of the oldest, accounts locked now, links never used after 8 hours, mails that failed —
 * each figure counting exactly the rows of the list it links to, computed against the database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dashboardFigures } from '../../src/modules/back-office/dashboard.service.js';
import { seedAccount, seedMember } from '../helpers/accounts.js';
import { buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`Tableau de bord [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => {
      await t.close();
    });

    async function request(state: 'new' | 'in_progress' | 'approved', ageMs: number, email: string) {
      const at = t.clock.now() - ageMs;
      await t.db
        .insertInto('account_requests')
        .values({ state, company: 'Société', customer_code: null, siret: null, last_name: 'Durand', first_name: 'Anne', email, phone: '0102030405', address: null, postal_code: null, city: null, country: null, message: null, created_at: at, updated_at: at, ip: null, user_agent: null, handled_by: null, handled_at: null, decision_reason: null, account_id: null })
        .execute();
    }
    async function link(accountId: number, ageMs: number, consumed = false) {
      const at = t.clock.now() - ageMs;
      await t.db
        .insertInto('link_tokens')
        .values({ purpose: 'activation', subject_type: 'account', subject_id: accountId, token_hash: `h${accountId}-${ageMs}`, created_at: at, expires_at: at + 72 * HOUR, step_done_at: null, consumed_at: consumed ? at + 1000 : null, revoked_at: null, revoked_reason: null })
        .execute();
    }

    test('an empty back office: every figure is 0, no age', async () => {
      assert.deepEqual(await dashboardFigures({ db: t.db, clock: t.clock }), { requestsWaiting: 0, oldestRequestAgeMs: null, lockedAccounts: 0, unusedLinks: 0, failedMails: 0 });
    });

    test('the figures count the database and each matches its filtered list', async () => {
      await request('new', 3 * HOUR, 'a@x.fr');
      await request('new', 20 * 60_000, 'b@x.fr');
      await request('in_progress', 50 * HOUR, 'c@x.fr');
      await request('approved', 90 * HOUR, 'd@x.fr');

      await seedAccount(t, { code: '11111', email: 'verrou@x.fr', company: 'Verrou SARL' });
      await seedAccount(t, { code: '22222', email: 'ancien-verrou@x.fr', company: 'Ancien Verrou' });
      const now = t.clock.now();
      await t.db.insertInto('login_throttle').values({ key: '11111', failures: 7, blocked_until: now + 10 * 60_000, updated_at: now }).execute();
      await t.db.insertInto('login_throttle').values({ key: '22222', failures: 5, blocked_until: now - 60_000, updated_at: now - 2 * 60_000 }).execute();

      const unused = await seedAccount(t, { code: '33333', email: 'oubli@x.fr', company: 'Lien Oublié', password: null });
      const recent = await seedAccount(t, { code: '44444', email: 'recent@x.fr', company: 'Lien Récent', password: null });
      const used = await seedAccount(t, { code: '55555', email: 'utilise@x.fr', company: 'Lien Utilisé' });
      await link(unused.id, 9 * HOUR);
      await link(recent.id, 1 * HOUR);
      await link(used.id, 20 * HOUR, true);

      const bounced = await seedAccount(t, { code: '66666', email: 'rebond@x.fr', company: 'Rebond' });
      await t.db
        .insertInto('outbox')
        .values({ kind: 'activation', account_id: bounced.id, recipient: 'rebond@x.fr', reply_to: null, subject: 's', text_body: 't', html_body: null, status: 'failed', attempts: 5, next_attempt_at: now, lease_until: null, last_error: '550', created_at: now, sent_at: null })
        .execute();

      const figures = await dashboardFigures({ db: t.db, clock: t.clock });
      assert.deepEqual(figures, { requestsWaiting: 2, oldestRequestAgeMs: 3 * HOUR, lockedAccounts: 1, unusedLinks: 1, failedMails: 1 });

      const agent = await createStaffAndSignIn(t);
      const page = await agent.get('/back-office');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<a href="\/back-office\/demandes\?etat=new"><span class="figure-number">2<\/span> <span class="figure-label">demandes en attente<\/span><\/a>/);
      assert.match(page.body, /la plus ancienne depuis 3 h/);
      assert.match(page.body, /href="\/back-office\/comptes\?filtre=verrouilles"><span class="figure-number">1<\/span> <span class="figure-label">compte verrouillé maintenant/);
      assert.match(page.body, /href="\/back-office\/comptes\?filtre=liens-non-utilises"><span class="figure-number">1<\/span>/);
      assert.match(page.body, /href="\/back-office\/comptes\?filtre=mails-en-echec"><span class="figure-number">1<\/span>/);

      // Each link lists exactly what its figure counts.
      const rowsOf = (html: string) => [...html.matchAll(/<a href="\/back-office\/comptes\/\d+">(\d{5})<\/a>/g)].map((m) => m[1]);
      const locked = await agent.get('/back-office/comptes?filtre=verrouilles');
      assert.deepEqual(rowsOf(locked.body), ['11111']);
      // The test clock is 09:00 UTC, 10:00 in Paris: locked ten more minutes.
      assert.match(locked.body, /Verrouillé jusqu’à 10\u00a0h\u00a010/);
      assert.match(locked.body, /action="\/back-office\/comptes\/\d+\/debloquer"/);
      assert.deepEqual(rowsOf((await agent.get('/back-office/comptes?filtre=liens-non-utilises')).body), ['33333']);
      assert.deepEqual(rowsOf((await agent.get('/back-office/comptes?filtre=mails-en-echec')).body), ['66666']);
      assert.equal(rowsOf((await agent.get('/back-office/comptes')).body).length, 6);
      const waiting = await agent.get('/back-office/demandes?etat=new');
      assert.equal((waiting.body.match(/<tr>/g) ?? []).length - 1, 2);
    });

    test('S8 a lock on one person’s e-mail sign-in counts too: the dashboard, the "verrouillés" list and its line say it, as the company page does; a lock on another company’s member does not', async () => {
      await resetDatabase(t.db, t.dialect);
      const company = await seedAccount(t, { code: '77777', email: 'titulaire@x.fr', company: 'Verrou Membre' });
      await seedMember(t, { companyId: company.companyId, email: 'Paul.Martin@X.fr', role: 'buyer' });
      await seedAccount(t, { code: '88888', email: 'autre@x.fr', company: 'Sans Verrou' });
      await seedMember(t, { code: '88888', email: 'libre@x.fr', role: 'buyer' });
      const now = t.clock.now();
      await t.db.insertInto('login_throttle').values({ key: 'email:paul.martin@x.fr', failures: 6, blocked_until: now + 5 * 60_000, updated_at: now }).execute();
      await t.db.insertInto('login_throttle').values({ key: 'email:libre@x.fr', failures: 6, blocked_until: now - 60_000, updated_at: now - 2 * 60_000 }).execute();
      assert.equal((await dashboardFigures({ db: t.db, clock: t.clock })).lockedAccounts, 1);
      const agent = await createStaffAndSignIn(t, { email: 'agent3@example.com' });
      const locked = await agent.get('/back-office/comptes?filtre=verrouilles');
      assert.deepEqual([...locked.body.matchAll(/<a href="\/back-office\/comptes\/\d+">(\d{5})<\/a>/g)].map((m) => m[1]), ['77777']);
      assert.match(locked.body, /Verrouillé jusqu’à 10\u00a0h\u00a005/);
      // Positive control: Déverrouiller clears it everywhere at once.
      const page = await agent.get(`/back-office/comptes/${company.companyId}`);
      const cleared = await agent.post(`/back-office/comptes/${company.companyId}/debloquer`, { _csrf: csrfToken(page.body) });
      assert.equal(cleared.statusCode, 303);
      assert.equal((await dashboardFigures({ db: t.db, clock: t.clock })).lockedAccounts, 0);
    });

    test('only what the role may open: no Import for an agent; Import, Équipe and Applications for an admin', async () => {
      const agent = await createStaffAndSignIn(t, { email: 'agent2@example.com' });
      const forAgent = (await agent.get('/back-office')).body;
      const main = (html: string) => html.slice(html.indexOf('<main'));
      assert.ok(!main(forAgent).includes('href="/back-office/import"'));
      assert.ok(!main(forAgent).includes('href="/back-office/applications"'));
      const admin = await createStaffAndSignIn(t, { role: 'admin', email: 'admin2@example.com' });
      const forAdmin = main((await admin.get('/back-office')).body);
      for (const href of ['/back-office/import', '/back-office/equipe', '/back-office/applications']) assert.ok(forAdmin.includes(`href="${href}"`), href);
    });
  });
}
