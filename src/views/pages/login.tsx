/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../forms.js';
import { h, type Html } from '../jsx.js';
import { Layout, Notice, type PageContext } from '../layout.js';
import { PasskeyScripts, PasskeySignIn } from './passkeys.js';

export interface LoginPageProps {
  ctx: PageContext;
  identifier?: string;
  remember?: boolean;
  next?: string | null;
  errors?: FieldErrors;
  notice?: string;
  /** One failure message for the whole form (S6): shown once, in the summary, which links to the field. */
  errorInSummaryOnly?: boolean;
}

export function LoginPage({ ctx, identifier, remember, next, errors = {}, notice, errorInSummaryOnly }: LoginPageProps): Html {
  const t = ctx.t;
  const hasError = Object.keys(errors).length > 0;
  return (
    <Layout ctx={ctx} title={t.login.title} hasError={hasError}>
      <h1>{t.login.title}</h1>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <div class="panels">
        <section class="panel" aria-labelledby="ouverture-titre">
          <h2 id="ouverture-titre">{t.login.openingHeading}</h2>
          <p>{t.login.newHere}</p>
          <p>
            <a class="button" href="/ouverture-de-compte">
              {t.login.requestAccount}
            </a>
          </p>
        </section>
        <section class="panel panel-login" aria-labelledby="inscrit-titre">
          <h2 id="inscrit-titre">{t.login.registeredHeading}</h2>
          <ErrorSummary errors={errors} t={t} />
          <form method="post" action="/connexion" novalidate>
            <CsrfField token={ctx.csrfToken} />
            {next ? <input type="hidden" name="next" value={next} /> : null}
            <p class="legend">{t.site.requiredLegend}</p>
            <Field t={t}
              name="identifiant"
              label={t.login.identifier}
              hint={t.login.identifierHint}
              value={identifier}
              error={errorInSummaryOnly ? undefined : errors.identifiant}
              invalid={errors.identifiant !== undefined}
              required
              autocomplete="username webauthn"
              maxlength={254}
            />
            <Field t={t} name="mot_de_passe" label={t.login.password} type="password" error={errors.mot_de_passe} required autocomplete="current-password" maxlength={1024} />
            <div class="field field-checkbox">
              <input type="checkbox" id="memoriser" name="memoriser" value="1" checked={remember} />
              <label for="memoriser">{t.login.remember}</label>
            </div>
            <p>
              <a href="/mot-de-passe-oublie">{t.login.forgot}</a>
            </p>
            <button type="submit" class="button button-primary">
              {t.login.submit}
            </button>
          </form>
          <PasskeySignIn t={t} next={next} autofill={errors.cle === undefined} />
        </section>
      </div>
      <PasskeyScripts />
    </Layout>
  );
}
