import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sha256 } from '../../src/shared/crypto.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';

for (const dialect of DIALECTS) {
  describe(`login [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
    });

    test('the Authentification page shows both panels with the seed labels verbatim', async () => {
      const page = await new Browser(t.app).get('/connexion');
      assert.equal(page.statusCode, 200);
      for (const label of [
        'Authentification',
        'OUVERTURE DE COMPTE',
        'Nouveau ici ?',
        'Demander une ouverture de compte',
        'DÉJÀ INSCRIT ?',
        'Identifiant',
        'Mot de passe',
        'Mémoriser mes identifiants',
        'Mot de passe oublié ? / Première connexion',
        'Valider',
      ]) {
        assert.ok(page.body.includes(label), `missing label ${label}`);
      }
    });

    test('a customer signs in with code and password and sees Mon Espace Pro', async () => {
      await seedAccount(t, { company: 'Librairie <du> Port' });
      const browser = new Browser(t.app);
      const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/espace-pro');
      const page = await browser.get('/espace-pro');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Mon Espace Pro/);
      assert.match(page.body, /Librairie &lt;du&gt; Port/, 'company name shown, HTML-encoded (S25)');
      assert.match(page.body, /12345/);
      assert.match(page.body, /Se déconnecter/);
      const audit = await t.db.selectFrom('audit_log').selectAll().where('event', '=', 'login.success').execute();
      assert.equal(audit.length, 1);
    });

    test('identifier variants: spaces and full-width digits are the same customer code', async () => {
      await seedAccount(t);
      for (const identifier of [' 12345 ', '１２３４５']) {
        const res = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: identifier, mot_de_passe: STRONG_PASSWORD });
        assert.equal(res.statusCode, 303, identifier);
      }
    });

    test('S6 every failure kind gives the same status, page, cookies and message', async () => {
      await seedAccount(t, { code: '11111' });
      await seedAccount(t, { code: '22222', email: 'b@b.fr', password: null });
      await seedAccount(t, { code: '33333', email: 'c@c.fr', disabled: true });
      await seedAccount(t, { code: '44444', email: 'd@d.fr' });
      // Make 44444 and the unknown 88888 throttled: five failures each.
      const thrower = new Browser(t.app);
      for (const code of ['44444', '88888']) for (let i = 0; i < 5; i++) await thrower.submit('/connexion', '/connexion', { identifiant: code, mot_de_passe: 'wrong password ' + i });

      const cases: Array<[string, string, string]> = [
        ['wrong password', '11111', 'not the right password'],
        ['unknown identifier', '99999', STRONG_PASSWORD],
        ['malformed identifier', '12a45', STRONG_PASSWORD],
        ['not yet activated', '22222', STRONG_PASSWORD],
        ['disabled', '33333', STRONG_PASSWORD],
      ];
      // S8 may say "wait N minutes", but then identically for an unknown identifier in the same state.
      const slowed: Array<[string, string, string]> = [
        ['throttled, right password', '44444', STRONG_PASSWORD],
        ['throttled unknown identifier', '88888', STRONG_PASSWORD],
      ];
      const answer = async ([kind, identifiant, mot_de_passe]: [string, string, string]) => {
        const browser = new Browser(t.app);
        const page = await browser.get('/connexion');
        const token = csrfToken(page.body);
        const res = await browser.post('/connexion', { _csrf: token, identifiant, mot_de_passe });
        // The only differences allowed: the echoed identifier and this browser's CSRF token.
        const body = res.body.replaceAll(token, 'TOKEN').replace(/(name="identifiant"[^>]*value=")[^"]*"/, '$1X"').replace(/(value=")[^"]*("[^>]*name="identifiant")/, '$1X$2');
        assert.ok(!res.body.includes(mot_de_passe), `${kind}: password never echoed`);
        return { kind, status: res.statusCode, body, cookies: res.headers['set-cookie'] ?? null };
      };
      const answers: Array<Awaited<ReturnType<typeof answer>>> = [];
      for (const c of cases) answers.push(await answer(c));
      const [known, unknown] = [await answer(slowed[0]!), await answer(slowed[1]!)];
      assert.equal(known.status, answers[0]!.status, 'throttled: the same status as every failure');
      assert.match(known.body, /Réessayez dans 1 minute/, 'throttled: says to wait');
      assert.equal(unknown.body, known.body, 'S6 the wait is said identically for an unknown identifier');
      assert.equal(unknown.status, known.status);
      for (const other of answers.slice(1)) {
        assert.equal(other.status, answers[0]!.status, other.kind);
        assert.equal(other.body, answers[0]!.body, other.kind);
        assert.deepEqual(other.cookies, answers[0]!.cookies, other.kind);
      }
      assert.equal(answers[0]!.status, 401);
      assert.match(answers[0]!.body, /Identifiant ou mot de passe incorrect/);
    });

    test('S7 unknown and passwordless accounts are verified against a dummy hash: one verification each', async () => {
      await seedAccount(t, { code: '11111' });
      await seedAccount(t, { code: '22222', email: 'b@b.fr', password: null });
      for (const identifiant of ['11111', '99999', '22222', 'abcde']) {
        const browser = new Browser(t.app);
        const page = await browser.get('/connexion');
        t.hasher.verifyCalls = 0;
        await browser.post('/connexion', { _csrf: csrfToken(page.body), identifiant, mot_de_passe: 'a wrong password here' });
        assert.equal(t.hasher.verifyCalls, 1, `one argon2 verification for ${identifiant}`);
      }
    });

    test('S7 timing: unknown and known identifiers take the same time (within argon2 noise)', async () => {
      await seedAccount(t, { code: '11111' });
      const time = async (identifiant: string) => {
        const samples = [];
        for (let i = 0; i < 5; i++) {
          const browser = new Browser(t.app);
          const page = await browser.get('/connexion');
          const start = process.hrtime.bigint();
          await browser.post('/connexion', { _csrf: csrfToken(page.body), identifiant, mot_de_passe: 'wrong password ' + i });
          samples.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        return samples.sort((a, b) => a - b)[2]!;
      };
      const known = await time('11111');
      const unknown = await time('99999');
      // Both are dominated by one argon2id verification (~15 ms); a missing dummy hash would make unknown ~0 ms.
      assert.ok(unknown > known * 0.5 && unknown < known * 2, `known ${known} ms vs unknown ${unknown} ms`);
    });

    test('S4 the stored hash is argon2id with m=19456, t=2, p=1', async () => {
      await seedAccount(t);
      const row = await t.db.selectFrom('accounts').select('password_hash').executeTakeFirstOrThrow();
      assert.match(row.password_hash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    test('S4 a weaker old hash is upgraded at the next successful login', async () => {
      const account = await seedAccount(t);
      const { hash } = await import('@node-rs/argon2');
      const weak = await hash(STRONG_PASSWORD, { algorithm: 2 as never, memoryCost: 8192, timeCost: 1, parallelism: 1 });
      await t.db.updateTable('accounts').set({ password_hash: weak }).where('id', '=', account.id).execute();
      const res = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      assert.equal(res.statusCode, 303);
      const row = await t.db.selectFrom('accounts').select('password_hash').executeTakeFirstOrThrow();
      assert.match(row.password_hash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    test('S1 a password over 128 code points is refused before any hashing', async () => {
      await seedAccount(t);
      const browser = new Browser(t.app);
      const page = await browser.get('/connexion');
      t.hasher.verifyCalls = 0;
      const res = await browser.post('/connexion', { _csrf: csrfToken(page.body), identifiant: '12345', mot_de_passe: 'x'.repeat(129) });
      assert.equal(res.statusCode, 401);
      assert.equal(t.hasher.verifyCalls, 0);
    });

    test('S27 form fields must be strings: repeated fields are refused', async () => {
      await seedAccount(t);
      const browser = new Browser(t.app);
      const page = await browser.get('/connexion');
      const res = await browser.post('/connexion', { _csrf: csrfToken(page.body), identifiant: ['12345', '12345'], mot_de_passe: STRONG_PASSWORD });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /Demande incorrecte/);
      assert.equal(res.headers['set-cookie'], undefined);
    });

    test('S24 next: a same-origin path is followed, every attack value is refused', async () => {
      await seedAccount(t);
      const good = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD, next: '/espace-pro?onglet=securite' });
      assert.equal(good.headers.location, '/espace-pro?onglet=securite');
      const attacks = [
        '//evil.example',
        '/\\evil.example',
        '\\\\evil.example',
        'https://evil.example',
        'http:evil.example',
        'javascript:alert(1)',
        '%2F%2Fevil.example',
        '/%2F%2Fevil.example',
        '/%5Cevil.example',
        '%252F%252Fevil.example',
        '/%0d%0aSet-Cookie:x=y',
        '/\r\nLocation: https://evil.example',
        '/\tevil',
        ' //evil.example',
        'evil.example',
        '',
      ];
      for (const next of attacks) {
        const res = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD, next });
        assert.equal(res.statusCode, 303, JSON.stringify(next));
        assert.equal(res.headers.location, '/espace-pro', `next ${JSON.stringify(next)} must be ignored`);
      }
    });

    test('S18 login creates a new session; the one held before dies and only a hash is stored', async () => {
      await seedAccount(t);
      const browser = new Browser(t.app);
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const first = browser.jar.get('__Host-ep_session')!;
      assert.ok(first.length >= 22, 'at least 128 bits');
      const stolen = browser.jar.clone();
      // Signing in again from a signed-in browser (or one with a planted session) starts afresh.
      await browser.submit('/espace-pro', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const second = browser.jar.get('__Host-ep_session')!;
      assert.notEqual(first, second);
      const rows = await t.db.selectFrom('sessions').select('id').execute();
      assert.deepEqual(rows.map((r) => r.id), [sha256(second)]);
      const old = await new Browser(t.app, stolen).get('/espace-pro');
      assert.equal(old.statusCode, 303, 'the pre-login session no longer works');
    });

    test('S18 a session is never taken from the URL', async () => {
      await seedAccount(t);
      const browser = new Browser(t.app);
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const token = browser.jar.get('__Host-ep_session')!;
      const res = await new Browser(t.app).get(`/espace-pro?session=${token}&__Host-ep_session=${token}`);
      assert.equal(res.statusCode, 303);
    });

    test('S19 idle timeout of 30 minutes and absolute limit of 12 hours, enforced server-side', async () => {
      await seedAccount(t);
      const browser = new Browser(t.app);
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      t.clock.advance(29 * 60_000);
      assert.equal((await browser.get('/espace-pro')).statusCode, 200, '29 min idle: still signed in');
      t.clock.advance(30 * 60_000 + 1000);
      const idle = await browser.get('/espace-pro');
      assert.equal(idle.statusCode, 303, '30 min idle: signed out');
      assert.equal(await t.db.selectFrom('sessions').select('id').executeTakeFirst(), undefined, 'row deleted');

      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
        t.clock.advance(20 * 60_000);
        assert.equal((await browser.get('/espace-pro')).statusCode, 200, `active at ${minutes + 20} min`);
      }
      t.clock.advance(21 * 60_000);
      assert.equal((await browser.get('/espace-pro')).statusCode, 303, 'past 12 h: signed out even when active');
    });

    test('S22 logout is a CSRF-protected POST that deletes the session server-side', async () => {
      await seedAccount(t);
      const browser = new Browser(t.app);
      await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const copy = browser.jar.clone();
      assert.equal((await browser.get('/deconnexion')).statusCode, 404, 'GET never logs out');
      const noToken = await browser.post('/deconnexion', {});
      assert.equal(noToken.statusCode, 403);
      assert.equal((await browser.get('/espace-pro')).statusCode, 200, 'still signed in after a refused logout');
      const res = await browser.submit('/espace-pro', '/deconnexion', {});
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/connexion?deconnecte=1');
      assert.equal(browser.jar.get('__Host-ep_session'), undefined, 'cookie cleared');
      assert.equal(await t.db.selectFrom('sessions').select('id').executeTakeFirst(), undefined, 'row deleted');
      assert.equal((await new Browser(t.app, copy).get('/espace-pro')).statusCode, 303, 'a copy of the old cookie is useless');
      const audit = await t.db.selectFrom('audit_log').select('event').where('event', '=', 'logout').execute();
      assert.equal(audit.length, 1);
    });

    test('S21 cookie attributes: __Host- prefix, Secure, Path=/, HttpOnly, SameSite=Lax, session cookie without Max-Age', async () => {
      await seedAccount(t);
      const browser = new Browser(t.app);
      const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD, memoriser: '1' });
      const cookies = res.cookies as Array<Record<string, unknown>>;
      assert.ok(cookies.length >= 3);
      for (const c of cookies) {
        assert.match(String(c.name), /^__Host-/);
        assert.equal(c.secure, true, `${c.name} Secure`);
        assert.equal(c.path, '/');
        assert.equal(c.httpOnly, true);
        assert.equal(c.sameSite, 'Lax');
        assert.equal(c.domain, undefined);
        assert.ok(!String(c.value).includes('12345'), `${c.name} holds no identifier`);
        assert.ok(!String(c.value).includes('librairie'), `${c.name} holds no personal data`);
      }
      const session = cookies.find((c) => c.name === '__Host-ep_session')!;
      assert.equal(session.maxAge, undefined);
      assert.equal(session.expires, undefined);
      assert.equal(res.headers['cache-control'], 'no-store', 'S29 on a response that sets cookies');
    });
  });
}
