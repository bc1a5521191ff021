/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { passkeyCustomerRoutes } from '../passkeys/passkeys.routes.js';
import type { FastifyInstance } from 'fastify';
import { loadCustomer } from '../session/customer-session.js';
import { accountSecurityRoutes } from '../account-security/account-security.routes.js';
import { pageContext, sendPage } from '../../plugins/views.js';
import { fr } from '../../shared/i18n/fr.js';
import { h } from '../../views/jsx.js';
import { HomePage } from '../../views/pages/home.js';
import { PrivacyPage } from '../../views/pages/privacy.js';
import { MessagePage } from '../../views/pages/message.js';

/** Public pages that change nothing. */
export async function publicPages(app: FastifyInstance) {
  app.get('/', async (request, reply) => sendPage(reply, <HomePage ctx={pageContext(request, reply)} />));
  // S42: what is stored and for how long, linked from every footer unless PRIVACY_POLICY_URL says otherwise.
  app.get('/confidentialite', async (request, reply) =>
    sendPage(reply, <PrivacyPage ctx={pageContext(request, reply)} requestDays={app.deps.config.requestRetentionDays} auditDays={app.deps.config.auditRetentionDays} />),
  );

  // Placeholders for pages still to come: each issue removes its own from this list.
  for (const path of [] as string[]) {
    app.get(path, async (request, reply) =>
      sendPage(
        reply,
        <MessagePage ctx={pageContext(request, reply)} title={fr.placeholder.title} body={fr.placeholder.body} action={{ href: '/connexion', label: fr.placeholder.back }} />,
      ),
    );
  }
}

/** Pages of the signed-in customer. Registered in a scope whose preHandler requires a session. */
export async function customerPages(app: FastifyInstance) {
  app.addHook('preHandler', async (request, reply) => {
    const customer = await loadCustomer(request, reply);
    if (!customer) {
      const next = encodeURIComponent(request.url);
      return reply.redirect(`/connexion?next=${next}`, 303);
    }
  });

  await app.register(accountSecurityRoutes);
  await app.register(passkeyCustomerRoutes);
}
