/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestOrigin } from '../../plugins/request-origin.js';
import type { GatedRoutesOptions } from '../../plugins/staff-gate.js';
import { pageContext, sendPage } from '../../plugins/views.js';
import { csvLine } from '../../shared/csv.js';
import { fr } from '../../shared/i18n/fr.js';
import type { Result } from '../../shared/result.js';
import { h } from '../../views/jsx.js';
import { ErasedPage } from '../../views/back-office/privacy.js';
import { currentCustomer } from '../session/customer-session.js';
import { eraseAccount, erasePerson, eraseRequest, exportAccountData, exportOwnData, exportRequestData, type PrivacyError } from './privacy.service.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,12}$' } } } as const;

/** Every stored value as `section;n°;field;value` lines (S25: formulas neutralised by csvLine). */
export function flattenToCsv(data: Record<string, unknown>): string {
  let csv = '\ufeff' + csvLine(['section', 'ligne', 'champ', 'valeur']);
  for (const [section, value] of Object.entries(data)) {
    const rows = Array.isArray(value) ? value : [value];
    rows.forEach((row, index) => {
      for (const [field, cell] of Object.entries((row ?? {}) as Record<string, unknown>)) {
        csv += csvLine([section, index + 1, field, cell === null || cell === undefined ? '' : typeof cell === 'object' ? JSON.stringify(cell) : String(cell)]);
      }
    });
  }
  return csv;
}

/**
 * S42 in the back office: export (JSON or CSV) of everything stored about an account or a
 * request, for any staff member; erasure, for admins. Both need a fresh second factor (S38) and
 * are audited. The module guards its own routes through the shared gate (S31), in two scopes:
 * exports for every member, erasure for admins.
 */
export async function privacyRoutes(app: FastifyInstance, { gate }: GatedRoutesOptions) {
  await app.register(async (scope) => {
    gate.guard(scope);
    await exportRoutes(scope, gate);
  });
  await app.register(async (scope) => {
    gate.guard(scope, { role: 'admin' });
    await erasureRoutes(scope, gate);
  });
}

async function exportRoutes(app: FastifyInstance, gate: GatedRoutesOptions['gate']) {
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock });
  const actor = (request: FastifyRequest) => ({ id: gate.member(request).email, origin: requestOrigin(request) });
  const sendExport = (reply: FastifyReply, result: Result<Record<string, unknown>, PrivacyError>, name: string, format: string) => {
    if (!result.ok) return reply.callNotFound();
    reply.header('content-disposition', `attachment; filename="${name}.${format}"`);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(flattenToCsv(result.value));
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(result.value, null, 2));
  };
  const formatParams = { type: 'object', required: ['id', 'format'], properties: { id: idParams.properties.id, format: { type: 'string', enum: ['json', 'csv'] } } } as const;

  app.get<{ Params: { id: string; format: string } }>('/back-office/comptes/:id/donnees.:format', { schema: { params: formatParams } }, async (request, reply) =>
    sendExport(reply, await exportAccountData(deps(), actor(request), Number(request.params.id)), `donnees-compte-${request.params.id}`, request.params.format),
  );
  const personParams = { type: 'object', required: ['id', 'person', 'format'], properties: { id: idParams.properties.id, person: idParams.properties.id, format: formatParams.properties.format } } as const;
  app.get<{ Params: { id: string; person: string; format: string } }>('/back-office/comptes/:id/personnes/:person/donnees.:format', { schema: { params: personParams } }, async (request, reply) =>
    sendExport(reply, await exportAccountData(deps(), actor(request), Number(request.params.id), Number(request.params.person)), `donnees-personne-${request.params.person}`, request.params.format),
  );
  app.get<{ Params: { id: string; format: string } }>('/back-office/demandes/:id/donnees.:format', { schema: { params: formatParams } }, async (request, reply) =>
    sendExport(reply, await exportRequestData(deps(), actor(request), Number(request.params.id)), `donnees-demande-${request.params.id}`, request.params.format),
  );
}

/** Erasure: admins only (registered in an admin scope). */
async function erasureRoutes(app: FastifyInstance, gate: GatedRoutesOptions['gate']) {
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock });
  const actor = (request: FastifyRequest) => ({ id: gate.member(request).email, origin: requestOrigin(request) });
  for (const [path, erase, what] of [
    ['/back-office/comptes/:id/effacer', eraseAccount, fr.privacy.erasedAccount],
    ['/back-office/demandes/:id/effacer', eraseRequest, fr.privacy.erasedRequest],
  ] as const) {
    app.post<{ Params: { id: string } }>(path, { schema: { params: idParams } }, async (request, reply) => {
      const result = await erase(deps(), actor(request), Number(request.params.id));
      if (!result.ok) return reply.callNotFound();
      return sendPage(reply, <ErasedPage ctx={pageContext(request, reply)} staff={gate.member(request)} message={what(result.value.pseudonym)} />);
    });
  }
  // One person of a company (never its holder: hand the role over first, or erase the company).
  const personIds = { type: 'object', required: ['id', 'person'], properties: { id: idParams.properties.id, person: idParams.properties.id } } as const;
  app.post<{ Params: { id: string; person: string } }>('/back-office/comptes/:id/personnes/:person/effacer', { schema: { params: personIds } }, async (request, reply) => {
    const result = await erasePerson(deps(), actor(request), Number(request.params.id), Number(request.params.person));
    if (!result.ok && result.code === 'HOLDER') return sendPage(reply, <ErasedPage ctx={pageContext(request, reply)} staff={gate.member(request)} message={fr.privacy.holderNotErased} />, 409);
    if (!result.ok) return reply.callNotFound();
    return sendPage(reply, <ErasedPage ctx={pageContext(request, reply)} staff={gate.member(request)} message={fr.privacy.erasedPerson(result.value.pseudonym)} />);
  });
}

/**
 * RGPD articles 15 and 20 in Mon Espace Pro (customer scope): the signed-in person downloads
 * what is stored about them, in JSON or CSV; the download is in the journal.
 */
export async function ownDataRoutes(app: FastifyInstance) {
  const formatParams = { type: 'object', required: ['format'], properties: { format: { type: 'string', enum: ['json', 'csv'] } } } as const;
  app.get<{ Params: { format: 'json' | 'csv' } }>('/espace-pro/mes-donnees.:format', { schema: { params: formatParams } }, async (request, reply) => {
    const me = await currentCustomer(request, reply);
    const result = await exportOwnData({ db: app.deps.db, clock: app.deps.clock }, me, requestOrigin(request), request.params.format);
    if (!result.ok) return reply.callNotFound();
    reply.header('content-disposition', `attachment; filename="mes-donnees.${request.params.format}"`);
    if (request.params.format === 'csv') return reply.type('text/csv; charset=utf-8').send(flattenToCsv(result.value));
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(result.value, null, 2));
  });
}
