/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestOrigin } from '../../plugins/request-origin.js';
import { pageContext, sendPage } from '../../plugins/views.js';
import { catalogueOf } from '../../plugins/language.js';
import { safeNextPath } from '../../shared/safe-next.js';
import { h } from '../../views/jsx.js';
import { CompanyChooserPage } from '../../views/pages/company-chooser.js';
import { CHOOSER_PATH, loadCustomer } from '../session/customer-session.js';
import { chooseCompany, listChoosableCompanies } from './company.service.js';

const chooseBody = {
  type: 'object',
  required: ['compte'],
  properties: { _csrf: { type: 'string' }, compte: { type: 'string', maxLength: 20 }, next: { type: 'string', maxLength: 512 } },
} as const;

/** "Choisissez le compte client" and the switch between companies. Registered inside the customer scope. */
export async function companyRoutes(app: FastifyInstance) {
  const render = async (request: FastifyRequest, reply: FastifyReply, next: string | null, status = 200, error?: string) => {
    const session = (await loadCustomer(request, reply))!;
    const companies = await listChoosableCompanies(app.deps.db, session.accountId);
    return sendPage(reply, <CompanyChooserPage ctx={pageContext(request, reply)} companies={companies} currentId={session.companyId} next={next} error={error} />, status);
  };

  app.get<{ Querystring: { next?: string } }>(CHOOSER_PATH, { config: { choosingAllowed: true } }, async (request, reply) =>
    render(request, reply, safeNextPath(typeof request.query.next === 'string' ? request.query.next : undefined)),
  );

  app.post<{ Body: { compte: string; next?: string } }>(CHOOSER_PATH, { config: { choosingAllowed: true }, schema: { body: chooseBody } }, async (request, reply) => {
    const session = (await loadCustomer(request, reply))!;
    const next = safeNextPath(request.body.next);
    const companyId = /^[0-9]{1,15}$/.test(request.body.compte) ? Number(request.body.compte) : NaN;
    // S43: a company of someone else, an unknown or a disabled one get one answer.
    const result = Number.isSafeInteger(companyId) ? await chooseCompany(app.deps, session, companyId, requestOrigin(request)) : null;
    if (!result?.ok) return render(request, reply, next, 404, catalogueOf(request).company.unavailable);
    loadCustomer.forget(request);
    return reply.redirect(next ?? '/espace-pro', 303);
  });
}
