/**
 * Issue 23: dates one way in each context — the short form in tables, the time zone named once
 * per page ("Heures indiquées en heure de Paris.") rather than in every cell — on every page whose
 * tables show times, customer and back office.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedAccount, seedMember, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, DIALECTS, type TestApp } from '../helpers/app.js';
import { createStaffAndSignIn } from '../helpers/staff.js';
import { askOptions, SoftAuthenticator } from '../helpers/webauthn.js';

const ZONE_NOTE = /Heures indiquées en heure de Paris\./g;
const SHORT_IN_CELL = /<td[^>]*>\d\d\/\d\d\/\d{4} \d\d:\d\d<\/td>/;

function assertOneWay(page: string, html: string) {
  assert.equal(html.match(ZONE_NOTE)?.length ?? 0, 1, `${page}: the zone named once`);
  assert.doesNotMatch(html, /\(heure de Paris\)/, `${page}: no zone inside a cell`);
  assert.doesNotMatch(html, /<td[^>]*>[^<]*(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d/, `${page}: no long date in a cell`);
  assert.match(html, SHORT_IN_CELL, `${page}: a short date in a cell`);
}

for (const dialect of DIALECTS) {
  describe(`times in tables: the short form, the zone once per page [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => {
      await t.close();
    });

    test('Sécurité, Clés d’accès and Mon équipe for a customer; Comptes, the company page, the journal, Équipe and Mon compte for staff', async () => {
      const holder = await seedAccount(t, { code: '12345' });
      await seedMember(t, { companyId: holder.id, email: 'paul.martin@librairie-du-port.fr', role: 'buyer' });
      const customer = new Browser(t.app);
      await customer.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const { options, csrf } = await askOptions(customer, '/espace-pro/cles', '/espace-pro/cles/options');
      await customer.post('/espace-pro/cles', { _csrf: csrf, reponse: JSON.stringify(new SoftAuthenticator().register(options)) });
      for (const page of ['/espace-pro/securite', '/espace-pro/cles', '/espace-pro/equipe']) {
        const res = await customer.get(page);
        assert.equal(res.statusCode, 200, page);
        assertOneWay(page, res.body);
      }

      const staff = await createStaffAndSignIn(t, { role: 'admin' });
      await t.db.updateTable('staff').set({ last_login_at: t.clock.now() }).where('id', '=', staff.staff.id).execute();
      for (const page of ['/back-office/comptes', `/back-office/comptes/${holder.id}`, '/back-office/journal', '/back-office/equipe', '/back-office/mon-compte']) {
        const res = await staff.get(page);
        assert.equal(res.statusCode, 200, page);
        assertOneWay(page, res.body);
      }
    });
  });
}
