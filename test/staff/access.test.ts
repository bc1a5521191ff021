import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn, seedStaff, signInStaff } from '../helpers/staff.js';

/** The back-office routes of this module; the other back-office pages are tested by their own suite. */
const GET_ROUTES = ['/back-office', '/back-office/equipe'];
const ADMIN_GET_ROUTES = ['/back-office/equipe'];

for (const dialect of DIALECTS) {
  describe(`back-office access control (S31) [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, { env: { PUBLIC_URL: 'https://pro.cartotheque.test' } });
    });
    after(async () => t.close());
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
    });

    async function customerBrowser() {
      await seedAccount(t, { code: '12345' });
      const browser = new Browser(t.app);
      const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD, memoriser: '1' });
      assert.equal(res.statusCode, 303);
      assert.equal((await browser.get('/espace-pro')).statusCode, 200, 'the customer is signed in');
      return browser;
    }

    /** A POST with a valid CSRF token for this browser, so only the guard can refuse it. */
    async function postAs(browser: Browser, url: string, form: Record<string, string>) {
      const page = await browser.get('/back-office/connexion');
      return browser.post(url, { _csrf: csrfToken(page.body), ...form });
    }

    test('an anonymous GET is redirected to the staff login', async () => {
      for (const url of GET_ROUTES) {
        const res = await new Browser(t.app).get(url);
        assert.equal(res.statusCode, 303, url);
        assert.equal(res.headers.location, `/back-office/connexion?next=${encodeURIComponent(url)}`);
      }
    });

    test('an anonymous POST gets a French 403 (with a valid CSRF token) and changes nothing', async () => {
      const res = await postAs(new Browser(t.app), '/back-office/equipe', { email: 'intrus@x.fr', role: 'admin' });
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /<html lang="fr"/);
      assert.match(res.body, /Accès refusé/);
      assert.equal((await t.db.selectFrom('staff').selectAll().execute()).length, 0);
      const denied = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'backoffice.access_denied').execute();
      assert.equal(denied.length, 1);
    });

    test('a customer session (with remember-me) never opens the back office', async () => {
      const customer = await customerBrowser();
      for (const url of GET_ROUTES) {
        const res = await customer.get(url);
        assert.equal(res.statusCode, 303, url);
        assert.match(res.headers.location as string, /^\/back-office\/connexion/);
        assert.doesNotMatch(res.body, /Tableau de bord/);
      }
      const post = await postAs(customer, '/back-office/equipe', { email: 'intrus@x.fr', role: 'admin' });
      assert.equal(post.statusCode, 403);
      // Even a customer token put in the staff cookie's place is unknown to the staff sessions.
      const forged = new Browser(t.app);
      forged.jar.cookies.set('__Host-ep_staff', customer.jar.get('__Host-ep_session')!);
      assert.equal((await forged.get('/back-office')).statusCode, 303);
      // And a customer cannot use the staff login with their customer credentials.
      const staffLogin = await new Browser(t.app).submit('/back-office/connexion', '/back-office/connexion', { email: '12345', mot_de_passe: STRONG_PASSWORD });
      assert.equal(staffLogin.statusCode, 401);
    });

    test('a staff session does not open the customer area either', async () => {
      const agent = await createStaffAndSignIn(t);
      const res = await agent.get('/espace-pro');
      assert.equal(res.statusCode, 303);
      assert.match(res.headers.location as string, /^\/connexion/);
    });

    test('agents cannot manage staff: 403 on /back-office/equipe (GET and POST); admins get 200', async () => {
      const agent = await createStaffAndSignIn(t, { role: 'agent' });
      for (const url of ADMIN_GET_ROUTES) {
        const res = await agent.get(url);
        assert.equal(res.statusCode, 403, url);
        assert.match(res.body, /Accès refusé/);
        assert.match(res.body, /Navigation du back office/, 'inside the back-office layout');
      }
      const dashboard = await agent.get('/back-office');
      assert.equal(dashboard.statusCode, 200);
      assert.doesNotMatch(dashboard.body, /href="\/back-office\/equipe"/, 'no Équipe link for agents');
      const created = await agent.post('/back-office/equipe', { _csrf: csrfToken(dashboard.body), email: 'x@cartotheque.fr', role: 'admin' });
      assert.equal(created.statusCode, 403);
      const target = await seedStaff(t, { role: 'admin' });
      for (const action of ['desactiver', 'activer', 'lien']) {
        const res = await agent.post(`/back-office/equipe/${target.id}/${action}`, { _csrf: csrfToken(dashboard.body) });
        assert.equal(res.statusCode, 403, action);
      }
      assert.equal((await t.db.selectFrom('staff').selectAll().where('email', '=', 'x@cartotheque.fr').execute()).length, 0);
      const denied = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'backoffice.access_denied').where('actor_id', '=', agent.staff.email).execute();
      assert.ok(denied.length >= 4);

      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      for (const url of GET_ROUTES) assert.equal((await admin.get(url)).statusCode, 200, url);
      assert.match((await admin.get('/back-office')).body, /href="\/back-office\/equipe"/);
    });

    test('the helper signs in through the real pages too (viaLogin)', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin', viaLogin: true });
      assert.equal((await admin.get('/back-office/equipe')).statusCode, 200);
    });

    test('S23 back-office POSTs need the CSRF token, even for an admin', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const res = await admin.post('/back-office/equipe', { email: 'x@cartotheque.fr', role: 'agent' });
      assert.equal(res.statusCode, 403);
      const crossSite = await admin.submit('/back-office/equipe', '/back-office/equipe', { email: 'x@cartotheque.fr', role: 'agent' }, { 'sec-fetch-site': 'cross-site' });
      assert.equal(crossSite.statusCode, 403);
      assert.equal((await t.db.selectFrom('staff').selectAll().where('email', '=', 'x@cartotheque.fr').execute()).length, 0);
    });

    test('S37 an admin creates a member: the setup link is mailed to the member only, never shown; the member completes setup and signs in', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const res = await admin.submit('/back-office/equipe', '/back-office/equipe', { email: 'Nouvel.Agent@Cartotheque.fr', role: 'agent' });
      assert.equal(res.statusCode, 200);
      assert.doesNotMatch(res.body, /activation\?token=/, 'the admin never sees the link');
      assert.match(res.body, /vient d’être envoyé à nouvel\.agent@cartotheque\.fr/);
      assert.match(res.body, /Activation en attente/);

      const mails = await t.db.selectFrom('outbox').selectAll().execute();
      assert.equal(mails.length, 1);
      assert.equal(mails[0]!.kind, 'staff_setup_link');
      assert.equal(mails[0]!.recipient, 'nouvel.agent@cartotheque.fr');
      const link = /(https:\/\/pro\.cartotheque\.test\/back-office\/activation\?token=[A-Za-z0-9_-]{43})/.exec(mails[0]!.text_body!)?.[1];
      assert.ok(link, 'the link is in the mail');
      assert.match(mails[0]!.subject, /Activez votre accès au back office/);

      const audit = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'staff.created').executeTakeFirstOrThrow();
      assert.equal(audit.actor_type, 'staff');
      assert.equal(audit.actor_id, admin.staff.email);
      assert.equal(audit.target, 'nouvel.agent@cartotheque.fr');
      assert.ok(!JSON.stringify(audit).includes(new URL(link).searchParams.get('token')!), 'no token in the audit log');
    });

    test('creating a member: invalid e-mail, duplicate (any case) and unknown role are refused next to the field, input kept', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin', email: 'chef@cartotheque.fr' });
      const cases: Array<[string, string, RegExp]> = [
        ['pas-une-adresse', 'agent', /adresse e-mail valide/],
        ['CHEF@cartotheque.fr', 'agent', /Un membre utilise déjà cette adresse/],
        ['autre@cartotheque.fr', 'superadmin', /Veuillez choisir un rôle/],
      ];
      for (const [email, role, message] of cases) {
        const res = await admin.submit('/back-office/equipe', '/back-office/equipe', { email, role });
        assert.equal(res.statusCode, 400, email);
        assert.match(res.body, message);
        assert.match(res.body, /aria-invalid="true"/);
        assert.ok(res.body.includes(`value="${email}"`), 'input kept');
      }
      assert.equal((await t.db.selectFrom('staff').selectAll().execute()).length, 1);
      assert.equal((await t.db.selectFrom('outbox').selectAll().execute()).length, 0);
    });

    test('S25 a hostile e-mail is shown encoded', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const res = await admin.submit('/back-office/equipe', '/back-office/equipe', { email: '"><script>alert(1)</script>@x.fr', role: 'agent' });
      assert.equal(res.statusCode, 400);
      assert.doesNotMatch(res.body, /<script>alert/);
      assert.match(res.body, /&lt;script&gt;/);
    });

    test('disabling a member kills their sessions at once; enabling lets them sign in again; an admin cannot disable themselves', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const agentStaff = await seedStaff(t, { role: 'agent' });
      const agent = await signInStaff(t, agentStaff);
      assert.equal((await agent.get('/back-office')).statusCode, 200);

      const off = await admin.submit('/back-office/equipe', `/back-office/equipe/${agentStaff.id}/desactiver`, {});
      assert.equal(off.statusCode, 303);
      const page = await admin.get(off.headers.location as string);
      assert.match(page.body, /est désactivé/);
      assert.equal((await agent.get('/back-office')).statusCode, 303, 'the agent is out');
      assert.equal((await t.db.selectFrom('staff_sessions').selectAll().where('staff_id', '=', agentStaff.id).execute()).length, 0);
      assert.equal((await new Browser(t.app).submit('/back-office/connexion', '/back-office/connexion', { email: agentStaff.email, mot_de_passe: agentStaff.password })).statusCode, 401);

      const on = await admin.submit('/back-office/equipe', `/back-office/equipe/${agentStaff.id}/activer`, {});
      assert.equal(on.statusCode, 303);
      assert.equal((await signInStaff(t, agentStaff)).staff.email, agentStaff.email);

      const self = await admin.submit('/back-office/equipe', `/back-office/equipe/${admin.staff.id}/desactiver`, {});
      assert.equal(self.statusCode, 409);
      assert.match(self.body, /votre propre compte/);
      const unknown = await admin.submit('/back-office/equipe', '/back-office/equipe/999999/desactiver', {});
      assert.equal(unknown.statusCode, 404);

      const names = (await t.db.selectFrom('audit_log').select('event').execute()).map((r) => r.event);
      assert.ok(names.includes('staff.disabled') && names.includes('staff.enabled'));
    });

    test('S37 a new setup link for a member (lost phone) is mailed only, never shown to the admin', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const member = await seedStaff(t);
      const res = await admin.submit('/back-office/equipe', `/back-office/equipe/${member.id}/lien`, {});
      assert.equal(res.statusCode, 200);
      assert.doesNotMatch(res.body, /activation\?token=/, 'the admin never sees the link');
      assert.equal((await t.db.selectFrom('outbox').selectAll().where('recipient', '=', member.email).execute()).length, 1);
      assert.ok((await t.db.selectFrom('audit_log').select('event').execute()).some((r) => r.event === 'staff.setup_link.issued'));
    });

    test('S5 staff never see or set a password: no password field on the back-office pages of this module', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      await seedAccount(t, { code: '12345' });
      for (const url of GET_ROUTES) {
        const res = await admin.get(url);
        assert.doesNotMatch(res.body, /type="password"/, url);
        assert.doesNotMatch(res.body, /\$argon2/, url);
      }
      // Extra form fields are ignored: a password sent along with a staff creation is not stored anywhere.
      await admin.submit('/back-office/equipe', '/back-office/equipe', { email: 'x@cartotheque.fr', role: 'agent', mot_de_passe: 'choisi par un admin' } as Record<string, string>);
      const created = await t.db.selectFrom('staff').selectAll().where('email', '=', 'x@cartotheque.fr').executeTakeFirstOrThrow();
      assert.equal(created.password_hash, null);
    });
  });
}
