import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { insertAccountRequest, updateAccountRequestState } from '../../src/modules/account-request/account-request.repository.js';
import { applyTransition, countRequests, getRequest, listRequests } from '../../src/modules/account-request/account-request.service.js';
import type { AccountRequestEvent } from '../../src/modules/account-request/account-request.state.js';
import { buildTestApp, DIALECTS, type TestApp } from '../helpers/app.js';

const AGENT = { id: 'staff-1' };
const OTHER_AGENT = { id: 'staff-2' };

for (const dialect of DIALECTS) {
  describe(`account request transitions for the back office [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => {
      await t.db.deleteFrom('account_requests').execute();
    });

    async function newRequest(company = 'Librairie du Port') {
      const now = t.clock.now();
      return insertAccountRequest(t.db, {
        state: 'new',
        company,
        customer_code: null,
        siret: null,
        last_name: 'Martin',
        first_name: 'Claire',
        email: 'claire@exemple.fr',
        phone: '0298123456',
        address: null,
        postal_code: null,
        city: null,
        country: null,
        message: null,
        created_at: now,
        updated_at: now,
        ip: '127.0.0.1',
        user_agent: null,
        handled_by: null,
        handled_at: null,
        decision_reason: null,
        account_id: null,
      });
    }

    const apply = (id: number, event: AccountRequestEvent, staff = AGENT, extra = {}) =>
      t.db.transaction().execute((trx) => applyTransition(trx, t.clock, id, event, staff, extra));

    test('start, then approve: state, handler, time, reason and linked account are recorded', async () => {
      const id = await newRequest();
      t.clock.advance(60_000);
      const started = await apply(id, 'start');
      assert.ok(started.ok);
      assert.equal(started.from, 'new');
      assert.equal(started.to, 'in_progress');
      assert.equal(started.request.handled_by, AGENT.id);
      assert.equal(started.request.handled_at, t.clock.now());

      t.clock.advance(60_000);
      const approved = await apply(id, 'approve', OTHER_AGENT, { accountId: 42, reason: 'Client ERP 12345' });
      assert.ok(approved.ok);
      assert.deepEqual(
        [approved.request.state, approved.request.handled_by, approved.request.account_id, approved.request.decision_reason, approved.request.updated_at],
        ['approved', OTHER_AGENT.id, 42, 'Client ERP 12345', t.clock.now()],
      );
    });

    test('approved and rejected requests cannot be processed again', async () => {
      const approvedId = await newRequest();
      assert.ok((await apply(approvedId, 'approve')).ok);
      for (const event of ['start', 'approve', 'reject'] as const) {
        assert.deepEqual(await apply(approvedId, event), { ok: false, code: 'INVALID_TRANSITION' }, `approved × ${event}`);
      }
      const rejectedId = await newRequest();
      assert.ok((await apply(rejectedId, 'reject', AGENT, { reason: 'Société inconnue' })).ok);
      for (const event of ['start', 'approve', 'reject'] as const) {
        assert.deepEqual(await apply(rejectedId, event), { ok: false, code: 'INVALID_TRANSITION' }, `rejected × ${event}`);
      }
      const row = await getRequest(t.db, rejectedId);
      assert.equal(row?.state, 'rejected');
      assert.equal(row?.decision_reason, 'Société inconnue');
    });

    test('unknown ids are NOT_FOUND; in_progress cannot be started twice', async () => {
      assert.deepEqual(await apply(999_999, 'approve'), { ok: false, code: 'NOT_FOUND' });
      assert.equal(await getRequest(t.db, -1), undefined);
      assert.equal(await getRequest(t.db, Number.NaN), undefined);
      const id = await newRequest();
      assert.ok((await apply(id, 'start')).ok);
      assert.deepEqual(await apply(id, 'start'), { ok: false, code: 'INVALID_TRANSITION' });
    });

    test('the UPDATE is conditional on the state that was read: a stale writer changes nothing', async () => {
      const id = await newRequest();
      assert.ok((await apply(id, 'reject')).ok);
      const now = t.clock.now();
      const changed = await updateAccountRequestState(t.db, id, 'new', { state: 'approved', handled_by: OTHER_AGENT.id, handled_at: now, updated_at: now });
      assert.equal(changed, false);
      assert.equal((await getRequest(t.db, id))?.state, 'rejected');
    });

    test('applyTransition run twice concurrently: exactly one succeeds', async () => {
      for (const [first, second] of [
        ['approve', 'approve'],
        ['approve', 'reject'],
        ['reject', 'approve'],
        ['start', 'approve'],
      ] as const) {
        const id = await newRequest();
        const results = await Promise.all([apply(id, first, AGENT), apply(id, second, OTHER_AGENT)]);
        const winners = results.filter((r) => r.ok);
        if (first === 'start') {
          // start then approve is a legal sequence: both may succeed, in that order only.
          assert.ok(winners.length >= 1);
          continue;
        }
        assert.equal(winners.length, 1, `${first} ∥ ${second}: ${JSON.stringify(results.map((r) => (r.ok ? 'ok' : r.code)))}`);
        const loser = results.find((r) => !r.ok);
        assert.ok(loser && !loser.ok && ['INVALID_TRANSITION', 'CONFLICT'].includes(loser.code));
        const row = await getRequest(t.db, id);
        assert.equal(row?.state, winners[0]!.ok ? winners[0]!.to : undefined);
      }
    });

    test('many agents at once on one request: exactly one decision', async () => {
      const id = await newRequest();
      const events: AccountRequestEvent[] = ['approve', 'reject', 'approve', 'reject', 'approve', 'reject'];
      const results = await Promise.all(events.map((event, i) => apply(id, event, { id: `staff-${i}` })));
      assert.equal(results.filter((r) => r.ok).length, 1);
    });

    test('listRequests filters by state, newest first, with paging; countRequests agrees', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(await newRequest(`Société ${i}`));
        t.clock.advance(1000);
      }
      await apply(ids[1]!, 'approve');
      await apply(ids[3]!, 'start');
      const all = await listRequests(t.db, { limit: 10, offset: 0 });
      assert.deepEqual(
        all.map((r) => r.company),
        ['Société 4', 'Société 3', 'Société 2', 'Société 1', 'Société 0'],
      );
      assert.deepEqual(
        (await listRequests(t.db, { state: 'new', limit: 10, offset: 0 })).map((r) => r.id),
        [ids[4], ids[2], ids[0]],
      );
      assert.deepEqual(
        (await listRequests(t.db, { state: 'new', limit: 1, offset: 1 })).map((r) => r.id),
        [ids[2]],
      );
      assert.equal(await countRequests(t.db), 5);
      assert.equal(await countRequests(t.db, { state: 'new' }), 3);
      assert.equal(await countRequests(t.db, { state: 'approved' }), 1);
      assert.equal(await countRequests(t.db, { state: 'in_progress' }), 1);
      assert.equal(await countRequests(t.db, { state: 'rejected' }), 0);
    });
  });
}
