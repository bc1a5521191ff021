import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { STEP_UP_MAX_AGE_MS } from '../../src/modules/staff/staff.guard.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { SmtpSink } from '../helpers/smtp.js';
import { createStaffAndSignIn, currentTotp, nextTotpStep, seedStaff, type SeededStaff } from '../helpers/staff.js';
import { askOptions, otherKey, SoftAuthenticator, type Tweak } from '../helpers/webauthn.js';

for (const dialect of DIALECTS) {
  describe(`passkeys: staff second factor [${dialect}]`, () => {
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
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
    });

    /** A member adds a passkey in Mon compte (second factor fresh: just signed in). */
    async function addStaffPasskey(role: 'admin' | 'agent' = 'agent', email?: string) {
      const browser = await createStaffAndSignIn(t, { role, email });
      const authenticator = new SoftAuthenticator();
      const { options, csrf, status } = await askOptions(browser, '/back-office/mon-compte', '/back-office/mon-compte/cles/options');
      assert.equal(status, 200);
      const res = await browser.post('/back-office/mon-compte/cles', { _csrf: csrf, reponse: JSON.stringify(authenticator.register(options)) });
      assert.equal(res.headers.location, '/back-office/mon-compte?ok=passkey_added#cles');
      return { browser, authenticator, staff: browser.staff };
    }

    /** E-mail and password: a session waiting for its second factor. */
    async function passwordStep(staff: SeededStaff) {
      const browser = new Browser(t.app);
      const res = await browser.submit('/back-office/connexion', '/back-office/connexion', { email: staff.email, mot_de_passe: staff.password });
      assert.equal(res.statusCode, 303);
      return browser;
    }

    async function passkeyStep(browser: Browser, authenticator: SoftAuthenticator, tweak: Tweak = {}, path = '/back-office/connexion/code') {
      const { options, csrf } = await askOptions(browser, path, `${path === '/back-office/verification' ? path : `${path}`}/cle/options`);
      return browser.post(`${path}/cle`, { _csrf: csrf, reponse: JSON.stringify(authenticator.assert(options, tweak)) });
    }

    const inBackOffice = async (browser: Browser) => (await browser.get('/back-office')).statusCode === 200;

    test('S50 a staff passkey counts as the second factor: password then passkey opens the back office; TOTP and recovery codes stay available', async () => {
      const { authenticator, staff } = await addStaffPasskey();
      await t.outbox.drain();
      assert.equal(smtp.to(staff.email).filter((m) => /clé d’accès a été ajoutée/.test(m.subject ?? '')).length, 1, 'the member is told (S39)');
      // Before the password, the passkey opens nothing.
      const anonymous = new Browser(t.app);
      const page = await anonymous.get('/back-office/connexion');
      const early = await anonymous.post('/back-office/connexion/code/cle/options', { _csrf: csrfToken(page.body) });
      assert.equal(early.statusCode, 403);

      const browser = await passwordStep(staff);
      const codePage = await browser.get('/back-office/connexion/code');
      assert.match(codePage.body, /Utiliser ma clé d’accès/);
      assert.match(codePage.body, /name="code"/, 'the code field stays');
      const res = await passkeyStep(browser, authenticator);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/back-office');
      assert.ok(await inBackOffice(browser));
      const audit = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'staff.login.success').orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.match(audit.details ?? '', /"method":"passkey"/);
      // TOTP still works, and so do recovery codes.
      const withCode = await passwordStep(staff);
      nextTotpStep(t);
      const page2 = await withCode.get('/back-office/connexion/code');
      assert.equal((await withCode.post('/back-office/connexion/code', { _csrf: csrfToken(page2.body), code: currentTotp(t, staff.totpSecret) })).statusCode, 303);
      const withRecovery = await passwordStep(staff);
      const page3 = await withRecovery.get('/back-office/connexion/code');
      assert.equal((await withRecovery.post('/back-office/connexion/code', { _csrf: csrfToken(page3.body), code: staff.recoveryCodes[0]! })).statusCode, 303);
    });

    test('S50 refused second factors: another member’s passkey, a forged signature, a wrong origin, a replayed answer — each 401, no back office, counted on the member’s throttle', async () => {
      const { authenticator, staff } = await addStaffPasskey('agent', 'un@cartotheque.test');
      const { authenticator: colleague } = await addStaffPasskey('agent', 'deux@cartotheque.test');
      const browser = await passwordStep(staff);
      for (const [name, use, tweak] of [
        ['another member’s passkey', colleague, {}],
        ['a forged signature', authenticator, { signWith: otherKey() }],
        ['a wrong origin', authenticator, { origin: 'http://evil.example' }],
        ['a wrong RP ID', authenticator, { rpId: 'evil.example' }],
      ] as Array<[string, SoftAuthenticator, Tweak]>) {
        const before = use.counter;
        const res = await passkeyStep(browser, use, tweak);
        use.counter = before;
        assert.equal(res.statusCode, 401, name);
        assert.match(res.body, /La clé d’accès n’a pas été acceptée/, name);
        assert.equal(await inBackOffice(browser), false, name);
      }
      const reasons = (await t.db.selectFrom('audit_log').select('details').where('event', '=', 'staff.mfa.failure').execute()).map((r) => JSON.parse(r.details ?? '{}').reason);
      assert.deepEqual(reasons, ['passkey_other_owner', 'passkey_rejected', 'passkey_rejected', 'passkey_rejected']);
      const throttle = await t.db.selectFrom('login_throttle').selectAll().where('key', '=', `staff:${staff.email}`).executeTakeFirstOrThrow();
      assert.equal(Number(throttle.failures), 4, 'counted like wrong codes (S8)');
      // A genuine answer, then the same answer replayed from a second pending session.
      const { options, csrf } = await askOptions(browser, '/back-office/connexion/code', '/back-office/connexion/code/cle/options');
      const answer = JSON.stringify(authenticator.assert(options));
      const copy = new Browser(t.app, browser.jar.clone());
      assert.equal((await browser.post('/back-office/connexion/code/cle', { _csrf: csrf, reponse: answer })).statusCode, 303);
      const other = await passwordStep(staff);
      other.jar.cookies.set('__Host-ep_csrf', copy.jar.get('__Host-ep_csrf')!);
      const otherCsrf = csrfToken((await other.get('/back-office/connexion/code')).body);
      assert.equal((await other.post('/back-office/connexion/code/cle', { _csrf: otherCsrf, reponse: answer })).statusCode, 401);
      assert.equal(await inBackOffice(other), false);
    });

    test('S50 the step-up (S38) accepts the passkey: a stale second factor is refreshed by it, then the sensitive action goes through', async () => {
      const { browser, authenticator } = await addStaffPasskey('admin');
      t.clock.advance(STEP_UP_MAX_AGE_MS + 1000);
      const team = await browser.get('/back-office/equipe');
      const stale = await browser.post('/back-office/equipe', { _csrf: csrfToken(team.body), email: 'nouveau@cartotheque.test', role: 'agent' });
      assert.equal(stale.statusCode, 303);
      assert.match(String(stale.headers.location), /^\/back-office\/verification/);
      const stepUp = await browser.get('/back-office/verification?next=/back-office/equipe');
      assert.match(stepUp.body, /Utiliser ma clé d’accès/);
      // A forged answer does not refresh it.
      const forged = await passkeyStep(browser, authenticator, { signWith: otherKey() }, '/back-office/verification');
      assert.equal(forged.statusCode, 401);
      const still = await browser.post('/back-office/equipe', { _csrf: csrfToken(team.body), email: 'nouveau@cartotheque.test', role: 'agent' });
      assert.match(String(still.headers.location), /^\/back-office\/verification/);
      authenticator.counter -= 1;
      const ok = await passkeyStep(browser, authenticator, {}, '/back-office/verification');
      assert.equal(ok.statusCode, 303);
      const done = await browser.post('/back-office/equipe', { _csrf: csrfToken(team.body), email: 'nouveau@cartotheque.test', role: 'agent' });
      assert.equal(done.statusCode, 200);
      assert.match((await t.db.selectFrom('audit_log').select('details').where('event', '=', 'staff.step_up.success').executeTakeFirstOrThrow()).details ?? '', /"method":"passkey"/);
    });

    test('S49 staff: adding or removing a passkey needs a second factor at most 10 minutes old; each change is mailed', async () => {
      const { browser, staff } = await addStaffPasskey();
      t.clock.advance(STEP_UP_MAX_AGE_MS + 1000);
      const { status, options } = await askOptions(browser, '/back-office/mon-compte', '/back-office/mon-compte/cles/options');
      assert.equal(status, 403);
      assert.match(options.redirect, /^\/back-office\/verification\?next=/);
      const id = Number((await t.db.selectFrom('passkeys').select('id').executeTakeFirstOrThrow()).id);
      const page = await browser.get('/back-office/mon-compte');
      assert.match(page.body, /Clés d’accès/);
      const refused = await browser.post(`/back-office/mon-compte/cles/${id}/supprimer`, { _csrf: csrfToken(page.body) });
      assert.match(String(refused.headers.location), /^\/back-office\/verification/);
      assert.equal((await t.db.selectFrom('passkeys').select('id').execute()).length, 1);
      // Fresh again (a code): removal goes through and is mailed.
      nextTotpStep(t);
      const stepUp = await browser.get('/back-office/verification');
      await browser.post('/back-office/verification', { _csrf: csrfToken(stepUp.body), code: currentTotp(t, staff.totpSecret) });
      const removed = await browser.post(`/back-office/mon-compte/cles/${id}/supprimer`, { _csrf: csrfToken(page.body) });
      assert.equal(removed.headers.location, '/back-office/mon-compte?ok=passkey_removed#cles');
      assert.equal((await t.db.selectFrom('passkeys').select('id').execute()).length, 0);
      await t.outbox.drain();
      assert.equal(smtp.to(staff.email).filter((m) => /clé d’accès a été supprimée/.test(m.subject ?? '')).length, 1);
    });

    test('S49 a new setup link, once used, replaces every factor of the member: their passkeys go with the old password and TOTP', async () => {
      const { staff, authenticator } = await addStaffPasskey();
      const { resendSetupLink } = await import('../../src/modules/staff/staff.members.service.js');
      const resent = await resendSetupLink({ db: t.db, clock: t.clock, config: t.config }, staff.id, { ip: null, userAgent: 'test' }, { type: 'operator', id: 'test' });
      assert.ok(resent.ok);
      const mail = await t.db.selectFrom('outbox').select('text_body').where('kind', '=', 'staff_setup_link').orderBy('id', 'desc').executeTakeFirstOrThrow();
      const link = new URL(/https?:\/\/\S+\/back-office\/activation\?token=[A-Za-z0-9_-]+/.exec(mail.text_body!)![0]);
      const browser = new Browser(t.app);
      const first = await browser.get(link.pathname + link.search);
      const page = await browser.get(first.headers.location as string);
      const newPassword = 'un nouveau départ pour le back office';
      await browser.post('/back-office/activation', { _csrf: csrfToken(page.body), mot_de_passe: newPassword, confirmation: newPassword });
      // Before the enrolment is confirmed, the passkey is still there (the old factors still work).
      assert.equal((await t.db.selectFrom('passkeys').select('id').execute()).length, 1);
      const totpPage = await browser.get('/back-office/activation');
      const secret = /<code class="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(totpPage.body)![1]!.replace(/ /g, '');
      nextTotpStep(t);
      const done = await browser.post('/back-office/activation/code', { _csrf: csrfToken(totpPage.body), code: currentTotp(t, secret) });
      assert.equal(done.statusCode, 200);
      assert.equal((await t.db.selectFrom('passkeys').select('id').execute()).length, 0, 'the setup link took the passkeys away');
      const pending = await passwordStep({ ...staff, password: newPassword });
      assert.equal((await passkeyStep(pending, authenticator)).statusCode, 401);
    });

    test('Admins see each member’s passkeys on Équipe and remove them (audited, the member told); an agent cannot', async () => {
      const { staff } = await addStaffPasskey('agent', 'agent@cartotheque.test');
      const agent = await createStaffAndSignIn(t, { role: 'agent', email: 'autre-agent@cartotheque.test' });
      const home = await agent.get('/back-office');
      assert.equal((await agent.post(`/back-office/equipe/${staff.id}/cles/supprimer`, { _csrf: csrfToken(home.body) })).statusCode, 403);
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const team = await admin.get('/back-office/equipe');
      assert.match(team.body, /1 clé d’accès/);
      const res = await admin.post(`/back-office/equipe/${staff.id}/cles/supprimer`, { _csrf: csrfToken(team.body) });
      assert.equal(res.headers.location, `/back-office/equipe?fait=cles&membre=${staff.id}`);
      assert.equal((await t.db.selectFrom('passkeys').select('id').execute()).length, 0);
      const audit = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'passkey.removed_by_staff').executeTakeFirstOrThrow();
      assert.equal(audit.target, staff.email);
      assert.equal(audit.actor_type, 'staff');
    });

    test('S50 the second-factor options list only the member’s own passkeys and prefer user verification (the password was typed)', async () => {
      const { authenticator, staff } = await addStaffPasskey('agent', 'un@cartotheque.test');
      await addStaffPasskey('agent', 'deux@cartotheque.test');
      const browser = await passwordStep(staff);
      const { options } = await askOptions(browser, '/back-office/connexion/code', '/back-office/connexion/code/cle/options');
      assert.equal(options.userVerification, 'preferred');
      assert.deepEqual(options.allowCredentials.map((c: { id: string }) => c.id), [authenticator.credentialId]);
      // A member without passkey is not offered the button.
      const plain = await passwordStep(await seedStaff(t));
      assert.doesNotMatch((await plain.get('/back-office/connexion/code')).body, /Utiliser ma clé d’accès/);
    });

    test('Mon compte tells a refused passkey as an error, next to what failed, never in the success box', async () => {
      const { browser } = await addStaffPasskey('agent', 'un@cartotheque.test');
      const { staff: other } = await addStaffPasskey('agent', 'deux@cartotheque.test');
      const successBox = /class="notice notice-success"/;
      // A registration answer the server refuses (wrong origin): 400, the sentence in the error summary and in the section.
      const { options, csrf } = await askOptions(browser, '/back-office/mon-compte', '/back-office/mon-compte/cles/options');
      const refused = await browser.post('/back-office/mon-compte/cles', { _csrf: csrf, reponse: JSON.stringify(new SoftAuthenticator().register(options, { origin: 'http://evil.example' })) });
      assert.equal(refused.statusCode, 400);
      assert.doesNotMatch(refused.body, successBox);
      assert.match(refused.body, /id="resume-erreurs"[\s\S]*href="#cles">La clé d’accès n’a pas pu être ajoutée/);
      assert.match(refused.body, /id="cles-erreur">[\s\S]*La clé d’accès n’a pas pu être ajoutée/);
      // A name too long: 400, the error next to that passkey's field (aria-invalid), the old name kept.
      const mine = await t.db.selectFrom('passkeys').select(['id', 'name']).where('owner_type', '=', 'staff').where('owner_id', '=', browser.staff.id).executeTakeFirstOrThrow();
      const long = await browser.post(`/back-office/mon-compte/cles/${mine.id}/nom`, { _csrf: csrf, nom: 'x'.repeat(61) });
      assert.equal(long.statusCode, 400);
      assert.doesNotMatch(long.body, successBox);
      assert.match(long.body, new RegExp(`id="nom-${mine.id}-erreur">\\s*Le nom est limité à 60 caractères`));
      assert.match(long.body, new RegExp(`id="nom-${mine.id}"[^>]*aria-invalid="true"`));
      // Another member's passkey: 404, said at the top, nothing renamed.
      const theirs = await t.db.selectFrom('passkeys').select(['id', 'name']).where('owner_type', '=', 'staff').where('owner_id', '=', other.id).executeTakeFirstOrThrow();
      const foreign = await browser.post(`/back-office/mon-compte/cles/${theirs.id}/nom`, { _csrf: csrf, nom: 'Volée' });
      assert.equal(foreign.statusCode, 404);
      assert.match(foreign.body, /href="#cles">Cette clé d’accès n’existe pas ou plus/);
      assert.equal((await t.db.selectFrom('passkeys').select('name').where('id', '=', theirs.id).executeTakeFirstOrThrow()).name, theirs.name);
      assert.equal((await t.db.selectFrom('passkeys').select('name').where('id', '=', mine.id).executeTakeFirstOrThrow()).name, mine.name);
      // Positive control: a good name goes through, told in the success box.
      const renamed = await browser.post(`/back-office/mon-compte/cles/${mine.id}/nom`, { _csrf: csrf, nom: 'Clé du bureau' });
      assert.equal(renamed.headers.location, '/back-office/mon-compte?ok=passkey_renamed#cles');
      assert.match((await browser.get(renamed.headers.location!.replace('#cles', ''))).body, successBox);
    });
  });
}
