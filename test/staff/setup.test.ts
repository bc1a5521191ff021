import { createSecretBox } from '../../src/shared/secret-box.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { type DialectName, openDatabase } from '../../src/db/database.js';
import { ManualClock } from '../../src/shared/clock.js';
import { createArgon2Hasher } from '../../src/shared/hasher.js';
import { totpCode, totpStep } from '../../src/modules/staff/totp.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, TEST_DATABASE_URL, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { currentTotp, nextTotpStep, STAFF_PASSWORD } from '../helpers/staff.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HOUR = 3600_000;

/** Runs the real CLI against `env` (a SQLite DATA_DIR or a PostgreSQL schema). */
function cli(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'silent', PUBLIC_URL: 'https://pro.cartotheque.test', ...env },
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

function linkFrom(text: string): string {
  const match = /(https:\/\/pro\.cartotheque\.test\/back-office\/activation\?token=[A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error(`no setup link in: ${text}`);
  return match[1]!;
}

/** Follows a link as a browser does: token into a cookie, then the token-free page. */
async function openLink(link: string, browser: Browser) {
  const url = new URL(link);
  const first = await browser.get(url.pathname + url.search);
  const page = await browser.get(first.headers.location as string);
  return { first, page };
}

for (const dialect of DIALECTS) {
  describe(`staff:create and the setup link [${dialect}]`, () => {
    // The CLI writes with the real clock into a database the app then reads with a manual clock.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-staff-cli-'));
    const schema = `t_${randomBytes(6).toString('hex')}`;
    let cliEnv: Record<string, string>;
    let close: () => Promise<void> = async () => {};
    // One SECRETS_KEY for every app started on this database, as for every instance of a deployment.
    const secrets = createSecretBox([randomBytes(32)]);

    before(async () => {
      if (dialect === 'sqlite') {
        cliEnv = { DATA_DIR: dataDir };
      } else {
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL! });
        await admin.connect();
        await admin.query(`CREATE SCHEMA ${schema}`);
        await admin.end();
        const url = new URL(TEST_DATABASE_URL!);
        url.searchParams.set('options', `-c search_path=${schema}`);
        cliEnv = { DATA_DIR: dataDir, DATABASE_URL: url.toString() };
      }
    });
    after(async () => {
      await close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dialect === 'postgres') {
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL! });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
    });

    async function appOnCliDatabase(clockAt: number) {
      const database =
        dialect === 'sqlite'
          ? openDatabase({ databaseUrl: null, sqliteFile: path.join(dataDir, 'espace-pro.sqlite') })
          : openDatabase({ databaseUrl: TEST_DATABASE_URL, pgSchema: schema, pgPoolSize: 2 });
      const clock = new ManualClock(clockAt);
      const config = loadConfig({ PUBLIC_URL: 'https://pro.cartotheque.test', LOG_LEVEL: 'silent' });
      const app = await buildApp({ config, db: database.db, dialect: dialect as DialectName, clock, hasher: createArgon2Hasher(), secrets });
      await app.ready();
      close = async () => {
        await app.close();
        await database.close();
      };
      return { app, clock, db: database.db };
    }

    test('staff:create prints a one-time setup link valid 8 h: valid at 8 h − 1 min, refused at 8 h + 1 s', async () => {
      const created = cli(['staff:create', '--email', 'Admin@Cartotheque.fr', '--role', 'admin'], cliEnv);
      assert.equal(created.code, 0, created.err);
      assert.match(created.out, /Created staff member admin@cartotheque\.fr \(admin\)/);
      const link = linkFrom(created.out);

      const { app, clock, db } = await appOnCliDatabase(Date.now());
      const row = await db.selectFrom('link_tokens').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.expires_at - row.created_at, 8 * HOUR);
      assert.ok(!created.out.includes(row.token_hash), 'only the digest is stored, the token is printed');
      const staff = await db.selectFrom('staff').selectAll().executeTakeFirstOrThrow();
      assert.equal(staff.password_hash, null, 'no password until the link is used');
      assert.equal(staff.role, 'admin');

      clock.set(row.created_at + 8 * HOUR - 60_000);
      const early = await openLink(link, new Browser(app));
      assert.equal(early.page.statusCode, 200);
      assert.match(early.page.body, /Étape 1 sur 2/);

      clock.set(row.created_at + 8 * HOUR + 1000);
      const late = await openLink(link, new Browser(app));
      assert.equal(late.page.statusCode, 410);
      assert.match(late.page.body, /Ce lien n’est plus valide/);

      const list = cli(['staff:list'], cliEnv);
      assert.equal(list.code, 0);
      assert.match(list.out, /admin@cartotheque\.fr\tadmin\tsetup_pending/);
    });

    test('staff:reset ends the member’s sessions and prints a new setup link; the old one dies; an unknown e-mail exits 2', async () => {
      const created = cli(['staff:create', '--email', 'perdu@cartotheque.fr', '--role', 'admin'], cliEnv);
      assert.equal(created.code, 0, created.err);
      const first = linkFrom(created.out);
      const reset = cli(['staff:reset', '--email', 'Perdu@Cartotheque.fr'], cliEnv);
      assert.equal(reset.code, 0, reset.err);
      assert.match(reset.out, /Ended 0 session\(s\) of perdu@cartotheque\.fr/);
      const second = linkFrom(reset.out);
      assert.notEqual(second, first);
      const { app, db } = await appOnCliDatabase(Date.now());
      assert.equal((await openLink(first, new Browser(app))).page.statusCode, 410, 'the older link is superseded');
      assert.equal((await openLink(second, new Browser(app))).page.statusCode, 200);
      const audit = await db.selectFrom('audit_log').select(['event', 'actor_type']).where('event', '=', 'staff.access_reset').execute();
      assert.deepEqual(audit, [{ event: 'staff.access_reset', actor_type: 'operator' }]);
      const unknown = cli(['staff:reset', '--email', 'personne@cartotheque.fr'], cliEnv);
      assert.equal(unknown.code, 2);
      assert.match(unknown.err, /no staff member/);
      await db.deleteFrom('staff').where('email', '=', 'perdu@cartotheque.fr').execute(); // the next test counts members
    });

    test('staff:create refuses a duplicate e-mail (any case) and bad arguments with exit code 2', () => {
      const dup = cli(['staff:create', '--email', 'ADMIN@cartotheque.fr', '--role', 'agent'], cliEnv);
      assert.equal(dup.code, 2);
      assert.match(dup.err, /already exists/);
      const cases: Array<[string[], RegExp]> = [
        [['staff:create', '--email', 'x@y.fr', '--role', 'boss'], /admin or agent/],
        [['staff:create', '--email', 'not-an-email', '--role', 'agent'], /valid e-mail/],
        [['staff:create', '--email', 'x@y.fr'], /--role is required/],
        [['staff:create', '--role', 'admin'], /--email is required/],
        [['staff:create', '--email', 'x@y.fr', '--role', 'admin', '--password', 'x'], /Unknown option/],
      ];
      for (const [args, message] of cases) {
        const result = cli(args, cliEnv);
        assert.equal(result.code, 2, args.join(' '));
        assert.match(result.err, message, args.join(' '));
      }
      const list = cli(['staff:list'], cliEnv);
      assert.equal(list.out.trim().split('\n').length, 1, 'nothing else was written');
    });
  });

  describe(`staff setup: password then TOTP enrolment [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, { env: { PUBLIC_URL: 'https://pro.cartotheque.test' } });
    });
    after(async () => t.close());
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
    });

    /** The CLI's own code path, with the test clock. */
    async function newStaffLink(email = 'nouvelle@cartotheque.fr', role = 'agent') {
      const { createStaff } = await import('../../src/modules/staff/staff.members.service.js');
      const created = await createStaff({ db: t.db, clock: t.clock, config: t.config }, { email, role }, { ip: null, userAgent: 'test' }, { type: 'operator', id: 'test' }, 'print');
      assert.ok(created.ok && created.value.link);
      return created.value.link;
    }

    async function choosePassword(browser: Browser, password: string, confirmation = password) {
      const page = await browser.get('/back-office/activation');
      return browser.post('/back-office/activation', { _csrf: csrfToken(page.body), mot_de_passe: password, confirmation });
    }

    function secretIn(html: string): string {
      const match = /<code class="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(html);
      if (!match) throw new Error('no secret in page');
      return match[1]!.replace(/ /g, '');
    }

    async function confirmCode(browser: Browser, code: string) {
      const page = await browser.get('/back-office/activation');
      return browser.post('/back-office/activation/code', { _csrf: csrfToken(page.body), code });
    }

    test('S14 the token leaves the URL for a __Host- HttpOnly cookie; the page is token-free and not cached', async () => {
      const link = await newStaffLink();
      const browser = new Browser(t.app);
      const { first, page } = await openLink(link, browser);
      assert.equal(first.statusCode, 303);
      assert.equal(first.headers.location, '/back-office/activation');
      assert.equal(first.headers['referrer-policy'], 'no-referrer');
      assert.equal(first.headers['cache-control'], 'no-store');
      const cookie = String(first.headers['set-cookie']);
      assert.match(cookie, /__Host-ep_staff_setup=/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /Secure/);
      assert.match(cookie, /SameSite=Lax/);
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes(new URL(link).searchParams.get('token')!), 'the token is not in the page');
      assert.match(page.body, /value="nouvelle@cartotheque\.fr"/);
    });

    const rules: Array<[string, string, RegExp]> = [
      ['too short (S1)', 'court mais pas', /au moins 15 caractères/],
      ['too long (S1)', 'y'.repeat(60) + 'z'.repeat(69), /ne peut pas dépasser 128 caractères/],
      ['common (S3)', 'passwordpassword', /mots de passe les plus courants/],
      ['the e-mail local part (S3)', 'nouvelle année nouvelle vie', /ni votre adresse e-mail/],
      ['the brand (S3)', 'j’aime CARTOTHEQUE beaucoup', /ni le nom « Cartothèque »/],
    ];
    for (const [what, password, message] of rules) {
      test(`S1–S3 the customers' password policy applies to staff: ${what}`, async () => {
        const browser = new Browser(t.app);
        await openLink(await newStaffLink(), browser);
        t.hasher.hashCalls = 0;
        const res = await choosePassword(browser, password);
        assert.equal(res.statusCode, 400);
        assert.match(res.body, message);
        assert.ok(!res.body.includes(password), 'the password is never sent back');
        assert.equal(t.hasher.hashCalls, 0, 'refused before hashing');
        const staff = await t.db.selectFrom('staff').select('password_hash').executeTakeFirstOrThrow();
        assert.equal(staff.password_hash, null);
      });
    }

    test('the confirmation must match', async () => {
      const browser = new Browser(t.app);
      await openLink(await newStaffLink(), browser);
      const res = await choosePassword(browser, STAFF_PASSWORD, STAFF_PASSWORD + '!');
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /La confirmation ne correspond pas/);
    });

    test('setup end to end: argon2id password, QR code + secret, a wrong code refused, the right one enrols, 10 recovery codes shown once, link single use', async () => {
      const link = await newStaffLink();
      const browser = new Browser(t.app);
      await openLink(link, browser);
      const saved = await choosePassword(browser, STAFF_PASSWORD);
      assert.equal(saved.statusCode, 303);
      assert.equal(saved.headers.location, '/back-office/activation');
      const staffRow = await t.db.selectFrom('staff').selectAll().executeTakeFirstOrThrow();
      assert.match(staffRow.password_hash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'S4');
      assert.equal(staffRow.totp_enabled_at, null, 'not enrolled yet');

      const page = await browser.get('/back-office/activation');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Étape 2 sur 2/);
      assert.match(page.body, /<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<path/s, 'an inline SVG QR code');
      assert.doesNotMatch(page.body, /&lt;svg/, 'the SVG is markup, not escaped text');
      assert.doesNotMatch(page.body, /<script(?! src="\/static\/app\.js")/, 'no inline script');
      const secret = secretIn(page.body);
      assert.equal(secret, t.secrets.open(staffRow.totp_secret!), 'the secret is shown for manual entry');
      assert.ok(!staffRow.totp_secret!.includes(secret), 'S40 stored sealed, never in clear');
      assert.match(staffRow.totp_secret!, /^v1:[0-9a-f]{8}:/);

      // Not enrolled yet: signing in is impossible.
      const early = await new Browser(t.app).submit('/back-office/connexion', '/back-office/connexion', { email: 'nouvelle@cartotheque.fr', mot_de_passe: STAFF_PASSWORD });
      assert.equal(early.statusCode, 401);

      const wrongCode = String((Number(totpCode(secret, t.clock.now())) + 1) % 1_000_000).padStart(6, '0');
      const wrong = await confirmCode(browser, wrongCode);
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /Ce code ne correspond pas/);
      assert.equal((await t.db.selectFrom('staff').select('totp_enabled_at').executeTakeFirstOrThrow()).totp_enabled_at, null);

      const code = totpCode(secret, t.clock.now());
      const done = await confirmCode(browser, code);
      assert.equal(done.statusCode, 200);
      assert.match(done.body, /Vos codes de secours/);
      const codes = [...done.body.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]!);
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes).size, 10);
      assert.match(String(done.headers['set-cookie']), /__Host-ep_staff_setup=;/, 'the setup cookie is cleared');

      const stored = await t.db.selectFrom('staff_recovery_codes').selectAll().execute();
      assert.equal(stored.length, 10);
      for (const row of stored) assert.ok(!codes.some((c) => row.code_hash.includes(c.replace('-', ''))) && /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/.test(row.code_hash), 'S40 only salted argon2id hashes are stored');
      assert.equal(new Set(stored.map((r) => r.code_hash.split('$')[4])).size, stored.length, 'each with its own salt');
      const enrolled = await t.db.selectFrom('staff').selectAll().executeTakeFirstOrThrow();
      assert.ok(enrolled.totp_enabled_at);
      assert.equal(enrolled.last_totp_step, totpStep(t.clock.now()), 'the enrolment code cannot be replayed at login');

      const again = await openLink(link, new Browser(t.app));
      assert.equal(again.page.statusCode, 410, 'S12 single use');
      const token = await t.db.selectFrom('link_tokens').selectAll().executeTakeFirstOrThrow();
      assert.ok(token.consumed_at);

      // The enrolment code was just used: the same code right away is a replay.
      const login = new Browser(t.app);
      await login.submit('/back-office/connexion', '/back-office/connexion', { email: 'nouvelle@cartotheque.fr', mot_de_passe: STAFF_PASSWORD });
      const replay = await login.submit('/back-office/connexion/code', '/back-office/connexion/code', { code });
      assert.equal(replay.statusCode, 401);
      nextTotpStep(t);
      const ok = await login.submit('/back-office/connexion/code', '/back-office/connexion/code', { code: currentTotp(t, secret) });
      assert.equal(ok.statusCode, 303);
      assert.equal((await login.get('/back-office')).statusCode, 200);

      const events = (await t.db.selectFrom('audit_log').select('event').execute()).map((r) => r.event);
      for (const event of ['staff.created', 'staff.setup.password_set', 'staff.setup.totp_failure', 'staff.setup.completed', 'staff.setup.invalid_link']) {
        assert.ok(events.includes(event), `S34 audit: ${event}`);
      }
      const dump = JSON.stringify(await t.db.selectFrom('audit_log').selectAll().execute());
      for (const secretValue of [STAFF_PASSWORD, secret, code, ...codes, new URL(link).searchParams.get('token')!]) {
        assert.ok(!dump.includes(secretValue), 'S34/S35 no secret in the audit log');
      }
    });

    test('S12 only the newest setup link works, and a disabled member’s link is void', async () => {
      const first = await newStaffLink('deux@cartotheque.fr');
      const { resendSetupLink } = await import('../../src/modules/staff/staff.members.service.js');
      const staff = await t.db.selectFrom('staff').select('id').executeTakeFirstOrThrow();
      const resent = await resendSetupLink({ db: t.db, clock: t.clock, config: t.config }, Number(staff.id), { ip: null, userAgent: 'test' }, { type: 'operator', id: 'test' });
      assert.ok(resent.ok);
      assert.equal('link' in resent.value, false, 'S37 the link is mailed, never handed to whoever asked for it');
      const mail = await t.db.selectFrom('outbox').select('text_body').where('kind', '=', 'staff_setup_link').executeTakeFirstOrThrow();
      const second = linkFrom(mail.text_body!);
      assert.equal((await openLink(first, new Browser(t.app))).page.statusCode, 410);
      assert.equal((await openLink(second, new Browser(t.app))).page.statusCode, 200);
      await t.db.updateTable('staff').set({ disabled_at: t.clock.now() }).execute();
      assert.equal((await openLink(second, new Browser(t.app))).page.statusCode, 410);
    });

    test('S17 guessing setup tokens is limited per IP', async () => {
      const browser = new Browser(t.app);
      for (let i = 0; i < 20; i++) {
        const { page } = await openLink(`https://pro.cartotheque.test/back-office/activation?token=${randomBytes(32).toString('base64url')}`, browser);
        assert.equal(page.statusCode, 410);
      }
      const { page } = await openLink(`https://pro.cartotheque.test/back-office/activation?token=${randomBytes(32).toString('base64url')}`, browser);
      assert.equal(page.statusCode, 429);
    });
  });
}
