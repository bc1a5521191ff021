/**
 * The request's life, as a pure function so every state × event pair is unit-tested:
 *
 *   new ──start──▶ in_progress
 *   new | in_progress ──approve──▶ approved   (final)
 *   new | in_progress ──reject───▶ rejected   (final)
 *
 * Anything else is INVALID_TRANSITION: an approved or rejected request is never processed again.
 */
export const ACCOUNT_REQUEST_STATES = ['new', 'in_progress', 'approved', 'rejected'] as const;
export type AccountRequestState = (typeof ACCOUNT_REQUEST_STATES)[number];

export const ACCOUNT_REQUEST_EVENTS = ['start', 'approve', 'reject'] as const;
export type AccountRequestEvent = (typeof ACCOUNT_REQUEST_EVENTS)[number];

export type TransitionResult = { ok: true; state: AccountRequestState } | { ok: false; code: 'INVALID_TRANSITION' };

const TRANSITIONS: Record<AccountRequestState, Partial<Record<AccountRequestEvent, AccountRequestState>>> = {
  new: { start: 'in_progress', approve: 'approved', reject: 'rejected' },
  in_progress: { approve: 'approved', reject: 'rejected' },
  approved: {},
  rejected: {},
};

export function isAccountRequestState(value: unknown): value is AccountRequestState {
  return typeof value === 'string' && (ACCOUNT_REQUEST_STATES as readonly string[]).includes(value);
}

export function isAccountRequestEvent(value: unknown): value is AccountRequestEvent {
  return typeof value === 'string' && (ACCOUNT_REQUEST_EVENTS as readonly string[]).includes(value);
}

/** The state `event` leads to from `state`, or INVALID_TRANSITION (unknown values included). */
export function transition(state: AccountRequestState, event: AccountRequestEvent): TransitionResult {
  // Values may come from a form or the database: never trust the type alone.
  if (!isAccountRequestState(state) || !isAccountRequestEvent(event)) return { ok: false, code: 'INVALID_TRANSITION' };
  const next = TRANSITIONS[state][event];
  return next ? { ok: true, state: next } : { ok: false, code: 'INVALID_TRANSITION' };
}

/** Approved and rejected requests are closed for good. */
export function isFinalState(state: AccountRequestState): boolean {
  return ACCOUNT_REQUEST_EVENTS.every((event) => !transition(state, event).ok);
}
