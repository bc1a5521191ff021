/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { AccountRequest } from '../../modules/account-request/account-request.table.js';
import type { AccountRequestState } from '../../modules/account-request/account-request.state.js';
import { fr } from '../../shared/i18n/fr.js';
import { importLineDetail } from '../../shared/i18n/import.js';
import { PrivacyPanel } from './privacy.js';
import { AdminPasskeys } from './passkeys.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors, PostButton } from '../forms.js';
import { Fragment, h, type Html } from '../jsx.js';
import { type PageContext, ScrollTable, ZoneNote } from '../layout.js';
import { BackOfficeLayout, BackOfficeNotice, type BackOfficeUser } from './layout.js';

/** Request data typed by the public is encoded like everything else (S25). */
const bo = fr.bo;

interface Common {
  ctx: PageContext;
  staff: BackOfficeUser;
  when: (ms: number) => string;
  notice?: string;
  errors?: FieldErrors;
}

function Flash({ notice, errors }: { notice?: string; errors?: FieldErrors }): Html {
  return (
    <>
      {notice ? <BackOfficeNotice kind="success">{notice}</BackOfficeNotice> : null}
      {errors ? <ErrorSummary errors={errors} /> : null}
    </>
  );
}

export function RequestsListPage(p: Common & { requests: AccountRequest[]; state: AccountRequestState | null }): Html {
  const filters: Array<[AccountRequestState | null, string]> = [
    ['new', bo.requestStates.new],
    ['in_progress', bo.requestStates.in_progress],
    ['approved', bo.requestStates.approved],
    ['rejected', bo.requestStates.rejected],
    [null, bo.filterAll],
  ];
  return (
    <BackOfficeLayout ctx={p.ctx} staff={p.staff} title={bo.requestsTitle} current="requests">
      <h1 id="demandes-titre">{bo.requestsTitle}</h1>
      <Flash notice={p.notice} />
      <nav aria-label={bo.filterLabel} class="filters">
        <ul>
          {filters.map(([state, label]) => (
            <li>
              <a href={state ? `/back-office/demandes?etat=${state}` : '/back-office/demandes?etat=toutes'} aria-current={state === p.state ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ZoneNote ctx={p.ctx} />
      {p.requests.length === 0 ? (
        <p class="empty-state">{bo.noRequests}</p>
      ) : (
        <ScrollTable labelledBy="demandes-titre" tableClass="dense cards">
          <thead>
            <tr>
              <th scope="col">{bo.number}</th>
              <th scope="col">{bo.received}</th>
              <th scope="col">{bo.company}</th>
              <th scope="col">{bo.contact}</th>
              <th scope="col">{bo.state}</th>
            </tr>
          </thead>
          <tbody>
            {p.requests.map((r) => (
              <tr>
                <td data-label={bo.number}>
                  <a href={`/back-office/demandes/${r.id}`}>{r.id}</a>
                </td>
                <td data-label={bo.received} class="nowrap">
                  {p.when(r.created_at)}
                </td>
                <td data-label={bo.company}>
                  <a href={`/back-office/demandes/${r.id}`}>{r.company}</a>
                </td>
                <td class="long" data-label={bo.contact}>
                  {r.first_name} {r.last_name} – {r.email}
                </td>
                <td data-label={bo.state}>{bo.requestStates[r.state]}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
    </BackOfficeLayout>
  );
}

export function RequestDetailPage(p: Common & { request: AccountRequest; accountCode: string | null; approveCode?: string; reason?: string }): Html {
  const r = p.request;
  const open = r.state === 'new' || r.state === 'in_progress';
  const rows: Array<[string, string | null]> = [
    [bo.fields.company, r.company],
    [bo.fields.customer_code, r.customer_code],
    [bo.fields.siret, r.siret],
    [bo.fields.last_name, r.last_name],
    [bo.fields.first_name, r.first_name],
    [bo.fields.email, r.email],
    [bo.fields.phone, r.phone],
    [bo.fields.address, r.address],
    [bo.fields.postal_code, r.postal_code],
    [bo.fields.city, r.city],
    [bo.fields.country, r.country],
    [bo.fields.message, r.message],
    [bo.state, bo.requestStates[r.state]],
    [bo.fields.handled_by, r.handled_by],
    [bo.fields.decision_reason, r.decision_reason],
  ];
  return (
    <BackOfficeLayout ctx={p.ctx} staff={p.staff} title={bo.requestTitle(r.id)} current="requests" hasError={p.errors !== undefined}>
      <h1>{bo.requestTitle(r.id)}</h1>
      <Flash notice={p.notice} errors={p.errors} />
      <dl class="facts two-columns">
        <dt>{bo.received}</dt>
        <dd>{p.when(r.created_at)}</dd>
        {rows
          .filter(([, v]) => v !== null && v !== '')
          .map(([label, value]) => (
            <>
              <dt>{label}</dt>
              <dd class="pre-line">{value}</dd>
            </>
          ))}
        {r.account_id !== null ? (
          <>
            <dt>{bo.fields.account}</dt>
            <dd>
              <a href={`/back-office/comptes/${r.account_id}`}>{p.accountCode ?? String(r.account_id)}</a>
            </dd>
          </>
        ) : null}
      </dl>
      {open ? (
        <>
          {r.state === 'new' ? (
            <div class="actions">
              <PostButton ctx={p.ctx} action={`/back-office/demandes/${r.id}/prendre-en-charge`} label={bo.start} />
            </div>
          ) : null}
          <section class="panel" aria-labelledby="approuver-titre">
            <h2 id="approuver-titre">{bo.approveHeading}</h2>
            <form method="post" action={`/back-office/demandes/${r.id}/approuver`} novalidate>
              <CsrfField token={p.ctx.csrfToken} />
              <Field name="code" label={bo.approveCode} hint={bo.approveHint} value={p.approveCode ?? r.customer_code ?? ''} error={p.errors?.code} required inputmode="numeric" maxlength={16} width="code" />
              <button type="submit" class="button button-primary">
                {bo.approveSubmit}
              </button>
            </form>
          </section>
          <section class="panel" aria-labelledby="refuser-titre">
            <h2 id="refuser-titre">{bo.rejectHeading}</h2>
            <form method="post" action={`/back-office/demandes/${r.id}/refuser`} novalidate>
              <CsrfField token={p.ctx.csrfToken} />
              <div class={p.errors?.motif ? 'field field-error' : 'field'}>
                <label for="motif">
                  {bo.rejectReason}
                  <span class="required" aria-hidden="true">
                    {' '}
                    *
                  </span>
                </label>
                {p.errors?.motif ? (
                  <p class="error" id="motif-erreur">
                    {p.errors.motif}
                  </p>
                ) : null}
                <textarea id="motif" name="motif" rows="4" maxlength="1000" required aria-required="true" aria-invalid={p.errors?.motif ? 'true' : undefined} aria-describedby={p.errors?.motif ? 'motif-erreur' : undefined}>
                  {p.reason ?? ''}
                </textarea>
              </div>
              <button type="submit" class="button">
                {bo.rejectSubmit}
              </button>
            </form>
          </section>
        </>
      ) : null}
      <PrivacyPanel ctx={p.ctx} staff={p.staff} base={`/back-office/demandes/${r.id}`} />
    </BackOfficeLayout>
  );
}

/** What an ERP import did (simulated or not): totals per outcome and one line of report per CSV line. */
export interface ImportReport {
  dryRun: boolean;
  totals: Record<'created' | 'updated' | 'pending' | 'unchanged' | 'rejected', number>;
  lines: Array<{
    line: number;
    code: string;
    outcome: 'created' | 'updated' | 'pending' | 'unchanged' | 'rejected';
    rejection?: keyof typeof bo.importRejections;
    changed?: Array<'email' | 'company'>;
    /** A `pending` line: the address waiting for a second staff member (S37). */
    pendingEmail?: string;
  }>;
  activationMails: number;
}

/** One line of the Comptes list. */
export interface AccountRow {
  id: number;
  code: string;
  email: string;
  company: string;
  last_login_at: number | null;
  status: keyof typeof bo.statuses;
  /** "14 h 32" while the identifier is throttled: the list says until when, with the action that clears it. */
  lockedUntil?: string | null;
}

/** The account page: the account, its status, and what customer service needs to see about it. */
export interface AccountDetailView {
  account: { id: number; code: string; email: string; company: string; createdAt: number; activatedAt: number | null; lastLoginAt: number | null; disabledAt: number | null };
  status: keyof typeof bo.statuses;
  /** The link mailed last, while it is still usable. */
  openLink: { expires_at: number } | null;
  /** Login slow-down of the customer code (S8). */
  throttle: { failures: number; blockedUntil: number } | null;
  /** Locks in force now (the route formats their end). */
  locks?: Array<{ email: string | null; blockedUntil: number }>;
  /** Live sessions. */
  sessions: number;
  /** The latest mails to the account and their delivery state. */
  mails: Array<{ kind: string; recipient: string; status: keyof typeof bo.mailStates; created_at: number; sent_at: number | null; last_error: string | null }>;
  /** An e-mail change waiting for a second staff member (S37). */
  pendingEmail: { from: string; to: string; by: string; at: number } | null;
}

/** One change of a customer's e-mail waiting for a second staff member (S37). */
export interface PendingEmailRow {
  account_id: number;
  code: string;
  company: string;
  old_email: string;
  new_email: string;
  requested_by: string;
  requested_at: number;
}

/** The queue of e-mail changes to validate, on the accounts page. */
function PendingEmailChanges({ rows, when }: { rows: PendingEmailRow[]; when: (ms: number) => string }): Html {
  return (
    <section class="panel" aria-labelledby="emails-attente-titre">
      <h2 id="emails-attente-titre">{bo.pendingEmailsTitle}</h2>
      {rows.length === 0 ? (
        <p>{bo.pendingEmailsNone}</p>
      ) : (
        <ScrollTable labelledBy="emails-attente-titre" tableClass="dense">
          <thead>
            <tr>
              <th scope="col">{bo.code}</th>
              <th scope="col">{bo.company}</th>
              <th scope="col">{bo.pendingFrom}</th>
              <th scope="col">{bo.pendingTo}</th>
              <th scope="col">{bo.pendingBy}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>
                  <a href={`/back-office/comptes/${r.account_id}`}>{r.code}</a>
                </td>
                <td>{r.company}</td>
                <td>{r.old_email}</td>
                <td>{r.new_email}</td>
                <td>
                  {r.requested_by} ({when(r.requested_at)})
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
    </section>
  );
}

export function AccountsPage(p: Common & { query: string; filter?: string | null; accounts: AccountRow[]; pendingEmails: PendingEmailRow[] }): Html {
  return (
    <BackOfficeLayout ctx={p.ctx} staff={p.staff} title={bo.accountsTitle} current="accounts">
      <h1 id="comptes-titre">{bo.accountsTitle}</h1>
      {p.pendingEmails.length > 0 ? <PendingEmailChanges rows={p.pendingEmails} when={p.when} /> : null}
      <form method="get" action="/back-office/comptes" role="search" class="search-form">
        <Field name="q" label={bo.search} value={p.query} type="search" maxlength={100} />
        <div class="field field-select">
          <label for="filtre">{bo.accountFilterLabel}</label>
          <select id="filtre" name="filtre">
            <option value="" selected={!p.filter}>
              {bo.accountFilterAll}
            </option>
            {Object.entries(bo.accountFilters).map(([value, label]) => (
              <option value={value} selected={p.filter === value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button button-primary">
          {bo.searchSubmit}
        </button>
      </form>
      <ZoneNote ctx={p.ctx} />
      {p.accounts.length === 0 ? (
        <p class="empty-state">{bo.noAccounts}</p>
      ) : (
        <ScrollTable labelledBy="comptes-titre" tableClass="dense cards">
          <thead>
            <tr>
              <th scope="col">{bo.code}</th>
              <th scope="col">{bo.company}</th>
              <th scope="col">{bo.email}</th>
              <th scope="col">{bo.status}</th>
              <th scope="col">{bo.lastLogin}</th>
            </tr>
          </thead>
          <tbody>
            {p.accounts.map((a) => (
              <tr>
                <td data-label={bo.code}>
                  <a href={`/back-office/comptes/${a.id}`}>{a.code}</a>
                </td>
                <td data-label={bo.company}>{a.company}</td>
                <td class="long" data-label={bo.email}>{a.email}</td>
                <td data-label={bo.status}>
                  {a.lockedUntil ? (
                    <>
                      <span class="badge badge-danger">{bo.lockedUntil(a.lockedUntil)}</span>
                      <PostButton ctx={p.ctx} action={`/back-office/comptes/${a.id}/debloquer`} label={bo.unlock} small />
                    </>
                  ) : (
                    bo.statuses[a.status]
                  )}
                </td>
                <td data-label={bo.lastLogin} class="nowrap">
                  {a.last_login_at ? p.when(a.last_login_at) : bo.never}
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
    </BackOfficeLayout>
  );
}

export function AccountDetailPage(
  p: Common & {
    detail: AccountDetailView;
    newEmail?: string;
    /** The company's people and invitations (company-team.tsx). */
    teamPanel?: Html;
    /** How many passkeys the holder has. */
    passkeys?: number;
    /** Locks in force, their end as "14 h 32": on the customer code (email null) or a person's e-mail sign-in. */
    locks?: Array<{ email: string | null; until: string }>;
  },
): Html {
  const { account, status, openLink, throttle, mails, sessions, pendingEmail } = p.detail;
  const base = `/back-office/comptes/${account.id}`;
  const locks = p.locks ?? [];
  return (
    <BackOfficeLayout ctx={p.ctx} staff={p.staff} title={bo.accountTitle(account.code)} current="accounts" hasError={p.errors !== undefined}>
      <header class="page-header">
        <h1>{bo.accountTitle(account.code)}</h1>
        <p class="lead">
          <a href={`/back-office/journal?${new URLSearchParams({ compte: account.code }).toString()}`}>{bo.accountJournal(account.code)}</a>
        </p>
      </header>
      <Flash notice={p.notice} errors={p.errors} />
      <ZoneNote ctx={p.ctx} />
      {locks.length > 0 ? (
        <section class="notice notice-warning lock-notice" aria-labelledby="verrou-titre">
          <h2 id="verrou-titre" class="visually-hidden">
            {bo.lockHeading}
          </h2>
          <ul class="lock-list">
            {locks.map((l) => (
              <li>
                <strong class="badge badge-danger">{bo.lockedUntil(l.until)}</strong> {l.email === null ? bo.lockOnCode(account.code) : bo.lockOnEmail(l.email)}
              </li>
            ))}
          </ul>
          <p>{bo.lockNote}</p>
          <PostButton ctx={p.ctx} action={`${base}/debloquer`} label={bo.unlock} />
        </section>
      ) : null}
      <dl class="facts two-columns">
        <dt>{bo.company}</dt>
        <dd>{account.company}</dd>
        <dt>{bo.email}</dt>
        <dd>{account.email}</dd>
        <dt>{bo.status}</dt>
        <dd>
          <strong>{bo.statuses[status]}</strong>
        </dd>
        <dt>{bo.createdAt}</dt>
        <dd>{p.when(account.createdAt)}</dd>
        <dt>{bo.activatedAt}</dt>
        <dd>{account.activatedAt ? p.when(account.activatedAt) : bo.notYet}</dd>
        <dt>{bo.lastLogin}</dt>
        <dd>{account.lastLoginAt ? p.when(account.lastLoginAt) : bo.never}</dd>
        <dt>{bo.openLink}</dt>
        <dd>{openLink ? bo.openLinkValue(p.when(openLink.expires_at)) : bo.none}</dd>
        <dt>{bo.throttle}</dt>
        <dd>{throttle ? bo.throttleValue(throttle.failures, throttle.blockedUntil > 0 ? p.when(throttle.blockedUntil) : null) : '0'}</dd>
        <dt>{bo.sessions}</dt>
        <dd>{String(sessions)}</dd>
        {p.passkeys !== undefined ? (
          <>
            <dt>{fr.passkeys.adminHeading}</dt>
            <dd>{p.staff.role === 'admin' ? <AdminPasskeys ctx={p.ctx} count={p.passkeys} action={`${base}/cles/supprimer`} who={account.code} /> : fr.passkeys.adminCount(p.passkeys)}</dd>
          </>
        ) : null}
      </dl>

      {pendingEmail ? (
        <section class="panel" aria-labelledby="email-attente-titre">
          <h2 id="email-attente-titre">{bo.pendingEmailHeading}</h2>
          <p>{bo.pendingEmailBody(pendingEmail.from, pendingEmail.to, pendingEmail.by, p.when(pendingEmail.at))}</p>
          {pendingEmail.by === p.staff.email ? (
            <>
              <p>{bo.pendingEmailOwn}</p>
              <div class="actions">
                <PostButton ctx={p.ctx} action={`${base}/email/refuser`} label={bo.pendingEmailWithdraw} />
              </div>
            </>
          ) : (
            <div class="actions">
              <PostButton ctx={p.ctx} action={`${base}/email/approuver`} label={bo.pendingEmailApprove} />
              <PostButton ctx={p.ctx} action={`${base}/email/refuser`} label={bo.pendingEmailReject} />
            </div>
          )}
        </section>
      ) : null}

      <section class="panel" aria-labelledby="actions-titre">
        <h2 id="actions-titre">{bo.actionsHeading}</h2>
        <p>{bo.noPasswordNote}</p>
        <div class="actions">
          {account.disabledAt === null ? <PostButton ctx={p.ctx} action={`${base}/lien`} label={bo.sendLink} variant="primary" /> : null}
          <PostButton ctx={p.ctx} action={`${base}/sessions`} label={bo.revokeSessions} />
          {throttle && locks.length === 0 ? <PostButton ctx={p.ctx} action={`${base}/debloquer`} label={bo.clearThrottle} /> : null}
          {account.disabledAt === null ? <PostButton ctx={p.ctx} action={`${base}/desactiver`} label={bo.disable} variant="danger" /> : <PostButton ctx={p.ctx} action={`${base}/reactiver`} label={bo.enable} />}
        </div>
        <form method="post" action={`${base}/email`} novalidate class="email-form">
          <CsrfField token={p.ctx.csrfToken} />
          <Field name="email" label={bo.newEmail} hint={bo.changeEmailHint} type="email" value={p.newEmail ?? ''} error={p.errors?.email} required autocomplete="off" maxlength={254} />
          <button type="submit" class="button">
            {bo.changeEmail}
          </button>
        </form>
      </section>

      {p.teamPanel ?? null}

      <section class="panel" aria-labelledby="mails-titre">
        <h2 id="mails-titre">{bo.mailsHeading}</h2>
        {mails.length === 0 ? (
          <p class="empty-state">{bo.noMails}</p>
        ) : (
          <ScrollTable labelledBy="mails-titre" tableClass="dense cards">
            <thead>
              <tr>
                <th scope="col">{bo.mailDate}</th>
                <th scope="col">{bo.mailKind}</th>
                <th scope="col">{bo.email}</th>
                <th scope="col">{bo.mailState}</th>
              </tr>
            </thead>
            <tbody>
              {mails.map((m) => (
                <tr>
                  <td data-label={bo.mailDate} class="nowrap">
                    {p.when(m.created_at)}
                  </td>
                  <td data-label={bo.mailKind}>{bo.mailKinds[m.kind] ?? m.kind}</td>
                  <td class="long" data-label={bo.email}>{m.recipient}</td>
                  <td data-label={bo.mailState}>
                    {bo.mailStates[m.status]}
                    {m.status === 'sent' && m.sent_at ? ` (${p.when(m.sent_at)})` : ''}
                    {m.last_error && m.status !== 'sent' ? ` – ${m.last_error}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
      </section>

      <PrivacyPanel ctx={p.ctx} staff={p.staff} base={base} />
    </BackOfficeLayout>
  );
}

export function ImportPage(p: Common & { report?: ImportReport }): Html {
  const r = p.report;
  return (
    <BackOfficeLayout ctx={p.ctx} staff={p.staff} title={bo.importTitle} current="import" hasError={p.errors !== undefined}>
      <h1>{bo.importTitle}</h1>
      <Flash errors={p.errors} />
      <p>{bo.importIntro}</p>
      {/* The token travels in the address: it is checked before the upload's body is read (csrf.ts). */}
      <form method="post" action={`/back-office/import?_csrf=${encodeURIComponent(p.ctx.csrfToken)}`} enctype="multipart/form-data">
        <div class={p.errors?.fichier ? 'field field-error' : 'field'}>
          <label for="fichier">
            {bo.importFile}
            <span class="required" aria-hidden="true">
              {' '}
              *
            </span>
          </label>
          {p.errors?.fichier ? (
            <p class="error" id="fichier-erreur">
              {p.errors.fichier}
            </p>
          ) : null}
          <input type="file" id="fichier" name="fichier" accept=".csv,text/csv" required aria-required="true" aria-describedby={p.errors?.fichier ? 'fichier-erreur' : undefined} />
        </div>
        <div class="field field-checkbox">
          <input type="checkbox" id="simulation" name="simulation" value="1" checked />
          <label for="simulation">{bo.importDryRun}</label>
        </div>
        <div class="field field-checkbox">
          <input type="checkbox" id="activation" name="activation" value="1" />
          <label for="activation">{bo.importSendActivation}</label>
        </div>
        <button type="submit" class="button button-primary">
          {bo.importSubmit}
        </button>
      </form>
      {r ? (
        <section aria-labelledby="rapport-titre">
          <h2 id="rapport-titre">{bo.importReport(r.dryRun)}</h2>
          <p role="status">{bo.importTotals(r.totals.created, r.totals.updated, r.totals.unchanged, r.totals.rejected)}</p>
          {r.totals.pending > 0 ? (
            <section aria-labelledby="rapport-attente">
              <h3 id="rapport-attente">{bo.importPendingTitle}</h3>
              <p>{bo.importPendingIntro(r.totals.pending, r.dryRun)}</p>
              <ImportLines lines={r.lines.filter((l) => l.outcome === 'pending')} labelledBy="rapport-attente" />
            </section>
          ) : null}
          <ImportLines lines={r.lines.filter((l) => l.outcome !== 'unchanged' && l.outcome !== 'pending')} labelledBy="rapport-titre" />
        </section>
      ) : null}
    </BackOfficeLayout>
  );
}

/** Lines of the import report (at most 1,000 shown). */
function ImportLines(p: { lines: ImportReport['lines']; labelledBy: string }): Html {
  return (
    <ScrollTable labelledBy={p.labelledBy} tableClass="dense cards">
      <thead>
        <tr>
          <th scope="col">{bo.importLine}</th>
          <th scope="col">{bo.code}</th>
          <th scope="col">{bo.importOutcome}</th>
          <th scope="col">{bo.importDetail}</th>
        </tr>
      </thead>
      <tbody>
        {p.lines.slice(0, 1000).map((l) => (
          <tr>
            <td data-label={bo.importLine}>{String(l.line)}</td>
            <td data-label={bo.code}>{l.code}</td>
            <td data-label={bo.importOutcome}>{bo.outcomes[l.outcome]}</td>
            <td data-label={bo.importDetail}>{importLineDetail(l)}</td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

/** One audit entry as the Journal shows it: codes as stored, turned into French here. */
export interface AuditEntryView {
  at: number;
  event: string;
  outcome: string;
  actorType: string;
  actorId: string | null;
  accountCode: string | null;
  target: string | null;
  ip: string | null;
  userAgent: string | null;
  /** JSON as stored. */
  details: string | null;
}

const au = fr.audit;

/** A code the catalogue does not know yet, made readable: "staff.new_thing" → "Staff new thing". */
function readable(code: string): string {
  const words = code
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[._:-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function eventLabel(code: string): string {
  return au.events[code] ?? readable(code);
}

function detailValue(value: unknown): string {
  if (typeof value === 'boolean') return au.detailValues[String(value)]!;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return au.detailValues[value] ?? value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** "Raison : mot de passe incorrect" lines from the stored JSON (anything else shown as it is). */
function detailLines(details: string | null): string[] {
  if (!details) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return [details];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [detailValue(parsed)];
  return Object.entries(parsed as Record<string, unknown>).map(([k, v]) => `${au.detailKeys[k] ?? readable(k)} : ${detailValue(v)}`);
}

/** "request:12" and "account_request:12" are request numbers: "Demande n° 12". */
function targetLabel(target: string | null): string {
  if (!target) return '';
  const request = /^(?:account_)?request:(\d+)$/.exec(target);
  return request ? bo.requestTitle(Number(request[1])) : target;
}

/** Text with e-mail addresses in it: may wrap after "@" and before a dot, never mid-word. */
function Breakable({ text }: { text: string }): Html {
  const parts = text.split(/(?<=@)|(?=\.[^\s.])/);
  return (
    <>
      {parts.map((part, i) => (i === 0 ? part : <><wbr />{part}</>))}
    </>
  );
}


export function AuditPage(p: Common & { filters: Record<string, string>; entries: AuditEntryView[]; exportHref: string }): Html {
  const f = p.filters;
  const known = Object.keys(au.events).sort((x, y) => eventLabel(x).localeCompare(eventLabel(y), 'fr'));
  return (
    <BackOfficeLayout ctx={p.ctx} staff={p.staff} title={bo.auditTitle} current="audit" hasError={p.errors !== undefined}>
      <h1 id="journal-titre">{bo.auditTitle}</h1>
      <Flash errors={p.errors} />
      <form method="get" action="/back-office/journal" class="filters-form">
        <div class="field field-select">
          <label for="type">{bo.auditType}</label>
          <select id="type" name="type">
            <option value="" selected={!f.type}>
              {bo.auditTypeAll}
            </option>
            {f.type && !au.events[f.type] ? (
              <option value={f.type} selected>
                {eventLabel(f.type)}
              </option>
            ) : null}
            {known.map((code) => (
              <option value={code} selected={f.type === code}>
                {eventLabel(code)}
              </option>
            ))}
          </select>
        </div>
        <Field name="compte" label={bo.auditAccount} value={f.compte} maxlength={16} inputmode="numeric" />
        <Field name="acteur" label={bo.auditActor} value={f.acteur} maxlength={254} />
        <Field name="du" label={bo.auditFrom} value={f.du} error={p.errors?.du} maxlength={10} placeholder={bo.datePlaceholder} autocomplete="off" />
        <Field name="au" label={bo.auditTo} value={f.au} error={p.errors?.au} maxlength={10} placeholder={bo.datePlaceholder} autocomplete="off" />
        <button type="submit" class="button button-primary">
          {bo.auditFilter}
        </button>
      </form>
      <div class="actions">
        <a class="button" href={p.exportHref}>
          {bo.auditExport}
        </a>
      </div>
      <ZoneNote ctx={p.ctx} />
      {p.entries.length === 0 ? (
        <p class="empty-state">{bo.noAudit}</p>
      ) : (
        <ScrollTable labelledBy="journal-titre" tableClass="dense cards audit-table">
          <thead>
            <tr>
              <th scope="col">{bo.auditWhen}</th>
              <th scope="col">{bo.auditEvent}</th>
              <th scope="col">{bo.auditOutcome}</th>
              <th scope="col">{bo.auditActorCol}</th>
              <th scope="col">{bo.auditAccount}</th>
              <th scope="col">{bo.auditTarget}</th>
              <th scope="col">{bo.auditIp}</th>
              <th scope="col">{bo.auditDetails}</th>
            </tr>
          </thead>
          <tbody>
            {p.entries.map((e) => {
              const lines = detailLines(e.details);
              return (
                <tr>
                  <td data-label={bo.auditWhen} class="nowrap">
                    {p.when(e.at)}
                  </td>
                  <td data-label={bo.auditEvent}>{eventLabel(e.event)}</td>
                  <td data-label={bo.auditOutcome}>{au.outcomes[e.outcome] ?? readable(e.outcome)}</td>
                  <td class="long" data-label={bo.auditActorCol}>
                    <Breakable text={au.actor(au.actors[e.actorType] ?? readable(e.actorType), e.actorId)} />
                  </td>
                  <td data-label={bo.auditAccount}>{e.accountCode ?? ''}</td>
                  {/* The account's code is in its own column: "Cible" does not repeat it. */}
                  <td class="long" data-label={bo.auditTarget}>{e.target !== null && e.target === e.accountCode ? '' : <Breakable text={targetLabel(e.target)} />}</td>
                  <td data-label={bo.auditIp} class="nowrap">
                    {e.ip ?? ''}
                  </td>
                  <td data-label={bo.auditDetails} class="details long">
                    {lines.length === 0 ? (
                      ''
                    ) : (
                      <ul class="details-list">
                        {lines.map((line) => (
                          <li>{line}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </ScrollTable>
      )}
    </BackOfficeLayout>
  );
}
