/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { type Catalogue, fr } from '../shared/i18n/fr.js';
import { type Child, Fragment, h, type Html } from './jsx.js';

/**
 * Field name → message, in the order the fields appear. The form helpers below take the page's
 * catalogue as `t` (a customer view passes `ctx.t`); without it they speak French (the back office).
 */
export type FieldErrors = Record<string, string>;

export function CsrfField({ token }: { token: string }): Html {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** Summary at the top of a failed form, each message linking to its field. */
export function ErrorSummary({ errors, t = fr }: { errors: FieldErrors; t?: Catalogue }): Html {
  const entries = Object.entries(errors);
  if (entries.length === 0) return <></>;
  return (
    <div class="error-summary" role="alert" tabindex="-1" id="resume-erreurs">
      <h2>{t.site.errorSummaryTitle}</h2>
      <ul>
        {entries.map(([field, message]) => (
          <li>
            <a href={`#${field}`}>{message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export interface FieldProps {
  name: string;
  label: string;
  value?: string;
  error?: string;
  hint?: string;
  type?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: string;
  readonly?: boolean;
  maxlength?: number;
  /** An example of the expected form ("jj/mm/aaaa"), shown while the field is empty. */
  placeholder?: string;
  /** Marked invalid although its message is elsewhere (in the error summary, which describes it). */
  invalid?: boolean;
  /** The control's width by its content (app.css): a 5-digit code, a short value, a long one. */
  width?: 'code' | 'short' | 'wide';
  /** A new-password field: a live strength status under it (public/app.js), same rules as the server. */
  meter?: { minLength: number; words: string[]; context?: string };
  /** The page's catalogue (error prefix, strength meter); French when absent. */
  t?: Catalogue;
}

/** A labelled input with its hint and error tied to it for screen readers. */
export function Field(p: FieldProps): Html {
  const t = p.t ?? fr;
  const invalid = p.error !== undefined || p.invalid === true;
  const describedBy = [p.hint ? `${p.name}-aide` : null, p.error ? `${p.name}-erreur` : p.invalid ? 'resume-erreurs' : null].filter(Boolean).join(' ');
  const cls = ['field', p.width ? `field-${p.width}` : null, invalid ? 'field-error' : null].filter(Boolean).join(' ');
  return (
    <div class={cls}>
      <label for={p.name}>
        {p.label}
        {p.required ? <span class="required" aria-hidden="true"> *</span> : null}
      </label>
      {p.hint ? (
        <p class="hint" id={`${p.name}-aide`}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p class="error" id={`${p.name}-erreur`}>
          <span class="visually-hidden">{t.site.fieldErrorPrefix}</span>
          {p.error}
        </p>
      ) : null}
      <input
        id={p.name}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value}
        required={p.required}
        aria-required={p.required ? 'true' : undefined}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        readonly={p.readonly}
        maxlength={p.maxlength}
        placeholder={p.placeholder}
        data-force-min={p.meter ? String(p.meter.minLength) : undefined}
        data-force-mots={p.meter ? p.meter.words.join(' ') : undefined}
      />
      {p.meter ? (
        <p
          class="meter"
          id={`${p.name}-force`}
          aria-live="polite"
          data-vide={t.meter.empty(p.meter.minLength)}
          data-court={t.meter.short}
          data-court-un={t.meter.shortOne}
          data-long={t.meter.long}
          data-previsible={t.meter.trivial}
          data-contexte={p.meter.context ?? t.meter.context}
          data-ok={t.meter.ok}
        >
          {t.meter.empty(p.meter.minLength)}
        </p>
      ) : null}
    </div>
  );
}

/**
 * New password and its confirmation, as on the activation, security and staff setup pages: the
 * rules stated before typing, `new-password` for password managers, the strength meter.
 */
export function NewPasswordFields(p: { labels: { password: string; confirmation: string }; minLength: number; rules?: string; words: string[]; errors: FieldErrors; t?: Catalogue; meterContext?: string }): Html {
  const t = p.t ?? fr;
  return (
    <>
      <Field
        name="mot_de_passe"
        label={p.labels.password}
        hint={p.rules ?? t.activation.rules(p.minLength)}
        type="password"
        error={p.errors.mot_de_passe}
        meter={{ minLength: p.minLength, words: meterWords(p.words), context: p.meterContext }}
        t={t}
        required
        autocomplete="new-password"
        maxlength={1024}
      />
      <Field name="confirmation" label={p.labels.confirmation} type="password" error={p.errors.confirmation} required autocomplete="new-password" maxlength={1024} t={t} />
    </>
  );
}

/** The words a password may not contain, as the client-side meter needs them (lower case, no accents). */
export function meterWords(words: string[]): string[] {
  const out = new Set<string>();
  for (const raw of words) {
    const folded = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    const local = folded.includes('@') ? folded.split('@')[0]! : folded;
    for (const w of [local.replace(/\s+/g, ''), ...local.split(/[^a-z0-9]+/)]) if (w.length >= 4) out.add(w);
  }
  return [...out];
}

/** A one-button POST form (CSRF field included), for an action such as "Fermer toutes les sessions". */
export function PostButton({ ctx, action, label, variant, small, children }: { ctx: { csrfToken: string }; action: string; label: string; variant?: 'primary' | 'danger'; small?: boolean; children?: Child }): Html {
  const cls = ['button', variant ? `button-${variant}` : null, small ? 'button-small' : null].filter(Boolean).join(' ');
  return (
    <form method="post" action={action} class="inline-form">
      <CsrfField token={ctx.csrfToken} />
      {children}
      <button type="submit" class={cls}>
        {label}
      </button>
    </form>
  );
}
