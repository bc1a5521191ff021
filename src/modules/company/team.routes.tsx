/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { catalogueOf } from '../../plugins/language.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestOrigin } from '../../plugins/request-origin.js';
import { pageContext, sendPage } from '../../plugins/views.js';
import { formatShortDateTime, formatValidity } from '../../shared/format.js';
import type { FieldErrors } from '../../views/forms.js';
import { h } from '../../views/jsx.js';
import { type InvitationFormValues, type TeamInvitationView, type TeamMemberView, TeamPage } from '../../views/pages/team.js';
import { currentCustomer } from '../session/customer-session.js';
import type { ValidSession } from '../session/session.service.js';
import { invite, resendInvitation, withdrawInvitation } from './invitation.service.js';
import { teamOverview } from './team.overview.js';
import { changeRole, removeMember, type TeamActor, type TeamError } from './team.service.js';

export const TEAM_PATH = '/espace-pro/equipe';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,12}$' } } } as const;
const str = (max: number) => ({ type: 'string', maxLength: max }) as const;
const inviteBody = {
  type: 'object',
  required: ['prenom', 'nom', 'email', 'role'],
  properties: { _csrf: str(200), prenom: str(400), nom: str(400), email: str(400), role: str(20) },
} as const;
const roleBody = { type: 'object', required: ['role'], properties: { _csrf: str(200), role: str(20) } } as const;
const emptyBody = { type: 'object', properties: { _csrf: str(200) } } as const;

/** The one answer of an unknown page, for a non-administrator and for foreign or unknown ids (S43). */
const notFound = (reply: FastifyReply) => reply.callNotFound();

/**
 * "Mon équipe" (customer scope, administrators only). Every handler hands the session's own
 * company to the services, which check again, inside the change's transaction, that the person is
 * an administrator of it (S43); ids in URLs are looked up within that company only.
 */
export async function teamRoutes(app: FastifyInstance) {
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock, config: app.deps.config });
  const actorOf = (request: FastifyRequest, me: ValidSession): TeamActor => ({ kind: 'customer', accountId: me.accountId, companyId: me.companyId, email: me.email, origin: requestOrigin(request) });

  const render = async (request: FastifyRequest, reply: FastifyReply, me: ValidSession, status = 200, extra: { errors?: FieldErrors; values?: InvitationFormValues; actionError?: string; notice?: string } = {}) => {
    const { config } = app.deps;
    const overview = await teamOverview(app.deps, me.companyId);
    const when = (ms: number) => formatShortDateTime(ms, config.displayTimezone);
    const members: TeamMemberView[] = overview.members.map((m) => ({ ...m, lastSignIn: m.lastLoginAt === null ? null : when(m.lastLoginAt) }));
    const invitations: TeamInvitationView[] = overview.invitations.map((i) => ({ ...i, invitedBy: i.invitedBy ?? catalogueOf(request).invitation.staffInviter(config.brandName), validUntil: when(i.expiresAt) }));
    return sendPage(
      reply,
      <TeamPage
        ctx={pageContext(request, reply)}
        company={me.company}
        code={me.code}
        meId={me.accountId}
        members={members}
        invitations={invitations}
        duration={formatValidity(config.invitationTtlSeconds)}
        {...extra}
      />,
      status,
    );
  };

  /** S43: the page and its forms exist only for an administrator of the company signed in to. */
  const admin = async (request: FastifyRequest, reply: FastifyReply): Promise<ValidSession | null> => {
    const me = await currentCustomer(request, reply);
    return me.role === 'admin' ? me : null;
  };

  /** A refused row action: unknown ids and lost rights answer like an unknown page; a rule says why, above the lists. */
  const refused = async (request: FastifyRequest, reply: FastifyReply, me: ValidSession, code: TeamError) => {
    if (code === 'NOT_FOUND' || code === 'NOT_ADMIN') return notFound(reply);
    return render(request, reply, me, code === 'ROLE_REQUIRED' ? 400 : 409, { actionError: catalogueOf(request).team.errors[code] });
  };

  app.get<{ Querystring: { ok?: string } }>(TEAM_PATH, async (request, reply) => {
    const me = await admin(request, reply);
    if (!me) return notFound(reply);
    const ok = typeof request.query.ok === 'string' ? catalogueOf(request).team.done[request.query.ok] : undefined;
    return render(request, reply, me, 200, { notice: ok });
  });

  app.post<{ Body: { prenom: string; nom: string; email: string; role: string } }>(`${TEAM_PATH}/invitations`, { schema: { body: inviteBody } }, async (request, reply) => {
    const me = await admin(request, reply);
    if (!me) return notFound(reply);
    const { prenom, nom, email, role } = request.body;
    const result = await invite(deps(), actorOf(request, me), me.companyId, { prenom, nom, email, role });
    if (result.ok) return reply.redirect(`${TEAM_PATH}?ok=invited`, 303);
    if (result.code === 'NOT_FOUND' || result.code === 'NOT_ADMIN') return notFound(reply);
    // Every field's message next to its field; the input kept.
    const errors: FieldErrors = {};
    for (const [field, code] of Object.entries(result.params ?? { [result.field ?? 'email']: result.code })) errors[field] = catalogueOf(request).team.errors[code as TeamError];
    const values = { prenom: prenom.slice(0, 100), nom: nom.slice(0, 100), email: email.slice(0, 254), role };
    const status = result.code === 'INVITATION_LIMIT' ? 429 : result.code === 'ALREADY_MEMBER' || result.code === 'ALREADY_INVITED' ? 422 : 400;
    return render(request, reply, me, status, { errors, values });
  });

  const rowAction = (path: string, done: string, action: (me: ValidSession, request: FastifyRequest, id: number) => Promise<{ ok: true; value?: unknown } | { ok: false; code: TeamError }>, body: object = emptyBody) =>
    app.post<{ Params: { id: string } }>(`${TEAM_PATH}/${path}`, { schema: { params: idParams, body } }, async (request, reply) => {
      const me = await admin(request, reply);
      if (!me) return notFound(reply);
      const result = await action(me, request, Number(request.params.id));
      if (!result.ok) return refused(request, reply, me, result.code);
      // Removed oneself from the company: its pages are closed to this session now (S45).
      if ((result.value as { self?: boolean } | undefined)?.self) return reply.redirect('/espace-pro/compte-client', 303);
      return reply.redirect(`${TEAM_PATH}?ok=${done}`, 303);
    });

  rowAction('invitations/:id/renvoyer', 'resent', (me, request, id) => resendInvitation(deps(), actorOf(request, me), me.companyId, id));
  rowAction('invitations/:id/retirer', 'withdrawn', (me, request, id) => withdrawInvitation(deps(), actorOf(request, me), me.companyId, id));
  rowAction('membres/:id/role', 'role', (me, request, id) => changeRole(deps(), actorOf(request, me), me.companyId, id, (request.body as { role: string }).role), roleBody);
  rowAction('membres/:id/retirer', 'removed', (me, request, id) => removeMember(deps(), actorOf(request, me), me.companyId, id));
}
