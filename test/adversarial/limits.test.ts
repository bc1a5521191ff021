import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { SmtpSink } from '../helpers/smtp.js';
import { createStaffAndSignIn, currentTotp, nextTotpStep, seedStaff, type SeededStaff } from '../helpers/staff.js';
import { checksAgainst, CUSTOMER_PASSWORD_NEW, freshIp, linkInText, shortly, Visitor } from './support.js';

/**
 * S36: every limit must hold when the attempts arrive together. Each test fires its attempts with
 * Promise.all and counts, through the hasher, how many were really checked against the real hash.
 */
for (const dialect of DIALECTS) {
  describe(`adversarial: limits under concurrency [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, dialect);
      smtp.clear();
      t.hasher.verified.length = 0;
    });

    const passwordHashOf = async (table: 'accounts' | 'staff', id: number) =>
      (await t.db.selectFrom(table).select('password_hash').where('id', '=', id).executeTakeFirstOrThrow()).password_hash!;

    /** A customer's login from a fresh browser: GET the page for its CSRF token, then POST. */
    async function customerLoginForm(ip = freshIp()) {
      const visitor = new Visitor(t, ip);
      const token = await visitor.csrf('/connexion');
      return (identifiant: string, mot_de_passe: string) => visitor.post('/connexion', { _csrf: token, identifiant, mot_de_passe });
    }

    async function staffLoginForm(ip = freshIp()) {
      const visitor = new Visitor(t, ip);
      const token = await visitor.csrf('/back-office/connexion');
      return (email: string, mot_de_passe: string) => visitor.post('/back-office/connexion', { _csrf: token, email, mot_de_passe });
    }

    /** The page, without what legitimately differs between two answers (CSRF values, the echoed identifier). */
    const normalised = (body: string, identifier: string) => body.replace(/value="[^"]*"/g, 'value=""').replaceAll(identifier, 'ID');

    test('S36 S8 25 parallel logins for one customer code (24 wrong, right one last): at most 5 checked against the real hash, the right one refused while throttled', async () => {
      const account = await seedAccount(t, { code: '12345' });
      const realHash = await passwordHashOf('accounts', account.id);

      // Positive control: the right password alone signs in, checked once against the real hash.
      const control = await (await customerLoginForm())('12345', STRONG_PASSWORD);
      assert.equal(control.statusCode, 303, 'control: the right password signs in');
      assert.equal(checksAgainst(t, [realHash]), 1, 'control: one check against the real hash');
      // The ordinary failure answer (S6), for an unknown code, from its own address.
      const wrong = await (await customerLoginForm())('99998', 'pas le bon mot de passe');
      assert.ok(wrong.statusCode >= 400 && wrong.statusCode < 500 && wrong.statusCode !== 429, `ordinary failure status (${wrong.statusCode})`);
      t.hasher.verified.length = 0;

      const attack = async (code: string) => {
        const forms = await Promise.all(Array.from({ length: 25 }, () => customerLoginForm()));
        const wrongOnes = forms.slice(0, 24).map((send, i) => send(code, `mauvais mot de passe ${i}`));
        await shortly(); // the right one arrives while the 24 wrong ones are still in flight
        const right = forms[24]!(code, STRONG_PASSWORD);
        return Promise.all([...wrongOnes, right]);
      };
      const answers = await attack('12345');
      const checked = checksAgainst(t, [realHash]);
      const last = answers[24]!;
      const statuses = answers.map((a) => a.statusCode);
      assert.ok(checked <= 5, `${checked} of 25 attempts checked against the real hash (at most 5 allowed); statuses ${JSON.stringify(statuses)}`);
      assert.notEqual(last.statusCode, 303, 'the right password, arriving after 24 failures, is refused while throttled');
      // S6: every answer, the throttled one included, is the ordinary failure answer (no 429: each attempt has its own address).
      for (const [i, a] of answers.entries()) {
        assert.equal(a.statusCode, wrong.statusCode, `attempt ${i + 1}: same status as a wrong password`);
        assert.match(a.body, /name="identifiant"/, `attempt ${i + 1}: the login page again`);
      }

      // S8/S6: an unknown code under the same attack gets exactly the same answers.
      const twin = await attack('99999');
      assert.deepEqual(twin.map((a) => a.statusCode), statuses, 'unknown code: same statuses');
      assert.equal(normalised(twin[24]!.body, '99999'), normalised(last.body, '12345'), 'unknown code: the same page for the last attempt');
    });

    test('S36 S9 80 parallel staff logins from one IP: at most 30 checked against real hashes, the rest 429', async () => {
      // 16 members × 5 attempts: no member reaches its own throttle (S8), only the address limit counts.
      const members: SeededStaff[] = [];
      for (let i = 0; i < 16; i++) members.push(await seedStaff(t, { email: `agent-${i}@cartotheque.test` }));
      const bystander = await seedStaff(t, { email: 'temoin@cartotheque.test' });
      const realHashes = await Promise.all(members.map((m) => passwordHashOf('staff', m.id)));
      t.hasher.verified.length = 0;

      const ip = freshIp();
      const forms = await Promise.all(Array.from({ length: 80 }, () => staffLoginForm(ip)));
      const answers = await Promise.all(forms.map((send, i) => send(members[i % 16]!.email, `mauvais mot de passe ${i}`)));
      const checked = checksAgainst(t, realHashes);
      const limited = answers.filter((a) => a.statusCode === 429).length;
      assert.ok(checked <= 30, `${checked} of 80 attempts checked against the real hashes (at most 30 allowed)`);
      assert.ok(80 - limited <= 30, `${80 - limited} of 80 answered without 429 (at most 30 allowed)`);
      for (const a of answers) assert.ok(a.statusCode < 500, `no server error (${a.statusCode})`);
      const tooMany = answers.find((a) => a.statusCode === 429);
      if (tooMany) assert.match(tooMany.body, /Trop de tentatives/, 'a French 429 page');

      // Positive control: the right password from another address still opens the TOTP step.
      const ok = await (await staffLoginForm())(bystander.email, bystander.password);
      assert.equal(ok.statusCode, 303, 'control: the right password from another address');
      assert.equal(ok.headers.location, '/back-office/connexion/code');
    });

    test('S36 S8 parallel staff logins for one staff e-mail: at most 5 checked', async () => {
      const staff = await seedStaff(t, { email: 'agent@cartotheque.test' });
      const realHash = await passwordHashOf('staff', staff.id);
      const control = await (await staffLoginForm())(staff.email, staff.password);
      assert.equal(control.statusCode, 303, 'control: the right password alone opens the TOTP step');
      assert.equal(control.headers.location, '/back-office/connexion/code');
      const wrong = await (await staffLoginForm())('personne@cartotheque.test', 'pas le bon mot de passe');
      t.hasher.verified.length = 0;

      const forms = await Promise.all(Array.from({ length: 25 }, () => staffLoginForm()));
      const wrongOnes = forms.slice(0, 24).map((send, i) => send(staff.email, `mauvais mot de passe ${i}`));
      await shortly();
      const right = forms[24]!(staff.email, staff.password);
      const answers = await Promise.all([...wrongOnes, right]);
      const checked = checksAgainst(t, [realHash]);
      assert.ok(checked <= 5, `${checked} of 25 attempts checked against the real hash (at most 5 allowed)`);
      assert.notEqual(answers[24]!.statusCode, 303, 'the right password, after 24 failures, is refused while throttled');
      for (const [i, a] of answers.entries()) assert.equal(a.statusCode, wrong.statusCode, `attempt ${i + 1}: same status as a wrong password (S6)`);
    });

    test('S36 S8 parallel wrong TOTP codes for one staff member are throttled: the right code among them is refused', async () => {
      const staff = await seedStaff(t, { email: 'agent@cartotheque.test' });

      /** A browser past the password step, on the code page. */
      const atCodeStep = async () => {
        const visitor = new Visitor(t, freshIp());
        const first = await visitor.post('/back-office/connexion', { _csrf: await visitor.csrf('/back-office/connexion'), email: staff.email, mot_de_passe: staff.password });
        assert.equal(first.statusCode, 303, 'password step');
        const token = csrfToken((await visitor.get('/back-office/connexion/code')).body);
        return (code: string) => visitor.post('/back-office/connexion/code', { _csrf: token, code });
      };

      // Positive control: the right code alone completes the login.
      nextTotpStep(t);
      const control = await (await atCodeStep())(currentTotp(t, staff.totpSecret));
      assert.equal(control.statusCode, 303, 'control: the right code signs in');
      assert.equal(control.headers.location, '/back-office');

      nextTotpStep(t); // a fresh code, never used (no replay)
      const send = await atCodeStep();
      const valid = new Set([-1, 0, 1].map((o) => currentTotp(t, staff.totpSecret, o)));
      const wrongCodes: string[] = [];
      for (let n = 0; wrongCodes.length < 20; n++) if (!valid.has(String(n).padStart(6, '0'))) wrongCodes.push(String(n).padStart(6, '0'));
      // No pause here: without hashing, the wrong ones would all be settled before the right one left.
      const wrongOnes = wrongCodes.map((code) => send(code));
      const right = send(currentTotp(t, staff.totpSecret));
      const answers = await Promise.all([...wrongOnes, right]);
      const rightAnswer = answers[20]!;
      const opened = answers.filter((a) => a.statusCode === 303).length;
      assert.notEqual(rightAnswer.statusCode, 303, `the right code after 20 wrong ones is refused while throttled (statuses ${JSON.stringify(answers.map((a) => a.statusCode))})`);
      assert.equal(opened, 0, 'no attempt of the batch opened a session');
      for (const a of answers) assert.ok(a.statusCode < 500, `no server error (${a.statusCode})`);
      const again = await send(currentTotp(t, staff.totpSecret));
      assert.notEqual(again.statusCode, 303, 'still refused right after');
    });

    /** 100 invalid (well-formed, unknown) links opened at once from one address, as a browser opens them. */
    async function floodLinks(path: '/activation' | '/back-office/activation') {
      const ip = freshIp();
      const open = async () => {
        const visitor = new Visitor(t, ip);
        const first = await visitor.get(`${path}?token=${randomBytes(32).toString('base64url')}`);
        return first.statusCode === 303 && first.headers.location ? visitor.get(String(first.headers.location)) : first;
      };
      const answers = await Promise.all(Array.from({ length: 100 }, open));
      for (const a of answers) assert.ok(a.statusCode < 500, `no server error (${a.statusCode})`);
      const limited = answers.filter((a) => a.statusCode === 429);
      const others = answers.filter((a) => a.statusCode !== 429);
      for (const a of others) assert.match(a.body, /Ce lien n’est plus valide/, `an invalid link gets the French page (${a.statusCode})`);
      if (limited[0]) assert.match(limited[0].body, /Trop de tentatives/, 'a French 429 page');
      return { limited: limited.length, invalid: others.length };
    }

    /** Opens a link from a fresh address and returns the token-free page it lands on. */
    async function openLink(link: string) {
      const url = new URL(link);
      const visitor = new Visitor(t, freshIp());
      const first = await visitor.get(url.pathname + url.search);
      return first.statusCode === 303 ? visitor.get(String(first.headers.location)) : first;
    }

    test('S36 S17 100 parallel invalid customer links from one IP: 429 past 20', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr', password: null });
      const { limited, invalid } = await floodLinks('/activation');
      assert.ok(invalid <= 20, `${invalid} of 100 invalid links answered without 429 (at most 20 allowed; ${limited} × 429)`);

      // Positive control: a real link, opened from another address, still works.
      const visitor = new Visitor(t, freshIp());
      await visitor.post('/mot-de-passe-oublie', { _csrf: await visitor.csrf('/mot-de-passe-oublie'), identifiant: '12345', email: 'contact@librairie-du-port.fr' });
      await t.outbox.drain();
      assert.equal(smtp.messages.length, 1, 'control: the link was mailed');
      const page = await openLink(linkInText(smtp.messages[0]!.text ?? '', '/activation'));
      assert.equal(page.statusCode, 200, 'control: the valid link opens the activation page');
      assert.match(page.body, /name="mot_de_passe"/);
    });

    test('S36 S17 100 parallel invalid staff setup links from one IP: 429 past 20', async () => {
      const { limited, invalid } = await floodLinks('/back-office/activation');
      assert.ok(invalid <= 20, `${invalid} of 100 invalid setup links answered without 429 (at most 20 allowed; ${limited} × 429)`);

      // Positive control: an admin creates a member; the mailed link, from another address, works.
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const page = await admin.get('/back-office/equipe');
      const created = await admin.post('/back-office/equipe', { _csrf: csrfToken(page.body), email: 'nouveau@cartotheque.test', role: 'agent' });
      assert.ok(created.statusCode < 400, `control: member created (${created.statusCode})`);
      await t.outbox.drain();
      const mail = smtp.messages.find((m) => /back-office\/activation\?token=/.test(m.text ?? ''));
      assert.ok(mail, 'control: the setup link was mailed');
      const setup = await openLink(linkInText(mail.text ?? '', '/back-office/activation'));
      assert.equal(setup.statusCode, 200, 'control: the valid setup link opens the setup page');
      assert.match(setup.body, /name="mot_de_passe"/);
    });

    test('S36 parallel current-password guesses on /espace-pro/securite are throttled', async () => {
      /** A signed-in customer on the security page, ready to post the password form. */
      const signedIn = async (code: string) => {
        const visitor = new Visitor(t, freshIp());
        const login = await visitor.post('/connexion', { _csrf: await visitor.csrf('/connexion'), identifiant: code, mot_de_passe: STRONG_PASSWORD });
        assert.equal(login.statusCode, 303, `${code} signs in`);
        const token = csrfToken((await visitor.get('/espace-pro/securite')).body);
        return (actuel: string) => visitor.post('/espace-pro/mot-de-passe', { _csrf: token, actuel, mot_de_passe: CUSTOMER_PASSWORD_NEW, confirmation: CUSTOMER_PASSWORD_NEW });
      };
      const other = await seedAccount(t, { code: '54321', email: 'autre@librairie.fr' });
      const account = await seedAccount(t, { code: '12345' });
      void other;

      // Positive control, on another account: the right current password changes it.
      const control = await (await signedIn('54321'))(STRONG_PASSWORD);
      assert.equal(control.statusCode, 303, 'control: the right current password is accepted');

      const change = await signedIn('12345');
      const realHash = await passwordHashOf('accounts', account.id);
      t.hasher.verified.length = 0;
      const wrongOnes = Array.from({ length: 40 }, (_, i) => change(`pas mon mot de passe ${i}`));
      await shortly();
      const right = change(STRONG_PASSWORD);
      const answers = await Promise.all([...wrongOnes, right]);
      const checked = checksAgainst(t, [realHash]);
      const rightAnswer = answers[40]!;
      assert.ok(checked <= 5, `${checked} of 41 current-password guesses checked against the real hash (at most 5 allowed)`);
      assert.notEqual(rightAnswer.statusCode, 303, 'the right current password, after 40 wrong ones, is refused while throttled');
      assert.ok(rightAnswer.statusCode >= 400 && rightAnswer.statusCode < 500, `a refusal, not a server error (${rightAnswer.statusCode})`);
      assert.match(rightAnswer.body, /<html lang="fr"/, 'a French page');
      assert.equal(await passwordHashOf('accounts', account.id), realHash, 'the password did not change');
    });
  });
}
