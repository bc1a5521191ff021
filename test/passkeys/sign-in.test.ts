import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { SmtpSink } from '../helpers/smtp.js';
import { askOptions, otherKey, SoftAuthenticator, type Tweak } from '../helpers/webauthn.js';
import { sha256 } from '../../src/shared/crypto.js';
import { CHALLENGE_TTL_MS } from '../../src/modules/passkeys/passkeys.service.js';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

for (const dialect of DIALECTS) {
  describe(`passkeys: sign-in [${dialect}]`, () => {
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
      await seedAccount(t, { code: '12345' });
      await seedAccount(t, { code: '22222', email: 'autre@x.fr', company: 'Autre Société' });
    });

    async function signInWithPassword(code = '12345') {
      const browser = new Browser(t.app);
      const res = await browser.submit('/connexion', '/connexion', { identifiant: code, mot_de_passe: STRONG_PASSWORD }, { 'user-agent': CHROME });
      assert.equal(res.statusCode, 303);
      return browser;
    }

    /** Adds a passkey the way the page does: options, the authenticator, the form post. */
    async function addPasskey(code = '12345', authenticator = new SoftAuthenticator(), tweak: Tweak = {}) {
      const browser = await signInWithPassword(code);
      const { options, csrf, status } = await askOptions(browser, '/espace-pro/cles', '/espace-pro/cles/options');
      assert.equal(status, 200);
      const res = await browser.post('/espace-pro/cles', { _csrf: csrf, reponse: JSON.stringify(authenticator.register(options, tweak)) }, { 'user-agent': CHROME });
      return { browser, authenticator, res };
    }

    /** Signs in from a fresh browser with the passkey alone; `prepare` may bend what the authenticator sends. */
    async function passkeySignIn(authenticator: SoftAuthenticator, tweak: Tweak = {}, browser = new Browser(t.app)) {
      const { options, csrf } = await askOptions(browser, '/connexion', '/connexion/cle/options');
      const res = await browser.post('/connexion/cle', { _csrf: csrf, reponse: JSON.stringify(authenticator.assert(options, tweak)) });
      return { browser, res, options, csrf };
    }

    const signedIn = async (browser: Browser) => (await browser.get('/espace-pro')).statusCode === 200;

    async function audits(event: string) {
      return t.db.selectFrom('audit_log').selectAll().where('event', '=', event).orderBy('id').execute();
    }

    test('S48 a passkey added in Mon Espace Pro signs its owner in alone: a new session, login.success (method passkey), counter and backup flags stored, a notice mail', async () => {
      const { res, authenticator } = await addPasskey();
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/espace-pro/cles?ok=added');
      const [row] = await t.db.selectFrom('passkeys').selectAll().execute();
      assert.equal(row!.owner_type, 'person');
      assert.equal(row!.credential_id, authenticator.credentialId);
      assert.equal(Number(row!.counter), 0);
      assert.equal(row!.backed_up, 1);
      assert.equal(row!.device_type, 'multiDevice');
      assert.equal(row!.name, 'Chrome sur Linux');
      await t.outbox.drain();
      const added = smtp.to('contact@librairie-du-port.fr').filter((m) => /clé d’accès a été ajoutée/.test(m.subject ?? ''));
      assert.equal(added.length, 1, 'one notice mail (S49)');
      assert.match(added[0]!.text ?? '', /Chrome sur Linux/);

      const { browser, res: signIn } = await passkeySignIn(authenticator);
      assert.equal(signIn.statusCode, 303);
      assert.equal(signIn.headers.location, '/espace-pro');
      assert.ok(browser.jar.get('__Host-ep_session'), 'a session cookie');
      assert.ok(await signedIn(browser));
      const after = await t.db.selectFrom('passkeys').selectAll().executeTakeFirstOrThrow();
      assert.equal(Number(after.counter), 1, 'the new counter is stored');
      assert.ok(after.last_used_at !== null);
      const success = (await audits('login.success')).at(-1)!;
      assert.match(success.details ?? '', /"method":"passkey"/);
      const session = await t.db.selectFrom('sessions').select(['auth_method']).where('id', '=', sha256(browser.jar.get('__Host-ep_session')!)).executeTakeFirstOrThrow();
      assert.equal(session.auth_method, 'passkey');
    });

    test('S48 the options name PUBLIC_URL’s host as RP ID, require user verification and list no credential (discoverable), whatever Host says', async () => {
      const browser = new Browser(t.app);
      const page = await browser.get('/connexion');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const res = await browser.post('/connexion/cle/options', { _csrf: csrf }, { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
      const options = JSON.parse(res.body);
      assert.equal(options.rpId, 'localhost');
      assert.equal(options.userVerification, 'required');
      assert.deepEqual(options.allowCredentials, []);
      assert.match(options.challenge, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(res.headers['cache-control'], 'no-store');
      // Bound to the browser that asked: its CSRF binding's SHA-256, and no new cookie.
      assert.equal(res.headers['set-cookie'], undefined);
      const row = await t.db.selectFrom('webauthn_challenges').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.challenge, options.challenge);
      assert.equal(row.browser_hash, sha256(browser.jar.get('__Host-ep_csrf')!));
      assert.equal(row.purpose, 'sign_in');
    });

    // Every way an assertion can be wrong. Each gets the one failure answer (401, the login page,
    // no session), never a 500, and the right assertion still works afterwards (positive control).
    const crafted: Array<[string, (a: SoftAuthenticator, other: SoftAuthenticator) => Tweak, string]> = [
      ['wrong origin', () => ({ origin: 'http://evil.example:3000' }), 'rejected'],
      ['wrong origin (same host, other port)', () => ({ origin: 'http://localhost:3001' }), 'rejected'],
      ['wrong RP ID hash', () => ({ rpId: 'evil.example' }), 'rejected'],
      ['user verification flag off', () => ({ uv: false }), 'rejected'],
      ['user presence flag off', () => ({ up: false }), 'rejected'],
      ['a signature by another key', () => ({ signWith: otherKey() }), 'rejected'],
      ['a registration answer type', () => ({ type: 'webauthn.create' }), 'rejected'],
      ['an unknown credential', () => ({ credentialId: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), 'unknown_credential'],
      ['another person’s credential id with this user handle', (_a, other) => ({ credentialId: other.credentialId }), 'user_handle'],
      ['this credential with another person’s user handle', (_a, other) => ({ userHandle: other.userHandle }), 'user_handle'],
      ['no user handle', () => ({ userHandle: null }), 'user_handle'],
      ['a challenge never issued', () => ({ challenge: 'Y2hhbGxlbmdlLW5ldmVyLWlzc3VlZC1ieS10aGUtc2VydmVy' }), 'challenge'],
    ];
    test('S48 crafted assertions are refused with the one answer, none a 500, nobody signed in', async () => {
      const { authenticator } = await addPasskey('12345');
      const { authenticator: other } = await addPasskey('22222');
      for (const [name, tweak, reason] of crafted) {
        // Each case on its own: the per-credential slow-down (5 failures) is the S36 test's subject.
        await t.db.deleteFrom('login_throttle').execute();
        const before = authenticator.counter;
        const { res, browser } = await passkeySignIn(authenticator, tweak(authenticator, other));
        authenticator.counter = before;
        assert.equal(res.statusCode, 401, name);
        assert.match(res.body, /La connexion avec une clé d’accès n’a pas abouti/, name);
        assert.equal(browser.jar.get('__Host-ep_session'), undefined, `${name}: no session`);
        assert.equal(await signedIn(browser), false, name);
        const failure = (await audits('login.failure')).at(-1)!;
        assert.match(failure.details ?? '', new RegExp(`"reason":"${reason}"`), name);
      }
      // Malformed bodies: not JSON, JSON of the wrong shape, an over-long answer.
      for (const reponse of ['pas du json', '[]', '{"id":1}', JSON.stringify({ id: authenticator.credentialId, response: 'x' }), 'x'.repeat(20000)]) {
        const browser = new Browser(t.app);
        const { csrf } = await askOptions(browser, '/connexion', '/connexion/cle/options');
        const res = await browser.post('/connexion/cle', { _csrf: csrf, reponse });
        assert.ok(res.statusCode === 401 || res.statusCode === 400, `malformed ${reponse.slice(0, 20)}: ${res.statusCode}`);
        assert.equal(browser.jar.get('__Host-ep_session'), undefined);
      }
      const control = await passkeySignIn(authenticator);
      assert.equal(control.res.statusCode, 303, 'the genuine assertion still signs in');
    });

    test('S48 assertion replayed: nobody signed in (the challenge is single use), in parallel too', async () => {
      const { authenticator } = await addPasskey();
      const { browser, res, csrf } = await passkeySignIn(authenticator);
      assert.equal(res.statusCode, 303);
      const replayed = await browser.post('/connexion/cle', { _csrf: csrf, reponse: browser.jar.get('x') ?? '' });
      assert.notEqual(replayed.statusCode, 303);
      // The very same answer posted twice at once: one winner.
      const fresh = new Browser(t.app);
      const { options, csrf: token } = await askOptions(fresh, '/connexion', '/connexion/cle/options');
      const answer = JSON.stringify(authenticator.assert(options));
      const results = await Promise.all([0, 1, 2, 3].map(() => new Browser(t.app, fresh.jar.clone()).post('/connexion/cle', { _csrf: token, reponse: answer })));
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [303, 401, 401, 401]);
      // And later, once more, from the same browser.
      const again = await new Browser(t.app, fresh.jar.clone()).post('/connexion/cle', { _csrf: token, reponse: answer });
      assert.equal(again.statusCode, 401);
      const reasons = (await audits('login.failure')).map((a) => JSON.parse(a.details ?? '{}').reason);
      assert.ok(reasons.filter((r) => r === 'challenge').length >= 4, reasons.join(','));
    });

    test('S48 challenge from another browser: the answer to a challenge issued to browser A, posted by browser B, signs nobody in', async () => {
      const { authenticator } = await addPasskey();
      const victim = new Browser(t.app);
      const { options } = await askOptions(victim, '/connexion', '/connexion/cle/options');
      const answer = JSON.stringify(authenticator.assert(options));
      const attacker = new Browser(t.app);
      const { csrf } = await askOptions(attacker, '/connexion', '/connexion/cle/options');
      const res = await attacker.post('/connexion/cle', { _csrf: csrf, reponse: answer });
      assert.equal(res.statusCode, 401);
      assert.equal(await signedIn(attacker), false);
      // Without any binding cookie at all, too.
      const bare = new Browser(t.app);
      const page = await bare.get('/connexion');
      const res2 = await bare.post('/connexion/cle', { _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!, reponse: answer });
      assert.equal(res2.statusCode, 401);
      // Positive control: the browser that asked still can (its challenge was not used up by the others).
      const csrfVictim = /name="_csrf" value="([^"]+)"/.exec((await victim.get('/connexion')).body)![1]!;
      const ok = await victim.post('/connexion/cle', { _csrf: csrfVictim, reponse: answer });
      assert.equal(ok.statusCode, 303);
    });

    test('S48 a challenge lives 5 minutes: answered at 5 min + 1 s it is refused, at 4 min 59 s accepted', async () => {
      const { authenticator } = await addPasskey();
      for (const [wait, expected] of [
        [CHALLENGE_TTL_MS + 1000, 401],
        [CHALLENGE_TTL_MS - 1000, 303],
      ] as const) {
        const browser = new Browser(t.app);
        const { options, csrf } = await askOptions(browser, '/connexion', '/connexion/cle/options');
        t.clock.advance(wait);
        const res = await browser.post('/connexion/cle', { _csrf: csrf, reponse: JSON.stringify(authenticator.assert(options)) });
        assert.equal(res.statusCode, expected, `after ${wait} ms`);
      }
    });

    test('S48 a counter that goes backwards (a cloned authenticator) is refused, and so is one that stays put', async () => {
      const { authenticator } = await addPasskey();
      assert.equal((await passkeySignIn(authenticator, { counter: 7 })).res.statusCode, 303);
      for (const counter of [3, 7]) {
        const { res } = await passkeySignIn(authenticator, { counter });
        assert.equal(res.statusCode, 401, `counter ${counter}`);
        assert.match((await audits('login.failure')).at(-1)!.details ?? '', /"reason":"counter"/);
      }
      assert.equal(Number((await t.db.selectFrom('passkeys').select('counter').executeTakeFirstOrThrow()).counter), 7);
      assert.equal((await passkeySignIn(authenticator, { counter: 8 })).res.statusCode, 303);
    });

    test('S20 "Mémoriser mes identifiants" with a passkey: a remember-me series whose restored sessions still say passkey (SSO amr)', async () => {
      const { authenticator } = await addPasskey();
      const browser = new Browser(t.app);
      const { options, csrf } = await askOptions(browser, '/connexion', '/connexion/cle/options');
      const res = await browser.post('/connexion/cle', { _csrf: csrf, memoriser: '1', reponse: JSON.stringify(authenticator.assert(options)) });
      assert.equal(res.statusCode, 303);
      const remember = browser.jar.get('__Host-ep_remember');
      assert.ok(remember, 'a remember-me cookie');
      const later = new Browser(t.app);
      later.jar.cookies.set('__Host-ep_remember', remember);
      assert.ok(await signedIn(later));
      const restored = await t.db.selectFrom('sessions').select(['auth_method']).where('id', '=', sha256(later.jar.get('__Host-ep_session')!)).executeTakeFirstOrThrow();
      assert.equal(restored.auth_method, 'passkey');
    });

    test('S48 a staff member’s passkey never signs a customer in', async () => {
      const { authenticator } = await addPasskey();
      await t.db.updateTable('passkeys').set({ owner_type: 'staff' }).execute();
      const { res } = await passkeySignIn(authenticator);
      assert.equal(res.statusCode, 401);
      assert.match((await audits('login.failure')).at(-1)!.details ?? '', /"reason":"other_owner"/);
    });

    test('S36 failed assertions are limited like failed passwords, in parallel: 5 checks per credential then a delay; 30 per client per 10 minutes', async () => {
      const { authenticator } = await addPasskey();
      const { authenticator: other } = await addPasskey('22222');
      // 12 forged assertions for one credential at once, each with its own challenge.
      const forged = await Promise.all(
        Array.from({ length: 12 }, async () => {
          const browser = new Browser(t.app);
          const { options, csrf } = await askOptions(browser, '/connexion', '/connexion/cle/options');
          return { browser, csrf, reponse: JSON.stringify(authenticator.assert(options, { signWith: otherKey() })) };
        }),
      );
      // A genuine sign-in with another credential at the same moment (positive control).
      const control = new Browser(t.app);
      const controlOptions = await askOptions(control, '/connexion', '/connexion/cle/options');
      const results = await Promise.all([
        ...forged.map((f) => f.browser.post('/connexion/cle', { _csrf: f.csrf, reponse: f.reponse })),
        control.post('/connexion/cle', { _csrf: controlOptions.csrf, reponse: JSON.stringify(other.assert(controlOptions.options)) }),
      ]);
      assert.equal(results.at(-1)!.statusCode, 303, 'the other credential signs in meanwhile');
      assert.ok(results.slice(0, 12).every((r) => r.statusCode === 401));
      const reasons = (await audits('login.failure')).map((a) => JSON.parse(a.details ?? '{}').reason);
      assert.equal(reasons.filter((r) => r === 'rejected').length, 5, `only 5 checked: ${reasons.join(',')}`);
      assert.equal(reasons.filter((r) => r === 'throttled').length, 7);
      // Slowed down: even the genuine assertion waits (like the right password, S8)…
      assert.equal((await passkeySignIn(authenticator)).res.statusCode, 401);
      // …and passes once the delay is over.
      t.clock.advance(60_000);
      assert.equal((await passkeySignIn(authenticator)).res.statusCode, 303);

      // Per client: 35 garbage answers at once from one IP, 30 counted, the rest get 429.
      await resetDatabase(t.db, t.dialect);
      const browser = new Browser(t.app);
      const { csrf } = await askOptions(browser, '/connexion', '/connexion/cle/options');
      const flood = await Promise.all(
        Array.from({ length: 35 }, (_, i) => browser.post('/connexion/cle', { _csrf: csrf, reponse: JSON.stringify({ id: `inconnu${i}`, response: {} }) })),
      );
      const statuses = flood.map((r) => r.statusCode);
      assert.equal(statuses.filter((s) => s === 401).length, 30, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 429).length, 5);
    });
  });
}
