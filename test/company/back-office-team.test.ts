import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { findAccountByCode } from '../../src/modules/account/account.repository.js';
import { type Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn } from '../helpers/staff.js';
import { addMember, invitationLink, lastMailTo, seedCompany, signedIn } from './support.js';

for (const dialect of DIALECTS) {
  describe(`the company page in the back office: people, invitations, staff actions [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => resetDatabase(t.db, t.dialect));

    async function act(browser: Browser, page: string, action: string, form: Record<string, string> = {}) {
      const html = await browser.get(page);
      return browser.post(action, { _csrf: csrfToken(html.body), ...form });
    }

    async function fixture() {
      const a = await seedCompany(t, { code: '11111', company: 'Librairie du Port', email: 'admin@port.fr' });
      const b = await seedCompany(t, { code: '22222', company: 'Papeterie Martin', email: 'admin@martin.fr' });
      const buyer = await addMember(t, a.companyId, { email: 'acheteur@port.fr', role: 'buyer', givenName: 'Anne', familyName: 'Achat' });
      const bBuyer = await addMember(t, b.companyId, { email: 'acheteur@martin.fr', role: 'buyer' });
      const staff = await createStaffAndSignIn(t, { email: 'agent.a@cartotheque.test' });
      return { a, b, buyer, bBuyer, staff, page: `/back-office/comptes/${a.companyId}` };
    }

    test('the company page lists its people (role, state, last sign-in) and pending invitations; staff invite with the same service (mail from customer service), audited', async () => {
      const { a, staff, page } = await fixture();
      const html = await staff.get(page);
      assert.equal(html.statusCode, 200);
      for (const text of ['Personnes du compte client', 'admin@port.fr', 'Anne Achat', 'acheteur@port.fr', 'Administrateur', 'Acheteur', 'actif', 'jamais', 'Transmettre le code client', 'Désactiver la personne', 'Inviter un collaborateur', 'Invitations en attente']) {
        assert.ok(html.body.includes(text), text);
      }
      assert.ok(!html.body.includes('martin.fr'));
      const invited = await act(staff, page, `${page}/invitations`, { prenom: 'Léa', nom: 'Petit', email: 'lea@port.fr', role: 'admin' });
      assert.equal(invited.statusCode, 303);
      const row = await t.db.selectFrom('invitations').selectAll().where('email', '=', 'lea@port.fr').executeTakeFirstOrThrow();
      assert.equal(Number(row.invited_by_staff_id), staff.staff.id);
      assert.equal(row.invited_by_account_id, null);
      const mail = await lastMailTo(t, 'lea@port.fr');
      assert.match(mail.text_body!, /Le service client Cartothèque vous invite à rejoindre l’Espace Pro de Librairie du Port/);
      invitationLink(mail.text_body!);
      const after = await staff.get(page);
      assert.ok(after.body.includes('lea@port.fr') && after.body.includes('agent.a@cartotheque.test'));
      const audit = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'team.invited').executeTakeFirstOrThrow();
      assert.equal(audit.actor_type, 'staff');
      assert.equal(audit.actor_id, 'agent.a@cartotheque.test');
      assert.equal(Number(audit.company_id), a.companyId);
      // Errors next to the fields, input kept.
      const bad = await act(staff, page, `${page}/invitations`, { prenom: '', nom: 'X', email: 'acheteur@port.fr', role: 'buyer' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /id="prenom-erreur"/);
    });

    test('S43 staff actions name a person of this company only: a person or invitation of another company is not found, nothing changed', async () => {
      const { b, bBuyer, staff, page } = await fixture();
      await act(staff, `/back-office/comptes/${b.companyId}`, `/back-office/comptes/${b.companyId}/invitations`, { prenom: 'P', nom: 'Q', email: 'p@martin.fr', role: 'viewer' });
      const bInvitation = Number((await t.db.selectFrom('invitations').select('id').executeTakeFirstOrThrow()).id);
      const before = JSON.stringify(await t.db.selectFrom('memberships').selectAll().orderBy('id').execute()) + JSON.stringify(await t.db.selectFrom('invitations').selectAll().execute());
      for (const [action, form] of [
        [`personnes/${bBuyer}/role`, { role: 'admin' }],
        [`personnes/${bBuyer}/retirer`, {}],
        [`personnes/${bBuyer}/titulaire`, {}],
        [`personnes/${bBuyer}/lien`, {}],
        [`personnes/${bBuyer}/desactiver`, {}],
        [`personnes/${bBuyer}/email`, { [`email-${bBuyer}`]: 'x@y.fr' }],
        [`invitations/${bInvitation}/renvoyer`, {}],
        [`invitations/${bInvitation}/retirer`, {}],
      ] as const) {
        const res = await act(staff, page, `${page}/${action}`, form);
        assert.equal(res.statusCode, 404, action);
      }
      const after = JSON.stringify(await t.db.selectFrom('memberships').selectAll().orderBy('id').execute()) + JSON.stringify(await t.db.selectFrom('invitations').selectAll().execute());
      assert.equal(after, before);
      assert.equal((await t.db.selectFrom('accounts').select('disabled_at').where('id', '=', bBuyer).executeTakeFirstOrThrow()).disabled_at, null);
    });

    test('S46 staff hand the holder role over: the code now signs the new holder in; the former holder can then be changed', async () => {
      const { a, buyer, staff, page } = await fixture();
      const refused = await act(staff, page, `${page}/personnes/${a.holderId}/role`, { role: 'viewer' });
      assert.equal(refused.statusCode, 409);
      assert.match(refused.body, /titulaire du code client reste administrateur/);
      assert.equal((await act(staff, page, `${page}/personnes/${buyer}/titulaire`)).statusCode, 303);
      const holder = await findAccountByCode(t.db, '11111');
      assert.equal(holder?.id, buyer);
      assert.equal(holder?.role, 'admin');
      assert.equal((await act(staff, page, `${page}/personnes/${a.holderId}/role`, { role: 'viewer' })).statusCode, 303);
      const audit = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'team.holder_handed_over').executeTakeFirstOrThrow();
      assert.equal(Number(audit.account_id), buyer);
      assert.equal(Number(audit.company_id), a.companyId);
    });

    test('S45 S46 staff disable a person: signed out everywhere at once; never the last active administrator', async () => {
      const { a, buyer, staff, page } = await fixture();
      const session = await signedIn(t, buyer, a.companyId);
      assert.equal((await session.get('/espace-pro')).statusCode, 200);
      assert.equal((await act(staff, page, `${page}/personnes/${buyer}/desactiver`)).statusCode, 303);
      assert.equal((await session.get('/espace-pro')).statusCode, 303);
      assert.match((await staff.get(page)).body, /désactivé/);
      const last = await act(staff, page, `${page}/personnes/${a.holderId}/desactiver`);
      assert.equal(last.statusCode, 409);
      assert.match(last.body, /seul administrateur actif/);
      assert.equal((await act(staff, page, `${page}/personnes/${buyer}/reactiver`)).statusCode, 303);
      const events = (await t.db.selectFrom('audit_log').select(['event', 'account_id', 'company_id']).where('event', 'like', 'staff.person_%').execute()).map((e) => `${e.event}:${e.account_id}:${e.company_id}`);
      assert.deepEqual(events, [`staff.person_disabled:${buyer}:${a.companyId}`, `staff.person_enabled:${buyer}:${a.companyId}`]);
    });

    test('S37 four eyes per person: a member’s e-mail change waits for a second staff member, listed with the pending changes', async () => {
      const { buyer, staff, page } = await fixture();
      const colleague = await createStaffAndSignIn(t, { email: 'agent.b@cartotheque.test' });
      assert.equal((await act(staff, page, `${page}/personnes/${buyer}/email`, { [`email-${buyer}`]: 'nouvelle@port.fr' })).statusCode, 303);
      assert.equal((await t.db.selectFrom('accounts').select('email').where('id', '=', buyer).executeTakeFirstOrThrow()).email, 'acheteur@port.fr', 'not yet');
      const list = await staff.get('/back-office/comptes');
      assert.ok(list.body.includes('nouvelle@port.fr'), 'the pending list shows a non-holder');
      const own = await act(staff, page, `${page}/personnes/${buyer}/email/approuver`);
      assert.equal(own.statusCode, 409, 'not by the one who asked');
      assert.equal((await act(colleague, page, `${page}/personnes/${buyer}/email/approuver`)).statusCode, 303);
      assert.equal((await t.db.selectFrom('accounts').select('email').where('id', '=', buyer).executeTakeFirstOrThrow()).email, 'nouvelle@port.fr');
      assert.equal((await lastMailTo(t, 'acheteur@port.fr')).kind, 'email_changed_notice', 'the old address is told');
    });
  });
}
