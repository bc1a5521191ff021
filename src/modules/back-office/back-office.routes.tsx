/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { countPasskeys } from '../passkeys/passkeys.service.js';
import net from 'node:net';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestOrigin } from '../../plugins/request-origin.js';
import { getStaff } from '../staff/staff.guard.js';
import { pageContext, sendPage } from '../../plugins/views.js';
import { csvLine } from '../../shared/csv.js';
import { formatShortDateTime, formatTime, nextDay, parseDay, startOfDayIn } from '../../shared/format.js';
import { ACCOUNT_FILTERS, type AccountFilter } from './dashboard.service.js';
import { fr } from '../../shared/i18n/fr.js';
import type { Result } from '../../shared/result.js';
import type { FieldErrors } from '../../views/forms.js';
import { AccountDetailPage, AccountsPage, type AuditEntryView, AuditPage, ImportPage, RequestDetailPage, RequestsListPage } from '../../views/back-office/pages.js';
import { h } from '../../views/jsx.js';
import { getRequest, listRequests } from '../account-request/account-request.service.js';
import { type AccountRequestState, isAccountRequestState } from '../account-request/account-request.state.js';
import { findCompanyAccount } from '../account/account.repository.js';
import { type AuditFilters, listAuditEntries } from '../audit/audit.repository.js';
import { recordAudit } from '../audit/audit.service.js';
import { importAccounts } from '../import/import.service.js';
import * as admin from './accounts-admin.service.js';
import { companyTeamPanel } from '../company/team.admin.routes.js';
import { approveRequest, rejectRequest, type RequestActionError, startRequest } from './requests-admin.service.js';

const bo = fr.bo;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,12}$' } } } as const;
const form = (fields: Record<string, number>) =>
  ({
    type: 'object',
    properties: { _csrf: { type: 'string' }, ...Object.fromEntries(Object.entries(fields).map(([k, max]) => [k, { type: 'string', maxLength: max }])) },
  }) as const;

/**
 * The customer-service pages: requests queue, accounts, ERP import, audit log. Registered inside
 * the staff scope (registerStaffScope), whose guard already refused anyone else (S31). Handlers
 * parse and render; the rules live in the *-admin services.
 */
