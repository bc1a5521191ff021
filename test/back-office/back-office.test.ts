import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { seedAccount, STRONG_PASSWORD, holderOfCode } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { linkIn, SmtpSink } from '../helpers/smtp.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

const XSS = '<script>alert(1)</script>';
const FORMULA = '=cmd|"/c calc"!A1';
const REQUEST = {
  raison_sociale: `Librairie ${XSS}`,
  code_client: '',
  siret: '732 829 320 00074',
  nom: 'Martin',
  prenom: 'Claire',
  email: 'claire.martin@librairie-du-port.fr',
  telephone: '02 98 12 34 56',
  adresse: '3 quai de l’Odet',
  code_postal: '29000',
  ville: 'Quimper',
  pays: 'France',
  message: `Bonjour ${XSS}`,
};

for (const dialect of DIALECTS) {
  describe(`back office [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url, CUSTOMER_SERVICE_EMAIL: 'sc@cartotheque.test' } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
    });

    async function submitRequest(fields: Partial<typeof REQUEST> = {}) {
      const res = await new Browser(t.app).submit('/ouverture-de-compte', '/ouverture-de-compte', { ...REQUEST, ...fields });
      assert.equal(res.statusCode, 303);
      const row = await t.db.selectFrom('account_requests').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
      return Number(row.id);
    }

    async function act(browser: Browser, page: string, action: string, form: Record<string, string> = {}) {
      const html = await browser.get(page);
      return browser.post(action, { _csrf: csrfToken(html.body), ...form });
    }

    test('S31 access matrix: anonymous and customers are refused everywhere, agents everywhere but staff management, admins everywhere', async () => {
      const account = await seedAccount(t, { code: '12345' });
      const requestId = await submitRequest();
      const gets = [
        '/back-office',
        '/back-office/demandes',
        `/back-office/demandes/${requestId}`,
        '/back-office/comptes',
        `/back-office/comptes/${account.id}`,
        '/back-office/import',
        '/back-office/journal',
        '/back-office/journal.csv',
        '/back-office/equipe',
      ];
      const posts = [
        `/back-office/demandes/${requestId}/prendre-en-charge`,
        `/back-office/demandes/${requestId}/approuver`,
        `/back-office/demandes/${requestId}/refuser`,
        `/back-office/comptes/${account.id}/lien`,
        `/back-office/comptes/${account.id}/email`,
        `/back-office/comptes/${account.id}/desactiver`,
        `/back-office/comptes/${account.id}/reactiver`,
        `/back-office/comptes/${account.id}/sessions`,
        `/back-office/comptes/${account.id}/debloquer`,
        '/back-office/equipe',
        '/back-office/import',
      ];
      const anonymous = new Browser(t.app);
      const customer = new Browser(t.app);
      await customer.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      assert.equal((await customer.get('/espace-pro')).statusCode, 200);
      for (const [who, browser] of [['anonymous', anonymous], ['customer', customer]] as const) {
        const token = csrfToken((await browser.get('/connexion')).body.includes('_csrf') ? (await browser.get('/connexion')).body : (await browser.get('/espace-pro')).body);
        for (const url of gets) {
          const res = await browser.get(url);
          assert.equal(res.statusCode, 303, `${who} GET ${url}`);
          assert.match(String(res.headers.location), /^\/back-office\/connexion/, `${who} GET ${url}`);
        }
        for (const url of posts) {
          const res = await browser.post(url, { _csrf: token, code: '12345', motif: 'x', email: 'a@b.fr', role: 'agent' });
          assert.equal(res.statusCode, 403, `${who} POST ${url}`);
        }
      }
      const agent = await createStaffAndSignIn(t, { role: 'agent' });
      const adminOnly = ['/back-office/equipe', '/back-office/import'];
      for (const url of gets) assert.equal((await agent.get(url)).statusCode, adminOnly.includes(url) ? 403 : 200, `agent GET ${url}`);
      const agentToken = csrfToken((await agent.get('/back-office')).body);
      assert.equal((await agent.post('/back-office/equipe', { _csrf: agentToken, email: 'new@x.fr', role: 'admin' })).statusCode, 403, 'agents cannot manage staff');
      assert.equal(await t.db.selectFrom('staff').select('id').where('email', '=', 'new@x.fr').executeTakeFirst(), undefined);
      const adminBrowser = await createStaffAndSignIn(t, { role: 'admin' });
      for (const url of gets) assert.equal((await adminBrowser.get(url)).statusCode, 200, `admin GET ${url}`);
      const denied = await t.db.selectFrom('audit_log').select('id').where('event', '=', 'backoffice.access_denied').execute();
      assert.ok(denied.length >= posts.length * 2, 'S34 refusals are audited');
    });

    test('S23 every back-office action needs the CSRF token', async () => {
      const account = await seedAccount(t, { code: '12345' });
      const agent = await createStaffAndSignIn(t);
      for (const path of ['lien', 'desactiver', 'sessions']) {
        assert.equal((await agent.post(`/back-office/comptes/${account.id}/${path}`, {})).statusCode, 403, path);
      }
      const row = await t.db.selectFrom('accounts').select('disabled_at').executeTakeFirstOrThrow();
      assert.equal(row.disabled_at, null);
    });

    test('approve → activation mail → the customer activates and signs in; processing twice is refused', async () => {
      const id = await submitRequest({ raison_sociale: 'Librairie du Port' });
      smtp.clear();
      const agent = await createStaffAndSignIn(t);
      const page = `/back-office/demandes/${id}`;
      assert.equal((await act(agent, page, `${page}/prendre-en-charge`)).statusCode, 303);
      assert.equal((await t.db.selectFrom('account_requests').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state, 'in_progress');
      const bad = await act(agent, page, `${page}/approuver`, { code: '1234' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /exactement 5 chiffres/);
      const res = await act(agent, page, `${page}/approuver`, { code: '54321' });
      assert.equal(res.statusCode, 303);
      const request = await t.db.selectFrom('account_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(request.state, 'approved');
      const account = await t.db.selectFrom('accounts').selectAll().where('id', 'in', holderOfCode(t.db, '54321')).executeTakeFirstOrThrow();
      assert.equal(request.account_id, account.id);
      assert.equal(account.email, REQUEST.email);
      assert.equal(account.password_hash, null, 'S5 staff never set a password');

      await t.outbox.drain();
      // Issue 15: an approved request gets the welcome mail, not the generic reset mail.
      const mail = smtp.to(REQUEST.email).find((m) => /Votre compte Espace Pro est ouvert/.test(m.subject ?? ''));
      assert.ok(mail, 'welcome mail sent');
      assert.match(mail.text ?? '', /Votre identifiant est votre code client : \d{5}/);
      assert.doesNotMatch(mail.text ?? '', /mot de passe actuel reste inchangé/);
      const customer = new Browser(t.app);
      const link = new URL(linkIn(mail));
      const first = await customer.get(link.pathname + link.search);
      const form = await customer.get(first.headers.location as string);
      const password = 'nos livres voyagent loin';
      const done = await customer.post('/activation', { _csrf: csrfToken(form.body), mot_de_passe: password, confirmation: password });
      assert.equal(done.statusCode, 303);
      assert.equal((await customer.submit('/connexion', '/connexion', { identifiant: '54321', mot_de_passe: password })).statusCode, 303);

      const twice = await act(agent, page, `${page}/refuser`, { motif: 'trop tard' });
      assert.equal(twice.statusCode, 409);
      assert.match(twice.body, /déjà été traitée/);
      assert.equal((await t.db.selectFrom('account_requests').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state, 'approved');
      const audit = await t.db.selectFrom('audit_log').select('event').where('event', 'like', 'staff.request_%').execute();
      assert.deepEqual(audit.map((a) => a.event).sort(), ['staff.request_approved', 'staff.request_started']);
    });

    test('approve links to an existing account of that code instead of creating one', async () => {
      const existing = await seedAccount(t, { code: '12345', email: 'erp@x.fr', password: null });
      const id = await submitRequest({ code_client: '12345' });
      const agent = await createStaffAndSignIn(t);
      await act(agent, `/back-office/demandes/${id}`, `/back-office/demandes/${id}/approuver`, { code: '12345' });
      const accounts = await t.db.selectFrom('accounts').select('id').execute();
      assert.equal(accounts.length, 1);
      assert.equal((await t.db.selectFrom('account_requests').select('account_id').where('id', '=', id).executeTakeFirstOrThrow()).account_id, existing.id);
    });

    test('reject → a mail with the reason; it cannot be processed again', async () => {
      const id = await submitRequest();
      smtp.clear();
      const agent = await createStaffAndSignIn(t);
      const page = `/back-office/demandes/${id}`;
      const empty = await act(agent, page, `${page}/refuser`, { motif: '  ' });
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /Indiquez le motif du refus/);
      assert.equal((await act(agent, page, `${page}/refuser`, { motif: 'Nous ne vendons qu’aux professionnels du livre.' })).statusCode, 303);
      await t.outbox.drain();
      const mail = smtp.to(REQUEST.email).find((m) => (m.text ?? '').includes('ne pouvons malheureusement pas'));
      assert.ok(mail, 'rejection mail');
      assert.match(mail.text ?? '', /Nous ne vendons qu’aux professionnels du livre\./);
      assert.equal((await act(agent, page, `${page}/approuver`, { code: '11111' })).statusCode, 409);
      assert.equal((await t.db.selectFrom('accounts').select('id').execute()).length, 0, 'nothing created by the refused second processing');
    });

    test('two agents approving the same request at once: exactly one wins', async () => {
      const id = await submitRequest();
      const a = await createStaffAndSignIn(t);
      const b = await createStaffAndSignIn(t);
      const page = `/back-office/demandes/${id}`;
      const [ta, tb] = [csrfToken((await a.get(page)).body), csrfToken((await b.get(page)).body)];
      const results = await Promise.all([
        a.post(`${page}/approuver`, { _csrf: ta, code: '11111' }),
        b.post(`${page}/approuver`, { _csrf: tb, code: '22222' }),
      ]);
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [303, 409]);
      assert.equal((await t.db.selectFrom('accounts').select('id').execute()).length, 1, 'only the winner’s account exists');
    });

    test('disable kills the customer’s session and remember-me; enable lets them back in', async () => {
      const account = await seedAccount(t, { code: '12345' });
      const customer = new Browser(t.app);
      await customer.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD, memoriser: '1' });
      assert.equal((await customer.get('/espace-pro')).statusCode, 200);
      const agent = await createStaffAndSignIn(t);
      const page = `/back-office/comptes/${account.id}`;
      assert.equal((await act(agent, page, `${page}/lien`)).statusCode, 303, 'a pending link');
      assert.equal((await act(agent, page, `${page}/desactiver`)).statusCode, 303);
      assert.equal((await customer.get('/espace-pro')).statusCode, 303, 'session dead');
      customer.jar.cookies.delete('__Host-ep_session');
      assert.equal((await customer.get('/espace-pro')).statusCode, 303, 'remember-me dead');
      assert.equal((await t.db.selectFrom('remember_tokens').select('selector').execute()).length, 0);
      const open = await t.db.selectFrom('link_tokens').select('id').where('consumed_at', 'is', null).where('revoked_at', 'is', null).execute();
      assert.equal(open.length, 0, 'S12 a disable voids every open link');
      assert.match((await agent.get(page)).body, /Désactivé/);
      assert.equal((await customer.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD })).statusCode, 401);
      await act(agent, page, `${page}/reactiver`);
      assert.equal((await customer.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD })).statusCode, 303);
    });

    test('S12 changing the e-mail voids a pending link; the account shows its mails and their delivery state', async () => {
      const account = await seedAccount(t, { code: '12345', email: 'old@x.fr', password: null });
      const agent = await createStaffAndSignIn(t);
      const page = `/back-office/comptes/${account.id}`;
      assert.equal((await act(agent, page, `${page}/lien`)).statusCode, 303);
      assert.match((await agent.get(page)).body, /Lien envoyé/);
      await t.outbox.drain();
      const link = new URL(linkIn(smtp.to('old@x.fr')[0]!));
      const detail = await agent.get(page);
      assert.match(detail.body, /Lien d’activation/);
      assert.match(detail.body, /Envoyé/);
      assert.doesNotMatch(detail.body, /type="password"/, 'S5 no password field for customers in the back office');

      const bad = await act(agent, page, `${page}/email`, { email: 'pas-une-adresse' });
      assert.equal(bad.statusCode, 400);
      assert.equal((await act(agent, page, `${page}/email`, { email: 'new@x.fr' })).statusCode, 303);
      const customer = new Browser(t.app);
      const first = await customer.get(link.pathname + link.search);
      assert.equal((await customer.get(first.headers.location as string)).statusCode, 410, 'the link sent to the old address is void');
      assert.equal((await t.db.selectFrom('accounts').select('email').executeTakeFirstOrThrow()).email, 'new@x.fr');
    });

    test('revoke sessions and clear throttling from the account page', async () => {
      const account = await seedAccount(t, { code: '12345' });
      const customer = new Browser(t.app);
      await customer.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      for (let i = 0; i < 5; i++) await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: 'raté ' + i });
      const agent = await createStaffAndSignIn(t);
      const page = `/back-office/comptes/${account.id}`;
      assert.match((await agent.get(page)).body, /Connexions ralenties/);
      await act(agent, page, `${page}/sessions`);
      assert.equal((await customer.get('/espace-pro')).statusCode, 303);
      await act(agent, page, `${page}/debloquer`);
      assert.equal((await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD })).statusCode, 303);
    });

    test('search accounts by code, e-mail and company', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@port.fr', company: 'Librairie du Port' });
      await seedAccount(t, { code: '67890', email: 'bonjour@cartes.fr', company: 'Cartes & Co' });
      const agent = await createStaffAndSignIn(t);
      const codes = async (q: string) => [...(await agent.get(`/back-office/comptes?q=${encodeURIComponent(q)}`)).body.matchAll(/>(\d{5})<\/a>/g)].map((m) => m[1]);
      assert.deepEqual(await codes('123'), ['12345']);
      assert.deepEqual(await codes('CARTES.FR'), ['67890']);
      assert.deepEqual(await codes('port'), ['12345']);
      assert.deepEqual(await codes('%'), []);
      assert.deepEqual(await codes(''), ['12345', '67890']);
    });

    test('S25 stored XSS from the public form is encoded in the list, the detail and the audit export; CSV formulas are neutralised', async () => {
      const id = await submitRequest();
      const agent = await createStaffAndSignIn(t);
      for (const url of ['/back-office/demandes', `/back-office/demandes/${id}`]) {
        const body = (await agent.get(url)).body;
        assert.ok(!body.includes(XSS), url);
        assert.ok(body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), url);
      }
      // A formula where it reaches the audit log: the user agent (a typed identifier never does, S34).
      await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: FORMULA, mot_de_passe: 'x' }, { 'user-agent': FORMULA });
      await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: `${XSS}\r\nforged`, mot_de_passe: 'x' }, { 'user-agent': '@SUM(1+1)' });
      const page = await agent.get('/back-office/journal');
      assert.ok(!page.body.includes('<script>alert'), 'audit page encodes');
      const csv = (await agent.get('/back-office/journal.csv')).body;
      assert.ok(csv.includes(`"'=cmd|""/c calc""!A1"`), 'formula neutralised');
      assert.ok(csv.includes(`"'@SUM(1+1)"`), '@ neutralised');
      assert.ok(!/\r\nforged/.test(csv), 'S34 CR/LF encoded in the log');
      for (const line of csv.split('\r\n').filter(Boolean)) {
        for (const cell of line.slice(1, -1).split('";"')) assert.ok(!/^[=+\-@]/.test(cell), `cell ${cell}`);
      }
    });

    test('audit log filters by type, account, actor and date', async () => {
      await seedAccount(t, { code: '12345' });
      await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      t.clock.advance(2 * 86_400_000);
      await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '99999', mot_de_passe: 'raté' });
      const agent = await createStaffAndSignIn(t);
      // The Journal shows events in French (issue 15); the filter still takes a code or its start.
      const events = async (query: string) => [...(await agent.get(`/back-office/journal?${query}`)).body.matchAll(/<td data-label="Événement">(Connexion [a-zéè]+)<\/td>/g)].map((m) => m[1]);
      assert.deepEqual(await events('type=login.'), ['Connexion échouée', 'Connexion réussie']);
      assert.deepEqual(await events('type=login.&compte=12345'), ['Connexion réussie']);
      assert.deepEqual(await events('type=login.&du=2026-01-16'), ['Connexion échouée']);
      assert.deepEqual(await events('type=login.&au=2026-01-15'), ['Connexion réussie']);
      assert.equal((await agent.get('/back-office/journal?du=hier')).statusCode, 400);
    });

    test('ERP import from the upload page (admins only): dry run, real run, re-run unchanged, malformed lines reported', async () => {
      const agent = await createStaffAndSignIn(t, { role: 'admin' });
      const csv = '\ufeffcode;email;raison sociale\n10001;a@x.fr;Alpha\n10002;b@x.fr;"Beta; et fils"\n123;bad;X\n10003;pas-un-mail;Gamma\n';
      const upload = async (content: string, fields: Record<string, string>) => {
        const page = await agent.get('/back-office/import');
        const formData = new FormData();
        formData.append('_csrf', csrfToken(page.body));
        for (const [k, v] of Object.entries(fields)) formData.append(k, v);
        formData.append('fichier', new Blob([content], { type: 'text/csv' }), 'clients.csv');
        const request = new Request('http://localhost/back-office/import', { method: 'POST', body: formData });
        return t.app.inject({
          method: 'POST',
          url: `/back-office/import?_csrf=${encodeURIComponent(csrfToken(page.body))}`, // the token travels in the form's address
          headers: { cookie: agent.jar.header(), 'content-type': request.headers.get('content-type')! },
          payload: Buffer.from(await request.arrayBuffer()),
        });
      };
      const dry = await upload(csv, { simulation: '1' });
      assert.equal(dry.statusCode, 200);
      assert.match(dry.body, /Rapport de simulation/);
      assert.match(dry.body, /2 créés, 0 mis à jour, 0 inchangé, 2 rejetés/);
      assert.match(dry.body, /code client invalide/);
      assert.match(dry.body, /adresse e-mail invalide/);
      assert.equal((await t.db.selectFrom('accounts').select('id').execute()).length, 0, 'dry run writes nothing');
      const real = await upload(csv, {});
      assert.match(real.body, /2 créés,/);
      const rows = await t.db
        .selectFrom('companies')
        .innerJoin('accounts', 'accounts.id', 'companies.holder_account_id')
        .select(['companies.code', 'companies.name as company', 'accounts.password_hash'])
        .orderBy('companies.code')
        .execute();
      assert.deepEqual(rows.map((r) => [r.code, r.company, r.password_hash]), [['10001', 'Alpha', null], ['10002', 'Beta; et fils', null]]);
      const again = await upload(csv, {});
      assert.match(again.body, /0 créé, 0 mis à jour, 2 inchangés, 2 rejetés/);
      const changed = await upload('10001,new@x.fr,Alpha\n', {});
      assert.match(changed.body, /0 créé, 1 mis à jour/);
      assert.equal(smtp.messages.length, 0, 'no mail unless asked');
      const noFile = await upload('', {});
      assert.equal(noFile.statusCode, 400);
      assert.match(noFile.body, /Choisissez un fichier CSV/);
    });
  });
}
