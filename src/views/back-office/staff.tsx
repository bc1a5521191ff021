/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors, NewPasswordFields } from '../forms.js';
import { h, type Html } from '../jsx.js';
import { Notice, type PageContext, ScrollTable, ZoneNote } from '../layout.js';
import { BackOfficeLayout, BackOfficeNotice, type BackOfficeUser, EmailText, StaffPublicLayout } from './layout.js';
import { AdminPasskeys, StaffPasskeyForm } from './passkeys.js';

// ---- sign-in (public layout: nobody is signed in yet) ------------------------------------------

export function StaffLoginPage({ ctx, email, next, errors = {}, notice }: { ctx: PageContext; email?: string; next?: string | null; errors?: FieldErrors; notice?: string }): Html {
  return (
    <StaffPublicLayout ctx={ctx} title={fr.staff.loginTitle} hasError={Object.keys(errors).length > 0}>
      <h1>{fr.staff.loginTitle}</h1>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <div class="panel narrow">
        <p>{fr.staff.loginIntro}</p>
        <ErrorSummary errors={errors} />
        <form method="post" action="/back-office/connexion" novalidate>
          <CsrfField token={ctx.csrfToken} />
          {next ? <input type="hidden" name="next" value={next} /> : null}
          <p class="legend">{fr.site.requiredLegend}</p>
          <Field name="email" label={fr.staff.email} type="email" value={email} error={errors.email} required autocomplete="username" maxlength={254} />
          <Field name="mot_de_passe" label={fr.staff.password} type="password" required autocomplete="current-password" maxlength={1024} />
          <button type="submit" class="button button-primary">
            {fr.staff.loginSubmit}
          </button>
        </form>
      </div>
    </StaffPublicLayout>
  );
}

/** The code form of the second step of sign-in and of the step-up (S38): a TOTP or recovery code. */
function SecondFactorForm({ ctx, action, next, error, submitLabel }: { ctx: PageContext; action: string; next?: string | null; error?: string; submitLabel: string }): Html {
  return (
    <form method="post" action={action} novalidate>
      <CsrfField token={ctx.csrfToken} />
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <Field name="code" label={fr.staff.code} hint={fr.staff.codeHint} error={error} required autocomplete="one-time-code" maxlength={32} />
      <button type="submit" class="button button-primary">
        {submitLabel}
      </button>
    </form>
  );
}

export function StaffCodePage({ ctx, next, errors = {}, passkey }: { ctx: PageContext; next?: string | null; errors?: FieldErrors; passkey?: boolean }): Html {
  return (
    <StaffPublicLayout ctx={ctx} title={fr.staff.codeTitle} hasError={Object.keys(errors).length > 0}>
      <h1>{fr.staff.codeTitle}</h1>
      <div class="panel narrow">
        <p>{fr.staff.codeIntro}</p>
        <ErrorSummary errors={errors} />
        {passkey ? <StaffPasskeyForm ctx={ctx} action="/back-office/connexion/code/cle" next={next} /> : null}
        <SecondFactorForm ctx={ctx} action="/back-office/connexion/code" next={next} error={errors.code} submitLabel={fr.staff.codeSubmit} />
        {/* A link, not a second submit: Enter and the form's only button sign in. Signing in again replaces the half-open session. */}
        <p class="aside">
          <a href="/back-office/connexion">{fr.staff.restart}</a>
        </p>
      </div>
    </StaffPublicLayout>
  );
}

/** S38: a fresh code before a sensitive action, inside the back office. */
export function StaffStepUpPage({ ctx, staff, next, errors = {}, passkey }: { ctx: PageContext; staff: BackOfficeUser; next?: string | null; errors?: FieldErrors; passkey?: boolean }): Html {
  return (
    <BackOfficeLayout ctx={ctx} staff={staff} title={fr.staff.stepUpTitle} hasError={Object.keys(errors).length > 0}>
      <h1>{fr.staff.stepUpTitle}</h1>
      <div class="panel narrow">
        <p>{fr.staff.stepUpIntro}</p>
        <ErrorSummary errors={errors} />
        {passkey ? <StaffPasskeyForm ctx={ctx} action="/back-office/verification/cle" next={next} /> : null}
        <SecondFactorForm ctx={ctx} action="/back-office/verification" next={next} error={errors.code} submitLabel={fr.staff.stepUpSubmit} />
      </div>
    </BackOfficeLayout>
  );
}

// ---- setup link -------------------------------------------------------------------------------

