import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sha256 } from '../../src/shared/crypto.js';
import { totpStep } from '../../src/modules/staff/totp.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { currentTotp, nextTotpStep, seedStaff, type SeededStaff, signInStaff } from '../helpers/staff.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

for (const dialect of DIALECTS) {
  describe(`staff login with a TOTP second factor [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
    });

    async function password(browser: Browser, email: string, mot_de_passe: string) {
      return browser.submit('/back-office/connexion', '/back-office/connexion', { email, mot_de_passe });
    }
    async function code(browser: Browser, value: string) {
      return browser.submit('/back-office/connexion/code', '/back-office/connexion/code', { code: value });
    }
    async function events() {
      return (await t.db.selectFrom('audit_log').selectAll().orderBy('id').execute()).map((r) => ({ event: r.event, details: r.details, actor: r.actor_id, target: r.target }));
    }
    function wrongCodeFor(staff: SeededStaff): string {
      // Different from the codes of the current step and its two neighbours.
      const valid = new Set([-1, 0, 1].map((o) => currentTotp(t, staff.totpSecret, o)));
      let n = 0;
      while (valid.has(String(n).padStart(6, '0'))) n++;
      return String(n).padStart(6, '0');
    }

    test('the password alone opens nothing: a session without the second factor only reaches the TOTP step', async () => {
      const staff = await seedStaff(t);
      const browser = new Browser(t.app);
      const first = await password(browser, staff.email, staff.password);
      assert.equal(first.statusCode, 303);
      assert.equal(first.headers.location, '/back-office/connexion/code');
      const session = await t.db.selectFrom('staff_sessions').selectAll().executeTakeFirstOrThrow();
      assert.equal(session.mfa_passed_at, null);

      const dashboard = await browser.get('/back-office');
      assert.equal(dashboard.statusCode, 303);
      assert.equal(dashboard.headers.location, '/back-office/connexion/code');
      assert.equal((await browser.get('/back-office/equipe')).statusCode, 303);
      const page = await browser.get('/back-office/connexion/code');
      const post = await browser.post('/back-office/equipe', { _csrf: csrfToken(page.body), email: 'x@y.fr', role: 'admin' });
      assert.equal(post.statusCode, 403, 'a POST with only the password is refused');
      assert.equal((await t.db.selectFrom('staff').selectAll().execute()).length, 1, 'nothing created');

      const ok = await code(browser, currentTotp(t, staff.totpSecret));
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, '/back-office');
      const home = await browser.get('/back-office');
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /Tableau de bord/);
    });

    test('S18 each step makes a new session: the pre-MFA token dies when the second factor passes', async () => {
      const staff = await seedStaff(t);
      const browser = new Browser(t.app);
      await password(browser, staff.email, staff.password);
      const pending = browser.jar.get('__Host-ep_staff')!;
      await code(browser, currentTotp(t, staff.totpSecret));
      const full = browser.jar.get('__Host-ep_staff')!;
      assert.notEqual(pending, full);
      const ids = (await t.db.selectFrom('staff_sessions').select('id').execute()).map((r) => r.id);
      assert.deepEqual(ids, [sha256(full)], 'S18 only the SHA-256 of the live token is stored');
      const stale = new Browser(t.app);
      stale.jar.cookies.set('__Host-ep_staff', pending);
      assert.equal((await stale.get('/back-office')).statusCode, 303);
    });

    test('a wrong TOTP code is refused', async () => {
      const staff = await seedStaff(t);
      const browser = new Browser(t.app);
      await password(browser, staff.email, staff.password);
      const res = await code(browser, wrongCodeFor(staff));
      assert.equal(res.statusCode, 401);
      assert.match(res.body, /Code incorrect ou déjà utilisé/);
      assert.equal((await browser.get('/back-office')).statusCode, 303);
      const log = await events();
      assert.ok(log.some((e) => e.event === 'staff.mfa.failure' && /wrong_code/.test(e.details ?? '')));
    });

    test('codes of the previous and next step are accepted (±1 step), two steps away is refused', async () => {
      const staff = await seedStaff(t);
      const far = new Browser(t.app);
      await password(far, staff.email, staff.password);
      assert.equal((await code(far, currentTotp(t, staff.totpSecret, -2))).statusCode, 401);
      assert.equal((await code(far, currentTotp(t, staff.totpSecret, 2))).statusCode, 401);
      const previous = new Browser(t.app);
      await password(previous, staff.email, staff.password);
      assert.equal((await code(previous, currentTotp(t, staff.totpSecret, -1))).statusCode, 303, 'a slow phone');
    });

    test('replay: the same code twice within its 30-second window is refused, and so is a code of an earlier step', async () => {
      const staff = await seedStaff(t);
      nextTotpStep(t);
      const used = currentTotp(t, staff.totpSecret);
      const first = new Browser(t.app);
      await password(first, staff.email, staff.password);
      assert.equal((await code(first, used)).statusCode, 303);

      t.clock.advance(10_000); // same 30-s step
      const second = new Browser(t.app);
      await password(second, staff.email, staff.password);
      const replay = await code(second, used);
      assert.equal(replay.statusCode, 401, 'same code, same window');
      const earlier = await code(second, currentTotp(t, staff.totpSecret, -1));
      assert.equal(earlier.statusCode, 401, 'a code of an earlier step than the last used one');

      nextTotpStep(t);
      assert.equal((await code(second, currentTotp(t, staff.totpSecret))).statusCode, 303, 'the next code works');
      const row = await t.db.selectFrom('staff').select('last_totp_step').executeTakeFirstOrThrow();
      assert.equal(row.last_totp_step, totpStep(t.clock.now()));
      const log = await events();
      assert.equal(log.filter((e) => e.event === 'staff.mfa.failure' && /replay/.test(e.details ?? '')).length, 2);
    });

    test('replay: two concurrent submissions of one code, exactly one wins', async () => {
      const staff = await seedStaff(t);
      nextTotpStep(t);
      const value = currentTotp(t, staff.totpSecret);
      const a = new Browser(t.app);
      const b = new Browser(t.app);
      await password(a, staff.email, staff.password);
      await password(b, staff.email, staff.password);
      const pageA = await a.get('/back-office/connexion/code');
      const pageB = await b.get('/back-office/connexion/code');
      const results = await Promise.all([
        a.post('/back-office/connexion/code', { _csrf: csrfToken(pageA.body), code: value }),
        b.post('/back-office/connexion/code', { _csrf: csrfToken(pageB.body), code: value }),
      ]);
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [303, 401]);
    });

    test('a recovery code works once, in any case and with or without its dash', async () => {
      const staff = await seedStaff(t);
      const [recovery] = staff.recoveryCodes;
      const browser = new Browser(t.app);
      await password(browser, staff.email, staff.password);
      const ok = await code(browser, recovery!.toUpperCase().replace('-', ' '));
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, '/back-office?codes_secours=9');
      const home = await browser.get(ok.headers.location as string);
      assert.match(home.body, /Il vous en reste 9/);

      const again = new Browser(t.app);
      await password(again, staff.email, staff.password);
      const reused = await code(again, recovery!);
      assert.equal(reused.statusCode, 401, 'single use');
      const invented = await code(again, 'abcde-fghjk');
      assert.equal(invented.statusCode, 401);
      const other = await code(again, staff.recoveryCodes[1]!);
      assert.equal(other.statusCode, 303);
      const log = await events();
      assert.equal(log.filter((e) => e.event === 'staff.recovery_code.used').length, 2);
      assert.ok(log.some((e) => e.event === 'staff.mfa.failure' && /wrong_recovery_code/.test(e.details ?? '')));
    });

    test('S36 one recovery code sent from 4 browsers at the same moment signs in exactly one of them', async () => {
      const staff = await seedStaff(t);
      const browsers = [new Browser(t.app), new Browser(t.app), new Browser(t.app), new Browser(t.app)];
      for (const b of browsers) await password(b, staff.email, staff.password);
      const answers = await Promise.all(browsers.map((b) => code(b, staff.recoveryCodes[0]!)));
      const codes = answers.map((r) => r.statusCode);
      assert.equal(codes.filter((c) => c === 303).length, 1, `positive control and single use: ${codes.join(' ')}`);
      assert.equal((await events()).filter((e) => e.event === 'staff.recovery_code.used').length, 1);
    });

    test('S6 one answer for every password failure, S7 one argon2 verification each', async () => {
      const staff = await seedStaff(t, { email: 'agent@cartotheque.fr' });
      await seedStaff(t, { email: 'off@cartotheque.fr', disabled: true });
      await seedStaff(t, { email: 'pending@cartotheque.fr', enrolled: false });
      const cases: Array<[string, string, string]> = [
        ['wrong password', staff.email, 'pas le bon mot de passe du tout'],
        ['unknown e-mail', 'inconnu@cartotheque.fr', staff.password],
        ['malformed e-mail', 'pas-une-adresse', staff.password],
        ['disabled', 'off@cartotheque.fr', staff.password],
        ['setup not finished', 'pending@cartotheque.fr', staff.password],
        ['a customer code', '12345', staff.password],
      ];
      const bodies = new Set<string>();
      for (const [what, email, pwd] of cases) {
        t.hasher.verifyCalls = 0;
        const browser = new Browser(t.app);
        const res = await password(browser, email, pwd);
        assert.equal(res.statusCode, 401, what);
        assert.equal(t.hasher.verifyCalls, 1, `${what}: one verification`);
        assert.equal(browser.jar.get('__Host-ep_staff'), undefined, `${what}: no session cookie`);
        assert.ok(!res.body.includes(pwd), `${what}: password not echoed`);
        bodies.add(res.body.replace(/name="_csrf" value="[^"]+"/, '').replace(/name="email"[^>]*>/, ''));
      }
      assert.equal(bodies.size, 1, 'the same page');
      assert.equal((await t.db.selectFrom('staff_sessions').selectAll().execute()).length, 0);
      const reasons = (await events()).filter((e) => e.event === 'staff.login.failure').map((e) => JSON.parse(e.details!).reason);
      assert.deepEqual(reasons, ['wrong_password', 'unknown_email', 'malformed_email', 'disabled', 'setup_pending', 'malformed_email']);
    });

    test('S8 per-account throttling under staff:<email>: 5 failures (passwords or codes) delay the account, success clears it', async () => {
      const staff = await seedStaff(t);
      for (let i = 0; i < 3; i++) await password(new Browser(t.app), staff.email, `mauvais mot de passe ${i}`);
      const browser = new Browser(t.app);
      await password(browser, staff.email, staff.password);
      await code(browser, wrongCodeFor(staff));
      await code(browser, wrongCodeFor(staff));
      const throttle = await t.db.selectFrom('login_throttle').selectAll().where('key', '=', `staff:${staff.email}`).executeTakeFirstOrThrow();
      assert.equal(Number(throttle.failures), 5);
      const blocked = await code(browser, currentTotp(t, staff.totpSecret));
      assert.equal(blocked.statusCode, 401, 'even the right code is refused while throttled');
      assert.equal((await password(new Browser(t.app), staff.email, staff.password)).statusCode, 401, 'and the right password');
      assert.ok((await events()).some((e) => e.event === 'staff.login.throttle'));

      t.clock.advance(MINUTE + 1000);
      nextTotpStep(t);
      const later = new Browser(t.app);
      assert.equal((await password(later, staff.email, staff.password)).statusCode, 303);
      assert.equal((await code(later, currentTotp(t, staff.totpSecret))).statusCode, 303);
      assert.equal(await t.db.selectFrom('login_throttle').selectAll().where('key', '=', `staff:${staff.email}`).executeTakeFirst(), undefined, 'cleared by success');
    });

    test('S19 idle timeout 30 minutes, enforced server-side', async () => {
      const staff = await seedStaff(t);
      const browser = await signInStaff(t, staff);
      t.clock.advance(29 * MINUTE);
      assert.equal((await browser.get('/back-office')).statusCode, 200, 'active at 29 min');
      t.clock.advance(29 * MINUTE);
      assert.equal((await browser.get('/back-office')).statusCode, 200, 'the previous visit reset the idle timer');
      t.clock.advance(30 * MINUTE);
      const idle = await browser.get('/back-office');
      assert.equal(idle.statusCode, 303);
      assert.match(idle.headers.location as string, /^\/back-office\/connexion/);
      assert.equal((await t.db.selectFrom('staff_sessions').selectAll().execute()).length, 0, 'deleted server-side');
    });

    test('S19 absolute limit 12 hours, even when active', async () => {
      const staff = await seedStaff(t);
      const browser = await signInStaff(t, staff);
      for (let i = 0; i < 35; i++) {
        t.clock.advance(20 * MINUTE);
        assert.equal((await browser.get('/back-office')).statusCode, 200, `at ${(i + 1) * 20} min`);
      }
      t.clock.advance(HOUR);
      assert.equal((await browser.get('/back-office')).statusCode, 303, 'past 12 h');
    });

    test('a pending (password-only) session expires after 10 minutes', async () => {
      const staff = await seedStaff(t);
      const browser = new Browser(t.app);
      await password(browser, staff.email, staff.password);
      t.clock.advance(10 * MINUTE);
      const res = await browser.get('/back-office/connexion/code');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/back-office/connexion');
    });

    test('S22 logout is a CSRF-checked POST that deletes the session server-side and clears the cookie', async () => {
      const staff = await seedStaff(t);
      const browser = await signInStaff(t, staff);
      const token = browser.jar.get('__Host-ep_staff')!;
      const noCsrf = await browser.post('/back-office/deconnexion', {});
      assert.equal(noCsrf.statusCode, 403);
      assert.equal((await browser.get('/back-office')).statusCode, 200, 'still signed in');

      const page = await browser.get('/back-office');
      const out = await browser.post('/back-office/deconnexion', { _csrf: csrfToken(page.body) });
      assert.equal(out.statusCode, 303);
      assert.equal(out.headers.location, '/back-office/connexion?deconnecte=1');
      assert.match(String(out.headers['set-cookie']), /__Host-ep_staff=;/);
      assert.equal((await t.db.selectFrom('staff_sessions').selectAll().execute()).length, 0);
      const copy = new Browser(t.app);
      copy.jar.cookies.set('__Host-ep_staff', token);
      assert.equal((await copy.get('/back-office')).statusCode, 303, 'a copied cookie is worthless');
      const loggedOut = await browser.get('/back-office/connexion?deconnecte=1');
      assert.match(loggedOut.body, /Vous êtes déconnecté du back office/);
      assert.ok((await events()).some((e) => e.event === 'staff.logout' && e.actor === staff.email));
    });

    test('S21 the staff cookie: __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Max-Age, only a random value; S29 no-store', async () => {
      const staff = await seedStaff(t);
      const browser = new Browser(t.app);
      const first = await password(browser, staff.email, staff.password);
      const second = await code(browser, currentTotp(t, staff.totpSecret));
      for (const res of [first, second]) {
        const cookie = ([] as string[]).concat(res.headers['set-cookie'] as string | string[]).find((c) => c.startsWith('__Host-ep_staff='))!;
        assert.ok(cookie, 'staff cookie set');
        assert.match(cookie, /; Path=\//);
        assert.match(cookie, /; Secure/);
        assert.match(cookie, /; HttpOnly/);
        assert.match(cookie, /; SameSite=Lax/);
        assert.doesNotMatch(cookie, /Max-Age|Expires/i);
        assert.match(cookie, /^__Host-ep_staff=[A-Za-z0-9_-]{43};/, '256 random bits, nothing personal');
        assert.equal(res.headers['cache-control'], 'no-store');
      }
      assert.equal(browser.jar.get('__Host-ep_session'), undefined, 'no customer session is created');
    });

    test('S34 audit: password step, success, failures, with IP and user agent and no secret', async () => {
      const staff = await seedStaff(t);
      const browser = new Browser(t.app);
      await password(browser, staff.email, 'mauvais mot de passe');
      await password(browser, staff.email, staff.password);
      const wrong = wrongCodeFor(staff);
      await code(browser, wrong);
      const good = currentTotp(t, staff.totpSecret);
      await code(browser, good);
      const rows = await t.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
      const names = rows.map((r) => r.event);
      for (const name of ['staff.login.failure', 'staff.login.password_ok', 'staff.mfa.failure', 'staff.login.success']) assert.ok(names.includes(name), name);
      const success = rows.find((r) => r.event === 'staff.login.success')!;
      assert.equal(success.actor_type, 'staff');
      assert.equal(success.actor_id, staff.email);
      assert.equal(success.ip, '127.0.0.1');
      assert.ok(success.user_agent !== null);
      const dump = JSON.stringify(rows);
      for (const value of [staff.password, 'mauvais mot de passe', staff.totpSecret, wrong, good, browser.jar.get('__Host-ep_staff')!]) {
        assert.ok(!dump.includes(value), 'no secret in the audit log');
      }
      const staffRow = await t.db.selectFrom('staff').select('last_login_at').executeTakeFirstOrThrow();
      assert.equal(staffRow.last_login_at, t.clock.now());
    });

    test('S24 the next target after a staff login stays inside the back office', async () => {
      const staff = await seedStaff(t);
      const browser = new Browser(t.app);
      const redirect = await browser.get('/back-office/equipe');
      assert.equal(redirect.headers.location, '/back-office/connexion?next=%2Fback-office%2Fequipe');
      const login = await browser.get(redirect.headers.location as string);
      assert.match(login.body, /name="next" value="\/back-office\/equipe"/);
      const first = await browser.post('/back-office/connexion', { _csrf: csrfToken(login.body), email: staff.email, mot_de_passe: staff.password, next: '/back-office/equipe' });
      assert.equal(first.headers.location, '/back-office/connexion/code?next=%2Fback-office%2Fequipe');
      const page = await browser.get(first.headers.location as string);
      const done = await browser.post('/back-office/connexion/code', { _csrf: csrfToken(page.body), code: currentTotp(t, staff.totpSecret), next: '//evil.example/back-office' });
      assert.equal(done.headers.location, '/back-office', 'a foreign target is ignored');
    });
  });
}
