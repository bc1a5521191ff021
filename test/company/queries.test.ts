import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedAccount, seedMember, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, DIALECTS, type TestApp } from '../helpers/app.js';

// Company accounts must not make the daily pages dearer: the signed-in home of a person with one
// company runs the same statements as before (one session lookup, the application list), and the
// chooser adds one.
for (const dialect of DIALECTS) {
  describe(`Comptes entreprise: what the signed-in pages cost in queries [${dialect}]`, () => {
    let t: TestApp;
    let seen: string[] = [];
    before(async () => {
      t = await buildTestApp(dialect, { onQuery: (sql) => seen.push(sql) });
      await seedAccount(t, { code: '12345' });
      await seedAccount(t, { code: '67890', email: 'direction@quais.fr', company: 'Librairie des Quais' });
      await seedMember(t, { code: '12345', email: 'deux@librairies.fr' });
      await seedMember(t, { code: '67890', email: 'deux@librairies.fr' });
    });
    after(async () => t.close());

    const queriesOf = async (browser: Browser, url: string) => {
      await browser.get(url); // the first view may touch the session's last_seen: not counted
      seen = [];
      const res = await browser.get(url);
      assert.equal(res.statusCode, 200);
      return seen.filter((sql) => !/^\s*(begin|commit|savepoint|release)/i.test(sql));
    };

    test('Mon Espace Pro of a one-company person: one session query (with the company and the role) and the application list', async () => {
      const browser = new Browser(t.app);
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const queries = await queriesOf(browser, '/espace-pro');
      assert.equal(queries.length, 2, queries.join('\n'));
      assert.match(queries[0]!, /from "sessions"/);
      assert.match(queries[0]!, /join "companies"/);
      assert.match(queries[1]!, /from "oidc_clients"/);
    });

    test('Choisissez le compte client adds one query: the person’s companies', async () => {
      const browser = new Browser(t.app);
      await browser.submit('/connexion', '/connexion', { identifiant: 'deux@librairies.fr', mot_de_passe: STRONG_PASSWORD });
      const queries = await queriesOf(browser, '/espace-pro/compte-client');
      assert.equal(queries.length, 2, queries.join('\n'));
      assert.match(queries[0]!, /from "sessions"/);
      assert.match(queries[1]!, /from "accounts"/);
    });
  });
}