export function StaffSetupPasswordPage({ ctx, email, minLength, errors = {} }: { ctx: PageContext; email: string; minLength: number; errors?: FieldErrors }): Html {
  return (
    <StaffPublicLayout ctx={ctx} title={fr.staff.setupTitle} hasError={Object.keys(errors).length > 0}>
      <h1>{fr.staff.setupTitle}</h1>
      <div class="panel narrow">
        <h2>{fr.staff.setupPasswordHeading}</h2>
        <ErrorSummary errors={errors} />
        <form method="post" action="/back-office/activation" novalidate>
          <CsrfField token={ctx.csrfToken} />
          <Field name="email" label={fr.staff.email} value={email} readonly autocomplete="username" />
          <NewPasswordFields labels={{ password: fr.staff.password, confirmation: fr.staff.confirmation }} rules={fr.staff.setupRules(minLength)} meterContext={fr.staff.meterContext} minLength={minLength} words={[ctx.brandName, email]} errors={errors} />
          <p class="legend">{fr.site.requiredLegend}</p>
          <button type="submit" class="button button-primary">
            {fr.staff.setupPasswordSubmit}
          </button>
        </form>
      </div>
    </StaffPublicLayout>
  );
}

/** The QR code is our own SVG markup (from the qrcode library), passed in already wrapped in Html. */
export function StaffSetupTotpPage({ ctx, qrSvg, secret, errors = {} }: { ctx: PageContext; qrSvg: Html; secret: string; errors?: FieldErrors }): Html {
  return (
    <StaffPublicLayout ctx={ctx} title={fr.staff.setupTitle} hasError={Object.keys(errors).length > 0}>
      <h1>{fr.staff.setupTitle}</h1>
      <div class="panel narrow">
        <h2>{fr.staff.setupTotpHeading}</h2>
        <p>{fr.staff.setupTotpIntro}</p>
        <figure class="totp-qr" role="img" aria-label={fr.staff.setupQrLabel}>
          {qrSvg}
        </figure>
        <p>{fr.staff.setupSecretLabel}</p>
        <p>
          <code class="totp-secret">{secret}</code>
        </p>
        <ErrorSummary errors={errors} />
        <form method="post" action="/back-office/activation/code" novalidate>
          <CsrfField token={ctx.csrfToken} />
          <Field name="code" label={fr.staff.setupCode} error={errors.code} required autocomplete="one-time-code" inputmode="numeric" maxlength={16} />
          <button type="submit" class="button button-primary">
            {fr.staff.setupCodeSubmit}
          </button>
        </form>
      </div>
    </StaffPublicLayout>
  );
}

/**
 * The codes, a print and a copy button (app.js shows them: both need a script), and a confirmation
 * step: "Continuer" goes on only once "Je les ai notés" is ticked. The browser's own check of the
 * required box does that without any script; the codes stay on screen until then.
 */
export function StaffRecoveryCodesPage({ ctx, codes }: { ctx: PageContext; codes: string[] }): Html {
  return (
    <StaffPublicLayout ctx={ctx} title={fr.staff.recoveryTitle}>
      <h1>{fr.staff.recoveryTitle}</h1>
      <div class="panel narrow">
        <p>{fr.staff.recoveryIntro}</p>
        <ul class="recovery-codes" id="codes-secours">
          {codes.map((code) => (
            <li>
              <code>{code}</code>
            </li>
          ))}
        </ul>
        <div class="actions recovery-tools" hidden data-outils-codes="1">
          <button type="button" class="button" data-imprimer="1">
            {fr.staff.recoveryPrint}
          </button>
          <button type="button" class="button" data-copier="codes-secours" data-copie-ok={fr.staff.recoveryCopied}>
            {fr.staff.recoveryCopy}
          </button>
          <span class="copy-status" role="status"></span>
        </div>
        <form method="get" action="/back-office/connexion" class="recovery-confirm">
          <div class="field field-checkbox">
            <input type="checkbox" id="codes-notes" required aria-required="true" />
            <label for="codes-notes">{fr.staff.recoveryNoted}</label>
          </div>
          <button type="submit" class="button button-primary">
            {fr.staff.recoveryContinue}
          </button>
        </form>
      </div>
    </StaffPublicLayout>
  );
}

// ---- signed-in pages --------------------------------------------------------------------------

/** The dashboard's figures (DashboardFigures from back-office/dashboard.service fits). */
export interface DashboardFiguresView {
  requestsWaiting: number;
  oldestRequestAgeMs: number | null;
  lockedAccounts: number;
  unusedLinks: number;
  failedMails: number;
}

