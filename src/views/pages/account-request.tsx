/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { Catalogue } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../forms.js';
import { h, type Html } from '../jsx.js';
import { Layout, type PageContext } from '../layout.js';

/** The form's values by field name, as typed (kept on a failed submit). */
export type AccountRequestValues = Partial<Record<string, string>>;

export interface AccountRequestPageProps {
  ctx: PageContext;
  values?: AccountRequestValues;
  errors?: FieldErrors;
  /** Characters allowed per field, mirrored in the maxlength attributes. */
  maxLengths: Record<string, number>;
  /** REQUEST_RETENTION_DAYS, stated in the privacy notice. */
  retentionDays: number;
}

/** A labelled textarea, wired for screen readers like Field. */
function TextAreaField(p: { name: string; label: string; value?: string; error?: string; hint?: string; maxlength?: number; t: Catalogue }): Html {
  const describedBy = [p.hint ? `${p.name}-aide` : null, p.error ? `${p.name}-erreur` : null].filter(Boolean).join(' ');
  return (
    <div class={p.error ? 'field field-error' : 'field'}>
      <label for={p.name}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.name}-aide`}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p class="error" id={`${p.name}-erreur`}>
          <span class="visually-hidden">{p.t.site.fieldErrorPrefix}</span>
          {p.error}
        </p>
      ) : null}
      <textarea
        id={p.name}
        name={p.name}
        rows="6"
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        maxlength={p.maxlength}
      >
        {p.value ?? ''}
      </textarea>
    </div>
  );
}

/** "Demande d'ouverture de compte" (PRODUCT.md page 9). */
export function AccountRequestPage({ ctx, values, errors = {}, maxLengths, retentionDays }: AccountRequestPageProps): Html {
  const t = ctx.t.accountRequest;
  const v = values ?? { pays: t.defaultCountry };
  const field = (name: keyof typeof t.labels, extra: { required?: boolean; type?: string; autocomplete?: string; inputmode?: string; hint?: string; width?: 'code' | 'short' | 'wide' } = {}) => (
    <Field t={ctx.t} name={name} label={t.labels[name]} value={v[name]} error={errors[name]} maxlength={maxLengths[name]} {...extra} />
  );
  return (
    <Layout ctx={ctx} title={t.title} hasError={Object.keys(errors).length > 0}>
      <h1>{t.title}</h1>
      <div class="panel narrow">
        <p>{t.intro}</p>
        <ErrorSummary errors={errors} t={ctx.t} />
        <form method="post" action="/ouverture-de-compte" novalidate>
          <CsrfField token={ctx.csrfToken} />
          <p class="legend">{ctx.t.site.requiredLegend}</p>
          <fieldset class="group">
            <legend>{t.companySection}</legend>
            {field('raison_sociale', { required: true, autocomplete: 'organization' })}
            {field('code_client', { inputmode: 'numeric', autocomplete: 'off', hint: t.hints.code_client, width: 'code' })}
            {field('siret', { inputmode: 'numeric', autocomplete: 'off', hint: t.hints.siret, width: 'short' })}
          </fieldset>
          <fieldset class="group">
            <legend>{t.contactSection}</legend>
            {field('nom', { required: true, autocomplete: 'family-name' })}
            {field('prenom', { required: true, autocomplete: 'given-name' })}
            {field('email', { required: true, type: 'email', autocomplete: 'email' })}
            {field('telephone', { required: true, type: 'tel', autocomplete: 'tel', hint: t.hints.telephone })}
            {field('adresse', { autocomplete: 'street-address', width: 'wide' })}
            {field('code_postal', { autocomplete: 'postal-code', width: 'code' })}
            {field('ville', { autocomplete: 'address-level2' })}
            {field('pays', { autocomplete: 'country-name' })}
          </fieldset>
          <TextAreaField t={ctx.t} name="message" label={t.labels.message} value={v.message} error={errors.message} hint={t.hints.message(maxLengths.message ?? 0)} maxlength={maxLengths.message} />
          {/* Honeypot: people never see it and screen readers skip it; robots fill it in. */}
          <div class="visually-hidden" aria-hidden="true">
            <label for="site_web">{t.honeypotLabel}</label>
            <input type="text" id="site_web" name="site_web" value="" tabindex="-1" autocomplete="off" />
          </div>
          {/* Read before sending (S42): the notice comes before the button. */}
          <PrivacyNotice ctx={ctx} retentionDays={retentionDays} />
          <button type="submit" class="button button-primary">
            {t.submit}
          </button>
        </form>
      </div>
    </Layout>
  );
}

/** S42: what the form collects, why, for how long, the requester's rights and whom to ask. */
export function PrivacyNotice({ ctx, retentionDays }: { ctx: PageContext; retentionDays: number }): Html {
  const b = ctx.branding;
  const t = ctx.t;
  return (
    <aside class="privacy-notice" aria-labelledby="donnees-personnelles">
      <h2 id="donnees-personnelles">{t.privacyNotice.heading}</h2>
      <p>{t.privacyNotice.purpose(ctx.brandName)}</p>
      <p>{t.privacyNotice.retention(retentionDays)}</p>
      <p>
        {t.privacyNotice.rights(b?.supportEmail ?? null)} <a href={b?.privacyUrl ?? '/confidentialite'}>{t.privacyNotice.more}</a>
      </p>
    </aside>
  );
}

/** The one answer to every accepted submission (S33). */
export function AccountRequestThanksPage({ ctx }: { ctx: PageContext }): Html {
  const t = ctx.t.accountRequest;
  return (
    <Layout ctx={ctx} title={t.thanksTitle}>
      <h1>{t.thanksTitle}</h1>
      <div class="panel narrow">
        <p>{t.thanksBody}</p>
        <p>{t.thanksSpam}</p>
        <p>
          <a class="button" href="/connexion">
            {t.backToLogin}
          </a>
        </p>
      </div>
    </Layout>
  );
}
