/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { CsrfField, ErrorSummary, Field, type FieldErrors, NewPasswordFields } from '../forms.js';
import { h, type Html } from '../jsx.js';
import { Layout, type PageContext } from '../layout.js';

export function ResetRequestPage({ ctx, identifier, email, errors = {} }: { ctx: PageContext; identifier?: string; email?: string; errors?: FieldErrors }): Html {
  const t = ctx.t;
  return (
    <Layout ctx={ctx} title={t.reset.title} hasError={Object.keys(errors).length > 0}>
      <h1>{t.reset.title}</h1>
      <div class="panel narrow">
        <p>{t.reset.intro}</p>
        <ErrorSummary errors={errors} t={t} />
        <form method="post" action="/mot-de-passe-oublie" novalidate>
          <CsrfField token={ctx.csrfToken} />
          <Field t={t}
            name="identifiant"
            label={t.reset.identifier}
            hint={t.reset.identifierHint}
            value={identifier}
            error={errors.identifiant}
            required
            autocomplete="username"
            maxlength={254}
          />
          <Field t={t} name="email" label={t.reset.email} hint={t.reset.emailHint} type="email" value={email} error={errors.email} required autocomplete="email" maxlength={254} />
          <p class="legend">{t.site.requiredLegend}</p>
          <button type="submit" class="button button-primary">
            {t.reset.submit}
          </button>
        </form>
        <p class="aside">
          {t.reset.newHere} <a href="/ouverture-de-compte">{t.reset.requestAccount}</a>
        </p>
      </div>
    </Layout>
  );
}

/** The one neutral answer, whatever was typed (S15). */
export function ResetSentPage({ ctx, duration }: { ctx: PageContext; duration: string }): Html {
  const t = ctx.t;
  return (
    <Layout ctx={ctx} title={t.reset.sentTitle}>
      <h1>{t.reset.sentTitle}</h1>
      <div class="panel narrow">
        <p>{t.reset.sentBody(duration)}</p>
        <p>{t.reset.sentSpam}</p>
        <h2>{t.reset.problemsTitle}</h2>
        <p>{t.reset.problemsBody}</p>
        <p>
          {t.reset.problemsAction} <a href="/ouverture-de-compte">{t.reset.requestAccount}</a>
        </p>
        <p>
          <a class="button" href="/connexion">
            {t.reset.backToLogin}
          </a>
        </p>
      </div>
    </Layout>
  );
}

export interface ActivationPageProps {
  ctx: PageContext;
  code: string;
  minLength: number;
  /** Brand, code and e-mail: what the strength meter warns against, like the server. */
  words: string[];
  errors?: FieldErrors;
  /** Where the form posts: the activation link's page, or an invitation's (src/modules/company). */
  action?: string;
  /** A line above the form (an invitation: which company, who invited). */
  intro?: string;
}

/** "Activation / Réinitialisation compte utilisateur", as the seed shows it. */
export function ActivationPage({ ctx, code, minLength, words, errors = {}, action = '/activation', intro }: ActivationPageProps): Html {
  const t = ctx.t;
  return (
    <Layout ctx={ctx} title={t.activation.title} hasError={Object.keys(errors).length > 0}>
      <h1>{t.activation.title}</h1>
      <div class="panel narrow">
        {intro ? <p>{intro}</p> : null}
        <ErrorSummary errors={errors} t={t} />
        <form method="post" action={action} novalidate>
          <CsrfField token={ctx.csrfToken} />
          <h2>{t.activation.yourAccount}</h2>
          <Field t={t} name="identifiant" label={t.activation.identifier} value={code} readonly autocomplete="username" />
          <NewPasswordFields t={t} labels={{ password: t.activation.password, confirmation: t.activation.confirmation }} minLength={minLength} words={words} errors={errors} />
          <p class="legend">{t.site.requiredLegend}</p>
          <button type="submit" class="button button-primary">
            {t.activation.submit}
          </button>
        </form>
      </div>
    </Layout>
  );
}
