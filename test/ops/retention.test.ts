import { insertPasswordlessAccount } from '../../src/modules/account/account.repository.js';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { startRetentionJob } from '../../src/modules/retention/retention.job.js';
import { CLEANUP_STEPS } from '../../src/jobs.js';
import { EXPIRED_LINK_GRACE_MS } from '../../src/modules/auth-core/auth-core.cleanup.js';
import { MAIL_BODY_RETENTION_MS } from '../../src/modules/mail/mail.cleanup.js';
import { RESET_REQUEST_RETENTION_MS } from '../../src/modules/password-reset/password-reset.cleanup.js';
import { type RetentionReport, runRetention } from '../../src/modules/retention/retention.service.js';
import { SESSION_IDLE_MS } from '../../src/modules/session/session.service.js';
import { DAY_MS, HOUR_MS, ManualClock, MINUTE_MS } from '../../src/shared/clock.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const TABLES = ['sessions', 'staff_sessions', 'remember_tokens', 'devices', 'known_browsers', 'link_tokens', 'rate_limits', 'login_throttle', 'reset_requests', 'account_requests', 'audit_log', 'outbox'] as const;

interface Case {
  name: string;
  kind: keyof RetentionReport;
  /** The first instant at which the row must be gone. */
  boundary: number;
  insert(): Promise<void>;
  /** True while the row (or, for mails, its body) is still there. */
  present(): Promise<boolean>;
}

