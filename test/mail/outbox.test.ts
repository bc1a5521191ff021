import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { enqueueMail } from '../../src/modules/mail/mail.service.js';
import { createOutboxWorker, retryDelayMs } from '../../src/modules/mail/outbox-worker.js';
import { fileTransport, smtpTransport } from '../../src/modules/mail/transport.js';
import { ManualClock } from '../../src/shared/clock.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp.js';

const silent = { info() {}, warn() {}, error() {} };

for (const dialect of DIALECTS) {
  describe(`durable outbox [${dialect}]`, () => {
    let database: TestDatabase;
    let smtp: SmtpSink;
    const clock = new ManualClock();
    before(async () => {
      database = await createTestDatabase(dialect);
      smtp = await new SmtpSink().start();
    });
    after(async () => {
      await smtp.stop().catch(() => {});
      await database.close();
    });
    beforeEach(async () => {
      await database.db.deleteFrom('outbox').execute();
      smtp.clear();
    });

    const worker = (url = smtp.url) =>
      createOutboxWorker({ db: database.db, dialect, clock, transport: smtpTransport(url), from: 'Cartothèque <no-reply@c.test>', messageIdDomain: 'c.test', logger: silent });
    const queue = (to = 'client@example.fr') => enqueueMail(database.db, clock, { kind: 'test', to, accountId: null, subject: 'Bonjour', text: 'Texte', html: '<p>Texte</p>' });

    test('SMTP down, then up: the mail waits, is retried with backoff and arrives exactly once', async () => {
      const id = await queue();
      await smtp.stop();
      const down = worker();
      await down.drain();
      let row = await database.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 1);
      assert.ok(row.last_error);
      assert.equal(row.next_attempt_at, clock.now() + retryDelayMs(1));

      await smtp.start(smtp.port);
      await down.drain();
      assert.equal(smtp.messages.length, 0, 'not before the backoff');
      clock.advance(retryDelayMs(1));
      await down.drain();
      await down.drain();
      assert.equal(smtp.messages.length, 1);
      row = await database.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'sent');
      clock.advance(3600_000);
      await down.drain();
      assert.equal(smtp.messages.length, 1, 'never twice');
    });

    test('a temporary SMTP refusal (451) is retried; a permanent one (550) is marked failed with the reason', async () => {
      const temporary = await queue('temp@example.fr');
      smtp.failNext = { count: 1, code: 451 };
      await worker().drain();
      assert.equal((await database.db.selectFrom('outbox').select('status').where('id', '=', temporary).executeTakeFirstOrThrow()).status, 'pending');
      clock.advance(retryDelayMs(1));
      await worker().drain();
      assert.equal((await database.db.selectFrom('outbox').select('status').where('id', '=', temporary).executeTakeFirstOrThrow()).status, 'sent');

      const permanent = await queue('gone@example.fr');
      smtp.failNext = { count: 1, code: 550 };
      await worker().drain();
      const row = await database.db.selectFrom('outbox').selectAll().where('id', '=', permanent).executeTakeFirstOrThrow();
      assert.equal(row.status, 'failed');
      assert.match(row.last_error ?? '', /Mailbox unavailable|550/);
    });

    test('a process restarted with a queued mail delivers it after the restart', async () => {
      await queue();
      // The first process queued the mail and stopped before its worker ran.
      const restarted = worker();
      await restarted.drain();
      assert.equal(smtp.messages.length, 1);
    });

    test('a worker that dies mid-delivery loses its claim after the lease; another takes over', async () => {
      await queue();
      const claimedBy = await createOutboxWorker({
        db: database.db,
        dialect,
        clock,
        transport: { send: () => new Promise(() => {}), close() {} },
        from: 'x@c.test',
        messageIdDomain: 'c.test',
        logger: silent,
      });
      void claimedBy.runOnce(); // hangs forever in send: a dead process
      await new Promise((r) => setTimeout(r, 100));
      const other = worker();
      await other.drain();
      assert.equal(smtp.messages.length, 0, 'claimed under a lease: not sent by another worker');
      clock.advance(61_000);
      await other.drain();
      assert.equal(smtp.messages.length, 1, 'taken over after the lease');
    });

    test('without SMTP_URL each mail becomes an .eml file', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-'));
      try {
        const id = await queue();
        await createOutboxWorker({ db: database.db, dialect, clock, transport: fileTransport(dir), from: 'x@c.test', messageIdDomain: 'c.test', logger: silent }).drain();
        const files = fs.readdirSync(dir);
        assert.equal(files.length, 1);
        // Named by date, kind and id, so that a listing sorts by time (issue 15).
        assert.match(files[0]!, new RegExp(`^\\d{8}-\\d{6}_test_${id}\\.eml$`));
        const eml = fs.readFileSync(path.join(dir, files[0]!), 'utf8');
        assert.match(eml, /Subject: Bonjour/);
        assert.match(eml, /To: client@example\.fr/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
