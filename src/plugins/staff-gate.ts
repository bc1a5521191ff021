import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';

/**
 * The shared hook through which a back-office feature module guards its own routes without
 * importing the staff module (which owns sessions, second factors and roles). app.ts, the
 * composition root, hands the staff module's implementation (`staffGate` in
 * src/modules/staff/staff.guard.ts) to each module as a plugin option; the module adds
 * `gate.admit(…)` as the preHandler of its own scope. This file knows no session.
 */
export interface StaffGate {
  /** preHandler admitting a signed-in staff member who passed both factors; only `role` when given (S31). */
  admit(options?: { role?: 'admin' | 'agent' }): preHandlerAsyncHookHandler;
  /** preHandler of a sensitive action: a second factor at most 10 minutes old (S38). */
  freshSecondFactor: preHandlerAsyncHookHandler;
  /** The member `admit` let in (for audit lines and the back-office layout). */
  member(request: FastifyRequest): { email: string; role: 'admin' | 'agent' };
}

/** Options of a back-office feature plugin: `app.register(privacyRoutes, { gate: staffGate })`. */
export interface GatedRoutesOptions {
  gate: StaffGate;
}
