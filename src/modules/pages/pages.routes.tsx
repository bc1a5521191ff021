/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { passkeyCustomerRoutes } from '../passkeys/passkeys.routes.js';
import type { FastifyInstance } from 'fastify';
import { CHOOSER_PATH, loadCustomer } from '../session/customer-session.js';
import { accountSecurityRoutes } from '../account-security/account-security.routes.js';
import { companyRoutes } from '../company/company.routes.js';
import { teamRoutes } from '../company/team.routes.js';
import { ownDataRoutes } from '../privacy/privacy.routes.js';
import { chosenLanguage, setLanguageCookie } from '../../plugins/language.js';
import { pageContext, sendPage } from '../../plugins/views.js';
import { asLanguage } from '../../shared/i18n/languages.js';
import { safeNextPath } from '../../shared/safe-next.js';
import { saveLanguage } from '../account/account.service.js';
import { h } from '../../views/jsx.js';
import { HomePage } from '../../views/pages/home.js';
import { PrivacyPage } from '../../views/pages/privacy.js';
import { MessagePage } from '../../views/pages/message.js';

/** Public pages that change nothing. */
export async function publicPages(app: FastifyInstance) {
  app.get('/', async (request, reply) => sendPage(reply, <HomePage ctx={pageContext(request, reply)} />));
  // The English / Français link (S51): a GET that only sets the language cookie — nothing on the
  // server changes (S23; the person's record follows at their next sign-in or form) — and goes
  // back to a safe local path (S24). A language outside the enum sets nothing and is never echoed.
  app.get<{ Querystring: { l?: unknown; next?: unknown } }>('/langue', async (request, reply) => {
    const lang = asLanguage(request.query.l);
    if (lang) setLanguageCookie(reply, lang);
    reply.header('cache-control', 'no-store');
    return reply.redirect(safeNextPath(request.query.next) ?? '/', 303);
  });
  // S42: what is stored and for how long, linked from every footer unless PRIVACY_POLICY_URL says otherwise.
  app.get('/confidentialite', async (request, reply) =>
    sendPage(reply, <PrivacyPage ctx={pageContext(request, reply)} requestDays={app.deps.config.requestRetentionDays} auditDays={app.deps.config.auditRetentionDays} />),
  );

  // Placeholders for pages still to come: each issue removes its own from this list.
  for (const path of [] as string[]) {
    app.get(path, async (request, reply) => {
      const ctx = pageContext(request, reply);
      return sendPage(reply, <MessagePage ctx={ctx} title={ctx.t.placeholder.title} body={ctx.t.placeholder.body} action={{ href: '/connexion', label: ctx.t.placeholder.back }} />);
    });
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
    // Signed in with several companies and none chosen yet: the chooser first, then the page asked for.
    if (customer.companyId === null && !request.routeOptions.config.choosingAllowed) {
      return reply.redirect(`${CHOOSER_PATH}?next=${encodeURIComponent(request.url)}`, 303);
    }
    // A language picked while signed in reaches the person's record with their next form (a POST:
    // the GET of the language link changes nothing on the server), so their mails follow it (S51).
    const chosen = chosenLanguage(request);
    const saved = 'language' in customer ? customer.language : null;
    if (request.method === 'POST' && chosen && chosen !== saved) await saveLanguage(app.deps.db, customer.accountId, chosen);
  });

  await app.register(accountSecurityRoutes);
  await app.register(companyRoutes);
  await app.register(teamRoutes);
  await app.register(ownDataRoutes);
  await app.register(passkeyCustomerRoutes);
}
