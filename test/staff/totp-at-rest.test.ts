import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createStaff, resealStaffSecrets } from '../../src/modules/staff/staff.members.service.js';
import { newTotpSecret, totpCode } from '../../src/modules/staff/totp.js';
import { createSecretBox, type SecretBox } from '../../src/shared/secret-box.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { nextTotpStep, seedStaff, signInStaff, STAFF_PASSWORD } from '../helpers/staff.js';

const secretIn = (html: string) => /<code class="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(html)?.[1]?.replace(/ /g, '');

/**
 * S40: a TOTP secret is stored only sealed, on every path that writes one — setup (step 1 draws
 * it, step 2 enables it), re-enrolment (pending on the session, then the member's), and a
 * rotation of SECRETS_KEY (resealed at start: enrolled and pending ones).
 */
for (const dialect of DIALECTS) {
  describe(`S40 TOTP secrets at rest, on every path that writes one [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => resetDatabase(t.db, t.dialect));

    /** Sealed, under the box's current key, and — positive control — that very secret once opened. */
    function assertSealed(stored: string | null | undefined, secret: string, what: string, box: SecretBox = t.secrets) {
      assert.ok(stored, `${what}: stored`);
      assert.match(stored, /^v1:[0-9a-f]{8}:/, `${what}: sealed`);
      assert.equal(box.needsResealing(stored), false, `${what}: under the current key`);
      for (const form of [secret, secret.toLowerCase()]) assert.ok(!stored.includes(form), `${what}: never in clear`);
      assert.equal(box.open(stored), secret, `${what}: it is that secret`);
    }
    /** No other stored text carries the secret (audit details, mails, sessions). */
    async function assertNowhereElse(secret: string) {
      const dump = JSON.stringify([
        await t.db.selectFrom('audit_log').selectAll().execute(),
        await t.db.selectFrom('outbox').selectAll().execute(),
        await t.db.selectFrom('staff_sessions').selectAll().execute(),
        await t.db.selectFrom('staff').selectAll().execute(),
      ]);
      assert.ok(!dump.includes(secret) && !dump.includes(secret.toLowerCase()), 'the secret is nowhere in clear');
    }

    test('S40 setup: the secret drawn at step 1 and enabled at step 2 is stored sealed', async () => {
      const created = await createStaff(t, { email: 'nouvelle@cartotheque.test', role: 'agent' }, { ip: null, userAgent: 'test' }, { type: 'operator', id: 'test' }, 'print');
      assert.ok(created.ok);
      const link = new URL(created.value.link!);
      const browser = new Browser(t.app);
      const first = await browser.get(link.pathname + link.search);
      const form = await browser.get(first.headers.location as string);
      assert.equal((await browser.post('/back-office/activation', { _csrf: csrfToken(form.body), mot_de_passe: STAFF_PASSWORD, confirmation: STAFF_PASSWORD })).statusCode, 303);
      const step2 = await browser.get('/back-office/activation');
      const secret = secretIn(step2.body)!;
      assert.ok(secret);
      const drawn = await t.db.selectFrom('staff').select('totp_secret').executeTakeFirstOrThrow();
      assertSealed(drawn.totp_secret, secret, 'step 1');
      nextTotpStep(t);
      assert.equal((await browser.post('/back-office/activation/code', { _csrf: csrfToken(step2.body), code: totpCode(secret, t.clock.now()) })).statusCode, 200);
      const enabled = await t.db.selectFrom('staff').select(['totp_secret', 'totp_enabled_at']).executeTakeFirstOrThrow();
      assert.notEqual(enabled.totp_enabled_at, null, 'positive control: enrolled');
      assertSealed(enabled.totp_secret, secret, 'step 2');
      await assertNowhereElse(secret);
    });

    test('S40 re-enrolment: the pending secret on the session and the new authenticator of the member are stored sealed', async () => {
      const staff = await seedStaff(t);
      const browser = await signInStaff(t, staff);
      const page = await browser.get('/back-office/mon-compte');
      assert.equal((await browser.post('/back-office/mon-compte/application', { _csrf: csrfToken(page.body) })).statusCode, 303);
      const shown = await browser.get('/back-office/mon-compte');
      const secret = secretIn(shown.body)!;
      assert.ok(secret);
      const pending = await t.db.selectFrom('staff_sessions').select('pending_totp_secret').where('staff_id', '=', staff.id).where('pending_totp_secret', 'is not', null).executeTakeFirstOrThrow();
      assertSealed(pending.pending_totp_secret, secret, 'pending');
      nextTotpStep(t);
      assert.equal((await browser.post('/back-office/mon-compte/application/code', { _csrf: csrfToken(shown.body), code: totpCode(secret, t.clock.now()) })).statusCode, 303);
      const row = await t.db.selectFrom('staff').select('totp_secret').where('id', '=', staff.id).executeTakeFirstOrThrow();
      assertSealed(row.totp_secret, secret, 'the new authenticator');
      await assertNowhereElse(secret);
    });

    test('S40 rotation of SECRETS_KEY: enrolled and pending secrets, and any left in clear, are resealed under the new key; the new key alone opens them', async () => {
      const oldKey = randomBytes(32);
      const newKey = randomBytes(32);
      const oldBox = createSecretBox([oldKey]);
      const enrolled = await seedStaff(t);
      const legacy = await seedStaff(t);
      const pendingSecret = newTotpSecret();
      const legacySecret = newTotpSecret();
      const browser = await signInStaff(t, enrolled); // a session that will hold a pending re-enrolment
      await t.db.updateTable('staff').set({ totp_secret: oldBox.seal(enrolled.totpSecret) }).where('id', '=', enrolled.id).execute();
      await t.db.updateTable('staff').set({ totp_secret: legacySecret }).where('id', '=', legacy.id).execute(); // stored before sealing existed
      await t.db.updateTable('staff_sessions').set({ pending_totp_secret: oldBox.seal(pendingSecret) }).where('staff_id', '=', enrolled.id).execute();
      assert.ok(browser);

      const rotated = createSecretBox([newKey, oldKey]); // SECRETS_KEY=new,old, then a restart
      assert.equal(await resealStaffSecrets(t.db, rotated), 3);
      const newOnly = createSecretBox([newKey]);
      const rows = await t.db.selectFrom('staff').select(['id', 'totp_secret']).execute();
      assertSealed(rows.find((r) => r.id === enrolled.id)!.totp_secret, enrolled.totpSecret, 'enrolled', newOnly);
      assertSealed(rows.find((r) => r.id === legacy.id)!.totp_secret, legacySecret, 'left in clear', newOnly);
      const pending = await t.db.selectFrom('staff_sessions').select('pending_totp_secret').where('pending_totp_secret', 'is not', null).executeTakeFirstOrThrow();
      assertSealed(pending.pending_totp_secret, pendingSecret, 'pending re-enrolment', newOnly);
      assert.equal(await resealStaffSecrets(t.db, rotated), 0, 'nothing left to reseal');
    });
  });
}
