import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { seedAccount, seedMember, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, inputValue, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { linkIn, SmtpSink } from '../helpers/smtp.js';

const BUYER = 'acheteur@librairie-du-port.fr';
const CHOOSER = '/espace-pro/compte-client';

/** A failure page with the parts that legitimately differ removed: the CSRF token and the typed identifier. */
function comparable(body: string): string {
  return body.replace(/name="_csrf" value="[^"]*"/g, '').replace(/(name="identifiant"[^>]*value=")[^"]*"/g, '$1"');
}

for (const dialect of DIALECTS) {
  describe(`Comptes entreprise: sign-in by e-mail, the company chooser, the reset of a member [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    let port: { companyId: number };
    let quais: { companyId: number };
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://pro.cartotheque.test' } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
      port = await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr', company: 'Librairie du Port' });
      quais = await seedAccount(t, { code: '67890', email: 'direction@quais.fr', company: 'Librairie des Quais' });
    });

    const signIn = (identifiant: string, password = STRONG_PASSWORD, browser = new Browser(t.app), extra: Record<string, string> = {}) =>
      browser.submit('/connexion', '/connexion', { identifiant, mot_de_passe: password, ...extra }).then((res) => ({ res, browser }));

    test('a person of one company signs in with their own e-mail and lands on that company’s Mon Espace Pro', async () => {
      await seedMember(t, { code: '12345', email: BUYER, role: 'buyer' });
      const { res, browser } = await signIn('  Acheteur@Librairie-du-Port.FR ');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/espace-pro');
      const home = await browser.get('/espace-pro');
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /Librairie du Port/);
    });

    test('the holder still signs in with the code, and with their own e-mail too', async () => {
      assert.equal((await signIn('12345')).res.headers.location, '/espace-pro');
      assert.equal((await signIn('contact@librairie-du-port.fr')).res.headers.location, '/espace-pro');
    });

    test('S47 every failed sign-in gives one answer, whatever the identifier’s kind: same status, same page, same cookies', async () => {
      await seedMember(t, { code: '12345', email: BUYER });
      await seedMember(t, { code: '12345', email: 'pas-encore@librairie-du-port.fr', password: null });
      const cases = {
        wrongPasswordByEmail: await signIn(BUYER, 'mauvais mot de passe vraiment'),
        unknownEmail: await signIn('personne@nulle-part.fr', 'mauvais mot de passe vraiment'),
        notActivatedEmail: await signIn('pas-encore@librairie-du-port.fr', 'mauvais mot de passe vraiment'),
        wrongPasswordByCode: await signIn('12345', 'mauvais mot de passe vraiment'),
        unknownCode: await signIn('99999', 'mauvais mot de passe vraiment'),
        malformed: await signIn('pas un identifiant', 'mauvais mot de passe vraiment'),
      };
      const reference = cases.wrongPasswordByEmail.res;
      for (const [name, { res }] of Object.entries(cases)) {
        assert.equal(res.statusCode, 401, name);
        assert.equal(comparable(res.body), comparable(reference.body), `${name}: the same page`);
        assert.deepEqual(
          (res.cookies as Array<{ name: string }>).map((c) => c.name).sort(),
          (reference.cookies as Array<{ name: string }>).map((c) => c.name).sort(),
          `${name}: the same cookies`,
        );
      }
    });

    test('S47 S7 a sign-in by e-mail costs exactly one argon2 verification, like one by code, the dummy hash when nothing matches', async () => {
      await seedMember(t, { code: '12345', email: BUYER });
      for (const identifiant of [BUYER, 'personne@nulle-part.fr', '12345', '99999']) {
        t.hasher.verifyCalls = 0;
        t.hasher.verified.length = 0;
        await signIn(identifiant, 'mauvais mot de passe vraiment');
        assert.equal(t.hasher.verifyCalls, 1, identifiant);
      }
      t.hasher.verified.length = 0;
      await signIn('personne@nulle-part.fr', 'mauvais mot de passe vraiment');
      const real = await t.db.selectFrom('accounts').select('password_hash').where('email_lc', '=', BUYER).executeTakeFirstOrThrow();
      assert.notEqual(t.hasher.verified[0], real.password_hash, 'an unknown address is checked against the dummy hash');
    });

    test('S8 S36 an e-mail identifier is slowed down like a code: 20 parallel wrong passwords, at most 5 verified', async () => {
      await seedMember(t, { code: '12345', email: BUYER });
      t.hasher.verifyCalls = 0;
      t.hasher.verified.length = 0;
      const real = (await t.db.selectFrom('accounts').select('password_hash').where('email_lc', '=', BUYER).executeTakeFirstOrThrow()).password_hash;
      const results = await Promise.all(Array.from({ length: 20 }, () => signIn(BUYER, 'mauvais mot de passe vraiment')));
      assert.ok(results.every(({ res }) => res.statusCode === 401));
      assert.ok(t.hasher.verified.filter((h) => h === real).length <= 5, `at most 5 checks of the real hash, got ${t.hasher.verified.filter((h) => h === real).length}`);
      // Positive control: the right password is refused too while slowed down, with the same words as an unknown address.
      const right = await signIn(BUYER);
      assert.equal(right.res.statusCode, 401);
      // (20 + 1 + 6 failures stay under the 30 a client IP may make in 10 minutes, S9.)
      await Promise.all(Array.from({ length: 6 }, () => signIn('personne@nulle-part.fr', 'mauvais mot de passe vraiment')));
      const unknown = await signIn('personne@nulle-part.fr');
      assert.equal(comparable(unknown.res.body), comparable(right.res.body));
      assert.match(right.res.body, /Réessayez dans/);
    });

    test('two people who share an address from before company accounts: the address alone signs nobody in', async () => {
      await t.db.updateTable('accounts').set({ email: 'commun@x.fr', email_lc: 'commun@x.fr' }).execute();
      assert.equal((await signIn('commun@x.fr')).res.statusCode, 401);
      assert.equal((await signIn('12345')).res.statusCode, 303, 'each keeps its code');
    });

    test('Choisissez le compte client: a person of two companies chooses after signing in, then switches without signing in again', async () => {
      await seedMember(t, { code: '12345', email: BUYER, role: 'buyer' });
      await seedMember(t, { code: '67890', email: BUYER, role: 'viewer' });
      const { res, browser } = await signIn(BUYER);
      assert.equal(res.headers.location, CHOOSER);
      // Before choosing, every customer page leads to the chooser, and comes back after.
      const early = await browser.get('/espace-pro/securite');
      assert.equal(early.statusCode, 303);
      assert.equal(early.headers.location, `${CHOOSER}?next=${encodeURIComponent('/espace-pro/securite')}`);
      const chooser = await browser.get(CHOOSER);
      assert.equal(chooser.statusCode, 200);
      assert.match(chooser.body, /Choisissez le compte client/);
      assert.match(chooser.body, /Librairie du Port/);
      assert.match(chooser.body, /Librairie des Quais/);
      const chosen = await browser.post(CHOOSER, { _csrf: csrfToken(chooser.body), compte: String(quais.companyId), next: '/espace-pro/securite' });
      assert.equal(chosen.statusCode, 303);
      assert.equal(chosen.headers.location, '/espace-pro/securite');
      assert.match((await browser.get('/espace-pro')).body, /Librairie des Quais/);
      const again = await browser.get(CHOOSER);
      const switched = await browser.post(CHOOSER, { _csrf: csrfToken(again.body), compte: String(port.companyId) });
      assert.equal(switched.headers.location, '/espace-pro');
      assert.match((await browser.get('/espace-pro')).body, /Librairie du Port/);
      const events = await t.db.selectFrom('audit_log').select(['event', 'company_id']).where('event', '=', 'company.chosen').orderBy('id').execute();
      assert.deepEqual(events.map((e) => e.company_id), [quais.companyId, port.companyId]);
    });

    test('S43 the chooser refuses another person’s company, an unknown one and a disabled one with one answer', async () => {
      await seedMember(t, { code: '12345', email: BUYER });
      await seedMember(t, { code: '67890', email: BUYER });
      const other = await seedAccount(t, { code: '24680', email: 'autre@x.fr', company: 'Papeterie Autre' });
      const { browser } = await signIn(BUYER);
      await t.db.updateTable('companies').set({ disabled_at: t.clock.now() }).where('id', '=', quais.companyId).execute();
      const answers: Array<{ statusCode: number; headers: Record<string, unknown> }> = [];
      for (const compte of [String(other.companyId), '999999', String(quais.companyId), '-1', '1e3', ' 1', String(port.companyId).padStart(30, '0')]) {
        const page = await browser.get(CHOOSER);
        answers.push(await browser.post(CHOOSER, { _csrf: csrfToken(page.body), compte }));
      }
      for (const res of answers) {
        assert.ok([400, 404].includes(res.statusCode), String(res.statusCode));
        assert.equal(res.headers.location, undefined);
      }
      const row = await t.db.selectFrom('sessions').select('company_id').executeTakeFirstOrThrow();
      assert.equal(row.company_id, null, 'still not signed in to any company');
      // Positive control: the person's own open company is accepted.
      const page = await browser.get(CHOOSER);
      assert.equal((await browser.post(CHOOSER, { _csrf: csrfToken(page.body), compte: String(port.companyId) })).statusCode, 303);
    });

    test('S45 a membership removed ends the person’s access to that company on their next request', async () => {
      const member = await seedMember(t, { code: '12345', email: BUYER });
      const { browser } = await signIn(BUYER);
      assert.equal((await browser.get('/espace-pro')).statusCode, 200);
      await t.db.deleteFrom('memberships').where('account_id', '=', member.id).execute();
      const next = await browser.get('/espace-pro');
      assert.equal(next.statusCode, 303);
      assert.match(next.headers.location as string, /^\/connexion/);
    });

    test('a remembered browser comes back to the company it chose', async () => {
      await seedMember(t, { code: '12345', email: BUYER });
      await seedMember(t, { code: '67890', email: BUYER });
      const { browser } = await signIn(BUYER, STRONG_PASSWORD, new Browser(t.app), { memoriser: '1' });
      const page = await browser.get(CHOOSER);
      await browser.post(CHOOSER, { _csrf: csrfToken(page.body), compte: String(quais.companyId) });
      browser.jar.cookies.delete('__Host-ep_session');
      const home = await browser.get('/espace-pro');
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /Librairie des Quais/);
    });

    test('Mot de passe oublié with the customer code and a member’s own e-mail reaches that member, shown by e-mail on the activation page', async () => {
      await seedMember(t, { code: '12345', email: BUYER, password: null });
      const browser = new Browser(t.app);
      await browser.submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant: '12345', email: BUYER.toUpperCase() });
      await t.outbox.drain();
      assert.deepEqual(smtp.messages.map((m) => (m.to as { text: string }).text), [BUYER]);
      const link = new URL(linkIn(smtp.messages[0]!));
      const first = await browser.get(link.pathname + link.search);
      const page = await browser.get(first.headers.location as string);
      assert.equal(inputValue(page.body, 'identifiant'), BUYER);
      const done = await browser.post('/activation', { _csrf: csrfToken(page.body), mot_de_passe: 'un vélo bleu sous la pluie', confirmation: 'un vélo bleu sous la pluie' });
      assert.equal(done.statusCode, 303);
      assert.equal((await signIn(BUYER, 'un vélo bleu sous la pluie')).res.statusCode, 303);
      const holder = await signIn('12345');
      assert.equal(holder.res.statusCode, 303, 'the holder’s password did not change');
    });

    test('S47 with an e-mail as Identifiant the Email field must be the same address; otherwise no mail, the same answer', async () => {
      await seedMember(t, { code: '12345', email: BUYER });
      const answers: Array<{ statusCode: number; headers: Record<string, unknown> }> = [];
      for (const [identifiant, email] of [
        [BUYER, 'contact@librairie-du-port.fr'],
        ['personne@nulle-part.fr', 'personne@nulle-part.fr'],
        ['67890', BUYER],
        [BUYER, BUYER],
      ] as const) {
        answers.push(await new Browser(t.app).submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant, email }));
      }
      await t.outbox.drain();
      assert.deepEqual(smtp.messages.map((m) => (m.to as { text: string }).text), [BUYER], 'only the matching request sends a mail');
      assert.ok(answers.every((a) => a.statusCode === answers[0]!.statusCode && a.headers.location === answers[0]!.headers.location));
    });
  });
}
