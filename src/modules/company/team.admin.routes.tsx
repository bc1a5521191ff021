/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestOrigin } from '../../plugins/request-origin.js';
import { pageContext, sendPage } from '../../plugins/views.js';
import { formatShortDateTime, formatValidity } from '../../shared/format.js';
import { fr } from '../../shared/i18n/fr.js';
import type { Result } from '../../shared/result.js';
import { CompanyTeamPanel } from '../../views/back-office/company-team.js';
import { AccountDetailPage } from '../../views/back-office/pages.js';
import type { FieldErrors } from '../../views/forms.js';
import { h, type Html } from '../../views/jsx.js';
import type { InvitationFormValues } from '../../views/pages/team.js';
import * as admin from '../back-office/accounts-admin.service.js';
import { getStaff } from '../staff/staff.guard.js';
import { invite, resendInvitation, withdrawInvitation } from './invitation.service.js';
import { changeRole, handOverHolder, removeMember, type TeamActor, type TeamError } from './team.service.js';

const params = {
  type: 'object',
  required: ['id', 'sub'],
  properties: { id: { type: 'string', pattern: '^[0-9]{1,12}$' }, sub: { type: 'string', pattern: '^[0-9]{1,12}$' } },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,12}$' } } } as const;
const str = (max: number) => ({ type: 'string', maxLength: max }) as const;
/** Forms of the company page: strings only (S27); the e-mail field is named after its person (`email-<id>`). */
const anyForm = { type: 'object', additionalProperties: str(400), properties: { _csrf: str(200) } } as const;
const inviteBody = { type: 'object', required: ['prenom', 'nom', 'email', 'role'], properties: { _csrf: str(200), prenom: str(400), nom: str(400), email: str(400), role: str(20) } } as const;

/** The people and invitations panel of the company page, for back-office.routes.tsx's page too. */
export async function companyTeamPanel(request: FastifyRequest, reply: FastifyReply, companyId: number, extra: { values?: InvitationFormValues; errors?: FieldErrors } = {}): Promise<Html> {
  const { config, db, clock } = request.server.deps;
  const team = await admin.getCompanyTeam({ db, clock, config }, companyId);
  return (
    <CompanyTeamPanel
      ctx={pageContext(request, reply)}
      staffEmail={getStaff(request).email}
      staffIsAdmin={getStaff(request).role === 'admin'}
      base={`/back-office/comptes/${companyId}`}
      team={team}
      when={(ms) => formatShortDateTime(ms, config.displayTimezone)}
      duration={formatValidity(config.invitationTtlSeconds)}
      brand={config.brandName}
      {...extra}
    />
  );
}

/**
 * Staff on the company page (staff scope, S31): invite (same service as Mon équipe, with
 * invited_by_staff_id), change a role, hand the holder role over, disable or enable a person, send
 * them a link, remove them, and the four-eyes e-mail change per person (S37). Invite, hand-over,
 * disable/enable and the e-mail change need a fresh second factor (S38). The services audit each
 * action with the person and the company.
 */
