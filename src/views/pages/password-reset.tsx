/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors, NewPasswordFields } from '../forms.js';
import { h, type Html } from '../jsx.js';
import { Layout, type PageContext } from '../layout.js';

export function ResetRequestPage({ ctx, identifier, email, errors = {} }: { ctx: PageContext; identifier?: string; email?: string; errors?: FieldErrors }): Html {
  return (
    <Layout ctx={ctx} title={fr.reset.title} hasError={Object.keys(errors).length > 0}>
      <h1>{fr.reset.title}</h1>
      <div class="panel narrow">
        <p>{fr.reset.intro}</p>
        <ErrorSummary errors={errors} />
        <form method="post" action="/mot-de-passe-oublie" novalidate>
          <CsrfField token={ctx.csrfToken} />
          <Field
            name="identifiant"
            label={fr.reset.identifier}
            hint={fr.reset.identifierHint}
            value={identifier}
            error={errors.identifiant}
            required
            autocomplete="username"
            maxlength={254}
          />
          <Field name="email" label={fr.reset.email} hint={fr.reset.emailHint} type="email" value={email} error={errors.email} required autocomplete="email" maxlength={254} />
          <p class="legend">{fr.site.requiredLegend}</p>
          <button type="submit" class="button button-primary">
            {fr.reset.submit}
          </button>
        </form>
        <p class="aside">
          {fr.reset.newHere} <a href="/ouverture-de-compte">{fr.reset.requestAccount}</a>
        </p>
      </div>
    </Layout>
  );
}

/** The one neutral answer, whatever was typed (S15). */
export function ResetSentPage({ ctx, duration }: { ctx: PageContext; duration: string }): Html {
  return (
    <Layout ctx={ctx} title={fr.reset.sentTitle}>
      <h1>{fr.reset.sentTitle}</h1>
      <div class="panel narrow">
        <p>{fr.reset.sentBody(duration)}</p>
        <p>{fr.reset.sentSpam}</p>
        <h2>{fr.reset.problemsTitle}</h2>
        <p>{fr.reset.problemsBody}</p>
        <p>
          {fr.reset.problemsAction} <a href="/ouverture-de-compte">{fr.reset.requestAccount}</a>
        </p>
        <p>
          <a class="button" href="/connexion">
            {fr.reset.backToLogin}
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
  return (
    <Layout ctx={ctx} title={fr.activation.title} hasError={Object.keys(errors).length > 0}>
      <h1>{fr.activation.title}</h1>
      <div class="panel narrow">
        {intro ? <p>{intro}</p> : null}
        <ErrorSummary errors={errors} />
        <form method="post" action={action} novalidate>
          <CsrfField token={ctx.csrfToken} />
          <h2>{fr.activation.yourAccount}</h2>
          <Field name="identifiant" label={fr.activation.identifier} value={code} readonly autocomplete="username" />
          <NewPasswordFields labels={{ password: fr.activation.password, confirmation: fr.activation.confirmation }} minLength={minLength} words={words} errors={errors} />
          <p class="legend">{fr.site.requiredLegend}</p>
          <button type="submit" class="button button-primary">
            {fr.activation.submit}
          </button>
        </form>
      </div>
    </Layout>
  );
}
