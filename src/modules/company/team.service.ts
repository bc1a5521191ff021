import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Executor } from '../../db/executor.js';
import type { Clock } from '../../shared/clock.js';
import { type Failure, FailureSignal, fail, ok, type Result, runCatching } from '../../shared/result.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { invalidateCompanySessions } from '../session/session.service.js';
import { endSsoSessions } from '../sso/sso.service.js';
import { isRole, type Role, ROLE_RANK } from './company.table.js';
import * as repo from './team.repository.js';

export interface TeamDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
}

/**
 * Who changes a team: an administrator of the company, signed in to it (Mon équipe), or a staff
 * member (the back office's company page). The company a customer acts on is always the one
 * their session is signed in to; the rules below check again, on the server and inside the
 * change's transaction, that they are an administrator of it (S43).
 */
export type TeamActor =
  | { kind: 'customer'; accountId: number; companyId: number; email: string; origin: AuditOrigin }
  | { kind: 'staff'; staffId: number; email: string; origin: AuditOrigin };

/** Why a team action was refused; fr.team.errors has a sentence for each. */
export type TeamError =
  /** Unknown, foreign or already decided person or invitation, or a company that does not exist: one answer (S43). */
  | 'NOT_FOUND'
  /** The customer is not (or no longer) an administrator of the company: the same answer as an unknown page. */
  | 'NOT_ADMIN'
  | 'LAST_ADMIN'
  | 'HOLDER'
  | 'ALREADY_MEMBER'
  | 'ALREADY_INVITED'
  | 'ROLE_TOO_HIGH'
  | 'INVITATION_LIMIT'
  | 'NOT_A_MEMBER'
  | 'GIVEN_NAME_REQUIRED'
  | 'FAMILY_NAME_REQUIRED'
  | 'NAME_TOO_LONG'
  | 'EMAIL_REQUIRED'
  | 'EMAIL_FORMAT'
  | 'ROLE_REQUIRED';

export type Company = NonNullable<Awaited<ReturnType<typeof repo.lockCompany>>>;

/** The role the actor holds in the company: a staff member may grant any role. */
export type ActorRank = Role | 'staff';

export function mayGrant(actorRole: ActorRank, role: Role): boolean {
  return actorRole === 'staff' || ROLE_RANK[role] <= ROLE_RANK[actorRole];
}

/** How the audit names the actor (S45: who did it). */
export function auditActor(actor: TeamActor) {
  return actor.kind === 'customer'
    ? ({ actorType: 'customer', actorId: actor.email } as const)
    : ({ actorType: 'staff', actorId: actor.email } as const);
}

/**
 * Runs `fn` in one transaction that holds the company's row (lockCompany) and in which the actor
 * has just been found to be an administrator of that company (S43), or staff. A FailureSignal
 * thrown by `fn` rolls everything back and becomes its Failure.
 */
export async function withTeam<T>(
  deps: TeamDeps,
  actor: TeamActor,
  companyId: number,
  fn: (trx: Executor, company: Company, actorRole: ActorRank) => Promise<Result<T, TeamError>>,
): Promise<Result<T, TeamError>> {
  if (actor.kind === 'customer' && actor.companyId !== companyId) return fail('NOT_ADMIN');
  return runCatching(() =>
    deps.db.transaction().execute(async (trx) => {
      const company = await repo.lockCompany(trx, companyId);
      if (!company) return fail('NOT_FOUND');
      if (actor.kind === 'staff') return fn(trx, company, 'staff');
      const me = await repo.findMember(trx, companyId, actor.accountId);
      if (company.disabled_at !== null || !me || me.role !== 'admin' || me.disabled_at !== null) return fail('NOT_ADMIN');
      return fn(trx, company, me.role);
    }),
  );
}

/** Rolls the transaction back with this failure. */
export function abort(code: TeamError, field?: string): never {
  throw new FailureSignal(fail(code, field) as Failure<TeamError>);
}

/** "Mon équipe" and the company page: the people with their role, state and last sign-in. */
export async function listTeam(db: Executor, companyId: number) {
  const rows = await repo.listMembers(db, companyId);
  return rows.map((r) => ({
    id: Number(r.id),
    email: r.email,
    givenName: r.given_name,
    familyName: r.family_name,
    role: r.role,
    isHolder: r.holder_account_id !== null && Number(r.holder_account_id) === Number(r.id),
    state: (r.disabled_at !== null ? 'disabled' : r.password_hash === null ? 'pending' : 'active') as 'disabled' | 'pending' | 'active',
    lastLoginAt: r.last_login_at === null ? null : Number(r.last_login_at),
  }));
}

export type TeamMember = Awaited<ReturnType<typeof listTeam>>[number];