for (const dialect of DIALECTS) {
  describe(`retention [${dialect}]`, () => {
    let database: TestDatabase;
    let accountId: number;
    let staffId: number;
    const clock = new ManualClock(T0);
    const config = loadConfig({});
    before(async () => {
      database = await createTestDatabase(dialect);
      const { db } = database;
      accountId = (await insertPasswordlessAccount(db, { code: '12345', email: 'a@b.fr', company: 'Librairie', now: T0 })).accountId;
      staffId = Number((await db.insertInto('staff').values({ email: 'agent@c.fr', role: 'agent', created_at: T0, updated_at: T0 }).returning('id').executeTakeFirstOrThrow()).id);
    });
    after(async () => {
      await database.close();
    });
    beforeEach(async () => {
      await resetDatabase(database.db, dialect, { keep: ['accounts', 'staff'] });
    });

    const exists = async (table: (typeof TABLES)[number], column: string, value: string | number) =>
      (await database.db.selectFrom(table as 'sessions').select(database.db.fn.countAll<number>().as('n')).where(column as 'id', '=', value as string).executeTakeFirstOrThrow()).n > 0;

    const session = (id: string, lastSeen: number, expires: number) => ({ id, account_id: accountId, created_at: T0, last_seen_at: lastSeen, expires_at: expires, remember_series: null, ip: '192.0.2.1', user_agent: 'test' });
    const staffSession = (id: string, lastSeen: number, expires: number) => ({ id, staff_id: staffId, created_at: T0, last_seen_at: lastSeen, expires_at: expires, mfa_passed_at: T0, ip: '192.0.2.1', user_agent: 'test' });
    const request = (state: 'new' | 'in_progress' | 'approved' | 'rejected', handledAt: number | null) => ({
      state,
      company: 'Librairie du Port',
      last_name: 'Martin',
      first_name: 'Claire',
      email: 'claire@example.fr',
      phone: '0102030405',
      created_at: T0,
      updated_at: handledAt ?? T0,
      handled_by: handledAt ? String(staffId) : null,
      handled_at: handledAt,
    });
    const mail = (status: 'pending' | 'sent' | 'failed', sentAt: number | null) => ({
      kind: 'test',
      account_id: null,
      recipient: 'claire@example.fr',
      subject: 'Bonjour',
      text_body: 'Votre lien : https://pro.example.fr/…',
      html_body: '<p>Votre lien</p>',
      status,
      attempts: 1,
      next_attempt_at: T0,
      created_at: T0,
      sent_at: sentAt,
    });
    const mailBodyPresent = async () => {
      const row = await database.db.selectFrom('outbox').select(['text_body', 'html_body']).executeTakeFirstOrThrow();
      return row.text_body !== null || row.html_body !== null;
    };

    const cases = (): Case[] => {
      const { db } = database;
      return [
        {
          name: 'customer session at its absolute end',
          kind: 'sessions',
          boundary: T0 + 12 * HOUR_MS,
          insert: async () => void (await db.insertInto('sessions').values(session('s-abs', T0 + 12 * HOUR_MS - MINUTE_MS, T0 + 12 * HOUR_MS)).execute()),
          present: () => exists('sessions', 'id', 's-abs'),
        },
        {
          name: 'customer session idle for 30 minutes',
          kind: 'sessions',
          boundary: T0 + HOUR_MS + SESSION_IDLE_MS,
          insert: async () => void (await db.insertInto('sessions').values(session('s-idle', T0 + HOUR_MS, T0 + 12 * HOUR_MS)).execute()),
          present: () => exists('sessions', 'id', 's-idle'),
        },
        {
          name: 'staff session idle',
          kind: 'staffSessions',
          boundary: T0 + SESSION_IDLE_MS,
          insert: async () => void (await db.insertInto('staff_sessions').values(staffSession('st-idle', T0, T0 + 12 * HOUR_MS)).execute()),
          present: () => exists('staff_sessions', 'id', 'st-idle'),
        },
        {
          name: 'staff session at its absolute end',
          kind: 'staffSessions',
          boundary: T0 + 2 * HOUR_MS,
          insert: async () => void (await db.insertInto('staff_sessions').values(staffSession('st-abs', T0 + 2 * HOUR_MS - MINUTE_MS, T0 + 2 * HOUR_MS)).execute()),
          present: () => exists('staff_sessions', 'id', 'st-abs'),
        },
        {
          name: 'remember-me token at its expiry (rotated or not)',
          kind: 'rememberTokens',
          boundary: T0 + 30 * DAY_MS,
          insert: async () =>
            void (await db
              .insertInto('remember_tokens')
              .values({ selector: 'sel', series: 'ser', account_id: accountId, validator_hash: 'h', created_at: T0, expires_at: T0 + 30 * DAY_MS, rotated_at: T0 + DAY_MS })
              .execute()),
          present: () => exists('remember_tokens', 'selector', 'sel'),
        },
        {
          name: 'remembered device at its expiry',
          kind: 'devices',
          boundary: T0 + 30 * DAY_MS,
          insert: async () => void (await db.insertInto('devices').values({ id: 'dev', account_id: accountId, created_at: T0, expires_at: T0 + 30 * DAY_MS }).execute()),
          present: () => exists('devices', 'id', 'dev'),
        },
        {
          name: 'known browser 400 days after it last signed the account in',
          kind: 'knownBrowsers',
          boundary: T0 + 400 * DAY_MS,
          insert: async () => void (await db.insertInto('known_browsers').values({ id: 'kb', account_id: accountId, created_at: T0 - DAY_MS, last_seen_at: T0 }).execute()),
          present: () => exists('known_browsers', 'id', 'kb'),
        },
        {
          name: 'e-mailed link a week after its expiry',
          kind: 'linkTokens',
          boundary: T0 + 8 * HOUR_MS + EXPIRED_LINK_GRACE_MS,
          insert: async () =>
            void (await db
              .insertInto('link_tokens')
              .values({ subject_type: 'account', subject_id: accountId, purpose: 'reset', token_hash: 'th', created_at: T0, expires_at: T0 + 8 * HOUR_MS, step_done_at: null, consumed_at: null, revoked_at: null, revoked_reason: null })
              .execute()),
          present: () => exists('link_tokens', 'token_hash', 'th'),
        },
        {
          name: 'staff setup link a week after its expiry',
          kind: 'linkTokens',
          boundary: T0 + 8 * HOUR_MS + EXPIRED_LINK_GRACE_MS,
          insert: async () =>
            void (await db
              .insertInto('link_tokens')
              .values({ subject_type: 'staff', subject_id: staffId, purpose: 'staff_setup', token_hash: 'sth', created_at: T0, expires_at: T0 + 8 * HOUR_MS, step_done_at: T0 + HOUR_MS, consumed_at: T0 + HOUR_MS, revoked_at: null, revoked_reason: null })
              .execute()),
          present: () => exists('link_tokens', 'token_hash', 'sth'),
        },
        {
          name: 'rate limit when its newest use leaves the window',
          kind: 'rateLimits',
          boundary: T0 + 10 * MINUTE_MS,
          insert: async () => void (await db.insertInto('rate_limits').values({ key: 'login-ip:192.0.2.1', hits: JSON.stringify([T0 - MINUTE_MS, T0]), expires_at: T0 + 10 * MINUTE_MS }).execute()),
          present: () => exists('rate_limits', 'key', 'login-ip:192.0.2.1'),
        },
        {
          name: 'login failure counter a day after its last failure, its delay long over',
          kind: 'loginThrottles',
          boundary: T0 + DAY_MS,
          insert: async () => void (await db.insertInto('login_throttle').values({ key: '12345', failures: 7, blocked_until: T0 + 4 * MINUTE_MS, updated_at: T0 }).execute()),
          present: () => exists('login_throttle', 'key', '12345'),
        },
        {
          name: 'password-reset submission a day after the worker matched it',
          kind: 'resetRequests',
          boundary: T0 + 5_000 + RESET_REQUEST_RETENTION_MS,
          insert: async () =>
            void (await db.insertInto('reset_requests').values({ identifier: '12345', email: 'a@b.fr', ip: '192.0.2.1', user_agent: 'test', created_at: T0, processed_at: T0 + 5_000 }).execute()),
          present: async () => (await db.selectFrom('reset_requests').select('id').execute()).length > 0,
        },
        {
          name: 'approved account request REQUEST_RETENTION_DAYS after the decision',
          kind: 'accountRequests',
          boundary: T0 + 365 * DAY_MS,
          insert: async () => void (await db.insertInto('account_requests').values(request('approved', T0)).execute()),
          present: async () => (await db.selectFrom('account_requests').select('id').execute()).length > 0,
        },
        {
          name: 'rejected account request REQUEST_RETENTION_DAYS after the decision',
          kind: 'accountRequests',
          boundary: T0 + DAY_MS + 365 * DAY_MS,
          insert: async () => void (await db.insertInto('account_requests').values(request('rejected', T0 + DAY_MS)).execute()),
          present: async () => (await db.selectFrom('account_requests').select('id').execute()).length > 0,
        },
        {
          name: 'audit entry after AUDIT_RETENTION_DAYS',
          kind: 'auditEntries',
          boundary: T0 + 400 * DAY_MS,
          insert: async () => void (await db.insertInto('audit_log').values({ at: T0, event: 'login.success', outcome: 'success', actor_type: 'customer', actor_id: '12345', account_id: accountId, target: '12345', ip: '192.0.2.1', user_agent: 'test', details: null }).execute()),
          present: async () => (await db.selectFrom('audit_log').select('id').execute()).length > 0,
        },
        {
          name: 'body of a mail sent 30 days ago (the delivery row stays)',
          kind: 'mailBodies',
          boundary: T0 + HOUR_MS + MAIL_BODY_RETENTION_MS,
          insert: async () => void (await db.insertInto('outbox').values(mail('sent', T0 + HOUR_MS)).execute()),
          present: mailBodyPresent,
        },
        {
          name: 'body of a mail that failed for good 30 days ago',
          kind: 'mailBodies',
          boundary: T0 + MAIL_BODY_RETENTION_MS,
          insert: async () => void (await db.insertInto('outbox').values(mail('failed', null)).execute()),
          present: mailBodyPresent,
        },
      ];
    };

    test('each kind is kept 1 ms before its boundary and purged exactly at it', async () => {
      for (const c of cases()) {
        await resetDatabase(database.db, dialect, { keep: ['accounts', 'staff'] });
        await c.insert();
        clock.set(c.boundary - 1);
        const early = await runRetention({ db: database.db, clock, config, steps: CLEANUP_STEPS });
        assert.ok(await c.present(), `${c.name}: kept just before its boundary`);
        assert.equal(early[c.kind], 0, `${c.name}: nothing counted before`);
        clock.set(c.boundary);
        const onTime = await runRetention({ db: database.db, clock, config, steps: CLEANUP_STEPS });
        assert.equal(await c.present(), false, `${c.name}: purged at its boundary`);
        assert.equal(onTime[c.kind], 1, `${c.name}: counted once`);
        const total = Object.values(onTime).reduce((a, b) => a + b, 0);
        assert.equal(total, 1, `${c.name}: nothing else touched (${JSON.stringify(onTime)})`);
      }
    });

    test('what must stay stays: open requests, a blocking throttle, a waiting mail, the sent mail row itself', async () => {
      const { db } = database;
      await db.insertInto('account_requests').values([request('new', null), request('in_progress', T0)]).execute();
      await db.insertInto('login_throttle').values({ key: '54321', failures: 30, blocked_until: T0 + 3 * DAY_MS, updated_at: T0 }).execute();
      await db.insertInto('outbox').values([mail('pending', null), mail('sent', T0)]).execute();
      await db.insertInto('reset_requests').values({ identifier: '12345', email: 'a@b.fr', ip: null, user_agent: null, created_at: T0, processed_at: null }).execute();
      clock.set(T0 + 2 * DAY_MS);
      await runRetention({ db, clock, config, steps: CLEANUP_STEPS });
      assert.ok(await exists('login_throttle', 'key', '54321'), 'a throttle still blocking is kept, however old');
      clock.set(T0 + 5 * 365 * DAY_MS);
      const report = await runRetention({ db, clock, config, steps: CLEANUP_STEPS });
      assert.equal((await db.selectFrom('account_requests').select('id').execute()).length, 2, 'new and in-progress requests are never purged');
      assert.equal((await db.selectFrom('reset_requests').select('id').execute()).length, 1, 'a reset submission waiting for the worker stays');
      const mails = await db.selectFrom('outbox').select(['status', 'text_body', 'html_body', 'recipient', 'sent_at']).orderBy('id').execute();
      assert.equal(mails.length, 2, 'delivery rows are kept');
      assert.equal(mails[0]!.text_body !== null, true, 'a waiting mail keeps its body');
      assert.deepEqual([mails[1]!.text_body, mails[1]!.html_body, mails[1]!.recipient, mails[1]!.sent_at], [null, null, 'claire@example.fr', T0]);
      assert.equal(report.mailBodies, 1);
    });

    test('REQUEST_RETENTION_DAYS and AUDIT_RETENTION_DAYS are honoured', async () => {
      const { db } = database;
      const short = loadConfig({ REQUEST_RETENTION_DAYS: '30', AUDIT_RETENTION_DAYS: '90' });
      await db.insertInto('account_requests').values(request('approved', T0)).execute();
      await db.insertInto('audit_log').values({ at: T0, event: 'logout', outcome: 'success', actor_type: 'customer', actor_id: null, account_id: null, target: null, ip: null, user_agent: null, details: null }).execute();
      clock.set(T0 + 30 * DAY_MS - 1);
      assert.equal((await runRetention({ db, clock, config: short, steps: CLEANUP_STEPS })).accountRequests, 0);
      clock.set(T0 + 30 * DAY_MS);
      assert.equal((await runRetention({ db, clock, config: short, steps: CLEANUP_STEPS })).accountRequests, 1);
      clock.set(T0 + 90 * DAY_MS - 1);
      assert.equal((await runRetention({ db, clock, config: short, steps: CLEANUP_STEPS })).auditEntries, 0);
      clock.set(T0 + 90 * DAY_MS);
      assert.equal((await runRetention({ db, clock, config: short, steps: CLEANUP_STEPS })).auditEntries, 1);
    });

    test('large backlogs are purged in batches, completely', async () => {
      const { db } = database;
      const rows = Array.from({ length: 2500 }, (_, i) => ({ at: T0 + i, event: 'logout', outcome: 'success', actor_type: 'customer', actor_id: null, account_id: null, target: null, ip: null, user_agent: null, details: null }));
      for (let i = 0; i < rows.length; i += 500) await db.insertInto('audit_log').values(rows.slice(i, i + 500)).execute();
      clock.set(T0 + 400 * DAY_MS + 2000);
      const report = await runRetention({ db, clock, config, steps: CLEANUP_STEPS });
      assert.equal(report.auditEntries, 2001);
      assert.equal((await db.selectFrom('audit_log').select('id').execute()).length, 499);
    });

    test('two passes at once (two instances) purge everything once, without error', async () => {
      const { db } = database;
      await db.insertInto('audit_log').values(Array.from({ length: 300 }, () => ({ at: T0, event: 'logout', outcome: 'success', actor_type: 'customer', actor_id: null, account_id: null, target: null, ip: null, user_agent: null, details: null }))).execute();
      await db.insertInto('sessions').values([session('a', T0, T0 + HOUR_MS), session('b', T0, T0 + HOUR_MS)]).execute();
      clock.set(T0 + 400 * DAY_MS);
      const [a, b] = await Promise.all([runRetention({ db, clock, config, steps: CLEANUP_STEPS }), runRetention({ db, clock, config, steps: CLEANUP_STEPS })]);
      assert.equal(a.auditEntries + b.auditEntries, 300);
      assert.equal(a.sessions + b.sessions, 2);
      assert.equal((await db.selectFrom('audit_log').select('id').execute()).length, 0);
    });

    test('the periodic job runs, logs what it purged, and stops', async () => {
      const { db } = database;
      await db.insertInto('sessions').values(session('old', T0, T0 + HOUR_MS)).execute();
      clock.set(T0 + DAY_MS);
      const logged: object[] = [];
      const job = startRetentionJob({ db, clock, config, steps: CLEANUP_STEPS }, { info: (obj) => logged.push(obj), error: (obj) => logged.push(obj) }, { firstRunMs: 0, intervalMs: 60_000 });
      for (let i = 0; i < 100 && logged.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await job.stop();
      assert.equal(logged.length, 1);
      assert.equal((logged[0] as { retention: RetentionReport }).retention.sessions, 1);
      assert.equal(await exists('sessions', 'id', 'old'), false);
    });
  });
}
