/**
 * Issue 15: the Journal speaks French for every event the code records, and the account list
 * and the account page use the same status words.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fr } from '../../src/shared/i18n/fr.js';
import { eventLabel } from '../../src/views/back-office/pages.js';
import { seedAccount } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

/** Every audit event code written in src/ (`event: '…'` and the conditional forms). */
function eventCodesInSource(): string[] {
  const codes = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.tsx?$/.test(entry.name) && !file.includes(`${path.sep}i18n${path.sep}`)) {
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(/event: (?:[^'\n]*\? )?'([a-z_]+(?:\.[a-z_]+)*)'(?: : '([a-z_]+(?:\.[a-z_]+)*)')?/g)) {
          codes.add(m[1]!);
          if (m[2]) codes.add(m[2]);
        }
      }
    }
  };
  walk(path.resolve(import.meta.dirname, '../../src'));
  return [...codes].sort();
}

describe('Journal catalogue', () => {
  test('every audit event recorded by the code has a French label in fr.audit.events', () => {
    const codes = eventCodesInSource();
    assert.ok(codes.length >= 40, `found ${codes.length} event codes`);
    const missing = codes.filter((code) => fr.audit.events[code] === undefined);
    assert.deepEqual(missing, [], `events without a label: ${missing.join(', ')}`);
  });

  test('an unknown event code is shown as readable words, never as the raw code', () => {
    assert.equal(eventLabel('login.success'), 'Connexion réussie');
    assert.equal(eventLabel('staff.brand_new_thing'), 'Staff brand new thing');
  });
});

for (const dialect of DIALECTS) {
  describe(`Journal and account statuses [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => {
      await t.close();
    });

    test('the Journal shows French events, outcomes, actors and details, dates in DISPLAY_TIMEZONE without "(UTC)"', async () => {
      await seedAccount(t, { code: '12345' });
      await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: 'pas le bon mot de passe' });
      const agent = await createStaffAndSignIn(t);
      const page = await agent.get('/back-office/journal?type=login.');
      const main = page.body.slice(page.body.indexOf('<tbody>'));
      assert.match(main, /<td data-label="Événement">Connexion échouée<\/td>/);
      assert.match(main, /<td data-label="Résultat">Échec<\/td>/);
      assert.match(main, /<td class="long" data-label="Acteur">Visiteur<\/td>/);
      assert.match(main, /Raison : mot de passe incorrect/);
      assert.ok(!main.includes('login.failure') && !main.includes('wrong_password') && !main.includes('{"'), 'no raw code or JSON');
      // The test clock starts at 2026-01-15 09:00 UTC: 10:00 in Paris.
      assert.match(main, /<td data-label="Date" class="nowrap">15\/01\/2026 10:00<\/td>/);
      assert.ok(!page.body.includes('Date (UTC)'));
      // Issue 23: a French text field (jj/mm/aaaa), not the browser's date field (journal-dates.test.ts).
      assert.match(page.body, /<input id="du" name="du" type="text"[^>]*placeholder="jj\/mm\/aaaa"/);
    });

    test('the account list and the account page say the same status: "Lien envoyé" while a link is open', async () => {
      const account = await seedAccount(t, { code: '54321', email: 'lien@x.fr', company: 'Lien Ouvert', password: null });
      const agent = await createStaffAndSignIn(t);
      const before = await agent.get('/back-office/comptes?q=54321');
      assert.match(before.body, /<td data-label="Statut">Pré-créé<\/td>/);
      const detail = await agent.get(`/back-office/comptes/${account.id}`);
      assert.match(detail.body, /Activé le<\/dt><dd>pas encore<\/dd>/);
      await agent.post(`/back-office/comptes/${account.id}/lien`, { _csrf: csrfToken(detail.body) });
      const list = await agent.get('/back-office/comptes?q=54321');
      const page = await agent.get(`/back-office/comptes/${account.id}`);
      assert.match(list.body, /<td data-label="Statut">Lien envoyé<\/td>/);
      assert.match(page.body, /<dd><strong>Lien envoyé<\/strong><\/dd>/);
    });
  });
}
