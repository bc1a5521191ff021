import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The shared hook through which a back-office feature module guards its own routes without
 * importing the staff module (which owns sessions, second factors and roles). app.ts, the
 * composition root, hands the staff module's implementation (`staffGate` in
 * src/modules/staff/staff.guard.ts) to each module as a plugin option; the module adds
 * `gate.guard(scope, …)` on its own scope. This file knows no session.
 */
export interface StaffGate {
  /**
   * Guards a scope, before its routes are added: a signed-in staff member who passed both factors,
   * only `role` when given (S31), and a second factor at most 10 minutes old on every route of the
   * step-up table (S38), exactly as the staff module's own scopes.
   */
  guard(scope: FastifyInstance, options?: { role?: 'admin' | 'agent' }): void;
  /** The member `admit` let in (for audit lines and the back-office layout). */
  member(request: FastifyRequest): { email: string; role: 'admin' | 'agent' };
}

/** Options of a back-office feature plugin: `app.register(privacyRoutes, { gate: staffGate })`. */
export interface GatedRoutesOptions {
  gate: StaffGate;
}
