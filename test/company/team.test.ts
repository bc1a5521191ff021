import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { COOKIE } from '../../src/plugins/cookies.js';
import { sha256 } from '../../src/shared/crypto.js';
import { changeRole, mayGrant, removeMember } from '../../src/modules/company/team.service.js';
import { invite, resendInvitation, withdrawInvitation } from '../../src/modules/company/invitation.service.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn } from '../helpers/staff.js';
import { addMember, invitationLink, lastMailTo, post, rolesOf, seedCompany, signedIn, stable, STRONG_PASSWORD, tokenOf } from './support.js';

const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`Mon équipe and invitations [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => resetDatabase(t.db, t.dialect));

    /** Two companies, each with an administrator (the holder), a buyer, a viewer and a pending invitation. */
    async function twoCompanies() {
      const a = await seedCompany(t, { code: '11111', company: 'Librairie du Port', email: 'admin@port.fr' });
      const b = await seedCompany(t, { code: '22222', company: 'Papeterie Martin', email: 'admin@martin.fr' });
      const aBuyer = await addMember(t, a.companyId, { email: 'acheteur@port.fr', role: 'buyer', givenName: 'Anne', familyName: 'Achat' });
      const aViewer = await addMember(t, a.companyId, { email: 'compta@port.fr', role: 'viewer' });
      const bBuyer = await addMember(t, b.companyId, { email: 'acheteur@martin.fr', role: 'buyer' });
      const bViewer = await addMember(t, b.companyId, { email: 'compta@martin.fr', role: 'viewer' });
      const aAdmin = await signedIn(t, a.holderId, a.companyId);
      const bAdmin = await signedIn(t, b.holderId, b.companyId);
      const invite = async (admin: Browser, email: string, role = 'buyer') =>
        post(admin, '/espace-pro/equipe/invitations', { prenom: 'Paul', nom: 'Nouveau', email, role });
      assert.equal((await invite(aAdmin, 'nouveau@port.fr')).statusCode, 303);
      assert.equal((await invite(bAdmin, 'nouveau@martin.fr')).statusCode, 303);
      const invitationOf = async (email: string) => Number((await t.db.selectFrom('invitations').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id);
      return { a, b, aBuyer, aViewer, bBuyer, bViewer, aAdmin, bAdmin, aInvitation: await invitationOf('nouveau@port.fr'), bInvitation: await invitationOf('nouveau@martin.fr'), invite };
    }

    async function snapshot() {
      const memberships = await t.db.selectFrom('memberships').select(['company_id', 'account_id', 'role']).orderBy('company_id').orderBy('account_id').execute();
      const invitations = await t.db.selectFrom('invitations').select(['id', 'state', 'invited_by_account_id', 'expires_at']).orderBy('id').execute();
      const links = await t.db.selectFrom('link_tokens').select(['id', 'revoked_at', 'consumed_at']).orderBy('id').execute();
      const mails = (await t.db.selectFrom('outbox').select('id').execute()).length;
      const companies = await t.db.selectFrom('companies').select(['id', 'holder_account_id', 'disabled_at']).orderBy('id').execute();
      return JSON.stringify({ memberships, invitations, links, mails, companies });
    }

    test('the team page lists each person with role, state and last sign-in, the pending invitations, and the invitation form', async () => {
      const { a, aAdmin } = await twoCompanies();
      await t.db.updateTable('accounts').set({ last_login_at: Date.UTC(2026, 11, 1, 9, 30) }).where('email', '=', 'acheteur@port.fr').execute();
      const page = await aAdmin.get('/espace-pro/equipe');
      assert.equal(page.statusCode, 200);
      for (const text of ['Mon équipe', 'Librairie du Port', '11111', 'Anne Achat', 'acheteur@port.fr', 'compta@port.fr', 'Administrateur', 'Acheteur', 'Consultation', 'actif', 'jamais', '01/12/2026', 'Invitations en attente', 'Paul Nouveau', 'nouveau@port.fr', 'invité', 'Inviter un collaborateur', 'Prénom', 'Nom', 'Adresse e-mail', 'Rôle', 'Envoyer l’invitation', 'Retirer', 'Renvoyer l’invitation', 'Retirer l’invitation', 'titulaire du code client']) {
        assert.ok(page.body.includes(text), `the page shows ${text}`);
      }
      assert.ok(!page.body.includes('martin.fr'), 'nothing of the other company');
      // Mon Espace Pro: the administrator's way to the team; e-mail, role, company and code.
      const home = await aAdmin.get('/espace-pro');
      assert.match(home.body, /href="\/espace-pro\/equipe"/);
      for (const text of ['admin@port.fr', 'Administrateur', 'Librairie du Port', '11111']) assert.ok(home.body.includes(text), text);
      assert.doesNotMatch(home.body, /Changer de compte client/, 'one company: no switch');
      void a;
    });

    test('Mon Espace Pro: no team link for a buyer; "Changer de compte client" for a person of several companies', async () => {
      const { a, b, aBuyer } = await twoCompanies();
      await addMember(t, b.companyId, { email: 'acheteur@port.fr', role: 'viewer' });
      const buyer = await signedIn(t, aBuyer, a.companyId);
      const home = await buyer.get('/espace-pro');
      assert.equal(home.statusCode, 200);
      assert.doesNotMatch(home.body, /\/espace-pro\/equipe/);
      assert.match(home.body, /href="\/espace-pro\/compte-client"[^>]*>Changer de compte client/);
      assert.ok(home.body.includes('acheteur@port.fr') && home.body.includes('Acheteur'));
    });

    test('S43 every door of Mon équipe for a non-administrator, anonymous, remembered or staff: the answer of an unknown page, nothing changed', async () => {
      const { a, aBuyer, aViewer, aInvitation } = await twoCompanies();
      const doors: Array<[string, string, Record<string, string>]> = [
        ['GET', '/espace-pro/equipe', {}],
        ['POST', '/espace-pro/equipe/invitations', { prenom: 'X', nom: 'Y', email: 'x@y.fr', role: 'admin' }],
        ['POST', `/espace-pro/equipe/invitations/${aInvitation}/renvoyer`, {}],
        ['POST', `/espace-pro/equipe/invitations/${aInvitation}/retirer`, {}],
        ['POST', `/espace-pro/equipe/membres/${aViewer}/role`, { role: 'admin' }],
        ['POST', `/espace-pro/equipe/membres/${a.holderId}/role`, { role: 'viewer' }],
        ['POST', `/espace-pro/equipe/membres/${a.holderId}/retirer`, {}],
      ];
      const before = await snapshot();
      const buyer = await signedIn(t, aBuyer, a.companyId);
      const unknown = await buyer.get('/espace-pro/n-existe-pas');
      assert.equal(unknown.statusCode, 404);
      const viewer = await signedIn(t, aViewer, a.companyId);
      const remembered = await signedIn(t, aBuyer, a.companyId, { remembered: true });
      for (const [who, browser] of [['buyer', buyer], ['viewer', viewer], ['remembered buyer', remembered]] as const) {
        for (const [method, url, form] of doors) {
          const res = method === 'GET' ? await browser.get(url) : await post(browser, url, form);
          assert.equal(res.statusCode, 404, `${who} ${method} ${url}`);
          assert.equal(stable(res.body), stable(unknown.body), `${who} ${method} ${url}: one answer`);
        }
      }
      // Anonymous and staff (a staff session opens no customer page): sent to the customer sign-in.
      const staff = await createStaffAndSignIn(t, { role: 'admin' });
      for (const [who, browser] of [['anonymous', new Browser(t.app)], ['staff', staff]] as const) {
        for (const [method, url, form] of doors) {
          const res = method === 'GET' ? await browser.get(url) : await post(browser, url, form);
          assert.equal(res.statusCode, 303, `${who} ${method} ${url}`);
          assert.match(res.headers.location as string, /^\/connexion\?next=/, `${who} ${method} ${url}`);
        }
      }
      assert.equal(await snapshot(), before, 'nothing changed');
    });

    test('S43 behind the routes, the services themselves refuse anyone who is not an administrator of that company', async () => {
      const { a, b, aBuyer, bBuyer, aInvitation } = await twoCompanies();
      const deps = { db: t.db, clock: t.clock, config: t.config };
      const origin = { ip: '127.0.0.1', userAgent: 'test' };
      const buyer = { kind: 'customer' as const, accountId: aBuyer, companyId: a.companyId, email: 'acheteur@port.fr', origin };
      const foreignAdmin = { kind: 'customer' as const, accountId: b.holderId, companyId: a.companyId, email: 'admin@martin.fr', origin };
      const before = await snapshot();
      for (const actor of [buyer, foreignAdmin]) {
        assert.equal((await changeRole(deps, actor, a.companyId, aBuyer, 'admin')).ok, false);
        assert.equal((await removeMember(deps, actor, a.companyId, aBuyer)).ok, false);
        assert.equal((await withdrawInvitation(deps, actor, a.companyId, aInvitation)).ok, false);
        assert.equal((await resendInvitation(deps, actor, a.companyId, aInvitation)).ok, false);
        const invited = await invite(deps, actor, a.companyId, { prenom: 'X', nom: 'Y', email: 'x@y.fr', role: 'viewer' });
        assert.deepEqual([invited.ok, !invited.ok && invited.code], [false, 'NOT_ADMIN']);
      }
      // A session of company A naming company B: refused before anything is read.
      const admin = { kind: 'customer' as const, accountId: a.holderId, companyId: a.companyId, email: 'admin@port.fr', origin };
      assert.equal((await removeMember(deps, admin, b.companyId, bBuyer)).ok, false);
      assert.equal(await snapshot(), before);
    });

    test('S43 a company’s admin replays its forms against another company: one answer, nothing changed (in parallel with a positive control)', async () => {
      const { a, b, aBuyer, bBuyer, bViewer, aAdmin, bAdmin, bInvitation, aInvitation } = await twoCompanies();
      // A withdrawn invitation of A and an unknown id answer like B's ids.
      assert.equal((await post(aAdmin, `/espace-pro/equipe/invitations/${aInvitation}/retirer`)).statusCode, 303);
      const bBefore = JSON.stringify({ roles: await rolesOf(t, b.companyId), inv: await t.db.selectFrom('invitations').selectAll().where('company_id', '=', b.companyId).execute(), links: await t.db.selectFrom('link_tokens').selectAll().execute().then((r) => r.filter((l) => l.subject_id === bInvitation)) });
      const bMails = (await t.db.selectFrom('outbox').select('id').where('recipient', 'like', '%martin.fr').execute()).length;
      const replays: Array<[string, Record<string, string>]> = [];
      for (const id of [bInvitation, aInvitation, 999999]) {
        replays.push([`/espace-pro/equipe/invitations/${id}/renvoyer`, {}], [`/espace-pro/equipe/invitations/${id}/retirer`, {}]);
      }
      for (const id of [bBuyer, bViewer, b.holderId, 999999]) {
        replays.push([`/espace-pro/equipe/membres/${id}/role`, { role: 'admin' }], [`/espace-pro/equipe/membres/${id}/role`, { role: 'viewer' }], [`/espace-pro/equipe/membres/${id}/retirer`, {}]);
      }
      const unknown = await aAdmin.get('/espace-pro/n-existe-pas');
      const token = await tokenOf(aAdmin);
      const [control, ...answers] = await Promise.all([
        aAdmin.post(`/espace-pro/equipe/membres/${aBuyer}/role`, { _csrf: token, role: 'viewer' }),
        ...replays.map(([url, form]) => aAdmin.post(url, { _csrf: token, ...form })),
      ]);
      assert.equal(control.statusCode, 303, 'the positive control passes');
      answers.forEach((res, i) => {
        assert.equal(res.statusCode, 404, replays[i]![0]);
        assert.equal(stable(res.body), stable(unknown.body), `${replays[i]![0]}: one answer`);
      });
      // Extra fields naming the other company are ignored: the invitation is A's.
      const extra = await post(aAdmin, '/espace-pro/equipe/invitations', { prenom: 'Zoé', nom: 'Z', email: 'zoe@x.fr', role: 'viewer', company_id: String(b.companyId), compte: String(b.companyId) });
      assert.equal(extra.statusCode, 303);
      assert.equal(Number((await t.db.selectFrom('invitations').select('company_id').where('email', '=', 'zoe@x.fr').executeTakeFirstOrThrow()).company_id), a.companyId);
      // B's invitation link, opened and accepted by A's administrator: not theirs, nothing joins.
      const bLink = invitationLink((await lastMailTo(t, 'nouveau@martin.fr')).text_body!);
      const visit = await aAdmin.get(bLink);
      assert.equal(visit.statusCode, 303);
      const landing = await aAdmin.get(visit.headers.location as string);
      assert.equal(landing.statusCode, 200, 'a new person’s page: the password form');
      const stolen = await aAdmin.post('/invitation', { _csrf: csrfToken(landing.body) });
      assert.equal(stolen.statusCode, 303);
      assert.equal(stolen.headers.location, '/invitation', 'no password chosen, nothing accepted');
      const after = JSON.stringify({ roles: await rolesOf(t, b.companyId), inv: await t.db.selectFrom('invitations').selectAll().where('company_id', '=', b.companyId).execute(), links: await t.db.selectFrom('link_tokens').selectAll().execute().then((r) => r.filter((l) => l.subject_id === bInvitation)) });
      assert.equal(after, bBefore, 'B unchanged');
      assert.equal((await t.db.selectFrom('outbox').select('id').where('recipient', 'like', '%martin.fr').execute()).length, bMails, 'no mail to B’s people');
      // And B's admin, doing the same to A, is refused the same way.
      const back = await post(bAdmin, `/espace-pro/equipe/membres/${aBuyer}/retirer`);
      assert.equal(back.statusCode, 404);
    });

    test('the invitation form: each error next to its field, status 400, the input kept; a member’s address refused with a clear message', async () => {
      const { aAdmin } = await twoCompanies();
      const empty = await post(aAdmin, '/espace-pro/equipe/invitations', { prenom: ' ', nom: '', email: 'pas-une-adresse', role: 'superadmin' });
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /id="prenom-erreur"[^]*Veuillez saisir le prénom/);
      assert.match(empty.body, /id="nom-erreur"[^]*Veuillez saisir le nom/);
      assert.match(empty.body, /id="email-erreur"[^]*adresse e-mail valide/);
      assert.match(empty.body, /id="role-erreur"[^]*Veuillez choisir un rôle/);
      assert.match(empty.body, /name="email"[^>]*value="pas-une-adresse"/);
      for (const payload of [{ role: ['admin', 'buyer'] }, { email: ['a@b.fr', 'c@d.fr'] }]) {
        const res = await post(aAdmin, '/espace-pro/equipe/invitations', { prenom: 'A', nom: 'B', email: 'a@b.fr', role: 'buyer', ...payload });
        assert.equal(res.statusCode, 400, 'S27 arrays refused');
      }
      const member = await post(aAdmin, '/espace-pro/equipe/invitations', { prenom: 'Anne', nom: 'Achat', email: 'ACHETEUR@port.fr', role: 'buyer' });
      assert.equal(member.statusCode, 422);
      assert.match(member.body, /id="email-erreur"[^]*appartient déjà à une personne de votre équipe/);
      assert.match(member.body, /value="ACHETEUR@port.fr"/);
      const xss = await post(aAdmin, '/espace-pro/equipe/invitations', { prenom: '<script>alert(1)</script>', nom: 'X', email: 'bad', role: 'buyer' });
      assert.ok(!xss.body.includes('<script>alert(1)</script>') && xss.body.includes('&lt;script&gt;'), 'S25 echoed escaped');
      assert.equal((await t.db.selectFrom('invitations').select('id').execute()).length, 2, 'no invitation created');
    });

    test('S44 the invitation mail names the company and the inviter, says the validity; the token (256 bits) is stored only as a hash', async () => {
      const { aAdmin } = await twoCompanies();
      await t.db.updateTable('accounts').set({ given_name: 'Marie', family_name: 'Durand' }).where('email', '=', 'admin@port.fr').execute();
      assert.equal((await post(aAdmin, '/espace-pro/equipe/invitations', { prenom: 'Léa', nom: 'Petit', email: 'lea@port.fr', role: 'viewer' })).statusCode, 303);
      const mail = await lastMailTo(t, 'lea@port.fr');
      assert.equal(mail.kind, 'invitation');
      assert.match(mail.subject, /Invitation à rejoindre l’Espace Pro de Librairie du Port/);
      for (const part of [mail.text_body!, mail.html_body!]) {
        assert.match(part, /Bonjour Léa,/);
        assert.match(part, /Marie Durand vous invite à rejoindre l’Espace Pro de Librairie du Port \(compte client 11111\)/);
        assert.match(part, /valable 7 jours, jusqu’au /);
      }
      const link = invitationLink(mail.text_body!);
      const token = link.split('token=')[1]!;
      const rows = await t.db.selectFrom('link_tokens').selectAll().where('purpose', '=', 'invitation').execute();
      assert.ok(rows.some((r) => r.token_hash === sha256(token)));
      assert.ok(!JSON.stringify(rows).includes(token), 'only the hash is stored');
      assert.equal(Buffer.from(token, 'base64url').length, 32);
      const row = rows.find((r) => r.token_hash === sha256(token))!;
      assert.equal(row.expires_at - row.created_at, 168 * HOUR, 'INVITATION_TTL_HOURS, 168 by default');
    });

    /** Opens an invitation link as a browser would (the token moves into the cookie, S14). */
    async function open(browser: Browser, link: string) {
      const first = await browser.get(link);
      assert.equal(first.statusCode, 303);
      assert.equal(first.headers.location, '/invitation');
      assert.ok(browser.jar.get(COOKIE.invitationLink));
      return browser.get('/invitation');
    }

    test('S14 S17 S40 the invitation link: the token leaves the URL (no-referrer), a malformed or unknown token gets the invalid page, guesses are limited per client', async () => {
      await twoCompanies();
      const link = invitationLink((await lastMailTo(t, 'nouveau@port.fr')).text_body!);
      const first = await new Browser(t.app).get(link);
      assert.equal(first.statusCode, 303);
      assert.equal(first.headers['referrer-policy'], 'no-referrer');
      assert.match(String(first.headers['cache-control']), /no-store/);
      const malformed = await new Browser(t.app).get('/invitation?token=%3Cscript%3E');
      assert.equal(malformed.statusCode, 410);
      assert.ok(!String(malformed.headers['set-cookie'] ?? '').includes('script'), 'never in a header');
      const unknown = await new Browser(t.app).get(`/invitation?token=${'A'.repeat(43)}`);
      assert.equal(unknown.statusCode, 303);
      const guesser = new Browser(t.app);
      const answers = await Promise.all(Array.from({ length: 22 }, (_, i) => guesser.app.inject({ url: `/invitation?token=${String(i).padStart(43, 'B')}`, headers: { cookie: '' } }).then(async (r) => {
        const cookie = String(r.headers['set-cookie'] ?? '').split(';')[0];
        return guesser.app.inject({ url: '/invitation', headers: { cookie } });
      })));
      assert.ok(answers.some((r) => r.statusCode === 429), 'S17 beyond 20 invalid tokens in 10 minutes: 429');
      assert.ok(answers.filter((r) => r.statusCode === 410).length <= 20);
    });

    test('S44 a new person accepts: sets a password on the activation form (e-mail shown as Identifiant), is then a member; two parallel submits: one wins', async () => {
      const { a } = await twoCompanies();
      const link = invitationLink((await lastMailTo(t, 'nouveau@port.fr')).text_body!);
      const browser = new Browser(t.app);
      const page = await open(browser, link);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Activation/);
      assert.match(page.body, /name="identifiant"[^>]*value="nouveau@port.fr"[^>]*readonly|readonly[^>]*value="nouveau@port.fr"/);
      assert.match(page.body, /Mot de passe/);
      assert.match(page.body, /Confirmation mot de passe/);
      const weak = await browser.post('/invitation', { _csrf: csrfToken(page.body), mot_de_passe: 'court', confirmation: 'court' });
      assert.equal(weak.statusCode, 400);
      assert.match(weak.body, /id="mot_de_passe-erreur"/);
      const second = new Browser(t.app, browser.jar.clone());
      const form = { _csrf: csrfToken(page.body), mot_de_passe: STRONG_PASSWORD, confirmation: STRONG_PASSWORD };
      const answers = await Promise.all([browser.post('/invitation', form), second.post('/invitation', form)]);
      const wins = answers.filter((r) => r.statusCode === 303 && r.headers.location === '/connexion?enregistre=1');
      assert.equal(wins.length, 1, `one winner (${answers.map((r) => r.statusCode).join(', ')})`);
      assert.equal(answers.filter((r) => r.statusCode === 410).length, 1, 'the other: the invalid-link page');
      const people = await t.db.selectFrom('accounts').selectAll().where('email_lc', '=', 'nouveau@port.fr').execute();
      assert.equal(people.length, 1);
      assert.notEqual(people[0]!.password_hash, null);
      assert.equal(people[0]!.given_name, 'Paul');
      assert.deepEqual(
        (await t.db.selectFrom('memberships').select(['company_id', 'role']).where('account_id', '=', people[0]!.id).execute()).map((m) => [Number(m.company_id), m.role]),
        [[a.companyId, 'buyer']],
      );
      assert.equal((await t.db.selectFrom('invitations').select('state').where('email', '=', 'nouveau@port.fr').executeTakeFirstOrThrow()).state, 'accepted');
      // The link is used: a third visit gets the invalid page.
      assert.equal((await open(new Browser(t.app), link)).statusCode, 410);
      // And the person signs in with their e-mail.
      const login = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: 'nouveau@port.fr', mot_de_passe: STRONG_PASSWORD });
      assert.equal(login.statusCode, 303);
      assert.equal(login.headers.location, '/espace-pro');
    });

    test('S44 an existing person signs in to accept; accepting changes neither their password nor their e-mail', async () => {
      const { a, b, aAdmin } = await twoCompanies();
      // bBuyer (acheteur@martin.fr, with a password) is invited to A.
      assert.equal((await post(aAdmin, '/espace-pro/equipe/invitations', { prenom: 'Jean', nom: 'Martin', email: 'Acheteur@Martin.fr', role: 'viewer' })).statusCode, 303);
      const person = await t.db.selectFrom('accounts').selectAll().where('email_lc', '=', 'acheteur@martin.fr').executeTakeFirstOrThrow();
      const link = invitationLink((await lastMailTo(t, 'Acheteur@Martin.fr')).text_body!);
      const browser = new Browser(t.app);
      const page = await open(browser, link);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Identifiez-vous pour accepter/);
      assert.doesNotMatch(page.body, /name="mot_de_passe"/, 'no password form for someone who has one');
      // Posting a new password does not set it: sign in first.
      const sneaky = await browser.post('/invitation', { _csrf: await tokenOf(browser), mot_de_passe: 'un tout autre mot de passe long', confirmation: 'un tout autre mot de passe long' });
      assert.equal(sneaky.statusCode, 303);
      assert.match(sneaky.headers.location as string, /^\/connexion\?reconnexion=1&next=%2Finvitation/);
      // A remembered (old) sign-in is not enough: a sign-in at most 10 minutes old.
      const stale = await signedIn(t, Number(person.id), b.companyId);
      stale.jar.cookies.set(COOKIE.invitationLink, browser.jar.get(COOKIE.invitationLink)!);
      t.clock.advance(11 * 60_000);
      const stalePage = await stale.get('/invitation');
      assert.doesNotMatch(stalePage.body, /Accepter l’invitation<\/button>/);
      // The real sign-in (e-mail + password), back to the invitation, then Accepter.
      const login = await browser.submit('/connexion?reconnexion=1&next=%2Finvitation', '/connexion', { identifiant: 'acheteur@martin.fr', mot_de_passe: STRONG_PASSWORD, next: '/invitation' });
      assert.equal(login.statusCode, 303);
      assert.equal(login.headers.location, '/invitation');
      const acceptPage = await browser.get('/invitation');
      assert.match(acceptPage.body, /Accepter l’invitation/);
      const accepted = await browser.post('/invitation', { _csrf: csrfToken(acceptPage.body) });
      assert.equal(accepted.statusCode, 303);
      assert.equal(accepted.headers.location, '/espace-pro');
      const home = await browser.get('/espace-pro');
      assert.match(home.body, /Librairie du Port/, 'signed in to the company just joined');
      assert.match(home.body, /Changer de compte client/);
      const afterRow = await t.db.selectFrom('accounts').selectAll().where('id', '=', person.id).executeTakeFirstOrThrow();
      assert.equal(afterRow.password_hash, person.password_hash, 'password unchanged');
      assert.equal(afterRow.email, person.email, 'e-mail unchanged');
      assert.deepEqual(await rolesOf(t, a.companyId).then((r) => r.filter((x) => x.startsWith(`${person.id}:`))), [`${person.id}:viewer`]);
    });

    test('S44 void links: withdrawn, inviter no longer an administrator, company disabled, expired — each gets the invalid page and nothing joins', async () => {
      const cases: Array<[string, (ctx: Awaited<ReturnType<typeof twoCompanies>>) => Promise<void>]> = [
        ['withdrawn', async ({ aAdmin, aInvitation }) => void assert.equal((await post(aAdmin, `/espace-pro/equipe/invitations/${aInvitation}/retirer`)).statusCode, 303)],
        [
          'inviter demoted',
          async ({ a }) => {
            // A second administrator invites, then loses the role.
            const second = await addMember(t, a.companyId, { email: 'second@port.fr', role: 'admin' });
            await t.db.updateTable('invitations').set({ invited_by_account_id: second }).where('email', '=', 'nouveau@port.fr').execute();
            await t.db.updateTable('memberships').set({ role: 'buyer' }).where('account_id', '=', second).execute();
          },
        ],
        ['company disabled', async ({ a }) => void (await t.db.updateTable('companies').set({ disabled_at: t.clock.now() }).where('id', '=', a.companyId).execute())],
        ['expired', async () => t.clock.advance(168 * HOUR + 1000)],
      ];
      for (const [name, voidIt] of cases) {
        await resetDatabase(t.db, t.dialect);
        const ctx = await twoCompanies();
        const link = invitationLink((await lastMailTo(t, 'nouveau@port.fr')).text_body!);
        const browser = new Browser(t.app);
        const first = await open(browser, link);
        assert.equal(first.statusCode, 200, `${name}: valid before`);
        await voidIt(ctx);
        const page = await browser.get('/invitation');
        assert.equal(page.statusCode, 410, `${name}: page`);
        assert.match(page.body, /Cette invitation n’est plus valable/);
        const submit = await browser.post('/invitation', { _csrf: csrfToken(first.body), mot_de_passe: STRONG_PASSWORD, confirmation: STRONG_PASSWORD });
        assert.equal(submit.statusCode, 410, `${name}: submit`);
        assert.equal((await t.db.selectFrom('accounts').select('id').where('email_lc', '=', 'nouveau@port.fr').execute()).length, 0, `${name}: nobody created`);
      }
    });

    test('S44 an invitation never grants more than its inviter holds', async () => {
      assert.equal(mayGrant('admin', 'admin'), true);
      assert.equal(mayGrant('buyer', 'admin'), false);
      assert.equal(mayGrant('buyer', 'buyer'), true);
      assert.equal(mayGrant('viewer', 'buyer'), false);
      assert.equal(mayGrant('staff', 'admin'), true);
      const { aAdmin } = await twoCompanies();
      for (const role of ['owner', 'superadmin', 'ADMIN', '']) {
        const res = await post(aAdmin, '/espace-pro/equipe/invitations', { prenom: 'A', nom: 'B', email: `r${role}@x.fr`, role });
        assert.equal(res.statusCode, 400, role);
      }
      assert.equal((await t.db.selectFrom('invitations').select('id').execute()).length, 2);
    });

    test('S44 at most 20 invitations per company per day, 21 sent in parallel: 20 pass; the other company is not counted', async () => {
      const { aAdmin, bAdmin } = await twoCompanies();
      const token = await tokenOf(aAdmin);
      // The fixture already sent one for A: 20 more in parallel leave exactly 19 through.
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => aAdmin.post('/espace-pro/equipe/invitations', { _csrf: token, prenom: 'P', nom: `N${i}`, email: `p${i}@port.fr`, role: 'viewer' })));
      assert.equal(answers.filter((r) => r.statusCode === 303).length, 19);
      const refused = answers.filter((r) => r.statusCode === 429);
      assert.equal(refused.length, 1);
      assert.match(refused[0]!.body, /20 invitations aujourd’hui/);
      assert.equal((await t.db.selectFrom('outbox').select('id').where('kind', '=', 'invitation').where('recipient', 'like', '%port.fr').execute()).length, 20);
      assert.equal((await post(bAdmin, '/espace-pro/equipe/invitations', { prenom: 'P', nom: 'B', email: 'p@martin.fr', role: 'viewer' })).statusCode, 303, 'B has its own count');
      t.clock.advance(24 * HOUR + 1000);
      assert.equal((await post(aAdmin, '/espace-pro/equipe/invitations', { prenom: 'P', nom: 'Demain', email: 'demain@port.fr', role: 'viewer' })).statusCode, 303, 'a day later');
    });

    test('S45 removing a person or lowering their role ends their sessions, remember-me and single sign-on grants for the company at once; the audit names who did it', async () => {
      const { a, b, aBuyer, aAdmin } = await twoCompanies();
      // aBuyer also belongs to B; signed in to A twice (a session, a remembered browser) and to B once.
      await addMember(t, b.companyId, { email: 'acheteur@port.fr', role: 'buyer' });
      const inA = await signedIn(t, aBuyer, a.companyId);
      const rememberedA = await signedIn(t, aBuyer, a.companyId, { remembered: true });
      const inB = await signedIn(t, aBuyer, b.companyId);
      // A single sign-on grant of the person.
      await t.db.updateTable('accounts').set({ oidc_sub: 'sub-acheteur' }).where('id', '=', aBuyer).execute();
      await t.db.insertInto('oidc_models').values([
        { model: 'Grant', id: 'g1', payload: JSON.stringify({ clientId: 'boutique', accountId: 'sub-acheteur' }), grant_id: 'g1', uid: null, user_code: null, account_id: 'sub-acheteur', expires_at: null, consumed_at: null },
        { model: 'RefreshToken', id: 'r1', payload: '{}', grant_id: 'g1', uid: null, user_code: null, account_id: 'sub-acheteur', expires_at: null, consumed_at: null },
      ]).execute();
      for (const browser of [inA, rememberedA, inB]) assert.equal((await browser.get('/espace-pro')).statusCode, 200);
      const removed = await post(aAdmin, `/espace-pro/equipe/membres/${aBuyer}/retirer`);
      assert.equal(removed.statusCode, 303);
      for (const browser of [inA, rememberedA]) {
        const res = await browser.get('/espace-pro');
        assert.equal(res.statusCode, 303, 'signed out of A at the next request');
        assert.match(res.headers.location as string, /^\/connexion/);
      }
      assert.equal((await inB.get('/espace-pro')).statusCode, 200, 'still signed in to B');
      assert.equal((await t.db.selectFrom('remember_tokens').select('series').where('company_id', '=', a.companyId).where('account_id', '=', aBuyer).execute()).length, 0);
      assert.equal((await t.db.selectFrom('oidc_models').select('id').where('account_id', '=', 'sub-acheteur').execute()).length, 0, 'grants and tokens gone');
      const entry = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'team.member_removed').executeTakeFirstOrThrow();
      assert.equal(entry.actor_type, 'customer');
      assert.equal(entry.actor_id, 'admin@port.fr');
      assert.equal(Number(entry.account_id), aBuyer);
      assert.equal(Number(entry.company_id), a.companyId);

      // Lowering a role: the same at once.
      const viewerId = await addMember(t, a.companyId, { email: 'second-admin@port.fr', role: 'admin' });
      const secondAdmin = await signedIn(t, viewerId, a.companyId);
      assert.equal((await secondAdmin.get('/espace-pro/equipe')).statusCode, 200);
      assert.equal((await post(aAdmin, `/espace-pro/equipe/membres/${viewerId}/role`, { role: 'viewer' })).statusCode, 303);
      assert.equal((await secondAdmin.get('/espace-pro/equipe')).statusCode, 303, 'session ended');
      const lowered = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'team.role_changed').executeTakeFirstOrThrow();
      assert.equal(lowered.actor_id, 'admin@port.fr');
      assert.match(lowered.details!, /"from":"admin","to":"viewer"/);
    });

    test('S46 the last administrator can neither leave nor be demoted; two administrators demoting each other at once leave one', async () => {
      const { a, aAdmin, aBuyer } = await twoCompanies();
      const second = await addMember(t, a.companyId, { email: 'second@port.fr', role: 'admin' });
      const secondAdmin = await signedIn(t, second, a.companyId);
      // The holder stays administrator (staff hand that role over).
      const holder = await post(secondAdmin, `/espace-pro/equipe/membres/${a.holderId}/role`, { role: 'buyer' });
      assert.equal(holder.statusCode, 409);
      assert.match(holder.body, /titulaire du code client reste administrateur/);
      // Make the second admin the only one besides... the holder is disabled as a person: no longer active.
      await t.db.updateTable('accounts').set({ disabled_at: t.clock.now() }).where('id', '=', a.holderId).execute();
      for (const [url, form] of [[`/espace-pro/equipe/membres/${second}/role`, { role: 'buyer' }], [`/espace-pro/equipe/membres/${second}/retirer`, {}]] as const) {
        const res = await post(secondAdmin, url, form);
        assert.equal(res.statusCode, 409, url);
        assert.match(res.body, /garder au moins un administrateur actif/);
      }
      await t.db.updateTable('accounts').set({ disabled_at: null }).where('id', '=', a.holderId).execute();

      // Two non-holder administrators demote each other in parallel: exactly one admin besides the holder remains? No:
      // make the holder a buyer-in-name by handing the holder role away is staff work; here both are plain admins.
      const third = await addMember(t, a.companyId, { email: 'third@port.fr', role: 'admin' });
      const thirdAdmin = await signedIn(t, third, a.companyId);
      await t.db.updateTable('accounts').set({ disabled_at: t.clock.now() }).where('id', '=', a.holderId).execute();
      const [x, y] = await Promise.all([post(secondAdmin, `/espace-pro/equipe/membres/${third}/role`, { role: 'buyer' }), post(thirdAdmin, `/espace-pro/equipe/membres/${second}/role`, { role: 'buyer' })]);
      // The loser is no longer an administrator: refused (404), or already signed out of the company (S45).
      assert.equal([x, y].filter((r) => r.headers.location === '/espace-pro/equipe?ok=role').length, 1, 'one wins');
      const admins = (await t.db.selectFrom('memberships').innerJoin('accounts', 'accounts.id', 'memberships.account_id').select('memberships.account_id').where('company_id', '=', a.companyId).where('role', '=', 'admin').where('accounts.disabled_at', 'is', null).execute()).length;
      assert.equal(admins, 1, 'one active administrator left');
      void aAdmin;
      void aBuyer;
    });

    test('S46 two administrators removing each other at once leave one', async () => {
      const { a } = await twoCompanies();
      const second = await addMember(t, a.companyId, { email: 'second@port.fr', role: 'admin' });
      const third = await addMember(t, a.companyId, { email: 'third@port.fr', role: 'admin' });
      await t.db.updateTable('accounts').set({ disabled_at: t.clock.now() }).where('id', '=', a.holderId).execute();
      const [s, th] = [await signedIn(t, second, a.companyId), await signedIn(t, third, a.companyId)];
      const [ts, tt] = [await tokenOf(s), await tokenOf(th)];
      const answers = await Promise.all([s.post(`/espace-pro/equipe/membres/${third}/retirer`, { _csrf: ts }), th.post(`/espace-pro/equipe/membres/${second}/retirer`, { _csrf: tt })]);
      assert.equal(answers.filter((r) => r.headers.location === '/espace-pro/equipe?ok=removed').length, 1, 'one wins');
      const left = await t.db.selectFrom('memberships').select('account_id').where('company_id', '=', a.companyId).where('role', '=', 'admin').where('account_id', 'in', [second, third]).execute();
      assert.equal(left.length, 1);
    });
  });
}
