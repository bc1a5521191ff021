/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { catalogueOf } from '../../plugins/language.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clearSecureCookie, COOKIE, readCookie } from '../../plugins/cookies.js';
import { requestOrigin } from '../../plugins/request-origin.js';
import { pageContext, sendPage, sendTooManyRequests } from '../../plugins/views.js';
import type { FieldErrors } from '../../views/forms.js';
import { h } from '../../views/jsx.js';
import { MessagePage } from '../../views/pages/message.js';
import { ActivationPage } from '../../views/pages/password-reset.js';
import { InvitationSignInPage } from '../../views/pages/team.js';
import { enterLink } from '../auth-core/link-entry.js';
import { newPasswordFieldErrors } from '../password-reset/password-reset.routes.js';
import { loadCustomer } from '../session/customer-session.js';
import { chooseCompany } from './company.service.js';
import { acceptAsNewPerson, acceptAsSignedIn, checkInvitationLink, INVITATION_PATH, type InvitationView, signedInRecently } from './invitation.service.js';
import * as repo from './team.repository.js';

const acceptBody = {
  type: 'object',
  properties: {
    _csrf: { type: 'string', maxLength: 200 },
    identifiant: { type: 'string', maxLength: 320 },
    mot_de_passe: { type: 'string', maxLength: 4096 },
    confirmation: { type: 'string', maxLength: 4096 },
  },
} as const;

/**
 * The invitation link (S44): its first visit moves the token into a short-lived cookie (S14), then
 * a new person chooses a password on the seed's activation form (their e-mail as Identifiant), and
 * a person who already has one signs in (at most 10 minutes before) and accepts.
 */
export async function invitationRoutes(app: FastifyInstance) {
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock, config: app.deps.config, hasher: app.deps.hasher });

  const invalid = (request: FastifyRequest, reply: FastifyReply) => {
    clearSecureCookie(reply, COOKIE.invitationLink);
    return sendPage(reply, <MessagePage ctx={pageContext(request, reply)} title={catalogueOf(request).invitation.invalidTitle} body={catalogueOf(request).invitation.invalidBody} isError action={{ href: '/connexion', label: catalogueOf(request).reset.backToLogin }} />, 410);
  };
  const alreadyMember = (request: FastifyRequest, reply: FastifyReply) => {
    clearSecureCookie(reply, COOKIE.invitationLink);
    return sendPage(reply, <MessagePage ctx={pageContext(request, reply)} title={catalogueOf(request).invitation.alreadyMemberTitle} body={catalogueOf(request).invitation.alreadyMemberBody} action={{ href: '/connexion', label: catalogueOf(request).reset.backToLogin }} />, 409);
  };

  const inviterOf = async (request: FastifyRequest, view: InvitationView) => {
    const id = view.invitation.invited_by_account_id;
    if (id === null) return catalogueOf(request).invitation.staffInviter(app.deps.config.brandName);
    const inviter = await repo.findMember(app.deps.db, view.company.id, Number(id));
    return [inviter?.given_name, inviter?.family_name].filter(Boolean).join(' ') || inviter?.email || catalogueOf(request).invitation.staffInviter(app.deps.config.brandName);
  };

  const showPage = async (request: FastifyRequest, reply: FastifyReply, view: InvitationView, status = 200, errors?: FieldErrors) => {
    const { config } = app.deps;
    const inviter = await inviterOf(request, view);
    const { invitation, company, person } = view;
    if (person?.hasPassword) {
      const session = await loadCustomer(request, reply);
      const canAccept = await signedInRecently(app.deps, session, person.id);
      return sendPage(
        reply,
        <InvitationSignInPage ctx={pageContext(request, reply)} intro={catalogueOf(request).invitation.existingIntro(company.name, company.code, inviter)} email={invitation.email} canAccept={canAccept} otherPerson={session !== null && session.accountId !== person.id} />,
        status,
      );
    }
    return sendPage(
      reply,
      <ActivationPage
        ctx={pageContext(request, reply)}
        action={INVITATION_PATH}
        intro={catalogueOf(request).invitation.intro(company.name, company.code, inviter)}
        code={invitation.email}
        minLength={config.passwordMinLength}
        words={[config.brandName, company.code, invitation.email]}
        errors={errors}
      />,
      status,
    );
  };

  app.get<{ Querystring: { token?: string } }>(INVITATION_PATH, async (request, reply) => {
    const entry = enterLink(request, reply, COOKIE.invitationLink, INVITATION_PATH);
    if (entry.kind === 'redirected') return reply;
    const checked = await checkInvitationLink(deps(), entry.token, requestOrigin(request));
    if (checked.kind === 'limited') return sendTooManyRequests(request, reply, checked.retryAfterSeconds);
    if (checked.kind === 'invalid') return invalid(request, reply);
    if (checked.view.alreadyMember) return alreadyMember(request, reply);
    return showPage(request, reply, checked.view);
  });

  app.post<{ Body: { mot_de_passe?: string; confirmation?: string } }>(INVITATION_PATH, { schema: { body: acceptBody } }, async (request, reply) => {
    const token = readCookie(request, COOKIE.invitationLink);
    const origin = requestOrigin(request);
    const { config } = app.deps;
    const signedIn = async () => {
      const session = await loadCustomer(request, reply);
      if (!session) return reply.redirect(`/connexion?reconnexion=1&next=${encodeURIComponent(INVITATION_PATH)}`, 303);
      const result = await acceptAsSignedIn(deps(), { token, session, origin });
      if (result.ok) {
        clearSecureCookie(reply, COOKIE.invitationLink);
        // The session goes on in the company just joined.
        await chooseCompany(app.deps, session, result.value.companyId, origin);
        loadCustomer.forget(request);
        return reply.redirect('/espace-pro', 303);
      }
      if (result.code === 'LIMITED') return sendTooManyRequests(request, reply, result.retryAfterSeconds);
      if (result.code === 'ALREADY_MEMBER') return alreadyMember(request, reply);
      if (result.code === 'SIGN_IN') return reply.redirect(`/connexion?reconnexion=1&next=${encodeURIComponent(INVITATION_PATH)}`, 303);
      if (result.code === 'NEEDS_PASSWORD') return reply.redirect(INVITATION_PATH, 303);
      return invalid(request, reply);
    };
    // Which form was sent is decided by the server (has the invited address a password?), never by the fields.
    if (request.body.mot_de_passe === undefined) return signedIn();
    const result = await acceptAsNewPerson(deps(), { token, password: request.body.mot_de_passe, confirmation: request.body.confirmation ?? '', origin });
    if (result.ok) {
      clearSecureCookie(reply, COOKIE.invitationLink);
      // No automatic login (as after an activation): the person signs in with their e-mail.
      return reply.redirect('/connexion?enregistre=1', 303);
    }
    switch (result.code) {
      case 'LIMITED':
        return sendTooManyRequests(request, reply, result.retryAfterSeconds);
      case 'ERRORS':
        return showPage(request, reply, result.view, 400, newPasswordFieldErrors(result.errors, config.passwordMinLength, config.brandName, catalogueOf(request)));
      case 'ALREADY_MEMBER':
        return alreadyMember(request, reply);
      case 'SIGN_IN':
        return signedIn();
      default:
        return invalid(request, reply);
    }
  });
}