export async function backOfficeRoutes(app: FastifyInstance) {
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock, config: app.deps.config });
  const when = (ms: number) => formatShortDateTime(ms, app.deps.config.displayTimezone);
  const actor = (request: FastifyRequest) => ({ id: getStaff(request).email, origin: requestOrigin(request) });
  const common = (request: FastifyRequest, reply: FastifyReply) => ({ ctx: pageContext(request, reply), staff: getStaff(request), when });

  // ── Requests queue ──────────────────────────────────────────────────────────
  app.get<{ Querystring: { etat?: string; ok?: string } }>('/back-office/demandes', async (request, reply) => {
    const raw = request.query.etat ?? 'new';
    const state: AccountRequestState | null = isAccountRequestState(raw) ? raw : null;
    const requests = await listRequests(app.deps.db, { state: state ?? undefined, limit: 200, offset: 0 });
    return sendPage(reply, <RequestsListPage {...common(request, reply)} requests={requests} state={state} />);
  });

  const renderRequest = async (request: FastifyRequest, reply: FastifyReply, id: number, status = 200, extra: { errors?: FieldErrors; approveCode?: string; reason?: string; notice?: string } = {}) => {
    const found = await getRequest(app.deps.db, id);
    if (!found) return reply.callNotFound();
    const account = found.account_id !== null ? await findCompanyAccount(app.deps.db, found.account_id) : undefined;
    return sendPage(reply, <RequestDetailPage {...common(request, reply)} request={found} accountCode={account?.code ?? null} {...extra} />, status);
  };

  app.get<{ Params: { id: string }; Querystring: { ok?: string } }>('/back-office/demandes/:id', { schema: { params: idParams } }, async (request, reply) => {
    const ok = request.query.ok;
    const notice = ok === 'approuvee' ? bo.approved : ok === 'refusee' ? bo.rejected : ok === 'prise' ? bo.started : undefined;
    return renderRequest(request, reply, Number(request.params.id), 200, { notice });
  });

  const requestStatus = (code: RequestActionError) => (code === 'NOT_FOUND' ? 404 : code === 'CODE_INVALID' || code.startsWith('REASON') ? 400 : 409);

  app.post<{ Params: { id: string } }>('/back-office/demandes/:id/prendre-en-charge', { schema: { params: idParams, body: form({}) } }, async (request, reply) => {
    const id = Number(request.params.id);
    const result = await startRequest(deps(), actor(request), id);
    if (!result.ok) return renderRequest(request, reply, id, requestStatus(result.code), { errors: { code: bo.requestErrors[result.code] } });
    return reply.redirect(`/back-office/demandes/${id}?ok=prise`, 303);
  });

  app.post<{ Params: { id: string }; Body: { code?: string } }>('/back-office/demandes/:id/approuver', { schema: { params: idParams, body: form({ code: 32 }) } }, async (request, reply) => {
    const id = Number(request.params.id);
    const code = request.body.code ?? '';
    const result = await approveRequest(deps(), actor(request), id, code);
    if (!result.ok) return renderRequest(request, reply, id, requestStatus(result.code), { errors: { code: bo.requestErrors[result.code] }, approveCode: code.slice(0, 16) });
    return reply.redirect(`/back-office/demandes/${id}?ok=approuvee`, 303);
  });

  app.post<{ Params: { id: string }; Body: { motif?: string } }>('/back-office/demandes/:id/refuser', { schema: { params: idParams, body: form({ motif: 4000 }) } }, async (request, reply) => {
    const id = Number(request.params.id);
    const reason = request.body.motif ?? '';
    const result = await rejectRequest(deps(), actor(request), id, reason);
    if (!result.ok) return renderRequest(request, reply, id, requestStatus(result.code), { errors: { motif: bo.requestErrors[result.code] }, reason: reason.slice(0, 1000) });
    return reply.redirect(`/back-office/demandes/${id}?ok=refusee`, 303);
  });

  // ── Accounts ───────────────────────────────────────────────────────────────
  app.get<{ Querystring: { q?: string; filtre?: string } }>('/back-office/comptes', async (request, reply) => {
    const query = typeof request.query.q === 'string' ? request.query.q.slice(0, 100) : '';
    const filter = ACCOUNT_FILTERS.find((f) => f === request.query.filtre) ?? null;
    const rows = await admin.searchAccounts(app.deps.db, query, app.deps.clock.now(), filter);
    // The list shows the stored state and a lock in force ("Verrouillé jusqu'à 14 h 32"); the detail page adds the rest.
    const tz = app.deps.config.displayTimezone;
    const accounts = rows.map((a) => {
      const lockedUntil = a.blocked_until === null || a.blocked_until === undefined ? null : Number(a.blocked_until);
      return { ...a, status: admin.adminStatus(a, Boolean(Number(a.has_open_link)), lockedUntil !== null), lockedUntil: lockedUntil === null ? null : formatTime(lockedUntil, tz) };
    });
    const pendingEmails = await admin.listPendingEmailChanges(app.deps.db);
    return sendPage(reply, <AccountsPage {...common(request, reply)} query={query} filter={filter satisfies AccountFilter | null} accounts={accounts} pendingEmails={pendingEmails} />);
  });

  const renderAccount = async (request: FastifyRequest, reply: FastifyReply, id: number, status = 200, extra: { errors?: FieldErrors; notice?: string; newEmail?: string } = {}) => {
    const detail = await admin.getAccountDetail(deps(), id);
    if (!detail) return reply.callNotFound();
    const teamPanel = await companyTeamPanel(request, reply, id);
    // The holder's passkeys (the company page's id is the company's: its holder is detail.account.personId).
    const passkeys = await countPasskeys(app.deps.db, { type: 'person', id: detail.account.personId });
    // "Verrouillé jusqu'à 14 h 32", as the Comptes list says it.
    const locks = detail.locks.map((l) => ({ email: l.email, until: formatTime(l.blockedUntil, app.deps.config.displayTimezone) }));
    return sendPage(reply, <AccountDetailPage {...common(request, reply)} detail={detail} teamPanel={teamPanel} passkeys={passkeys} locks={locks} {...extra} />, status);
  };

  app.get<{ Params: { id: string }; Querystring: { ok?: string } }>('/back-office/comptes/:id', { schema: { params: idParams } }, async (request, reply) => {
    const ok = request.query.ok;
    return renderAccount(request, reply, Number(request.params.id), 200, { notice: ok ? bo.done[ok] : undefined });
  });

  /** Every action of the account page: the service decides, its code picks the status and the sentence. */
  const accountAction = <T,>(path: string, done: (value: T) => string, action: (id: number, request: FastifyRequest) => Promise<Result<T, admin.AdminActionError>>) =>
    app.post<{ Params: { id: string } }>(`/back-office/comptes/:id/${path}`, { schema: { params: idParams, body: form({ email: 320 }) } }, async (request, reply) => {
      const id = Number(request.params.id);
      const result = await action(id, request);
      if (!result.ok && result.code === 'NOT_FOUND') return reply.callNotFound();
      if (!result.ok) {
        const email = (request.body as { email?: string }).email;
        return renderAccount(request, reply, id, result.field ? 400 : 409, { errors: { [result.field ?? 'action']: bo.errors[result.code] }, newEmail: email?.slice(0, 254) });
      }
      return reply.redirect(`/back-office/comptes/${id}?ok=${done(result.value)}`, 303);
    });
  accountAction('lien', () => 'link', (id, request) => admin.sendLinkByStaff(deps(), actor(request), id));
  accountAction<{ applied: boolean }>('email', (v) => (v.applied ? 'email' : 'email_requested'), (id, request) => admin.requestEmailChange(deps(), actor(request), id, (request.body as { email?: string }).email ?? ''));
  accountAction('email/approuver', () => 'email_approved', (id, request) => admin.decideEmailChangeByStaff(deps(), actor(request), id, true));
  accountAction('email/refuser', () => 'email_rejected', (id, request) => admin.decideEmailChangeByStaff(deps(), actor(request), id, false));
  accountAction('desactiver', () => 'disabled', (id, request) => admin.setAccountDisabled(deps(), actor(request), id, true));
  accountAction('reactiver', () => 'enabled', (id, request) => admin.setAccountDisabled(deps(), actor(request), id, false));
  accountAction('sessions', () => 'sessions', (id, request) => admin.revokeSessionsByStaff(deps(), actor(request), id));
  accountAction('debloquer', () => 'throttle', (id, request) => admin.clearThrottleByStaff(deps(), actor(request), id));

  // ── Audit log ──────────────────────────────────────────────────────────────
  type AuditQuery = { type?: string; compte?: string; acteur?: string; du?: string; au?: string };
  const parseFilters = (q: AuditQuery): { filters: AuditFilters; errors?: FieldErrors; raw: Record<string, string> } => {
    const raw = Object.fromEntries((['type', 'compte', 'acteur', 'du', 'au'] as const).map((k) => [k, typeof q[k] === 'string' ? q[k]!.slice(0, 254) : '']));
    const errors: FieldErrors = {};
    // Days are those of DISPLAY_TIMEZONE, like every time the page shows; "Au" includes its day.
    const tz = app.deps.config.displayTimezone;
    // Typed as jj/mm/aaaa (a text field: Chromium shows its own "mm/dd/yyyy" in a date field), or ISO.
    const day = (value: string, name: string, after = false) => {
      if (!value.trim()) return undefined;
      const ymd = parseDay(value);
      if (ymd === null) errors[name] = bo.BAD_DATE;
      return ymd === null ? undefined : startOfDayIn(after ? nextDay(ymd) : ymd, tz);
    };
    const from = day(raw.du!, 'du');
    const to = day(raw.au!, 'au', true);
    const filters: AuditFilters = {
      event: raw.type || undefined,
      accountCode: raw.compte || undefined,
      actor: raw.acteur || undefined,
      from,
      to,
    };
    return { filters, raw, errors: Object.keys(errors).length ? errors : undefined };
  };
  const view = (e: Awaited<ReturnType<typeof listAuditEntries>>[number]): AuditEntryView => ({
    at: e.at,
    event: e.event,
    outcome: e.outcome,
    actorType: e.actor_type,
    actorId: e.actor_id,
    accountCode: e.account_code ?? null,
    target: e.target,
    ip: e.ip,
    userAgent: e.user_agent,
    details: e.details,
  });

  app.get<{ Querystring: AuditQuery }>('/back-office/journal', async (request, reply) => {
    const { filters, raw, errors } = parseFilters(request.query);
    const entries = (await listAuditEntries(app.deps.db, filters, 200)).map(view);
    const exportHref = `/back-office/journal.csv?${new URLSearchParams(raw).toString()}`;
    return sendPage(reply, <AuditPage {...common(request, reply)} filters={raw} entries={entries} exportHref={exportHref} errors={errors} />, errors ? 400 : 200);
  });

  app.get<{ Querystring: AuditQuery }>('/back-office/journal.csv', async (request, reply) => {
    const { filters } = parseFilters(request.query);
    const entries = (await listAuditEntries(app.deps.db, filters, 100_000)).map(view);
    await recordAudit(app.deps.db, app.deps.clock, requestOrigin(request), { event: 'staff.audit_exported', outcome: 'success', actorType: 'staff', actorId: getStaff(request).email, details: { rows: entries.length } });
    // S25: every cell that a spreadsheet would run as a formula is neutralised by csvLine.
    let csv = '\ufeff' + csvLine(['date_utc', 'evenement', 'resultat', 'acteur', 'code_client', 'cible', 'ip', 'navigateur', 'details']);
    // The export keeps the stored codes and UTC: it is read by tools, the page is read by people.
    for (const e of entries) {
      const actor = e.actorId ? `${e.actorType}:${e.actorId}` : e.actorType;
      csv += csvLine([new Date(e.at).toISOString().replace('T', ' ').slice(0, 19), e.event, e.outcome, actor, e.accountCode, e.target, e.ip, e.userAgent, e.details]);
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="journal-${new Date(app.deps.clock.now()).toISOString().slice(0, 10)}.csv"`)
      .send(csv);
  });
}

/** The ERP import, for administrators only (PRODUCT.md: the administrator imports the customer list). */
/** Limits of the ERP upload (README, "Back office"): one CSV of at most 20 MB, a few short fields. */
export const IMPORT_LIMITS = { fileSize: 20 * 1024 * 1024, files: 1, fields: 10, parts: 11, fieldSize: 1024, fieldNameSize: 100, headerPairs: 20 };

/** After an early answer to an upload, what is still read (and dropped) before the socket is cut. */
const IMPORT_LINGER = { bytes: 1024 * 1024, ms: 1000 };

function lingerThenClose(socket: net.Socket): void {
  if (!(socket instanceof net.Socket)) return; // an in-process request (tests) has no real socket
  const start = socket.bytesRead;
  const cut = () => {
    clearInterval(watch);
    clearTimeout(deadline);
    if (!socket.destroyed) socket.destroy();
  };
  const watch = setInterval(() => {
    if (socket.destroyed) cut();
    else if (socket.bytesRead - start > IMPORT_LINGER.bytes) cut();
  }, 10);
  const deadline = setTimeout(cut, IMPORT_LINGER.ms);
  watch.unref();
  deadline.unref();
  socket.once('close', () => {
    clearInterval(watch);
    clearTimeout(deadline);
  });
}

export async function importRoutes(app: FastifyInstance) {
  const deps = () => ({ db: app.deps.db, clock: app.deps.clock, config: app.deps.config });
  const when = (ms: number) => formatShortDateTime(ms, app.deps.config.displayTimezone);
  const common = (request: FastifyRequest, reply: FastifyReply) => ({ ctx: pageContext(request, reply), staff: getStaff(request), when });

  app.get('/back-office/import', async (request, reply) => sendPage(reply, <ImportPage {...common(request, reply)} />));

  await app.register(async (upload) => {
    // The upload is the only multipart form. Its body is read here, in the handler, after the CSRF
    // check (root preHandler, token in the form's address) and the staff guard (scope preHandler):
    // an anonymous or forged upload is refused before a byte of it is buffered.
    await upload.register(multipart, { limits: IMPORT_LIMITS, throwFileSizeLimit: true });
    // An answer sent before the whole upload arrived (a refusal, a limit): Node would read and
    // drop the rest to reuse the connection, 19 MB for a 19 MB upload. The socket is cut instead
    // once the rest exceeds IMPORT_LINGER (bytes or time), which leaves the client time to read
    // the answer (closing at once would reset the connection and lose the page).
    upload.addHook('onResponse', (request, _reply, done) => {
      if (!request.raw.complete) lingerThenClose(request.raw.socket);
      done();
    });
    upload.post('/back-office/import', async (request, reply) => {
      const refuse = (message: string, status: number) => sendPage(reply, <ImportPage {...common(request, reply)} errors={{ fichier: message }} />, status);
      let file: Buffer | null = null;
      const body: Record<string, string> = {};
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            if (part.fieldname !== 'fichier' || file !== null) return refuse(bo.IMPORT_ONE_FILE, 400);
            file = await part.toBuffer();
          } else if (typeof part.value === 'string') {
            body[part.fieldname] = part.value;
          }
        }
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE') return refuse(bo.IMPORT_TOO_LARGE(IMPORT_LIMITS.fileSize / (1024 * 1024)), 413);
        if (code === 'FST_FILES_LIMIT') return refuse(bo.IMPORT_ONE_FILE, 400);
        if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_PROTO_VIOLATION') return refuse(bo.IMPORT_TOO_MANY_FIELDS, 400);
        throw error;
      }
      if (file === null || file.length === 0) return refuse(bo.IMPORT_FILE_REQUIRED, 400);
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(file);
      } catch {
        return refuse(bo.IMPORT_NOT_UTF8, 400);
      }
      const staff = getStaff(request);
      const report = await importAccounts(deps(), text, {
        dryRun: body.simulation === '1',
        sendActivation: body.activation === '1',
        actor: { type: 'staff', id: staff.email },
        origin: requestOrigin(request),
      });
      return sendPage(reply, <ImportPage {...common(request, reply)} report={report} />);
    });
  });

}