export async function teamAdminRoutes(app: FastifyInstance) {
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock, config: app.deps.config });
  const when = (ms: number) => formatShortDateTime(ms, app.deps.config.displayTimezone);
  const staffActor = (request: FastifyRequest): TeamActor & { kind: 'staff' } => {
    const staff = getStaff(request);
    return { kind: 'staff', staffId: staff.staffId, email: staff.email, origin: requestOrigin(request) };
  };
  const adminActor = (request: FastifyRequest) => ({ id: getStaff(request).email, origin: requestOrigin(request) });

  const render = async (request: FastifyRequest, reply: FastifyReply, companyId: number, status: number, extra: { errors?: FieldErrors; values?: InvitationFormValues; actionError?: string }) => {
    const detail = await admin.getAccountDetail(deps(), companyId);
    if (!detail) return reply.callNotFound();
    const teamPanel = await companyTeamPanel(request, reply, companyId, { values: extra.values, errors: extra.errors });
    return sendPage(
      reply,
      <AccountDetailPage ctx={pageContext(request, reply)} staff={getStaff(request)} when={when} detail={detail} errors={extra.actionError ? { action: extra.actionError } : undefined} teamPanel={teamPanel} />,
      status,
    );
  };

  const done = (reply: FastifyReply, companyId: number, key: string) => reply.redirect(`/back-office/comptes/${companyId}?ok=${key}`, 303);

  const teamAnswer = async (request: FastifyRequest, reply: FastifyReply, companyId: number, result: Result<unknown, TeamError>, key: string) => {
    if (result.ok) return done(reply, companyId, key);
    if (result.code === 'NOT_FOUND') return reply.callNotFound();
    return render(request, reply, companyId, 409, { actionError: fr.team.errors[result.code] });
  };

  app.post<{ Params: { id: string }; Body: { prenom: string; nom: string; email: string; role: string } }>(
    '/back-office/comptes/:id/invitations',
    { schema: { params: idParams, body: inviteBody } },
    async (request, reply) => {
      const companyId = Number(request.params.id);
      const { prenom, nom, email, role } = request.body;
      const result = await invite(deps(), staffActor(request), companyId, { prenom, nom, email, role });
      if (result.ok) return done(reply, companyId, 'invited');
      if (result.code === 'NOT_FOUND') return reply.callNotFound();
      const errors: FieldErrors = {};
      for (const [field, code] of Object.entries(result.params ?? { [result.field ?? 'email']: result.code })) errors[field] = fr.team.errors[code as TeamError];
      const status = result.code === 'INVITATION_LIMIT' ? 429 : result.code === 'ALREADY_MEMBER' || result.code === 'ALREADY_INVITED' ? 422 : 400;
      return render(request, reply, companyId, status, { errors, values: { prenom: prenom.slice(0, 100), nom: nom.slice(0, 100), email: email.slice(0, 254), role } });
    },
  );

  type Sub = { Params: { id: string; sub: string }; Body: Record<string, string> };
  // The sensitive ones (hand-over, disable, e-mail…) get the step-up from STEP_UP_ROUTES (staff/step-up.ts, S38).
  const sub = (path: string, handler: (request: FastifyRequest<Sub>, companyId: number, subId: number) => Promise<Result<unknown, TeamError>>, key: string) =>
    app.post<Sub>(`/back-office/comptes/:id/${path}`, { schema: { params, body: anyForm } }, async (request, reply) => {
      const companyId = Number(request.params.id);
      return teamAnswer(request, reply, companyId, await handler(request, companyId, Number(request.params.sub)), key);
    });

  sub('invitations/:sub/renvoyer', (request, companyId, id) => resendInvitation(deps(), staffActor(request), companyId, id), 'resent');
  sub('invitations/:sub/retirer', (request, companyId, id) => withdrawInvitation(deps(), staffActor(request), companyId, id), 'withdrawn');
  sub('personnes/:sub/role', (request, companyId, id) => changeRole(deps(), staffActor(request), companyId, id, request.body.role), 'role');
  sub('personnes/:sub/retirer', (request, companyId, id) => removeMember(deps(), staffActor(request), companyId, id), 'removed');
  sub('personnes/:sub/titulaire', (request, companyId, id) => handOverHolder(deps(), staffActor(request), companyId, id), 'holder');

  /** Actions of accounts-admin on one person of the company (S43: a person of another company is NOT_FOUND). */
  type AdminResult = Result<unknown, admin.AdminActionError>;
  const personAction = (path: string, action: (request: FastifyRequest<Sub>, companyId: number, personId: number) => Promise<AdminResult>, key: (value: unknown) => string) =>
    app.post<Sub>(`/back-office/comptes/:id/personnes/:sub/${path}`, { schema: { params, body: anyForm } }, async (request, reply) => {
      const companyId = Number(request.params.id);
      const result = await action(request, companyId, Number(request.params.sub));
      if (result.ok) return done(reply, companyId, key(result.value));
      if (result.code === 'NOT_FOUND') return reply.callNotFound();
      return render(request, reply, companyId, result.field ? 400 : 409, { actionError: fr.bo.errors[result.code] });
    });

  personAction('lien', (request, companyId, personId) => admin.sendLinkByStaff(deps(), adminActor(request), companyId, personId), () => 'link');
  personAction('desactiver', (request, companyId, personId) => admin.setPersonDisabled(deps(), adminActor(request), companyId, personId, true), () => 'person_disabled');
  personAction('reactiver', (request, companyId, personId) => admin.setPersonDisabled(deps(), adminActor(request), companyId, personId, false), () => 'person_enabled');
  personAction(
    'email',
    (request, companyId, personId) => admin.requestEmailChange(deps(), adminActor(request), companyId, request.body[`email-${personId}`] ?? '', personId),
    (v) => ((v as { applied: boolean }).applied ? 'email' : 'email_requested'),
  );
  personAction('email/approuver', (request, companyId, personId) => admin.decideEmailChangeByStaff(deps(), adminActor(request), companyId, true, personId), () => 'email_approved');
  personAction('email/refuser', (request, companyId, personId) => admin.decideEmailChangeByStaff(deps(), adminActor(request), companyId, false, personId), () => 'email_rejected');
}
