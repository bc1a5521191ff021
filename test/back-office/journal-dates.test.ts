/**
 * Issue 23: the Journal's date filters are French text fields ("jj/mm/aaaa"): Chromium would
 * print its own "mm/dd/yyyy" in a date field whatever the page's language. A day typed as
 * jj/mm/aaaa or ISO filters the same entries; a day that does not exist comes back with a French
 * message next to its field and what was typed kept, in every field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseDay } from '../../src/shared/format.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, DIALECTS, inputValue, type TestApp } from '../helpers/app.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

describe('parseDay', () => {
  test('jj/mm/aaaa (with / . or -, one or two digits) and ISO; anything else, or a day the calendar lacks, is null', () => {
    const cases: Array<[string, string | null]> = [
      ['15/01/2026', '2026-01-15'],
      [' 5/1/2026 ', '2026-01-05'],
      ['15.01.2026', '2026-01-15'],
      ['15-01-2026', '2026-01-15'],
      ['2026-01-15', '2026-01-15'],
      ['29/02/2028', '2028-02-29'],
      ['29/02/2026', null],
      ['31/04/2026', null],
      ['01/13/2026', null],
      ['00/01/2026', null],
      ['2026-13-01', null],
      ['2026-02-30', null],
      ['01/15/2026', null], // mm/dd/yyyy, what Chromium would have shown: refused, not misread
      ['15/01/26', null],
      ['hier', null],
      ['', null],
    ];
    for (const [typed, expected] of cases) assert.equal(parseDay(typed), expected, typed);
  });
});

for (const dialect of DIALECTS) {
  describe(`Journal date filters in French [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => {
      await t.close();
    });

    test('jj/mm/aaaa filters like ISO; a bad day: 400, a French message next to the field, every typed value kept', async () => {
      await seedAccount(t, { code: '12345' });
      await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD }); // 15/01/2026
      t.clock.advance(2 * 86_400_000);
      await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '99999', mot_de_passe: 'raté' }); // 17/01/2026
      const agent = await createStaffAndSignIn(t);
      const events = async (query: string) => [...(await agent.get(`/back-office/journal?${query}`)).body.matchAll(/<td data-label="Événement">(Connexion [a-zéè]+)<\/td>/g)].map((m) => m[1]);

      const page = (await agent.get('/back-office/journal')).body;
      for (const name of ['du', 'au']) {
        const input = new RegExp(`<input id="${name}" name="${name}" type="text"[^>]*placeholder="jj/mm/aaaa"`).exec(page);
        assert.ok(input, `${name}: a text field showing jj/mm/aaaa`);
      }
      assert.ok(!page.includes('type="date"'), 'no browser date field');

      assert.deepEqual(await events('type=login.&du=16/01/2026'), ['Connexion échouée']);
      assert.deepEqual(await events('type=login.&du=2026-01-16'), ['Connexion échouée']);
      assert.deepEqual(await events('type=login.&au=15/01/2026'), ['Connexion réussie'], '"Au" includes its day');
      assert.deepEqual(await events('type=login.&du=15.01.2026&au=17-01-2026'), ['Connexion échouée', 'Connexion réussie']);

      const bad = await agent.get(`/back-office/journal?${new URLSearchParams({ type: 'login.', compte: '12345', du: '31/02/2026', au: '17/01/2026' })}`);
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /<p class="error" id="du-erreur"><span class="visually-hidden">[^<]*<\/span>Date invalide : écrivez-la jj\/mm\/aaaa, par exemple 15\/01\/2026\.<\/p>/);
      assert.ok(!bad.body.includes('id="au-erreur"'), 'the good day is not marked');
      assert.match(bad.body, /<input id="du" name="du" type="text" value="31\/02\/2026"[^>]*aria-invalid="true"[^>]*aria-describedby="du-erreur"/);
      assert.equal(inputValue(bad.body, 'au'), '17/01/2026');
      assert.equal(inputValue(bad.body, 'compte'), '12345');
      assert.match(bad.body, /<option value="login\." selected|<option selected value="login\."/);
    });
  });
}
