import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { loggerOptions } from '../../src/app.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { currentTotp, seedStaff, signInStaff } from '../helpers/staff.js';
import { askOptions, SoftAuthenticator } from '../helpers/webauthn.js';
import { invitationLink, lastMailTo } from '../company/support.js';
import { COOKIE } from '../../src/plugins/cookies.js';

/** Every page a visitor can reach so far; each issue adds its own. */
const PUBLIC_PAGES = ['/', '/connexion', '/mot-de-passe-oublie', '/ouverture-de-compte', '/page-qui-n-existe-pas'];

/** Every state-changing route with a valid body apart from the CSRF proof. */
const POSTS: Array<{ url: string; form: Record<string, string> }> = [
  { url: '/connexion', form: { identifiant: '12345', mot_de_passe: STRONG_PASSWORD } },
  { url: '/deconnexion', form: {} },
  { url: '/ouverture-de-compte', form: { raison_sociale: 'Librairie du Port', nom: 'Martin', prenom: 'Claire', email: 'claire@exemple.fr', telephone: '0298123456' } },
];

for (const dialect of DIALECTS) {
  describe(`requests and responses [${dialect}]`, () => {
    let t: TestApp;
    const logLines: string[] = [];
    before(async () => {
      const stream = new Writable({
        write(chunk, _enc, cb) {
          logLines.push(chunk.toString());
          cb();
        },
      });
      t = await buildTestApp(dialect, { logger: { ...(loggerOptions('trace') as object), stream } });
      await seedAccount(t);
    });
    after(async () => t.close());

    test('S28 security headers on every page, 404 included', async () => {
      const browser = new Browser(t.app);
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      for (const url of [...PUBLIC_PAGES, '/espace-pro', '/static/app.css']) {
        const res = await browser.get(url);
        const csp = String(res.headers['content-security-policy']);
        assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), url);
        for (const directive of ["frame-ancestors 'none'", "form-action 'self'", "object-src 'none'", "base-uri 'none'"]) {
          assert.ok(csp.includes(directive), `${url}: ${directive}`);
        }
        assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
        assert.ok(res.headers['referrer-policy'], url);
        assert.equal(res.headers['x-powered-by'], undefined, url);
        assert.equal(res.headers['access-control-allow-origin'], undefined, `${url}: no CORS`);
        assert.equal(res.headers['strict-transport-security'], undefined, `${url}: no HSTS over plain HTTP`);
      }
    });

    test('S28 HSTS when PUBLIC_URL is HTTPS', async () => {
      const https = await buildTestApp(dialect, { env: { PUBLIC_URL: 'https://pro.example.fr' } });
      try {
        const res = await new Browser(https.app).get('/connexion');
        assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/);
      } finally {
        await https.close();
      }
    });

    test('S28 no CORS: a cross-origin preflight gets no allow headers', async () => {
      const res = await t.app.inject({ method: 'OPTIONS', url: '/connexion', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(res.headers['access-control-allow-origin'], undefined);
    });

    test('S29 Cache-Control: no-store on every page of the login and account flows', async () => {
      const browser = new Browser(t.app);
      for (const url of PUBLIC_PAGES) assert.equal((await browser.get(url)).headers['cache-control'], 'no-store', url);
      const login = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      assert.equal(login.headers['cache-control'], 'no-store');
      assert.equal((await browser.get('/espace-pro')).headers['cache-control'], 'no-store');
    });

    for (const { url, form } of POSTS) {
      test(`S23 CSRF: ${url} refuses a missing token, a wrong token, a cross-site Origin and Sec-Fetch-Site`, async () => {
        const browser = new Browser(t.app);
        await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
        const page = await browser.get('/espace-pro');
        const token = csrfToken(page.body);
        const before = await t.db.selectFrom('audit_log').select('id').where('event', '=', 'csrf.refused').execute();
        const attempts: Array<[string, Record<string, string>, Record<string, string>]> = [
          ['no token', form, {}],
          ['wrong token', { ...form, _csrf: token.slice(0, -2) + 'xx' }, {}],
          ['cross-site Origin', { ...form, _csrf: token }, { origin: 'https://evil.example' }],
          ['Sec-Fetch-Site cross-site', { ...form, _csrf: token }, { 'sec-fetch-site': 'cross-site' }],
          ['Sec-Fetch-Site same-site', { ...form, _csrf: token }, { 'sec-fetch-site': 'same-site' }],
          ['Origin null without same-origin fetch', { ...form, _csrf: token }, { origin: 'null' }],
        ];
        for (const [what, body, headers] of attempts) {
          const res = await browser.post(url, body, headers);
          assert.equal(res.statusCode, 403, `${url} ${what}`);
          assert.match(res.body, /Page expirée/);
        }
        const afterRows = await t.db.selectFrom('audit_log').select('id').where('event', '=', 'csrf.refused').execute();
        assert.equal(afterRows.length - before.length, attempts.length, 'S34 every CSRF refusal is audited');
        assert.equal((await browser.get('/espace-pro')).statusCode, 200, 'nothing changed');
        // The same request from the same origin with the token passes.
        const ok = await browser.post(url, { ...form, _csrf: token }, { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' });
        assert.equal(ok.statusCode, 303, `${url} accepted when same-origin with its token`);
      });
    }

    test('S23 a token from another browser is refused; a pre-login token dies at login', async () => {
      const a = new Browser(t.app);
      const b = new Browser(t.app);
      const tokenA = csrfToken((await a.get('/connexion')).body);
      await b.get('/connexion');
      const res = await b.post('/connexion', { _csrf: tokenA, identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      assert.equal(res.statusCode, 403);
      await a.post('/connexion', { _csrf: tokenA, identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const reuse = await a.post('/deconnexion', { _csrf: tokenA });
      assert.equal(reuse.statusCode, 403, 'the anonymous token no longer works once signed in');
    });

    test('S23 the login page, rendered once for all visitors, carries each visitor its own token', async () => {
      const a = new Browser(t.app);
      const b = new Browser(t.app);
      const pageA = (await a.get('/connexion')).body;
      const pageB = (await b.get('/connexion')).body;
      const [tokenA, tokenB] = [csrfToken(pageA), csrfToken(pageB)];
      assert.notEqual(tokenA, tokenB);
      assert.equal(pageA.replace(tokenA, 'T'), pageB.replace(tokenB, 'T'), 'the same page otherwise');
      assert.equal((await a.get('/connexion')).body, pageA, 'a returning visitor keeps the token of its binding');
      assert.equal((await b.post('/connexion', { _csrf: tokenA, identifiant: '12345', mot_de_passe: STRONG_PASSWORD })).statusCode, 403);
      assert.equal((await b.post('/connexion', { _csrf: tokenB, identifiant: '12345', mot_de_passe: STRONG_PASSWORD })).statusCode, 303);
    });

    test('S25 Mon Espace Pro, rendered once, shows each customer their own name and code, encoded', async () => {
      await seedAccount(t, { code: '54321', email: 'xss@exemple.fr', company: `L'<b>Atelier</b> & "Fils"` });
      const pages: string[] = [];
      for (const code of ['12345', '54321']) {
        const browser = new Browser(t.app);
        await browser.submit('/connexion', '/connexion', { identifiant: code, mot_de_passe: STRONG_PASSWORD });
        pages.push((await browser.get('/espace-pro')).body);
      }
      assert.match(pages[0]!, /Bonjour, Librairie du Port/);
      assert.match(pages[0]!, /<dd>12345<\/dd>/);
      assert.match(pages[1]!, /Bonjour, L&#39;&lt;b&gt;Atelier&lt;\/b&gt; &amp; &quot;Fils&quot;/);
      assert.match(pages[1]!, /<dd>54321<\/dd>/);
      assert.doesNotMatch(pages[1]!, /<b>Atelier|Librairie du Port|12345/);
      assert.notEqual(csrfToken(pages[0]!), csrfToken(pages[1]!));
    });

    test('S14 Origin: null is accepted only with Sec-Fetch-Site: same-origin and a valid token', async () => {
      const browser = new Browser(t.app);
      const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD }, { origin: 'null', 'sec-fetch-site': 'same-origin' });
      assert.equal(res.statusCode, 303);
    });

    test('S30 errors show a French page, never a stack, SQL or version', async () => {
      const notFound = await new Browser(t.app).get('/nulle-part');
      assert.equal(notFound.statusCode, 404);
      assert.match(notFound.body, /Page introuvable/);
      assert.match(notFound.body, /<html lang="fr">/);

      const broken = await buildTestApp(dialect, {
        extraRoutes: (app) =>
          app.get('/boom', async () => {
            throw new Error('SELECT * FROM accounts -- secret internals at /work/src/x.ts:1');
          }),
      });
      try {
        const res = await new Browser(broken.app).get('/boom');
        assert.equal(res.statusCode, 500);
        assert.match(res.body, /Une erreur est survenue/);
        assert.doesNotMatch(res.body, /SELECT|\.ts:|at |node_modules|Fastify|v20/);
      } finally {
        await broken.close();
      }
    });

    test('S30 a malformed body gets the French 400 page', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/connexion', payload: '{"x":', headers: { 'content-type': 'application/json' } });
      assert.ok(res.statusCode === 400 || res.statusCode === 403 || res.statusCode === 415, String(res.statusCode));
      assert.doesNotMatch(res.body, /"statusCode"|stack/);
      assert.match(res.body, /<html lang="fr">/);
    });

    test('S35 no password, session token, remember-me validator or CSRF token in any log line', async () => {
      const browser = new Browser(t.app);
      const page = await browser.get('/connexion?token=should-not-be-logged');
      const csrf = csrfToken(page.body);
      await browser.post('/connexion', { _csrf: csrf, identifiant: '12345', mot_de_passe: 'un mauvais mot de passe' });
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD, memoriser: '1' });
      await browser.get('/espace-pro');
      const log = logLines.join('');
      assert.ok(log.length > 0, 'the app does log');
      const secrets = [STRONG_PASSWORD, 'un mauvais mot de passe', csrf, 'should-not-be-logged', browser.jar.get('__Host-ep_session')!, browser.jar.get('__Host-ep_remember')!.split('.')[1]!, browser.jar.get('__Host-ep_browser')!];
      for (const secret of secrets) assert.ok(!log.includes(secret), `log leaks ${secret.slice(0, 6)}…`);
      for (const line of logLines) JSON.parse(line);
    });

    test('S35 staff doors: no staff password, TOTP code, recovery code or staff session in any log line', async () => {
      const staff = await seedStaff(t, { email: 'journal@cartotheque.fr' });
      const signedIn = await signInStaff(t, staff);
      const totp = currentTotp(t, staff.totpSecret);
      // A second browser signs in with a recovery code after a wrong one.
      const other = new Browser(t.app);
      await other.submit('/back-office/connexion', '/back-office/connexion', { email: staff.email, mot_de_passe: staff.password });
      const codePage = await other.get('/back-office/connexion/code');
      await other.post('/back-office/connexion/code', { _csrf: csrfToken(codePage.body), code: 'ABCD-EFGH-IJ' });
      const recovered = await other.post('/back-office/connexion/code', { _csrf: csrfToken(codePage.body), code: staff.recoveryCodes[0]! });
      assert.equal(recovered.statusCode, 303, 'positive control: the recovery code signs in');
      await signedIn.get('/back-office');
      const log = logLines.join('');
      assert.match(log, /back-office/, 'the staff requests were logged');
      const secrets = [staff.password, staff.totpSecret, staff.recoveryCodes[0]!, signedIn.jar.get('__Host-ep_staff')!, other.jar.get('__Host-ep_staff')!];
      for (const secret of secrets) assert.ok(!log.includes(secret), `log leaks ${secret.slice(0, 4)}…`);
      // The TOTP code is six digits: looked for as a whole number, not inside a timestamp.
      assert.doesNotMatch(log, new RegExp(`(?<![\\d.])${totp}(?![\\d.])`), 'log leaks the TOTP code');
    });

    test('S35 company doors: no invitation token, invited person’s password, invitation cookie, e-mail sign-in password or passkey answer in any log line', async () => {
      await seedAccount(t, { code: '24680', email: 'gerant@papeterie-s35.fr', company: 'Papeterie S35' });
      const admin = new Browser(t.app);
      await admin.submit('/connexion', '/connexion', { identifiant: '24680', mot_de_passe: STRONG_PASSWORD });
      const team = await admin.get('/espace-pro/equipe');
      const invited = await admin.post('/espace-pro/equipe/invitations', { _csrf: csrfToken(team.body), prenom: 'Paul', nom: 'Nouveau', email: 'paul@papeterie-s35.fr', role: 'buyer' });
      assert.equal(invited.statusCode, 303, 'positive control: the invitation is sent');
      const link = invitationLink((await lastMailTo(t, 'paul@papeterie-s35.fr')).text_body!);
      const person = new Browser(t.app);
      await person.get(link);
      const invitationCookie = person.jar.get(COOKIE.invitationLink)!;
      const form = await person.get('/invitation');
      const chosen = 'une lampe verte éclaire le comptoir';
      const accepted = await person.post('/invitation', { _csrf: csrfToken(form.body), mot_de_passe: chosen, confirmation: chosen });
      assert.equal(accepted.headers.location, '/connexion?enregistre=1', 'positive control: the invitation is accepted');
      const byEmail = new Browser(t.app);
      const signedIn = await byEmail.submit('/connexion', '/connexion', { identifiant: 'paul@papeterie-s35.fr', mot_de_passe: chosen });
      assert.equal(signedIn.statusCode, 303, 'positive control: the person signs in with their e-mail');
      const { options, csrf } = await askOptions(admin, '/espace-pro/cles', '/espace-pro/cles/options');
      const registration = JSON.stringify(new SoftAuthenticator().register(options));
      assert.equal((await admin.post('/espace-pro/cles', { _csrf: csrf, reponse: registration })).statusCode, 303, 'positive control: the passkey is added');
      const log = logLines.join('');
      assert.match(log, /invitation/, 'the invitation requests were logged');
      const token = link.split('token=')[1]!;
      const secrets = [token, chosen, invitationCookie, byEmail.jar.get('__Host-ep_session')!, options.challenge as string, JSON.parse(registration).response.attestationObject as string];
      for (const secret of secrets) assert.ok(!log.includes(secret), `log leaks ${secret.slice(0, 6)}…`);
    });
  });
}
