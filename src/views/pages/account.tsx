/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { CsrfField, ErrorSummary, Field, type FieldErrors, NewPasswordFields } from '../forms.js';
import { Fragment, h, type Html } from '../jsx.js';
import { PasskeyInvitation, PasskeyScripts, PasskeysSummary } from './passkeys.js';
import { DataTable, Layout, Notice, type PageContext, ZoneNote } from '../layout.js';

export interface AccountPageProps {
  ctx: PageContext;
  company: string;
  code: string;
  /** The person's own address, and their role in this company (its French label). */
  email?: string;
  role?: string;
  /** An administrator of the company: the way to "Mon équipe". */
  isAdmin?: boolean;
  /** The person belongs to several companies: "Changer de compte client". */
  canSwitch?: boolean;
  /** Single sign-on: applications the customer can open, already signed in (src/modules/sso). */
  apps?: Array<{ name: string; homeUrl: string }>;
  /** Passkeys: invite to add one (after a password sign-in; shown only where WebAuthn works). */
  passkeyInvitation?: boolean;
}

/** "Mon Espace Pro": greeting, who is signed in to which company, the way to "Sécurité" (and, for administrators, "Mon équipe"). */
export function AccountPage({ ctx, company, code, email, role, isAdmin = false, canSwitch = false, apps = [], passkeyInvitation }: AccountPageProps): Html {
  const t = ctx.t;
  return (
    <Layout ctx={ctx} title={t.account.title} signedIn>
      <h1>{t.account.title}</h1>
      <p class="greeting">{t.account.greeting(company)}</p>
      <dl class="facts">
        <dt>{t.account.customerCodeLabel}</dt>
        <dd>{code}</dd>
        {email !== undefined ? (
          <>
            <dt>{t.account.emailLabel}</dt>
            <dd>{email}</dd>
          </>
        ) : null}
        {role !== undefined ? (
          <>
            <dt>{t.account.roleLabel}</dt>
            <dd>{role}</dd>
          </>
        ) : null}
      </dl>
      {canSwitch ? (
        <p>
          <a href="/espace-pro/compte-client">{t.account.switchCompany}</a>
        </p>
      ) : null}
      {isAdmin ? (
        <section class="panel" aria-labelledby="equipe-titre">
          <h2 id="equipe-titre">{t.team.title}</h2>
          <p>{t.team.summary}</p>
          <p>
            <a class="button" href="/espace-pro/equipe">
              {t.team.open}
            </a>
          </p>
        </section>
      ) : null}
      {passkeyInvitation ? (
        <>
          <PasskeyInvitation ctx={ctx} />
          <PasskeyScripts />
        </>
      ) : null}
      {apps.length > 0 ? (
        <section class="panel" aria-labelledby="applications-titre">
          <h2 id="applications-titre">{t.sso.appsTitle}</h2>
          <p>{t.sso.appsIntro}</p>
          <ul>
            {apps.map((a) => (
              <li>
                <a href={a.homeUrl}>{a.name}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section class="panel" aria-labelledby="securite-titre">
        <h2 id="securite-titre">{t.security.heading}</h2>
        <p>{t.security.summary}</p>
        <p>
          <a class="button" href="/espace-pro/securite">
            {t.security.open}
          </a>
        </p>
      </section>
      <section class="panel" aria-labelledby="donnees-titre">
        <h2 id="donnees-titre">{t.account.ownTitle}</h2>
        <p>{t.account.ownIntro}</p>
        <ul>
          <li>
            <a href="/espace-pro/mes-donnees.json" download>
              {t.account.ownJson}
            </a>
          </li>
          <li>
            <a href="/espace-pro/mes-donnees.csv" download>
              {t.account.ownCsv}
            </a>
          </li>
        </ul>
      </section>
    </Layout>
  );
}

/** What the Sécurité page shows, already formatted (dates in DISPLAY_TIMEZONE, browsers described). */
export interface SecurityOverviewView {
  /** Live sessions; `current` is this browser's. */
  sessions: Array<{ id: string; browser: string; place: string; lastSeen: string; current: boolean }>;
  /** Remember-me series ("Mémoriser mes identifiants"). */
  devices: Array<{ series: string; browser: string | null; since: string; until: string; current: boolean }>;
  /** The last sign-in attempts. */
  activity: Array<{ at: string; success: boolean; browser: string; place: string }>;
}

export interface SecurityPageProps {
  ctx: PageContext;
  code: string;
  security: SecurityOverviewView;
  minLength: number;
  /** Brand, code and e-mail: what the strength meter warns against, like the server. */
  words: string[];
  errors?: FieldErrors;
  notice?: string;
  /** Single sign-on: applications holding tokens for this account, each with "Révoquer". */
  applications?: Array<{ clientId: string; name: string }>;
  /** How many passkeys the customer has (the Clés d’accès panel). */
  passkeys?: number;
}

/** The "Sécurité" page of Mon Espace Pro: password, connected and remembered devices, recent sign-ins. */
export function SecurityPage({ ctx, code, security, minLength, words, errors = {}, notice, applications = [], passkeys }: SecurityPageProps): Html {
  const t = ctx.t;
  return (
    <Layout ctx={ctx} title={t.security.title} hasError={Object.keys(errors).length > 0} signedIn>
      <p class="breadcrumb">
        <a href="/espace-pro">{t.account.title}</a>
      </p>
      <h1 id="securite-titre">{t.security.title}</h1>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <ZoneNote ctx={ctx} />
      <section id="securite" aria-labelledby="securite-titre">
        <section class="panel" aria-labelledby="mdp-titre">
          <h2 id="mdp-titre">{t.security.changeHeading}</h2>
          <ErrorSummary errors={errors} t={t} />
          <form method="post" action="/espace-pro/mot-de-passe" novalidate>
            <CsrfField token={ctx.csrfToken} />
            <input type="text" name="identifiant" value={code} autocomplete="username" hidden aria-hidden="true" tabindex="-1" readonly />
            <Field t={t} name="actuel" label={t.security.current} type="password" error={errors.actuel} required autocomplete="current-password" maxlength={1024} />
            <NewPasswordFields t={t} labels={{ password: t.security.newPassword, confirmation: t.security.confirmation }} minLength={minLength} words={words} errors={errors} />
            <p class="legend">{t.site.requiredLegend}</p>
            <button type="submit" class="button button-primary">
              {t.security.changeSubmit}
            </button>
          </form>
        </section>

        {passkeys !== undefined ? <PasskeysSummary t={t} count={passkeys} /> : null}

        <section class="panel" aria-labelledby="sessions-titre">
          <h2 id="sessions-titre">{t.security.sessionsHeading}</h2>
          <p>{t.security.sessionsIntro}</p>
          <DataTable
            labelledBy="sessions-titre"
            rows={security.sessions}
            columns={[
              {
                label: t.security.browser,
                cell: (s) => (
                  <>
                    {s.browser}
                    {s.current ? <strong class="badge"> ({t.security.thisDevice})</strong> : null}
                  </>
                ),
              },
              { label: t.security.place, cell: (s) => s.place },
              { label: t.security.lastSeen, cell: (s) => s.lastSeen },
              {
                label: t.security.revoke,
                action: true,
                cell: (s) => (
                  <form method="post" action="/espace-pro/sessions/revoquer">
                    <CsrfField token={ctx.csrfToken} />
                    <input type="hidden" name="session" value={s.id} />
                    <button type="submit" class="button button-small" aria-label={t.security.revokeLabel(`${s.browser}, ${s.lastSeen}`)}>
                      {t.security.revoke}
                    </button>
                  </form>
                ),
              },
            ]}
          />
        </section>

        <section class="panel" aria-labelledby="appareils-titre">
          <h2 id="appareils-titre">{t.security.devicesHeading}</h2>
          <p>{t.security.devicesIntro}</p>
          {security.devices.length === 0 ? (
            <p>{t.security.noDevices}</p>
          ) : (
            <DataTable
              labelledBy="appareils-titre"
              rows={security.devices}
              columns={[
                {
                  label: t.security.browser,
                  cell: (d) => (
                    <>
                      {d.browser ?? '—'}
                      {d.current ? <strong class="badge"> ({t.security.thisDevice})</strong> : null}
                    </>
                  ),
                },
                { label: t.security.since, cell: (d) => d.since },
                { label: t.security.until, cell: (d) => d.until },
                {
                  label: t.security.revoke,
                  action: true,
                  cell: (d) => (
                    <form method="post" action="/espace-pro/appareils/revoquer">
                      <CsrfField token={ctx.csrfToken} />
                      <input type="hidden" name="appareil" value={d.series} />
                      <button type="submit" class="button button-small" aria-label={t.security.revokeLabel(`${d.browser ?? ''} ${d.since}`)}>
                        {t.security.revoke}
                      </button>
                    </form>
                  ),
                },
              ]}
            />
          )}
        </section>

        <section class="panel" aria-labelledby="applications-titre">
          <h2 id="applications-titre">{t.sso.grantsTitle}</h2>
          {applications.length === 0 ? (
            <p>{t.sso.grantsNone}</p>
          ) : (
            <ul>
              {applications.map((a) => (
                <li>
                  {a.name}{' '}
                  <form method="post" action="/espace-pro/applications/revoquer" class="inline-form">
                    <CsrfField token={ctx.csrfToken} />
                    <input type="hidden" name="application" value={a.clientId} />
                    <button type="submit" class="button button-small" aria-label={t.security.revokeLabel(a.name)}>
                      {t.sso.grantsRevoke}
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section class="panel" aria-labelledby="activite-titre">
          <h2 id="activite-titre">{t.security.activityHeading}</h2>
          <p>{t.security.activityIntro}</p>
          {security.activity.length === 0 ? (
            <p>{t.security.noActivity}</p>
          ) : (
            <DataTable
              labelledBy="activite-titre"
              rows={security.activity}
              columns={[
                { label: t.security.date, cell: (a) => a.at },
                { label: t.security.result, cell: (a) => (a.success ? t.security.success : <strong>{t.security.failure}</strong>) },
                { label: t.security.browser, cell: (a) => a.browser },
                { label: t.security.place, cell: (a) => a.place },
              ]}
            />
          )}
        </section>
      </section>
    </Layout>
  );
}
