import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNT_REQUEST_EVENTS,
  ACCOUNT_REQUEST_STATES,
  type AccountRequestEvent,
  type AccountRequestState,
  isFinalState,
  transition,
} from '../../src/modules/account-request/account-request.state.js';

/** Every state × event, written out: null means INVALID_TRANSITION. */
const EXPECTED: Record<AccountRequestState, Record<AccountRequestEvent, AccountRequestState | null>> = {
  new: { start: 'in_progress', approve: 'approved', reject: 'rejected' },
  in_progress: { start: null, approve: 'approved', reject: 'rejected' },
  approved: { start: null, approve: null, reject: null },
  rejected: { start: null, approve: null, reject: null },
};

describe('account request state machine', () => {
  for (const state of ACCOUNT_REQUEST_STATES) {
    for (const event of ACCOUNT_REQUEST_EVENTS) {
      const expected = EXPECTED[state][event];
      test(`${state} × ${event} → ${expected ?? 'INVALID_TRANSITION'}`, () => {
        assert.deepEqual(transition(state, event), expected ? { ok: true, state: expected } : { ok: false, code: 'INVALID_TRANSITION' });
      });
    }
  }

  test('approved and rejected are final: no event leaves them', () => {
    assert.equal(isFinalState('approved'), true);
    assert.equal(isFinalState('rejected'), true);
    assert.equal(isFinalState('new'), false);
    assert.equal(isFinalState('in_progress'), false);
    for (const final of ['approved', 'rejected'] as const) {
      for (const event of ACCOUNT_REQUEST_EVENTS) assert.equal(transition(final, event).ok, false, `${final} × ${event}`);
    }
  });

  test('unknown states and events (from a form or a bad row) are INVALID_TRANSITION, never an exception', () => {
    for (const [state, event] of [
      ['new', 'delete'],
      ['new', ''],
      ['new', '__proto__'],
      ['new', 'toString'],
      ['archived', 'approve'],
      ['__proto__', 'start'],
    ]) {
      assert.deepEqual(transition(state as AccountRequestState, event as AccountRequestEvent), { ok: false, code: 'INVALID_TRANSITION' }, `${state} × ${event}`);
    }
  });

  test('every state is reachable from new', () => {
    const reached = new Set<AccountRequestState>(['new']);
    for (let round = 0; round < 3; round++) {
      for (const state of [...reached]) {
        for (const event of ACCOUNT_REQUEST_EVENTS) {
          const next = transition(state, event);
          if (next.ok) reached.add(next.state);
        }
      }
    }
    assert.deepEqual([...reached].sort(), [...ACCOUNT_REQUEST_STATES].sort());
  });
});
