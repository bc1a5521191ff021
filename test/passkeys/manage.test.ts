import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { RECENT_SIGN_IN_MS } from '../../src/modules/passkeys/passkeys.service.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { SmtpSink } from '../helpers/smtp.js';
import { createStaffAndSignIn } from '../helpers/staff.js';
import { askOptions, SoftAuthenticator, type Tweak } from '../helpers/webauthn.js';

const NEW_PASSWORD = 'trois pommes vertes au marché';

for (const dialect of DIALECTS) {
  describe(`passkeys: Mon Espace Pro and the account's life [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    let holder: { id: number };
    let other: { id: number };
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
      holder = await seedAccount(t, { code: '12345' });
      other = await seedAccount(t, { code: '22222', email: 'autre@x.fr', company: 'Autre Société' });
    });

    async function signIn(code = '12345', browser = new Browser(t.app)) {
      const res = await browser.submit('/connexion', '/connexion', { identifiant: code, mot_de_passe: STRONG_PASSWORD });
      assert.equal(res.statusCode, 303);
      return browser;
    }

    async function register(browser: Browser, authenticator = new SoftAuthenticator(), tweak: Tweak = {}) {
      const { options, csrf, status } = await askOptions(browser, '/espace-pro/cles', '/espace-pro/cles/options');
      if (status !== 200) return { status, res: undefined, authenticator, options };
      const res = await browser.post('/espace-pro/cles', { _csrf: csrf, reponse: JSON.stringify(authenticator.register(options, tweak)) });
      return { status, res, authenticator, options };
    }

    async function passkeySignIn(authenticator: SoftAuthenticator, browser = new Browser(t.app)) {
      const { options, csrf } = await askOptions(browser, '/connexion', '/connexion/cle/options');
      return browser.post('/connexion/cle', { _csrf: csrf, reponse: JSON.stringify(authenticator.assert(options)) });
    }

    const count = async (ownerId = holder.id) => (await t.db.selectFrom('passkeys').select('id').where('owner_type', '=', 'person').where('owner_id', '=', ownerId).execute()).length;
    const mails = async (subject: RegExp, to = 'contact@librairie-du-port.fr') => {
      await t.outbox.drain();
      return smtp.to(to).filter((m) => subject.test(m.subject ?? ''));
    };

    test('S48 registration answers that must not add a passkey: wrong origin, wrong RP ID, user verification off, a challenge never issued, none a 500', async () => {
      const browser = await signIn();
      for (const [name, tweak] of [
        ['wrong origin', { origin: 'http://evil.example' }],
        ['wrong RP ID hash', { rpId: 'evil.example' }],
        ['user verification off', { uv: false }],
        ['user presence off', { up: false }],
        ['a sign-in answer type', { type: 'webauthn.get' }],
        ['a challenge never issued', { challenge: 'bm90LWEtY2hhbGxlbmdlLWZyb20tdGhlLXNlcnZlcg' }],
      ] as Array<[string, Tweak]>) {
        const { res } = await register(browser, new SoftAuthenticator(), tweak);
        assert.equal(res!.statusCode, 400, name);
        assert.match(res!.body, /La clé d’accès n’a pas pu être ajoutée/, name);
      }
      assert.equal(await count(), 0);
      assert.equal((await mails(/clé d’accès/)).length, 0);
      // Positive control: the genuine answer is taken.
      assert.equal((await register(browser)).res!.statusCode, 303);
      assert.equal(await count(), 1);
    });

    test('S48 registration: a replayed answer, another browser’s challenge, another person’s challenge and a credential already registered to someone else add nothing', async () => {
      const mine = await signIn();
      const authenticator = new SoftAuthenticator();
      const { options, csrf } = await askOptions(mine, '/espace-pro/cles', '/espace-pro/cles/options');
      const answer = JSON.stringify(authenticator.register(options));
      // Another browser of the same person answering this browser's challenge.
      const second = await signIn();
      const { csrf: csrf2 } = await askOptions(second, '/espace-pro/cles', '/espace-pro/cles/options');
      assert.equal((await second.post('/espace-pro/cles', { _csrf: csrf2, reponse: answer })).statusCode, 400);
      // Another person, in a browser holding the same binding cookie (copied), answering it.
      const stranger = await signIn('22222');
      stranger.jar.cookies.set('__Host-ep_csrf', mine.jar.get('__Host-ep_csrf')!);
      const strangerCsrf = csrfToken((await stranger.get('/espace-pro/cles')).body);
      assert.equal((await stranger.post('/espace-pro/cles', { _csrf: strangerCsrf, reponse: answer })).statusCode, 400);
      assert.equal(await count(other.id), 0);
      // The owner's browser: accepted once, then the replay is refused.
      assert.equal((await mine.post('/espace-pro/cles', { _csrf: csrf, reponse: answer })).statusCode, 303);
      assert.equal((await mine.post('/espace-pro/cles', { _csrf: csrf, reponse: answer })).statusCode, 400);
      // The same credential offered by another person: refused (credential ids are unique).
      const { res } = await register(await signIn('22222'), authenticator);
      assert.equal(res!.statusCode, 400);
      assert.match(res!.body, /déjà enregistrée/);
      assert.equal(await count(), 1);
      assert.equal(await count(other.id), 0);
    });

    test('S49 adding needs a sign-in at most 10 minutes old, else the password first (through the attempt core); removing too; each change is mailed', async () => {
      const browser = await signIn();
      t.clock.advance(RECENT_SIGN_IN_MS + 1000);
      const stale = await register(browser);
      assert.equal(stale.status, 403);
      assert.equal(stale.options.redirect, '/espace-pro/cles');
      const page = await browser.get('/espace-pro/cles');
      assert.match(page.body, /Confirmez votre mot de passe/);
      assert.doesNotMatch(page.body, /data-cle="ajout"/);
      // A registration answer posted anyway (a stale form) is not taken.
      const authenticator = new SoftAuthenticator();
      const forced = await browser.post('/espace-pro/cles', { _csrf: csrfToken(page.body), reponse: JSON.stringify(authenticator.register({ challenge: 'x', rp: { id: 'localhost' }, user: { id: 'AAAA' } })) });
      assert.equal(forced.statusCode, 303);
      assert.equal(forced.headers.location, '/espace-pro/cles');
      assert.equal(await count(), 0);
      // A wrong password is refused and counted like a login failure (S8).
      const wrong = await browser.post('/espace-pro/cles/confirmer', { _csrf: csrfToken(page.body), actuel: 'pas le bon mot de passe du tout' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /Le mot de passe est incorrect/);
      const throttle = await t.db.selectFrom('login_throttle').selectAll().where('key', '=', '12345').executeTakeFirstOrThrow();
      assert.equal(Number(throttle.failures), 1);
      const right = await browser.post('/espace-pro/cles/confirmer', { _csrf: csrfToken(page.body), actuel: STRONG_PASSWORD });
      assert.equal(right.headers.location, '/espace-pro/cles?ok=confirmed');
      const added = await register(browser, authenticator);
      assert.equal(added.res!.statusCode, 303);
      assert.equal(await count(), 1);
      assert.equal((await mails(/a été ajoutée/)).length, 1);

      // Removing, 10 minutes later: the password first again.
      const id = Number((await t.db.selectFrom('passkeys').select('id').executeTakeFirstOrThrow()).id);
      t.clock.advance(RECENT_SIGN_IN_MS + 1000);
      const list = await browser.get('/espace-pro/cles');
      assert.match(list.body, /Supprimer/);
      const refused = await browser.post(`/espace-pro/cles/${id}/supprimer`, { _csrf: csrfToken(list.body) });
      assert.equal(refused.headers.location, '/espace-pro/cles');
      assert.equal(await count(), 1);
      await browser.post('/espace-pro/cles/confirmer', { _csrf: csrfToken(list.body), actuel: STRONG_PASSWORD });
      const removed = await browser.post(`/espace-pro/cles/${id}/supprimer`, { _csrf: csrfToken(list.body) });
      assert.equal(removed.headers.location, '/espace-pro/cles?ok=removed');
      assert.equal(await count(), 0);
      const removedMails = await mails(/a été supprimée/);
      assert.equal(removedMails.length, 1);
      assert.match(removedMails[0]!.text ?? '', /Mot de passe oublié/);
      // Removed: that passkey signs nobody in any more.
      assert.equal((await passkeySignIn(authenticator)).statusCode, 401);
      const events = (await t.db.selectFrom('audit_log').select('event').where('event', 'like', 'passkey.%').orderBy('id').execute()).map((r) => r.event);
      assert.deepEqual(events, ['passkey.reauthentication_failed', 'passkey.reauthenticated', 'passkey.added', 'passkey.reauthenticated', 'passkey.removed']);
    });

    test('S32 the list shows name, creation and last use; renaming works; another person’s passkey id changes nothing', async () => {
      const mine = await signIn();
      await register(mine);
      const theirs = await signIn('22222');
      await register(theirs);
      const [myId, theirId] = (await t.db.selectFrom('passkeys').select(['id', 'owner_id']).orderBy('id').execute()).map((r) => Number(r.id));
      const page = await mine.get('/espace-pro/cles');
      assert.match(page.body, /Créée le/);
      assert.match(page.body, /Jamais/);
      const csrf = csrfToken(page.body);
      assert.equal((await mine.post(`/espace-pro/cles/${myId}/nom`, { _csrf: csrf, nom: '  Ordinateur   du bureau ' })).headers.location, '/espace-pro/cles?ok=renamed');
      assert.equal((await mine.post(`/espace-pro/cles/${myId}/nom`, { _csrf: csrf, nom: '   ' })).statusCode, 400);
      assert.equal((await mine.post(`/espace-pro/cles/${myId}/nom`, { _csrf: csrf, nom: 'x'.repeat(61) })).statusCode, 400);
      const foreign = await mine.post(`/espace-pro/cles/${theirId}/nom`, { _csrf: csrf, nom: 'volé' });
      assert.equal(foreign.statusCode, 404);
      // Said where the person looks (the error summary pointing at the list), not lost on a field that is not there.
      assert.match(foreign.body, /id="resume-erreurs"[\s\S]*href="#cles">Cette clé d’accès n’existe pas ou plus/);
      assert.match(foreign.body, /id="cles"/);
      await mine.post(`/espace-pro/cles/${theirId}/supprimer`, { _csrf: csrf });
      const names = (await t.db.selectFrom('passkeys').select('name').orderBy('id').execute()).map((r) => r.name);
      assert.equal(names.length, 2, 'their passkey was not removed');
      assert.equal(names[0], 'Ordinateur du bureau');
      assert.notEqual(names[1], 'volé');
      assert.equal(await count(other.id), 1, 'their passkey is still there');
      assert.match((await mine.get('/espace-pro/cles')).body, /Ordinateur du bureau/);
      assert.doesNotMatch((await mine.get('/espace-pro/cles')).body, /volé/);
    });

    test('S49 a password reset through the e-mailed link removes every passkey; losing them never locks the customer out', async () => {
      const browser = await signIn();
      const { authenticator } = await register(browser);
      assert.equal(await count(), 1);
      const anon = new Browser(t.app);
      await anon.submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant: '12345', email: 'contact@librairie-du-port.fr' });
      await t.outbox.drain();
      const link = /https?:\/\/\S+activation\?token=[A-Za-z0-9_-]+/.exec(smtp.to('contact@librairie-du-port.fr').at(-1)!.text ?? '')![0];
      const url = new URL(link);
      const first = await anon.get(url.pathname + url.search);
      const page = await anon.get(first.headers.location as string);
      const done = await anon.post('/activation', { _csrf: csrfToken(page.body), mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD });
      assert.equal(done.statusCode, 303);
      assert.equal(await count(), 0, 'the reset took the passkeys away');
      assert.equal((await t.db.selectFrom('audit_log').select('details').where('event', '=', 'passkey.removed_with_reset').executeTakeFirstOrThrow()).details, '{"count":1}');
      assert.equal((await passkeySignIn(authenticator)).statusCode, 401);
      // The way back: the new password.
      const back = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: NEW_PASSWORD });
      assert.equal(back.statusCode, 303);
    });

    test('S49 a disabled customer keeps their passkeys but cannot use them; enabled again, they work; an erasure deletes them', async () => {
      const { authenticator } = await register(await signIn());
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const accountPage = `/back-office/comptes/${holder.id}`;
      const html = await admin.get(accountPage);
      assert.match(html.body, /1 clé d’accès/);
      assert.equal((await admin.post(`${accountPage}/desactiver`, { _csrf: csrfToken(html.body) })).statusCode, 303);
      assert.equal((await passkeySignIn(authenticator)).statusCode, 401);
      assert.match((await t.db.selectFrom('audit_log').select('details').where('event', '=', 'login.failure').orderBy('id', 'desc').executeTakeFirstOrThrow()).details ?? '', /"reason":"unavailable"/);
      assert.equal(await count(), 1);
      assert.equal((await admin.post(`${accountPage}/reactiver`, { _csrf: csrfToken(html.body) })).statusCode, 303);
      assert.equal((await passkeySignIn(authenticator)).statusCode, 303);
      // S42: the export lists them (name, dates, kind), without key material.
      const exported = JSON.parse((await admin.get(`${accountPage}/donnees.json`)).body);
      assert.equal(exported.passkeys.length, 1);
      assert.equal(typeof exported.passkeys[0].created_at, 'number');
      assert.equal(JSON.stringify(exported).includes(authenticator.credentialId), false);
      const erased = await admin.post(`${accountPage}/effacer`, { _csrf: csrfToken(html.body) });
      assert.equal(erased.statusCode, 200);
      assert.equal((await t.db.selectFrom('passkeys').select('id').execute()).length, 0);
    });

    test('Admins see how many passkeys a customer has and remove them (audited, the customer told); agents only see the count', async () => {
      await register(await signIn());
      const agent = await createStaffAndSignIn(t, { role: 'agent', email: 'agent@cartotheque.test' });
      const page = `/back-office/comptes/${holder.id}`;
      const agentHtml = await agent.get(page);
      assert.match(agentHtml.body, /1 clé d’accès/);
      assert.doesNotMatch(agentHtml.body, /Supprimer les clés d’accès/);
      assert.equal((await agent.post(`${page}/cles/supprimer`, { _csrf: csrfToken(agentHtml.body) })).statusCode, 403);
      assert.equal(await count(), 1);
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const html = await admin.get(page);
      const res = await admin.post(`${page}/cles/supprimer`, { _csrf: csrfToken(html.body) });
      assert.equal(res.headers.location, `${page}?ok=passkeys_removed`);
      assert.equal(await count(), 0);
      const audit = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'passkey.removed_by_staff').executeTakeFirstOrThrow();
      assert.equal(audit.actor_type, 'staff');
      assert.equal(audit.target, '12345');
      assert.equal((await mails(/a été supprimée/)).length, 1);
    });


    test('S51 passkey notices follow the person’s language: an English reader is told in English, with the way to reach customer service, whoever made the change', async () => {
      await t.db.updateTable('accounts').set({ language: 'en' }).where('id', '=', holder.id).execute();
      await register(await signIn());
      const added = await mails(/A passkey was added/);
      assert.equal(added.length, 1);
      assert.match(added[0]!.text ?? '', /to account 12345/);
      assert.match(added[0]!.text ?? '', /our customer service/);
      assert.doesNotMatch(added[0]!.text ?? '', /clé d’accès|Bonjour/);
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const page = `/back-office/comptes/${holder.id}`;
      await admin.post(`${page}/cles/supprimer`, { _csrf: csrfToken((await admin.get(page)).body) });
      const removed = await mails(/A passkey was deleted/);
      assert.equal(removed.length, 1);
      assert.match(removed[0]!.text ?? '', /our customer service/);
      // Positive control: a French reader's notice stays French.
      smtp.clear();
      await register(await signIn('22222'));
      assert.equal((await mails(/a été ajoutée/, 'autre@x.fr')).length, 1);
    });
    test('After a password sign-in Mon Espace Pro invites to add a passkey (hidden until WebAuthn is there); "Non merci" stops it on that browser with a flag-only cookie', async () => {
      const browser = await signIn();
      const home = await browser.get('/espace-pro');
      assert.match(home.body, /data-cle="invitation" hidden/);
      assert.match(home.body, /<script src="\/static\/passkeys.js" defer><\/script>/);
      const declined = await browser.post('/espace-pro/cles/invitation/refuser', { _csrf: csrfToken(home.body) });
      assert.equal(declined.headers.location, '/espace-pro');
      assert.match(String(declined.headers['set-cookie']), /__Host-ep_passkey_offer=declined; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=/);
      assert.doesNotMatch((await browser.get('/espace-pro')).body, /data-cle="invitation"/);
      // Signed in again with the password on that browser (its cookies, signed out): still not invited.
      const again = new Browser(t.app);
      again.jar.cookies.set('__Host-ep_passkey_offer', browser.jar.get('__Host-ep_passkey_offer')!);
      await signIn('12345', again);
      assert.doesNotMatch((await again.get('/espace-pro')).body, /data-cle="invitation"/);
      // Another browser is invited, but not 10 minutes later, nor once a passkey exists, nor after a passkey sign-in.
      const elsewhere = await signIn();
      t.clock.advance(RECENT_SIGN_IN_MS + 1000);
      assert.doesNotMatch((await elsewhere.get('/espace-pro')).body, /data-cle="invitation"/);
      const third = await signIn();
      const { authenticator } = await register(third);
      assert.doesNotMatch((await third.get('/espace-pro')).body, /data-cle="invitation"/);
      await resetDatabase(t.db, t.dialect, { keep: ['accounts', 'companies', 'memberships', 'passkeys'] });
      const viaPasskey = new Browser(t.app);
      assert.equal((await passkeySignIn(authenticator, viaPasskey)).statusCode, 303);
      assert.doesNotMatch((await viaPasskey.get('/espace-pro')).body, /data-cle="invitation"/);
    });

    test('The Authentification page offers the passkey button (hidden without WebAuthn) and passkeys in the autofill of Identifiant; the page works without script', async () => {
      const page = await new Browser(t.app).get('/connexion');
      assert.match(page.body, /autocomplete="username webauthn"/);
      assert.match(page.body, /<form method="post" action="\/connexion\/cle" class="passkey-signin" data-cle="connexion"[^>]* hidden>/);
      assert.match(page.body, /Se connecter avec une clé d’accès/);
      assert.doesNotMatch(page.body, /<script>(?!<)/, 'no inline script');
      const script = await new Browser(t.app).get('/static/webauthn.js');
      assert.equal(script.statusCode, 200);
      assert.match(script.body, /SimpleWebAuthnBrowser/);
      assert.equal((await new Browser(t.app).get('/static/passkeys.js')).statusCode, 200);
      const security = await (await signIn()).get('/espace-pro/securite');
      assert.match(security.body, /Aucune clé d’accès/);
      assert.match(security.body, /href="\/espace-pro\/cles"/);
    });
  });
}
