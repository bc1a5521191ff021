/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestOrigin } from '../../plugins/request-origin.js';
import type { GatedRoutesOptions } from '../../plugins/staff-gate.js';
import { pageContext, sendPage } from '../../plugins/views.js';
import { fr } from '../../shared/i18n/fr.js';
import type { FieldErrors } from '../../views/forms.js';
import { h } from '../../views/jsx.js';
import { ApplicationsPage, type ApplicationsPageProps } from '../../views/back-office/applications.js';
import { recordAudit } from '../audit/audit.service.js';
import { ClientError, createClient, listClients, setClientDisabled } from './sso.clients.service.js';

const FIELD = { pkce: 'sans_pkce', name: 'nom', 'redirect-uri': 'redirection', 'post-logout-uri': 'deconnexion', 'backchannel-logout-uri': 'backchannel', 'home-url': 'accueil' } as Record<string, string>;
const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
const createBody = {
  type: 'object',
  required: ['nom', 'redirection'],
  properties: { _csrf: text(200), nom: text(400), redirection: text(2048), deconnexion: text(2048), backchannel: text(2048), accueil: text(2048), sans_pkce: text(10) },
} as const;
const clientParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } } as const;

/**
 * The applications (OpenID Connect clients) in the back office, for admins: the same registry as
 * the CLI's client:create / client:list / client:disable. Registering or disabling one is a
 * sensitive action (S38); the secret is shown to the admin this once, never stored in clear.
 */
export async function ssoAdminRoutes(app: FastifyInstance, { gate }: GatedRoutesOptions) {
  // This module's own guard (S31): admins only, through the shared gate.
  app.addHook('preHandler', gate.admit({ role: 'admin' }));
  const requireFreshSecondFactor = gate.freshSecondFactor;
  const getStaff = gate.member;
  const { db, clock } = app.deps;
  const PAGE = '/back-office/applications';
  const render = async (request: FastifyRequest, reply: FastifyReply, extra: Partial<ApplicationsPageProps> = {}, status = 200) =>
    sendPage(reply, <ApplicationsPage ctx={pageContext(request, reply)} staff={getStaff(request)} discoveryUrl={`${app.deps.config.publicUrl}/oidc/.well-known/openid-configuration`} clients={await listClients(db)} {...extra} />, status);
  const audit = (request: FastifyRequest, event: string, target: string) =>
    recordAudit(db, clock, requestOrigin(request), { event, outcome: 'success', actorType: 'staff', actorId: getStaff(request).email, target });
  const actor = (request: FastifyRequest) => ({ origin: requestOrigin(request), type: 'staff' as const, id: getStaff(request).email });

  app.get<{ Querystring: { ok?: string } }>(PAGE, async (request, reply) => render(request, reply, { notice: request.query.ok ? fr.ssoAdmin.done[request.query.ok] : undefined }));

  app.post<{ Body: Record<string, string | undefined> }>(PAGE, { schema: { body: createBody }, preHandler: requireFreshSecondFactor }, async (request, reply) => {
    const b = request.body;
    const optional = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
    try {
      const created = await createClient(db, clock, {
        name: b.nom ?? '',
        redirectUris: [b.redirection ?? ''].map((v) => v.trim()).filter(Boolean),
        postLogoutUris: optional(b.deconnexion) ? [optional(b.deconnexion)!] : [],
        backchannelLogoutUri: optional(b.backchannel),
        homeUrl: optional(b.accueil),
        // The checkbox: unticked (absent) keeps PKCE required.
        pkceRequired: b.sans_pkce !== 'on',
      }, actor(request));
      // Shown in this answer only (no-store): only its SHA-256 is kept.
      return render(request, reply, { created: { name: (b.nom ?? '').trim(), ...created } });
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      const field = FIELD[error.field ?? ''] ?? 'nom';
      const errors: FieldErrors = { [field]: fr.ssoAdmin.errors[error.code] };
      return render(request, reply, { errors, form: b }, 400);
    }
  });

  for (const [path, disabled] of [
    ['desactiver', true],
    ['activer', false],
  ] as const) {
    app.post<{ Params: { id: string } }>(`${PAGE}/:id/${path}`, { schema: { params: clientParams }, preHandler: requireFreshSecondFactor }, async (request, reply) => {
      try {
        await setClientDisabled(db, clock, request.params.id, disabled);
      } catch (error) {
        if (error instanceof ClientError) return reply.callNotFound();
        throw error;
      }
      await audit(request, disabled ? 'sso.client_disabled' : 'sso.client_enabled', request.params.id);
      return reply.redirect(`${PAGE}?ok=${disabled ? 'disabled' : 'enabled'}`, 303);
    });
  }
}
