/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { countPasskeys } from '../passkeys/passkeys.service.js';
import { shouldInviteToPasskeys } from '../passkeys/passkeys.invitation.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentCustomer } from '../session/customer-session.js';
import { requestOrigin } from '../../plugins/request-origin.js';
import { pageContext, sendPage, sendPageRenderedOnce } from '../../plugins/views.js';
import { catalogueOf } from '../../plugins/language.js';
import type { Catalogue } from '../../shared/i18n/fr.js';
import type { FieldErrors } from '../../views/forms.js';
import { h } from '../../views/jsx.js';
import { AccountPage, SecurityPage } from '../../views/pages/account.js';
import { passwordMessage } from '../../shared/i18n/password.js';
import { launchableClients } from '../sso/sso.clients.service.js';
import { applicationsWithTokens, revokeApplication } from '../sso/sso.service.js';
import { type ChangePasswordError, changeOwnPassword, getSecurityOverview, revokeOwnDevice, revokeOwnSession } from './account-security.service.js';

const changeBody = {
  type: 'object',
  required: ['actuel', 'mot_de_passe', 'confirmation'],
  properties: {
    _csrf: { type: 'string' },
    identifiant: { type: 'string', maxLength: 64 },
    actuel: { type: 'string', maxLength: 4096 },
    mot_de_passe: { type: 'string', maxLength: 4096 },
    confirmation: { type: 'string', maxLength: 4096 },
  },
} as const;

const idBody = (name: string) =>
  ({ type: 'object', required: [name], properties: { _csrf: { type: 'string' }, [name]: { type: 'string', maxLength: 128 } } }) as const;

const NOTICES = { mdp: (t: Catalogue) => t.security.changed, revoque: (t: Catalogue) => t.security.revoked } as const;

/** "Mon Espace Pro" and its "Sécurité" page. Registered inside the customer-only scope. */
export async function accountSecurityRoutes(app: FastifyInstance) {
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock, hasher: app.deps.hasher, dummyHash: app.deps.dummyHash, config: app.deps.config });
  const me = currentCustomer;

  const render = async (request: FastifyRequest, reply: FastifyReply, status: number, errors?: FieldErrors, notice?: string) => {
    const customer = await me(request, reply);
    // Also shown by POST /espace-pro/mot-de-passe (a form with errors): the language link comes back to the page.
    const ctx = { ...pageContext(request, reply), path: '/espace-pro/securite' };
    const security = await getSecurityOverview(deps(), customer, ctx.lang);
    const applications = await applicationsWithTokens(app.deps, customer.accountId);
    const passkeys = await countPasskeys(app.deps.db, { type: 'person', id: customer.accountId });
    return sendPage(
      reply,
      <SecurityPage
        ctx={ctx}
        code={customer.code}
        security={security}
        minLength={app.deps.config.passwordMinLength}
        words={[app.deps.config.brandName, customer.code, customer.email]}
        errors={errors}
        notice={notice}
        applications={applications}
        passkeys={passkeys}
      />,
      status,
    );
  };

  // The signed-in home stays light: one session lookup and a small page.
  app.get('/espace-pro', async (request, reply) => {
    const customer = await me(request, reply);
    const { company, code, email, role, membershipCount } = customer;
    // Single sign-on: the same application list for every customer, so the page is still rendered
    // once per list (the key changes when an operator registers or disables an application), and
    // per variant: administrator or not, one company or several.
    const apps = await launchableClients(app.deps.db);
    const isAdmin = role === 'admin';
    const canSwitch = membershipCount > 1;
    // Passkeys: right after a password sign-in, an invitation to add one (the same page for everyone invited).
    const invite = shouldInviteToPasskeys(app.deps, request, customer);
    return sendPageRenderedOnce(
      request,
      reply,
      `account${isAdmin ? 'A' : ''}${canSwitch ? 'S' : ''}${invite ? '+passkey' : ''}${JSON.stringify(apps)}`,
      (ctx, slots) => <AccountPage ctx={ctx} {...slots} isAdmin={isAdmin} canSwitch={canSwitch} apps={apps} passkeyInvitation={invite} />,
      { company, code, email, role: catalogueOf(request).company.roles[role] },
    );
  });

  app.get<{ Querystring: { ok?: string } }>('/espace-pro/securite', async (request, reply) => {
    const key = request.query.ok;
    return render(request, reply, 200, undefined, key === 'mdp' || key === 'revoque' ? NOTICES[key](catalogueOf(request)) : undefined);
  });

  app.post<{ Body: { actuel: string; mot_de_passe: string; confirmation: string } }>('/espace-pro/mot-de-passe', { schema: { body: changeBody } }, async (request, reply) => {
    const result = await changeOwnPassword(
      deps(),
      await me(request, reply),
      { current: request.body.actuel, password: request.body.mot_de_passe, confirmation: request.body.confirmation },
      requestOrigin(request),
    );
    if (result.ok) return reply.redirect('/espace-pro/securite?ok=mdp', 303);
    return render(request, reply, 400, changeErrors(result.errors, app.deps.config.passwordMinLength, app.deps.config.brandName, catalogueOf(request)));
  });

  app.post<{ Body: { session: string } }>('/espace-pro/sessions/revoquer', { schema: { body: idBody('session') } }, async (request, reply) => {
    const customer = await me(request, reply);
    await revokeOwnSession(deps(), customer, request.body.session, requestOrigin(request));
    // This very browser signed out: say so on the login page rather than a bare "please sign in".
    if (request.body.session === customer.id) return reply.redirect('/connexion?revoque=1', 303);
    return reply.redirect('/espace-pro/securite?ok=revoque', 303);
  });

  // Single sign-on: "Révoquer" on an application ends its tokens and its sessions (back-channel).
  app.post<{ Body: { application: string } }>('/espace-pro/applications/revoquer', { schema: { body: idBody('application') } }, async (request, reply) => {
    await revokeApplication(app.deps, (await me(request, reply)).accountId, request.body.application);
    return reply.redirect('/espace-pro/securite?ok=revoque', 303);
  });

  app.post<{ Body: { appareil: string } }>('/espace-pro/appareils/revoquer', { schema: { body: idBody('appareil') } }, async (request, reply) => {
    const customer = await me(request, reply);
    await revokeOwnDevice(deps(), customer, request.body.appareil, requestOrigin(request));
    if (customer.rememberSeries !== null && request.body.appareil === customer.rememberSeries) return reply.redirect('/connexion?revoque=1', 303);
    return reply.redirect('/espace-pro/securite?ok=revoque', 303);
  });
}

function changeErrors(errors: ChangePasswordError[], minLength: number, brand: string, t: Catalogue): FieldErrors {
  const out: FieldErrors = {};
  for (const e of errors) {
    if (e.field === 'mot_de_passe') out[e.field] = passwordMessage(e.verdict, minLength, brand, t);
    else if (e.field === 'actuel') out[e.field] = t.security[e.code];
    else out[e.field] = t.activation[e.code];
  }
  return out;
}
