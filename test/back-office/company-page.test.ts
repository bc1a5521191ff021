/**
 * Issue 23: the company page links to that company's journal, and says a lock in force as the
 * Comptes list does ("Verrouillé jusqu’à 14 h 32"), on the customer code and on each of its
 * people's e-mail sign-in, with the action that clears it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedAccount, seedMember } from '../helpers/accounts.js';
import { buildTestApp, DIALECTS, type TestApp } from '../helpers/app.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`Back office company page: journal link and locks [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => {
      await t.close();
    });

    const companyId = async (code: string) => Number((await t.db.selectFrom('companies').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id);

    test('the company page links to the journal filtered on its code, which lists that company’s entries only', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr', company: 'Librairie du Port' });
      await seedAccount(t, { code: '67890', email: 'bonjour@cartes.fr', company: 'Cartes & Co' });
      const agent = await createStaffAndSignIn(t);
      const page = await agent.get(`/back-office/comptes/${await companyId('12345')}`);
      assert.equal(page.statusCode, 200);
      const link = /<a href="(\/back-office\/journal\?compte=12345)">Journal du compte 12345<\/a>/.exec(page.body);
      assert.ok(link, 'a link to the company’s journal');
      const journal = await agent.get(link[1]!);
      assert.equal(journal.statusCode, 200);
      const codes = [...journal.body.matchAll(/data-label="Code client">([^<]*)</g)].map((m) => m[1]);
      assert.ok(codes.length > 0 && codes.every((c) => c === '12345'), `entries of 12345 only (${codes.join(', ')})`);
      assert.doesNotMatch(journal.body, /67890|bonjour@cartes\.fr/, 'another company’s entries are not listed');
      assert.match(journal.body, /name="compte"[^>]*value="12345"|value="12345"[^>]*name="compte"/, 'the filter shows the code');
    });

    test('"Verrouillé jusqu’à …" for the code and for a person’s e-mail, not for an ended lock nor another company’s person; Déverrouiller clears them', async () => {
      await seedAccount(t, { code: '24680', email: 'achats@papeterie.fr', company: 'Papeterie du Centre' });
      await seedMember(t, { code: '24680', email: 'Paul.Martin@papeterie.fr', role: 'buyer' });
      await seedMember(t, { code: '24680', email: 'ancien@papeterie.fr', role: 'viewer' });
      await seedAccount(t, { code: '13579', email: 'autre@ailleurs.fr', company: 'Ailleurs' });
      const now = t.clock.now();
      const lock = (key: string, until: number) => t.db.insertInto('login_throttle').values({ key, failures: 6, blocked_until: until, updated_at: now }).execute();
      await lock('24680', now + 12 * MINUTE);
      await lock('email:paul.martin@papeterie.fr', now + 5 * MINUTE);
      await lock('email:ancien@papeterie.fr', now - MINUTE); // ended: not a lock any more
      await lock('email:autre@ailleurs.fr', now + 7 * MINUTE); // another company's person

      const agent = await createStaffAndSignIn(t);
      const url = `/back-office/comptes/${await companyId('24680')}`;
      const before = (await agent.get(url)).body;
      // The test clock is 09:00 UTC, 10:00 in Paris.
      assert.match(before, /Verrouillé jusqu’à 10\u00a0h\u00a012<\/strong> \(connexion avec le code client 24680\)/);
      assert.match(before, /Verrouillé jusqu’à 10\u00a0h\u00a005<\/strong> \(connexion avec l’adresse paul\.martin@papeterie\.fr\)/);
      assert.doesNotMatch(before, /ancien@papeterie\.fr\)/);
      assert.doesNotMatch(before, /autre@ailleurs\.fr/);
      assert.equal((before.match(/Verrouillé jusqu’à/g) ?? []).length, 2);
      assert.match(before, new RegExp(`action="${url}/debloquer"[\\s\\S]*?>Déverrouiller</button>`));

      // An account whose only lock is on a person's e-mail shows it too.
      const other = await agent.get(`/back-office/comptes/${await companyId('13579')}`);
      assert.match(other.body, /Verrouillé jusqu’à 10\u00a0h\u00a007<\/strong> \(connexion avec l’adresse autre@ailleurs\.fr\)/);

      const done = await agent.submit(url, `${url}/debloquer`, {});
      assert.equal(done.statusCode, 303);
      const keys = (await t.db.selectFrom('login_throttle').select('key').execute()).map((r) => r.key).sort();
      assert.deepEqual(keys, ['email:autre@ailleurs.fr'], 'the company’s code and people unlocked, nobody else');
      const after = (await agent.get(url)).body;
      assert.doesNotMatch(after, /Verrouillé jusqu’à/);
      const audit = await t.db.selectFrom('audit_log').select(['target']).where('event', '=', 'staff.throttle_cleared').execute();
      assert.deepEqual(audit.map((a) => a.target), ['24680']);
    });
  });
}
