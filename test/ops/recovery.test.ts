import { insertPasswordlessAccount, setPassword } from '../../src/modules/account/account.repository.js';
import { randomBytes } from 'node:crypto';
import { createSecretBox } from '../../src/shared/secret-box.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { enqueueMail } from '../../src/modules/mail/mail.service.js';
import { createOutboxWorker } from '../../src/modules/mail/outbox-worker.js';
import { fileTransport } from '../../src/modules/mail/transport.js';
import { ManualClock } from '../../src/shared/clock.js';
import { createArgon2Hasher } from '../../src/shared/hasher.js';
import { fr } from '../../src/shared/i18n/fr.js';
import { STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/app.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const silent = { info() {}, warn() {}, error() {} };

describe('PostgreSQL outage under a running app (through a TCP relay, the real server untouched)', { skip: TEST_DATABASE_URL ? false : 'PostgreSQL suite skipped: set TEST_DATABASE_URL', timeout: 120_000 }, () => {
  let direct: TestDatabase & { schema: string | null };
  let proxy: TcpProxy;
  let proxied: Database;
  let app: FastifyInstance;
  const clock = new ManualClock();
  const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-recovery-'));

  before(async () => {
    direct = await createTestDatabase('postgres');
    const target = new URL(TEST_DATABASE_URL!);
    proxy = await new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) }).start();
    const viaProxy = new URL(TEST_DATABASE_URL!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // The app only knows the relay's address, as a real app only knows the database's.
    proxied = openDatabase({ databaseUrl: viaProxy.toString(), pgSchema: direct.schema!, pgPoolSize: 5 });
    const config = loadConfig({ PUBLIC_URL: 'http://localhost:3000', LOG_LEVEL: 'silent' });
    const hasher = createArgon2Hasher();
    app = await buildApp({ config, db: proxied.db, dialect: 'postgres', clock, hasher, secrets: createSecretBox([randomBytes(32)]) });
    // A request that holds a connection for a while, to lose it mid-query.
    app.get('/test/slow-query', async () => {
      await sql`select pg_sleep(2)`.execute(proxied.db);
      return 'done';
    });
    await app.ready();
    const { accountId } = await insertPasswordlessAccount(direct.db, { code: '12345', email: 'a@b.fr', company: 'Librairie du Port', now: clock.now() });
    await setPassword(direct.db, accountId, await hasher.hash(STRONG_PASSWORD), clock.now());
  });
  after(async () => {
    await app?.close();
    await proxied?.close();
    await proxy?.stop();
    await direct?.close();
    fs.rmSync(outboxDir, { recursive: true, force: true });
  });

  test('during the outage: the French 503 page and /readyz red; after it: everything works again, no restart', async () => {
    const browser = new Browser(app);
    const login = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
    assert.equal(login.statusCode, 303);
    assert.equal((await browser.get('/espace-pro')).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);

    await proxy.cut();
    const started = Date.now();
    const page = await browser.get('/espace-pro');
    assert.equal(page.statusCode, 503);
    assert.match(page.body, new RegExp(fr.errors.unavailableTitle));
    assert.equal(page.headers['retry-after'], '10');
    assert.doesNotMatch(page.body, /ECONNREFUSED|Connection terminated|pg|at .*\.ts/);
    const visitor = new Browser(app);
    const form = await visitor.get('/connexion');
    assert.equal(form.statusCode, 200, 'a page that needs no database still answers');
    const attempt = await visitor.post('/connexion', { _csrf: /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!, identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
    assert.equal(attempt.statusCode, 503, 'a login during the outage gets the same page');
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().status, 'unavailable');
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'alive all along: nothing to restart');
    assert.ok(Date.now() - started < 10_000, 'failing fast, not hanging');

    await proxy.restore();
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    const back = await browser.get('/espace-pro');
    assert.equal(back.statusCode, 200, 'the session survived: it lives in the database');
    assert.match(back.body, /Librairie du Port/);
  });

  test('a connection lost in the middle of a query: that request gets the 503 page, the process lives on', async () => {
    const inFlight = app.inject({ method: 'GET', url: '/test/slow-query' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await proxy.cut();
    const res = await inFlight;
    assert.equal(res.statusCode, 503);
    assert.match(res.body, new RegExp(fr.errors.unavailableTitle));
    await proxy.restore();
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    // Had pg's 'error' event on the lent client gone unheard, this process would have crashed
    // (the test runner reports an uncaught exception).
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  test('a mail queued before the outage waits through it and is delivered once afterwards', async () => {
    await direct.db.deleteFrom('outbox').execute();
    const id = await enqueueMail(direct.db, clock, { kind: 'test', to: 'client@example.fr', accountId: null, subject: 'Bonjour', text: 'Texte', html: '<p>Texte</p>' });
    const worker = createOutboxWorker({ db: proxied.db, dialect: 'postgres', clock, transport: fileTransport(outboxDir), from: 'x@c.test', messageIdDomain: 'c.test', logger: silent });

    await proxy.cut();
    await assert.rejects(worker.runOnce(), 'the pass fails while the database is away');
    const waiting = await direct.db.selectFrom('outbox').select(['status', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual(waiting, { status: 'pending', attempts: 0 }, 'nothing was claimed, nothing lost');

    await proxy.restore();
    assert.equal(await worker.drain(), 1);
    assert.equal(await worker.drain(), 0);
    assert.equal(fs.readdirSync(outboxDir).length, 1, 'delivered exactly once');
    assert.equal((await direct.db.selectFrom('outbox').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status, 'sent');
  });
});
