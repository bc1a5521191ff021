/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { getSecurityOverview } from '../../modules/account-security/account-security.service.js';
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors, NewPasswordFields } from '../forms.js';
import { Fragment, h, type Html } from '../jsx.js';
import { PasskeyInvitation, PasskeyScripts, PasskeysSummary } from './passkeys.js';
import { Layout, Notice, type PageContext, ScrollTable } from '../layout.js';

export interface AccountPageProps {
  ctx: PageContext;
  company: string;
  code: string;
  /** Single sign-on: applications the customer can open, already signed in (src/modules/sso). */
  apps?: Array<{ name: string; homeUrl: string }>;
  /** Passkeys: invite to add one (after a password sign-in; shown only where WebAuthn works). */
  passkeyInvitation?: boolean;
}

/** "Mon Espace Pro": greeting, identifier, the way to the "Sécurité" page, and "Se déconnecter". */
export function AccountPage({ ctx, company, code, apps = [], passkeyInvitation }: AccountPageProps): Html {
  return (
    <Layout ctx={ctx} title={fr.account.title} signedIn>
      <h1>{fr.account.title}</h1>
      <p class="greeting">{fr.account.greeting(company)}</p>
      <dl class="facts">
        <dt>{fr.account.identifierLabel}</dt>
        <dd>{code}</dd>
      </dl>
      {passkeyInvitation ? (
        <>
          <PasskeyInvitation ctx={ctx} />
          <PasskeyScripts />
        </>
      ) : null}
      {apps.length > 0 ? (
        <section class="panel" aria-labelledby="applications-titre">
          <h2 id="applications-titre">{fr.sso.appsTitle}</h2>
          <p>{fr.sso.appsIntro}</p>
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
        <h2 id="securite-titre">{fr.security.heading}</h2>
        <p>{fr.security.summary}</p>
        <p>
          <a class="button" href="/espace-pro/securite">
            {fr.security.open}
          </a>
        </p>
      </section>
    </Layout>
  );
}

export interface SecurityPageProps {
  ctx: PageContext;
  code: string;
  security: Awaited<ReturnType<typeof getSecurityOverview>>;
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
  return (
    <Layout ctx={ctx} title={fr.security.title} hasError={Object.keys(errors).length > 0} signedIn>
      <p class="breadcrumb">
        <a href="/espace-pro">{fr.account.title}</a>
      </p>
      <h1 id="securite-titre">{fr.security.title}</h1>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <section id="securite" aria-labelledby="securite-titre">
        <section class="panel" aria-labelledby="mdp-titre">
          <h2 id="mdp-titre">{fr.security.changeHeading}</h2>
          <ErrorSummary errors={errors} />
          <form method="post" action="/espace-pro/mot-de-passe" novalidate>
            <CsrfField token={ctx.csrfToken} />
            <input type="text" name="identifiant" value={code} autocomplete="username" hidden aria-hidden="true" tabindex="-1" readonly />
            <Field name="actuel" label={fr.security.current} type="password" error={errors.actuel} required autocomplete="current-password" maxlength={1024} />
            <NewPasswordFields labels={{ password: fr.security.newPassword, confirmation: fr.security.confirmation }} minLength={minLength} words={words} errors={errors} />
            <p class="legend">{fr.site.requiredLegend}</p>
            <button type="submit" class="button button-primary">
              {fr.security.changeSubmit}
            </button>
          </form>
        </section>

        {passkeys !== undefined ? <PasskeysSummary count={passkeys} /> : null}

        <section class="panel" aria-labelledby="sessions-titre">
          <h2 id="sessions-titre">{fr.security.sessionsHeading}</h2>
          <p>{fr.security.sessionsIntro}</p>
          <ScrollTable labelledBy="sessions-titre" tableClass="cards">
            <thead>
              <tr>
                <th scope="col">{fr.security.browser}</th>
                <th scope="col">{fr.security.place}</th>
                <th scope="col">{fr.security.lastSeen}</th>
                <th scope="col">
                  <span class="visually-hidden">{fr.security.revoke}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {security.sessions.map((s) => (
                <tr>
                  <td data-label={fr.security.browser}>
                    {s.browser}
                    {s.current ? <strong class="badge"> ({fr.security.thisDevice})</strong> : null}
                  </td>
                  <td data-label={fr.security.place}>{s.place}</td>
                  <td data-label={fr.security.lastSeen}>{s.lastSeen}</td>
                  <td class="cell-action">
                    <form method="post" action="/espace-pro/sessions/revoquer">
                      <CsrfField token={ctx.csrfToken} />
                      <input type="hidden" name="session" value={s.id} />
                      <button type="submit" class="button button-small" aria-label={fr.security.revokeLabel(`${s.browser}, ${s.lastSeen}`)}>
                        {fr.security.revoke}
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        </section>

        <section class="panel" aria-labelledby="appareils-titre">
          <h2 id="appareils-titre">{fr.security.devicesHeading}</h2>
          <p>{fr.security.devicesIntro}</p>
          {security.devices.length === 0 ? (
            <p>{fr.security.noDevices}</p>
          ) : (
            <ScrollTable labelledBy="appareils-titre" tableClass="cards">
              <thead>
                <tr>
                  <th scope="col">{fr.security.browser}</th>
                  <th scope="col">{fr.security.since}</th>
                  <th scope="col">{fr.security.until}</th>
                  <th scope="col">
                    <span class="visually-hidden">{fr.security.revoke}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {security.devices.map((d) => (
                  <tr>
                    <td data-label={fr.security.browser}>
                      {d.browser ?? '—'}
                      {d.current ? <strong class="badge"> ({fr.security.thisDevice})</strong> : null}
                    </td>
                    <td data-label={fr.security.since}>{d.since}</td>
                    <td data-label={fr.security.until}>{d.until}</td>
                    <td class="cell-action">
                      <form method="post" action="/espace-pro/appareils/revoquer">
                        <CsrfField token={ctx.csrfToken} />
                        <input type="hidden" name="appareil" value={d.series} />
                        <button type="submit" class="button button-small" aria-label={fr.security.revokeLabel(`${d.browser ?? ''} ${d.since}`)}>
                          {fr.security.revoke}
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </ScrollTable>
          )}
        </section>

        <section class="panel" aria-labelledby="applications-titre">
          <h2 id="applications-titre">{fr.sso.grantsTitle}</h2>
          {applications.length === 0 ? (
            <p>{fr.sso.grantsNone}</p>
          ) : (
            <ul>
              {applications.map((a) => (
                <li>
                  {a.name}{' '}
                  <form method="post" action="/espace-pro/applications/revoquer" class="inline-form">
                    <CsrfField token={ctx.csrfToken} />
                    <input type="hidden" name="application" value={a.clientId} />
                    <button type="submit" class="button button-small" aria-label={fr.security.revokeLabel(a.name)}>
                      {fr.sso.grantsRevoke}
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section class="panel" aria-labelledby="activite-titre">
          <h2 id="activite-titre">{fr.security.activityHeading}</h2>
          <p>{fr.security.activityIntro}</p>
          {security.activity.length === 0 ? (
            <p>{fr.security.noActivity}</p>
          ) : (
            <ScrollTable labelledBy="activite-titre" tableClass="cards">
              <thead>
                <tr>
                  <th scope="col">{fr.security.date}</th>
                  <th scope="col">{fr.security.result}</th>
                  <th scope="col">{fr.security.browser}</th>
                  <th scope="col">{fr.security.place}</th>
                </tr>
              </thead>
              <tbody>
                {security.activity.map((a) => (
                  <tr>
                    <td data-label={fr.security.date}>{a.at}</td>
                    <td data-label={fr.security.result}>{a.success ? fr.security.success : <strong>{fr.security.failure}</strong>}</td>
                    <td data-label={fr.security.browser}>{a.browser}</td>
                    <td data-label={fr.security.place}>{a.place}</td>
                  </tr>
                ))}
              </tbody>
            </ScrollTable>
          )}
        </section>
      </section>
    </Layout>
  );
}
