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
import { eraseAccount, eraseRequest, exportAccountData, exportRequestData, type PrivacyError } from './privacy.service.js';

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
    scope.addHook('preHandler', gate.admit());
    await exportRoutes(scope, gate);
  });
  await app.register(async (scope) => {
    scope.addHook('preHandler', gate.admit({ role: 'admin' }));
    await erasureRoutes(scope, gate);
  });
}

async function exportRoutes(app: FastifyInstance, gate: GatedRoutesOptions['gate']) {
  const requireFreshSecondFactor = gate.freshSecondFactor;
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock });
  const actor = (request: FastifyRequest) => ({ id: gate.member(request).email, origin: requestOrigin(request) });
  const sendExport = (reply: FastifyReply, result: Result<Record<string, unknown>, PrivacyError>, name: string, format: string) => {
    if (!result.ok) return reply.callNotFound();
    reply.header('content-disposition', `attachment; filename="${name}.${format}"`);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(flattenToCsv(result.value));
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(result.value, null, 2));
  };
  const formatParams = { type: 'object', required: ['id', 'format'], properties: { id: idParams.properties.id, format: { type: 'string', enum: ['json', 'csv'] } } } as const;

  app.get<{ Params: { id: string; format: string } }>('/back-office/comptes/:id/donnees.:format', { schema: { params: formatParams }, preHandler: requireFreshSecondFactor }, async (request, reply) =>
    sendExport(reply, await exportAccountData(deps(), actor(request), Number(request.params.id)), `donnees-compte-${request.params.id}`, request.params.format),
  );
  app.get<{ Params: { id: string; format: string } }>('/back-office/demandes/:id/donnees.:format', { schema: { params: formatParams }, preHandler: requireFreshSecondFactor }, async (request, reply) =>
    sendExport(reply, await exportRequestData(deps(), actor(request), Number(request.params.id)), `donnees-demande-${request.params.id}`, request.params.format),
  );
}

/** Erasure: admins only (registered in an admin scope). */
async function erasureRoutes(app: FastifyInstance, gate: GatedRoutesOptions['gate']) {
  const requireFreshSecondFactor = gate.freshSecondFactor;
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock });
  const actor = (request: FastifyRequest) => ({ id: gate.member(request).email, origin: requestOrigin(request) });
  for (const [path, erase, what] of [
    ['/back-office/comptes/:id/effacer', eraseAccount, fr.privacy.erasedAccount],
    ['/back-office/demandes/:id/effacer', eraseRequest, fr.privacy.erasedRequest],
  ] as const) {
    app.post<{ Params: { id: string } }>(path, { schema: { params: idParams }, preHandler: requireFreshSecondFactor }, async (request, reply) => {
      const result = await erase(deps(), actor(request), Number(request.params.id));
      if (!result.ok) return reply.callNotFound();
      return sendPage(reply, <ErasedPage ctx={pageContext(request, reply)} staff={gate.member(request)} message={what(result.value.pseudonym)} />);
    });
  }
}
