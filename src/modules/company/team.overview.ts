import type { Executor } from '../../db/executor.js';
import type { Clock } from '../../shared/clock.js';
import type { Role } from './company.table.js';
import * as repo from './team.repository.js';
import { listTeam } from './team.service.js';

const fullName = (given: string | null, family: string | null, fallback: string) => [given, family].filter(Boolean).join(' ') || fallback;

/**
 * What Mon équipe and the back office's company page show: the people (role, state, last
 * sign-in) and the pending invitations with who sent them (`invitedBy` null: customer service).
 * Two queries.
 */
export async function teamOverview(deps: { db: Executor; clock: Clock }, companyId: number) {
  const now = deps.clock.now();
  const [members, invitations] = await Promise.all([listTeam(deps.db, companyId), repo.listPendingInvitations(deps.db, companyId)]);
  return {
    members: members.map((m) => ({ ...m, name: fullName(m.givenName, m.familyName, m.email) })),
    invitations: invitations.map((i) => ({
      id: Number(i.id),
      name: fullName(i.given_name, i.family_name, i.email),
      email: i.email,
      role: i.role as Role,
      invitedBy: i.inviter_email ? fullName(i.inviter_given_name, i.inviter_family_name, i.inviter_email) : null,
      staffEmail: i.staff_email,
      expiresAt: Number(i.expires_at),
      expired: Number(i.expires_at) <= now,
    })),
  };
}