/**
 * S45: what a lower role or a removal ends at once — the person's sessions and remember-me series
 * signed in to this company (inside the change's transaction).
 */
async function endAccessToCompany(trx: Executor, companyId: number, accountId: number): Promise<number> {
  return invalidateCompanySessions(trx, companyId, accountId);
}

/**
 * "Modifier le rôle". S46: an administrator stays while no other active one would be left; the
 * holder (who signs in with the customer code) stays administrator — staff hand that over first.
 * S45: a lower role ends the person's sessions for the company and their single sign-on grants.
 */
export async function changeRole(deps: TeamDeps, actor: TeamActor, companyId: number, personId: number, rawRole: unknown): Promise<Result<{ role: Role; lowered: boolean }, TeamError>> {
  if (!isRole(rawRole)) return fail('ROLE_REQUIRED', 'role');
  const role = rawRole;
  const result = await withTeam<{ role: Role; lowered: boolean }>(deps, actor, companyId, async (trx, company, actorRole) => {
    const member = await repo.findMember(trx, companyId, personId);
    if (!member) return fail('NOT_FOUND');
    if (!mayGrant(actorRole, role)) return fail('ROLE_TOO_HIGH', 'role');
    if (member.role === role) return ok({ role, lowered: false });
    const lowered = ROLE_RANK[role] < ROLE_RANK[member.role];
    if (lowered && Number(company.holder_account_id) === personId) return fail('HOLDER');
    if (lowered && member.role === 'admin' && (await repo.countOtherActiveAdmins(trx, companyId, personId)) === 0) return fail('LAST_ADMIN');
    const now = deps.clock.now();
    await repo.setRole(trx, companyId, personId, role, now);
    const sessions = lowered ? await endAccessToCompany(trx, companyId, personId) : 0;
    await recordAudit(trx, deps.clock, actor.origin, {
      event: 'team.role_changed',
      outcome: 'success',
      ...auditActor(actor),
      accountId: personId,
      companyId,
      target: member.email,
      details: { code: company.code, from: member.role, to: role, sessionsRevoked: sessions },
    });
    return ok({ role, lowered });
  });
  if (result.ok && result.value.lowered) await endSsoSessions(deps, personId, 'membership_changed');
  return result;
}

/** "Retirer": the person leaves the company (S45, S46 as for a lower role). Their person stays, with their other companies. */
export async function removeMember(deps: TeamDeps, actor: TeamActor, companyId: number, personId: number): Promise<Result<{ self: boolean }, TeamError>> {
  const result = await withTeam<{ self: boolean }>(deps, actor, companyId, async (trx, company) => {
    const member = await repo.findMember(trx, companyId, personId);
    if (!member) return fail('NOT_FOUND');
    if (Number(company.holder_account_id) === personId) return fail('HOLDER');
    if (member.role === 'admin' && (await repo.countOtherActiveAdmins(trx, companyId, personId)) === 0) return fail('LAST_ADMIN');
    await repo.deleteMembership(trx, companyId, personId);
    const sessions = await endAccessToCompany(trx, companyId, personId);
    await recordAudit(trx, deps.clock, actor.origin, {
      event: 'team.member_removed',
      outcome: 'success',
      ...auditActor(actor),
      accountId: personId,
      companyId,
      target: member.email,
      details: { code: company.code, role: member.role, sessionsRevoked: sessions },
    });
    return ok({ self: actor.kind === 'customer' && actor.accountId === personId });
  });
  if (result.ok) await endSsoSessions(deps, personId, 'membership_changed');
  return result;
}

/**
 * Staff only: the person becomes the company's holder — who signs in with the customer code —
 * and its administrator. The former holder stays a member (administrator) and signs in with
 * their e-mail from now on; staff or a colleague may then change their role.
 */
export async function handOverHolder(deps: TeamDeps, actor: TeamActor & { kind: 'staff' }, companyId: number, personId: number): Promise<Result<undefined, TeamError>> {
  return withTeam(deps, actor, companyId, async (trx, company) => {
    const member = await repo.findMember(trx, companyId, personId);
    if (!member) return fail('NOT_FOUND');
    if (member.disabled_at !== null) return fail('NOT_A_MEMBER');
    const now = deps.clock.now();
    if (member.role !== 'admin') await repo.setRole(trx, companyId, personId, 'admin', now);
    await repo.setHolder(trx, companyId, personId, now);
    await recordAudit(trx, deps.clock, actor.origin, {
      event: 'team.holder_handed_over',
      outcome: 'success',
      ...auditActor(actor),
      accountId: personId,
      companyId,
      target: member.email,
      details: { code: company.code, from: company.holder_account_id === null ? null : Number(company.holder_account_id), role: member.role },
    });
    return ok();
  });
}
