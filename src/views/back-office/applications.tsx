/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors, PostButton } from '../forms.js';
import { h, type Html } from '../jsx.js';
import { type PageContext, ScrollTable } from '../layout.js';
import { BackOfficeLayout, BackOfficeNotice, type BackOfficeUser } from './layout.js';

const t = fr.ssoAdmin;

export interface ApplicationsPageProps {
  ctx: PageContext;
  staff: BackOfficeUser;
  /** What a shop's OpenID Connect module asks for first. */
  discoveryUrl: string;
  clients: Array<{ clientId: string; name: string; redirectUris: string[]; homeUrl: string | null; backchannelLogoutUri: string | null; pkceRequired: boolean; disabled: boolean }>;
  notice?: string;
  errors?: FieldErrors;
  form?: Record<string, string | undefined>;
  /** A client just registered: its secret, shown this once. */
  created?: { name: string; clientId: string; clientSecret: string };
}

/** The shops and portals that sign their users in through Espace Pro (OpenID Connect clients). */
export function ApplicationsPage(p: ApplicationsPageProps): Html {
  const errors = p.errors ?? {};
  const form = p.form ?? {};
  return (
    <BackOfficeLayout ctx={p.ctx} staff={p.staff} title={t.title} current="applications" hasError={Object.keys(errors).length > 0}>
      <h1 id="applications-titre">{t.title}</h1>
      <p>{t.intro(p.discoveryUrl)}</p>
      {p.notice ? <BackOfficeNotice kind="success">{p.notice}</BackOfficeNotice> : null}
      {p.created ? (
        <div class="notice notice-info" role="status">
          <p>{t.createdIntro(p.created.name)}</p>
          <dl class="facts">
            <dt>client_id</dt>
            <dd>
              <code>{p.created.clientId}</code>
            </dd>
            <dt>client_secret</dt>
            <dd>
              <code>{p.created.clientSecret}</code>
            </dd>
          </dl>
        </div>
      ) : null}
      {p.clients.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <ScrollTable labelledBy="applications-titre" tableClass="dense">
          <thead>
            <tr>
              <th scope="col">{t.name}</th>
              <th scope="col">client_id</th>
              <th scope="col">{t.redirect}</th>
              <th scope="col">{t.pkce}</th>
              <th scope="col">{t.status}</th>
              <th scope="col">{t.actions}</th>
            </tr>
          </thead>
          <tbody>
            {p.clients.map((c) => (
              <tr>
                <td>{c.name}</td>
                <td>
                  <code>{c.clientId}</code>
                </td>
                <td>{c.redirectUris.join(' ')}</td>
                <td>{c.pkceRequired ? t.pkceRequired : <strong class="pkce-exception">{t.pkceNotRequired}</strong>}</td>
                <td>{c.disabled ? t.disabled : t.active}</td>
                <td>
                  <PostButton ctx={p.ctx} action={`/back-office/applications/${c.clientId}/${c.disabled ? 'activer' : 'desactiver'}`} label={c.disabled ? t.enable : t.disable} variant={c.disabled ? undefined : 'danger'} />
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      <section class="panel" aria-labelledby="nouvelle-application-titre">
        <h2 id="nouvelle-application-titre">{t.createHeading}</h2>
        <ErrorSummary errors={errors} />
        <form method="post" action="/back-office/applications" novalidate>
          <CsrfField token={p.ctx.csrfToken} />
          <Field name="nom" label={t.name} value={form.nom ?? ''} error={errors.nom} required maxlength={100} />
          <Field name="redirection" label={t.redirect} hint={t.redirectHint} type="url" value={form.redirection ?? ''} error={errors.redirection} required maxlength={2000} />
          <Field name="deconnexion" label={t.postLogout} type="url" value={form.deconnexion ?? ''} error={errors.deconnexion} maxlength={2000} />
          <Field name="backchannel" label={t.backchannel} type="url" value={form.backchannel ?? ''} error={errors.backchannel} maxlength={2000} />
          <Field name="accueil" label={t.home} hint={t.homeHint} type="url" value={form.accueil ?? ''} error={errors.accueil} maxlength={2000} />
          <div class="field field-checkbox">
            <input type="checkbox" id="sans_pkce" name="sans_pkce" value="on" aria-describedby="sans_pkce-avertissement" checked={form.sans_pkce === 'on'} />
            <label for="sans_pkce">{t.noPkce}</label>
            <p id="sans_pkce-avertissement" class="hint warning">
              {t.noPkceWarning}
            </p>
            {errors.sans_pkce ? <p class="error">{errors.sans_pkce}</p> : null}
          </div>
          <button type="submit" class="button button-primary">
            {t.createSubmit}
          </button>
        </form>
      </section>
    </BackOfficeLayout>
  );
}
