import { REMEMBER_ROTATION_GRACE_MS } from '../../src/modules/session/session.service.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAccount } from '../../src/modules/account/account.service.js';
import { enqueueMail } from '../../src/modules/mail/mail.service.js';
import { systemClock } from '../../src/shared/clock.js';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/app.js';
import { freePort, HttpBrowser, Instance } from '../helpers/instance.js';
import { linkIn, SmtpSink } from '../helpers/smtp.js';

const PASSWORD = 'deux instances valent mieux';

/** Waits until `check` is true, polling; fails after `timeoutMs`. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('several instances on one PostgreSQL database', { skip: TEST_DATABASE_URL ? false : 'PostgreSQL suite skipped (TEST_DATABASE_URL not set)', timeout: 300_000 }, () => {
  let database: TestDatabase & { schema: string | null };
  let smtp: SmtpSink;
  let a: Instance;
  let b: Instance;
  let env: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-multi-'));

  before(async () => {
    database = await createTestDatabase('postgres');
    smtp = await new SmtpSink().start();
    const url = new URL(TEST_DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${database.schema}`);
    const [portA, portB] = [await freePort(), await freePort()];
    env = {
      DATABASE_URL: url.toString(),
      SMTP_URL: smtp.url,
      PUBLIC_URL: `http://127.0.0.1:${portA}`,
      DATA_DIR: dataDir,
      OUTBOX_LEASE_SECONDS: '5',
    };
    // Both start at once: the migration lock lets only one of them migrate.
    a = new Instance(portA, env);
    b = new Instance(portB, env);
    await Promise.all([a.ready(), b.ready()]);
    await createAccount(database.db, systemClock, { code: '12345', email: 'multi@x.fr', company: 'Librairie Multi' }, { ip: null, userAgent: 'test' }, { type: 'operator', id: 'test' });
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await smtp.stop();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('a reset requested on A is completed on B, then login on A gives a session valid on B', async () => {
    const onA = new HttpBrowser();
    const requested = await onA.submit(`${a.origin}/mot-de-passe-oublie`, `${a.origin}/mot-de-passe-oublie`, { identifiant: '12345', email: 'multi@x.fr' });
    assert.equal(requested.status, 303);
    await until(() => smtp.to('multi@x.fr').length === 1, 15_000, 'the reset mail');
    const link = new URL(linkIn(smtp.to('multi@x.fr')[0]!));
    const onB = new HttpBrowser();
    const first = await onB.get(`${b.origin}${link.pathname}${link.search}`);
    assert.equal(first.status, 303);
    const done = await onB.submit(`${b.origin}/activation`, `${b.origin}/activation`, { mot_de_passe: PASSWORD, confirmation: PASSWORD });
    assert.equal(done.status, 303, 'the token issued by A is accepted by B');

    const user = new HttpBrowser();
    assert.equal((await user.submit(`${a.origin}/connexion`, `${a.origin}/connexion`, { identifiant: '12345', mot_de_passe: PASSWORD, memoriser: '1' })).status, 303);
    const onOther = await user.get(`${b.origin}/espace-pro`);
    assert.equal(onOther.status, 200, 'the session made on A is valid on B');
    assert.match(onOther.body, /Librairie Multi/);
    // CSRF tokens are shared too: log out on B with a token from a page of A.
    const page = await user.get(`${a.origin}/espace-pro`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    assert.equal((await user.post(`${b.origin}/deconnexion`, { _csrf: token })).status, 303);
    assert.equal((await user.get(`${a.origin}/espace-pro`)).status, 303, 'logged out everywhere');
  });

  test('remember-me rotated on B then replayed on A is detected as theft', async () => {
    const user = new HttpBrowser();
    await user.submit(`${a.origin}/connexion`, `${a.origin}/connexion`, { identifiant: '12345', mot_de_passe: PASSWORD, memoriser: '1' });
    user.cookies.delete('__Host-ep_session');
    const stolen = new HttpBrowser();
    for (const [k, v] of user.cookies) stolen.cookies.set(k, v);
    assert.equal((await user.get(`${b.origin}/espace-pro`)).status, 200, 'rotated on B');
    // Real processes, real time: past the grace a second tab of the same browser is given.
    await new Promise((resolve) => setTimeout(resolve, REMEMBER_ROTATION_GRACE_MS + 200));
    assert.equal((await stolen.get(`${a.origin}/espace-pro`)).status, 303, 'the old cookie replayed on A is refused');
    assert.equal((await user.get(`${b.origin}/espace-pro`)).status, 303, 'the whole series and its sessions are revoked');
    const theft = await database.db.selectFrom('audit_log').select('id').where('event', '=', 'remember.theft_detected').execute();
    assert.equal(theft.length, 1);
  });

  test('failed logins spread over A and B hit the same throttle', async () => {
    for (let i = 0; i < 5; i++) {
      const origin = i % 2 === 0 ? a.origin : b.origin;
      assert.equal((await new HttpBrowser().submit(`${origin}/connexion`, `${origin}/connexion`, { identifiant: '12345', mot_de_passe: 'raté ' + i })).status, 401);
    }
    for (const origin of [a.origin, b.origin]) {
      const res = await new HttpBrowser().submit(`${origin}/connexion`, `${origin}/connexion`, { identifiant: '12345', mot_de_passe: PASSWORD });
      assert.equal(res.status, 401, `right password refused on ${origin} during the delay`);
    }
    await database.db.deleteFrom('login_throttle').execute();
    await database.db.deleteFrom('rate_limits').execute();
  });

  test('200 queued mails are drained by both workers and arrive exactly once each', async () => {
    smtp.clear();
    for (let i = 0; i < 200; i++) {
      await enqueueMail(database.db, systemClock, { kind: 'test', to: `bulk${i}@x.fr`, accountId: null, subject: `Message ${i}`, text: `n° ${i}`, html: `<p>${i}</p>` });
    }
    // Only this test's mails count: a notice mail from an earlier test may still be on its way.
    const bulk = () => smtp.messages.map((m) => m.subject ?? '').filter((s) => /^Message \d+$/.test(s));
    await until(() => bulk().length >= 200, 120_000, '200 mails');
    await new Promise((r) => setTimeout(r, 1500));
    const subjects = bulk();
    const duplicates = subjects.filter((s, i) => subjects.indexOf(s) !== i);
    assert.deepEqual(duplicates, [], 'no mail sent twice');
    assert.equal(new Set(subjects).size, 200, 'each exactly once');
    const rows = await database.db.selectFrom('outbox').select('status').where('kind', '=', 'test').execute();
    assert.ok(rows.every((r) => r.status === 'sent'));
  });

  test('an instance killed with SIGKILL while delivering: its claimed mails are delivered by the other after the lease', async () => {
    smtp.clear();
    await b.stop(); // only A claims
    smtp.delayMs = 60_000; // A hangs inside the SMTP conversation
    for (let i = 0; i < 3; i++) await enqueueMail(database.db, systemClock, { kind: 'lease', to: `lease${i}@x.fr`, accountId: null, subject: `Bail ${i}`, text: 'x', html: '<p>x</p>' });
    await until(async () => (await database.db.selectFrom('outbox').select('id').where('kind', '=', 'lease').where('status', '=', 'sending').execute()).length > 0, 15_000, 'A to claim');
    a.kill('SIGKILL');
    await a.exited;
    smtp.delayMs = 0;
    b = new Instance(b.port, env);
    await b.ready();
    await until(() => smtp.messages.filter((m) => /^Bail/.test(m.subject ?? '')).length === 3, 30_000, 'B to take over');
    const subjects = smtp.messages.map((m) => m.subject).filter((s) => /^Bail/.test(s ?? ''));
    assert.equal(new Set(subjects).size, 3);
    a = new Instance(a.port, env); // for after()
    await a.ready();
  });
});