/**
 * What customer service opens the back office for: figures first, each a link to the list it
 * counts, then the sections this role may open (no Import for an agent, Applications for admins).
 */
export function DashboardPage({ ctx, staff, notice, figures: figuresOf }: { ctx: PageContext; staff: BackOfficeUser; notice?: string; figures: DashboardFiguresView }): Html {
  const admin = staff.role === 'admin';
  const entries: Array<[string, string, string]> = [
    ['/back-office/demandes', fr.staff.nav.requests, fr.staff.dashboardRequests],
    ['/back-office/comptes', fr.staff.nav.accounts, fr.staff.dashboardAccounts],
    ...(admin ? [['/back-office/import', fr.staff.nav.import, fr.staff.dashboardImport] as [string, string, string]] : []),
    ['/back-office/journal', fr.staff.nav.audit, fr.staff.dashboardAudit],
  ];
  if (admin) entries.push(['/back-office/equipe', fr.staff.nav.team, fr.staff.dashboardTeam], ['/back-office/applications', fr.staff.nav.applications, fr.staff.dashboardApplications]);
  const figures: Array<{ href: string; n: number; label: string; detail?: string }> = [
    {
      href: '/back-office/demandes?etat=new',
      n: figuresOf.requestsWaiting,
      label: fr.staff.figureRequests(figuresOf.requestsWaiting),
      detail: figuresOf.oldestRequestAgeMs === null ? undefined : fr.staff.figureRequestsOldest(fr.time.age(figuresOf.oldestRequestAgeMs)),
    },
    { href: '/back-office/comptes?filtre=verrouilles', n: figuresOf.lockedAccounts, label: fr.staff.figureLocked(figuresOf.lockedAccounts) },
    { href: '/back-office/comptes?filtre=liens-non-utilises', n: figuresOf.unusedLinks, label: fr.staff.figureUnusedLinks(figuresOf.unusedLinks) },
    { href: '/back-office/comptes?filtre=mails-en-echec', n: figuresOf.failedMails, label: fr.staff.figureFailedMails(figuresOf.failedMails) },
  ];
  return (
    <BackOfficeLayout ctx={ctx} staff={staff} title={fr.staff.dashboardTitle} current="dashboard">
      <header class="page-header">
        <h1>{fr.staff.dashboardTitle}</h1>
        <p class="lead">{fr.staff.dashboardIntro}</p>
      </header>
      {notice ? <BackOfficeNotice kind="info">{notice}</BackOfficeNotice> : null}
      <section aria-labelledby="a-traiter">
        <h2 id="a-traiter">{fr.staff.dashboardFiguresHeading}</h2>
        <ul class="figures">
          {figures.map((f) => (
            <li class={f.n > 0 ? 'figure figure-due' : 'figure'}>
              <a href={f.href}>
                <span class="figure-number">{String(f.n)}</span> <span class="figure-label">{f.label}</span>
              </a>
              {f.detail ? <p class="figure-detail">{f.detail}</p> : null}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="rubriques">
        <h2 id="rubriques">{fr.staff.dashboardSectionsHeading}</h2>
        <ul class="dashboard-links">
          {entries.map(([href, label, text]) => (
            <li class="dashboard-card">
              <a href={href}>{label}</a>
              <p>{text}</p>
            </li>
          ))}
        </ul>
      </section>
    </BackOfficeLayout>
  );
}

export interface TeamMemberView {
  id: number;
  email: string;
  role: 'admin' | 'agent';
  status: 'setup_pending' | 'active' | 'disabled';
  lastLogin: string | null;
  /** How many passkeys the member has (admins may remove them). */
  passkeys?: number;
}

export interface TeamPageProps {
  ctx: PageContext;
  staff: BackOfficeUser & { staffId: number };
  members: TeamMemberView[];
  /** Form values kept after an error (never a password: there is none here). */
  form?: { email?: string; role?: string };
  errors?: FieldErrors;
  notice?: string;
  /** A setup link just mailed to a member (never shown: S37). */
  issued?: { email: string; validity: string };
  /** An action refused (SELF, LAST_ADMIN…). */
  problem?: string;
}

/**
 * Staff management (admins only). No password field here or anywhere in the back office: staff
 * never see or set a password, their own included (S5); each member sets theirs through the link.
 */
export function TeamPage({ ctx, staff, members, form = {}, errors = {}, notice, issued, problem }: TeamPageProps): Html {
  const role = form.role ?? 'agent';
  return (
    <BackOfficeLayout ctx={ctx} staff={staff} title={fr.staff.teamTitle} current="team" hasError={Object.keys(errors).length > 0 || problem !== undefined}>
      <h1 id="equipe-titre">{fr.staff.teamTitle}</h1>
      <p>{fr.staff.teamIntro}</p>
      {notice ? <BackOfficeNotice kind="success">{notice}</BackOfficeNotice> : null}
      {problem ? (
        <div class="error-summary" role="alert">
          <p>{problem}</p>
        </div>
      ) : null}
      {issued ? (
        <div class="notice notice-info" role="status">
          <p>{fr.staff.teamLinkMailed(issued.email)}</p>
          <p>{issued.validity}</p>
        </div>
      ) : null}
      <ZoneNote ctx={ctx} />
      <ScrollTable labelledBy="equipe-titre" tableClass="staff-list dense cards">
        <caption class="visually-hidden">{fr.staff.teamTitle}</caption>
        <thead>
          <tr>
            <th scope="col">{fr.staff.teamEmail}</th>
            <th scope="col">{fr.staff.teamRole}</th>
            <th scope="col">{fr.staff.teamStatus}</th>
            <th scope="col">{fr.staff.teamLastLogin}</th>
            <th scope="col">{fr.passkeys.adminColumn}</th>
            <th scope="col">{fr.staff.teamActions}</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr>
              <td class="email" data-label={fr.staff.teamEmail}>
                <EmailText email={m.email} /> {m.id === staff.staffId ? fr.staff.teamYou : null}
              </td>
              <td data-label={fr.staff.teamRole}>{fr.staff.roles[m.role]}</td>
              <td data-label={fr.staff.teamStatus}>{fr.staff.status[m.status]}</td>
              <td data-label={fr.staff.teamLastLogin} class="nowrap">
                {m.lastLogin ?? fr.staff.teamNever}
              </td>
              <td data-label={fr.passkeys.adminColumn}>
                <AdminPasskeys ctx={ctx} count={m.passkeys ?? 0} action={`/back-office/equipe/${m.id}/cles/supprimer`} who={m.email} />
              </td>
              <td data-label={fr.staff.teamActions}>
                {m.id === staff.staffId ? (
                  <a href="/back-office/mon-compte">{fr.staff.accountNav}</a>
                ) : (
                  <div class="actions">
                    <form method="post" action={`/back-office/equipe/${m.id}/${m.status === 'disabled' ? 'activer' : 'desactiver'}`}>
                      <CsrfField token={ctx.csrfToken} />
                      <button type="submit" class={m.status === 'disabled' ? 'button button-small' : 'button button-small button-danger'}>
                        {m.status === 'disabled' ? fr.staff.teamEnable : fr.staff.teamDisable}
                      </button>
                    </form>
                    {m.status === 'disabled' ? null : (
                      <form method="post" action={`/back-office/equipe/${m.id}/lien`}>
                        <CsrfField token={ctx.csrfToken} />
                        <button type="submit" class="button button-small">
                          {fr.staff.teamResend}
                        </button>
                      </form>
                    )}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      <section class="panel" aria-labelledby="ajout-titre">
      <h2 id="ajout-titre">{fr.staff.teamCreateHeading}</h2>
      <ErrorSummary errors={errors} />
      <form method="post" action="/back-office/equipe" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <p class="legend">{fr.site.requiredLegend}</p>
        <Field name="email" label={fr.staff.email} type="email" value={form.email} error={errors.email} required autocomplete="off" maxlength={254} />
        <div class={errors.role ? 'field field-error' : 'field'}>
          <label for="role">
            {fr.staff.teamRole}
            <span class="required" aria-hidden="true">
              {' '}
              *
            </span>
          </label>
          {errors.role ? (
            <p class="error" id="role-erreur">
              <span class="visually-hidden">{fr.site.fieldErrorPrefix}</span>
              {errors.role}
            </p>
          ) : null}
          <select id="role" name="role" required aria-invalid={errors.role ? 'true' : undefined} aria-describedby={errors.role ? 'role-erreur' : undefined}>
            <option value="agent" selected={role === 'agent'}>
              {fr.staff.roles.agent}
            </option>
            <option value="admin" selected={role === 'admin'}>
              {fr.staff.roles.admin}
            </option>
          </select>
        </div>
        <button type="submit" class="button button-primary">
          {fr.staff.teamCreateSubmit}
        </button>
      </form>
      </section>
    </BackOfficeLayout>
  );
}
