import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { totpCode } from '../../src/modules/staff/totp.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { currentTotp, nextTotpStep, seedStaff, signInStaff } from '../helpers/staff.js';

const NEW_PASSWORD = 'la marée monte vite sur la grève';
const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`Mon compte: staff self-service [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => resetDatabase(t.db, t.dialect));

    const PAGE = '/back-office/mon-compte';
    async function act(browser: Browser, action: string, form: Record<string, string> = {}) {
      const page = await browser.get(PAGE);
      return browser.post(action, { _csrf: csrfToken(page.body), ...form });
    }
    const mails = async () => t.db.selectFrom('outbox').select(['recipient', 'subject', 'text_body']).where('kind', '=', 'staff_factor_changed').execute();

    test('S39 a member changes their own password: the current one is required, other sessions end, they are told', async () => {
      const staff = await seedStaff(t);
      const here = await signInStaff(t, staff);
      const elsewhere = await signInStaff(t, staff, new Browser(t.app));
      const wrong = await act(here, `${PAGE}/mot-de-passe`, { actuel: 'pas le bon mot de passe', mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /Le mot de passe actuel est incorrect/);
      const done = await act(here, `${PAGE}/mot-de-passe`, { actuel: staff.password, mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD });
      assert.equal(done.statusCode, 303);
      assert.equal((await here.get(PAGE)).statusCode, 200, 'this session stays');
      assert.equal((await elsewhere.get(PAGE)).statusCode, 303, 'the other one ended');
      const sent = await mails();
      assert.equal(sent.length, 1);
      assert.equal(sent[0]!.recipient, staff.email);
      assert.match(sent[0]!.text_body ?? '', /votre mot de passe du back office a été changé/);
      const login = new Browser(t.app);
      assert.equal((await login.submit('/back-office/connexion', '/back-office/connexion', { email: staff.email, mot_de_passe: staff.password })).statusCode, 401);
      assert.equal((await login.submit('/back-office/connexion', '/back-office/connexion', { email: staff.email, mot_de_passe: NEW_PASSWORD })).statusCode, 303);
    });

    test('S36 parallel guesses of the current password from "Mon compte" are throttled: at most 5 checked against the real hash', async () => {
      const staff = await seedStaff(t);
      const browser = await signInStaff(t, staff);
      const page = await browser.get(PAGE);
      const token = csrfToken(page.body);
      const real = (await t.db.selectFrom('staff').select('password_hash').executeTakeFirstOrThrow()).password_hash!;
      t.hasher.verified.length = 0;
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => browser.post(`${PAGE}/mot-de-passe`, { _csrf: token, actuel: `essai numéro ${i}`, mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD })),
      );
      assert.ok(answers.every((a) => a.statusCode === 400));
      const checked = t.hasher.verified.filter((phc) => phc === real).length;
      assert.ok(checked <= 5, `${checked} checked against the real hash`);
      const right = await browser.post(`${PAGE}/mot-de-passe`, { _csrf: token, actuel: staff.password, mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD });
      assert.equal(right.statusCode, 400, 'even the right one waits for the delay');
      assert.match(right.body, /Trop d’essais/);
    });

    test('S38 S40 new recovery codes need a fresh code, are shown once, and replace the old ones', async () => {
      const staff = await seedStaff(t);
      const browser = await signInStaff(t, staff);
      t.clock.advance(11 * MINUTE);
      const stale = await act(browser, `${PAGE}/codes`);
      assert.equal(stale.statusCode, 303);
      assert.match(stale.headers.location as string, /^\/back-office\/verification/);
      t.clock.set(t.clock.now() - 11 * MINUTE);
      const res = await act(browser, `${PAGE}/codes`);
      assert.equal(res.statusCode, 200);
      const codes = [...res.body.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!);
      assert.equal(codes.length, 10);
      assert.equal((await mails()).length, 1, 'S39 told');
      const signIn = async (code: string) => {
        const b = new Browser(t.app);
        await b.submit('/back-office/connexion', '/back-office/connexion', { email: staff.email, mot_de_passe: staff.password });
        return b.submit('/back-office/connexion/code', '/back-office/connexion/code', { code });
      };
      assert.equal((await signIn(staff.recoveryCodes[0]!)).statusCode, 401, 'an old code no longer works');
      assert.equal((await signIn(codes[0]!)).statusCode, 303, 'a new one does');
    });

    test('S39 a new authenticator: confirmed by a code of the new app, the old app stops working, the member is told', async () => {
      const staff = await seedStaff(t);
      const browser = await signInStaff(t, staff);
      assert.equal((await act(browser, `${PAGE}/application`)).statusCode, 303);
      const page = await browser.get(PAGE);
      const secret = /<code class="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)?.[1]?.replace(/ /g, '');
      assert.ok(secret, 'the new key is shown with its QR code');
      assert.equal((await browser.post(`${PAGE}/application/code`, { _csrf: csrfToken(page.body), code: '000000' })).statusCode, 400);
      nextTotpStep(t);
      assert.equal((await browser.post(`${PAGE}/application/code`, { _csrf: csrfToken(page.body), code: totpCode(secret!, t.clock.now()) })).statusCode, 303);
      assert.match((await mails())[0]!.text_body ?? '', /votre application d’authentification du back office a été changé/);
      nextTotpStep(t);
      const login = async (code: string) => {
        const b = new Browser(t.app);
        await b.submit('/back-office/connexion', '/back-office/connexion', { email: staff.email, mot_de_passe: staff.password });
        return b.submit('/back-office/connexion/code', '/back-office/connexion/code', { code });
      };
      assert.equal((await login(currentTotp(t, staff.totpSecret))).statusCode, 401, 'the old app no longer works');
      assert.equal((await login(totpCode(secret!, t.clock.now()))).statusCode, 303, 'the new one does');
    });

    test('a member sees their sessions and ends the others', async () => {
      const staff = await seedStaff(t);
      const here = await signInStaff(t, staff);
      const other = await signInStaff(t, staff, new Browser(t.app));
      const page = await here.get(PAGE);
      assert.match(page.body, /cette session/);
      assert.equal((page.body.match(/<tr>/g) ?? []).length, 3, 'a header and two sessions');
      assert.equal((await here.post(`${PAGE}/sessions`, { _csrf: csrfToken(page.body) })).statusCode, 303);
      assert.equal((await other.get(PAGE)).statusCode, 303);
      assert.equal((await here.get(PAGE)).statusCode, 200);
    });
  });
}
