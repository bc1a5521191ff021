import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { SmtpSink } from '../helpers/smtp.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

const PERSON = { code: '48151', email: 'zephyrine.durand@librairie-zephyr.fr', company: 'Librairie Zéphyrine', ip: '198.51.100.77', ua: 'ZephyrBrowser/7.7' };

/** Every text cell of every table of the application that contains one of `needles`. */
async function findEverywhere(db: Kysely<DB>, dialect: string, needles: string[]): Promise<string[]> {
  const tables =
    dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'`.execute(db)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema() and tablename not like 'kysely_%'`.execute(db)).rows.map((r) => r.name);
  const found: string[] = [];
  for (const table of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows;
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        const text = String(value ?? '').toLowerCase();
        for (const needle of needles) if (text.includes(needle.toLowerCase())) found.push(`${table}.${column} has ${needle}`);
      }
    }
  }
  return found;
}

for (const dialect of DIALECTS) {
  describe(`S42 export and erasure of a person's data [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url, TRUST_PROXY: '127.0.0.1' } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
    });

    /** A customer who did everything: signed in, failed, asked a reset, sent a request; customer service acted on the account. */
    async function aBusyCustomer() {
      const account = await seedAccount(t, { code: PERSON.code, email: PERSON.email, company: PERSON.company });
      const from = { 'user-agent': PERSON.ua, 'x-forwarded-for': PERSON.ip };
      const customer = new Browser(t.app);
      await customer.submit('/connexion', '/connexion', { identifiant: PERSON.code, mot_de_passe: STRONG_PASSWORD, memoriser: '1' }, from);
      await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: PERSON.code, mot_de_passe: 'un mauvais essai' }, from);
      await new Browser(t.app).submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant: PERSON.code, email: PERSON.email }, from);
      await new Browser(t.app).submit(
        '/ouverture-de-compte',
        '/ouverture-de-compte',
        { raison_sociale: PERSON.company, code_client: PERSON.code, siret: '', nom: 'Durand', prenom: 'Zéphyrine', email: PERSON.email, telephone: '02 98 76 54 32', adresse: '', code_postal: '', ville: '', pays: 'France', message: 'Bonjour' },
        from,
      );
      await t.outbox.drain();
      const admin = await createStaffAndSignIn(t, { role: 'admin', email: 'admin@cartotheque.test' });
      const page = `/back-office/comptes/${account.id}`;
      const html = await admin.get(page);
      await admin.post(`${page}/email`, { _csrf: csrfToken(html.body), email: 'zephyrine.nouvelle@librairie-zephyr.fr' });
      return { account, admin, page };
    }

    test('S42 the export contains what the database holds about the person, in JSON and CSV, and is audited', async () => {
      const { admin, page } = await aBusyCustomer();
      const json = await admin.get(`${page}/donnees.json`);
      assert.equal(json.statusCode, 200);
      assert.match(json.headers['content-disposition'] as string, /attachment/);
      const data = JSON.parse(json.body);
      assert.equal(data.account.code, PERSON.code);
      assert.equal(data.account.email, PERSON.email);
      assert.equal(data.account.password_set, true);
      assert.equal('password_hash' in data.account, false, 'no secret in an export');
      assert.ok(data.sessions.some((s: { ip: string }) => s.ip === PERSON.ip));
      assert.equal(data.rememberTokens.length, 1);
      assert.ok(data.mails.length >= 2, 'the reset link and the request acknowledgement');
      assert.equal(data.requests.length, 1);
      assert.equal(data.emailChanges.length, 1, 'the pending e-mail change');
      assert.ok(data.audit.some((e: { event: string }) => e.event === 'login.success'));
      assert.ok(data.resetRequests.length >= 1);
      const csv = await admin.get(`${page}/donnees.csv`);
      assert.match(csv.headers['content-type'] as string, /text\/csv/);
      assert.ok(csv.body.includes(PERSON.email) && csv.body.includes(PERSON.ip));
      const audit = await t.db.selectFrom('audit_log').select(['event', 'actor_id']).where('event', '=', 'privacy.account_exported').execute();
      assert.deepEqual(audit, [
        { event: 'privacy.account_exported', actor_id: 'admin@cartotheque.test' },
        { event: 'privacy.account_exported', actor_id: 'admin@cartotheque.test' },
      ]);
    });

    test('S42 after erasure no column of any table holds the person; the audit entries remain, pseudonymous', async () => {
      const { admin, page } = await aBusyCustomer();
      const before = await findEverywhere(t.db, t.dialect, [PERSON.email, PERSON.company, PERSON.ip, PERSON.ua, 'zephyrine']);
      assert.ok(before.length > 10, `positive control: the person is all over the database (${before.length} cells)`);
      const auditBefore = (await t.db.selectFrom('audit_log').select('id').execute()).length;
      const html = await admin.get(page);
      const erased = await admin.post(`${page}/effacer`, { _csrf: csrfToken(html.body) });
      assert.equal(erased.statusCode, 200);
      assert.match(erased.body, /Données effacées/);
      const left = await findEverywhere(t.db, t.dialect, [PERSON.email, PERSON.company, PERSON.ip, PERSON.ua, 'zephyrine']);
      assert.deepEqual(left, []);
      // The customer code is the person's identifier too: it is gone from every column that held it.
      const code = (await findEverywhere(t.db, t.dialect, [PERSON.code])).filter((c) => !/hits|token_hash|password_hash|code_hash|validator_hash|\.id has/.test(c));
      assert.deepEqual(code, []);
      const audit = await t.db.selectFrom('audit_log').selectAll().execute();
      assert.ok(audit.length > auditBefore, 'the trace stays, and the erasure itself is recorded');
      const trace = audit.filter((e) => e.event === 'login.success');
      assert.equal(trace.length, 1);
      assert.match(trace[0]!.actor_id ?? '', /^effacé-[A-Za-z0-9_-]{12}$/, 'a pseudonym instead of the person');
      const done = audit.find((e) => e.event === 'privacy.account_erased');
      assert.equal(done?.actor_id, 'admin@cartotheque.test');
      assert.equal(done?.target, trace[0]!.actor_id, 'one pseudonym for one person');
      assert.equal((await admin.get(page)).statusCode, 404);
    });

    test('S42 an agent may export but not erase; both need a fresh second factor (S38)', async () => {
      const { account } = await aBusyCustomer();
      const agent = await createStaffAndSignIn(t, { role: 'agent' });
      const page = `/back-office/comptes/${account.id}`;
      assert.equal((await agent.get(`${page}/donnees.json`)).statusCode, 200);
      const html = await agent.get(page);
      assert.doesNotMatch(html.body, /Effacer définitivement/);
      assert.equal((await agent.post(`${page}/effacer`, { _csrf: csrfToken(html.body) })).statusCode, 403);
      t.clock.advance(11 * 60_000);
      const stale = await agent.get(`${page}/donnees.json`);
      assert.equal(stale.statusCode, 303);
      assert.match(stale.headers.location as string, /verification/);
      assert.ok(await t.db.selectFrom('accounts').select('id').where('id', '=', account.id).executeTakeFirst(), 'nothing erased');
    });

    test('S42 a request is exported and erased with its mails; its audit trace stays without the requester', async () => {
      await new Browser(t.app).submit(
        '/ouverture-de-compte',
        '/ouverture-de-compte',
        { raison_sociale: PERSON.company, code_client: '', siret: '', nom: 'Durand', prenom: 'Zéphyrine', email: PERSON.email, telephone: '02 98 76 54 32', adresse: '', code_postal: '', ville: '', pays: 'France', message: 'Bonjour' },
        { 'user-agent': PERSON.ua, 'x-forwarded-for': PERSON.ip },
      );
      await t.outbox.drain();
      const id = Number((await t.db.selectFrom('account_requests').select('id').executeTakeFirstOrThrow()).id);
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const page = `/back-office/demandes/${id}`;
      const data = JSON.parse((await admin.get(`${page}/donnees.json`)).body);
      assert.equal(data.request.email, PERSON.email);
      assert.ok(data.mails.length >= 1);
      const html = await admin.get(page);
      assert.equal((await admin.post(`${page}/effacer`, { _csrf: csrfToken(html.body) })).statusCode, 200);
      assert.deepEqual(await findEverywhere(t.db, t.dialect, [PERSON.email, PERSON.company, PERSON.ip, PERSON.ua, 'zephyrine']), []);
      assert.ok((await t.db.selectFrom('audit_log').select('event').where('event', '=', 'account_request.created').execute()).length === 1, 'the trace stays');
    });
  });
}
