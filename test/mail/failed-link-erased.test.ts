import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { enqueueMail } from '../../src/modules/mail/mail.service.js';
import { createOutboxWorker } from '../../src/modules/mail/outbox-worker.js';
import { smtpTransport } from '../../src/modules/mail/transport.js';
import { ManualClock } from '../../src/shared/clock.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp.js';

const silent = { info() {}, warn() {}, error() {} };

for (const dialect of DIALECTS) {
  describe(`S40 link mails that fail for good are erased [${dialect}]`, () => {
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

    const worker = () =>
      createOutboxWorker({ db: database.db, dialect, clock, transport: smtpTransport(smtp.url), from: 'Cartothèque <no-reply@c.test>', messageIdDomain: 'c.test', logger: silent });
    const queue = (kind: string, to: string) =>
      enqueueMail(database.db, clock, { kind, to, accountId: null, subject: 'Votre lien', text: 'https://pro.test/activation?token=SECRET', html: '<a href="https://pro.test/activation?token=SECRET">lien</a>' });

    test('S40 a permanently refused link mail keeps no body; another kind keeps its body for support', async () => {
      const ids: Record<string, number> = {};
      for (const kind of ['activation_link', 'reset_link', 'staff_setup_link', 'password_changed']) ids[kind] = await queue(kind, `${kind}@example.fr`);
      smtp.failNext = { count: 4, code: 550 };
      await worker().drain();
      for (const [kind, id] of Object.entries(ids)) {
        const row = await database.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        assert.equal(row.status, 'failed', kind);
        assert.match(row.last_error ?? '', /550|unavailable/i, kind);
        if (kind === 'password_changed') {
          assert.ok(row.text_body?.includes('SECRET'), 'a notice keeps its text');
        } else {
          assert.equal(row.text_body, null, kind);
          assert.equal(row.html_body, null, kind);
        }
      }
    });
  });
}
