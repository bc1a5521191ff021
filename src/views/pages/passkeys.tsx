/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { type Catalogue, fr } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../forms.js';
import { Fragment, h, type Html } from '../jsx.js';
import { DataTable, Layout, Notice, type PageContext, ZoneNote } from '../layout.js';

/**
 * The browser part of passkeys: @simplewebauthn/browser's bundle and our passkeys.js, both our own
 * static files (CSP script-src 'self', no inline script). Every passkey control is rendered
 * `hidden` and shown by passkeys.js only where WebAuthn works: without it, the page is the same as
 * before passkeys.
 */
export function PasskeyScripts(): Html {
  return (
    <>
      <script src="/static/webauthn.js" defer></script>
      <script src="/static/passkeys.js" defer></script>
    </>
  );
}

/**
 * "Se connecter avec une clé d'accès" on Authentification, below the password form. The button
 * asks the options (POST, JSON), runs the ceremony and posts the assertion with this form; the
 * same form serves the conditional request of the Identifiant field's autofill — not on the page
 * that says a passkey sign-in failed, which would otherwise ask again at once.
 */
export function PasskeySignIn({ next, autofill = true, t = fr }: { next?: string | null; autofill?: boolean; t?: Catalogue }): Html {
  return (
    // No CSRF field of its own: the page is rendered once for all visitors with one token slot
    // (S23); passkeys.js copies the password form's token into this form.
    <form method="post" action="/connexion/cle" class="passkey-signin" data-cle="connexion" data-cle-options="/connexion/cle/options" data-cle-erreur={t.passkeys.ceremonyFailed} data-cle-autofill={autofill ? undefined : 'non'} hidden>
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <input type="hidden" name="reponse" value="" />
      <input type="hidden" name="memoriser" value="" disabled />
      <p class="separator">{t.passkeys.or}</p>
      <button type="button" id="cle" class="button">
        {t.passkeys.signIn}
      </button>
      <p class="passkey-message" role="alert" hidden></p>
    </form>
  );
}

/** The add button: options from `optionsUrl`, then the attestation posted to `action`. */
export function AddPasskeyForm({ ctx, action, optionsUrl, label, t = fr }: { ctx: PageContext; action: string; optionsUrl: string; label?: string; t?: Catalogue }): Html {
  label ??= t.passkeys.add;
  return (
    <form method="post" action={action} data-cle="ajout" data-cle-options={optionsUrl} data-cle-erreur={t.passkeys.errors.REGISTRATION_FAILED} hidden>
      <CsrfField token={ctx.csrfToken} />
      <input type="hidden" name="reponse" value="" />
      <button type="button" class="button button-primary">
        {label}
      </button>
      <p class="passkey-message" role="alert" hidden></p>
    </form>
  );
}

/** Shown (by passkeys.js) where no passkey control could be: no WebAuthn, or no JavaScript at all. */
function NeedsSupport({ t = fr }: { t?: Catalogue }): Html {
  return (
    <p class="hint" data-cle-sans-support>
      {t.passkeys.addNeedsSupport}
    </p>
  );
}

/** The invitation on Mon Espace Pro after a password sign-in; invisible where WebAuthn does not work. */
export function PasskeyInvitation({ ctx }: { ctx: PageContext }): Html {
  const t = ctx.t;
  return (
    <section class="panel passkey-invitation" aria-labelledby="invitation-cle-titre" data-cle="invitation" hidden>
      <h2 id="invitation-cle-titre">{t.passkeys.inviteTitle}</h2>
      <p>{t.passkeys.inviteBody}</p>
      <div class="actions">
        <AddPasskeyForm ctx={ctx} t={t} action="/espace-pro/cles" optionsUrl="/espace-pro/cles/options" />
        <form method="post" action="/espace-pro/cles/invitation/refuser" class="inline-form">
          <CsrfField token={ctx.csrfToken} />
          <button type="submit" class="button">
            {t.passkeys.inviteDecline}
          </button>
        </form>
      </div>
    </section>
  );
}

/** The "Clés d'accès" panel of the Sécurité page: a sentence and the link to the passkeys page. */
export function PasskeysSummary({ count, t = fr }: { count: number; t?: Catalogue }): Html {
  return (
    <section class="panel" aria-labelledby="cles-titre">
      <h2 id="cles-titre">{t.passkeys.sectionTitle}</h2>
      <p>{t.passkeys.sectionIntro}</p>
      <p>{t.passkeys.count(count)}</p>
      <p>
        <a class="button" href="/espace-pro/cles">
          {t.passkeys.manage}
        </a>
      </p>
    </section>
  );
}

export interface PasskeyRow {
  id: number;
  name: string;
  created: string;
  lastUsed: string | null;
}

/** The table of one's passkeys: name (editable), creation, last use, Supprimer. Shared by customers and staff. */
export function PasskeyTable({ ctx, passkeys, base, errors = {}, editing, t = fr }: { ctx: PageContext; passkeys: PasskeyRow[]; base: string; errors?: FieldErrors; editing?: number; t?: Catalogue }): Html {
  return (
    <DataTable
      labelledBy="cles-liste"
      caption={{ id: 'cles-liste', text: t.passkeys.tableCaption }}
      rows={passkeys}
      columns={[
        {
          label: t.passkeys.name,
          cell: (p) => (
            <form method="post" action={`${base}/${p.id}/nom`} class="inline-form passkey-name">
              <CsrfField token={ctx.csrfToken} />
              <label class="visually-hidden" for={`nom-${p.id}`}>
                {t.passkeys.renameLabel(p.name)}
              </label>
              <input
                type="text"
                id={`nom-${p.id}`}
                name="nom"
                value={p.name}
                maxlength={60}
                required
                aria-invalid={editing === p.id && errors.nom ? 'true' : undefined}
                aria-describedby={editing === p.id && errors.nom ? `nom-${p.id}-erreur` : undefined}
              />
              <button type="submit" class="button button-small">
                {t.passkeys.rename}
              </button>
              {editing === p.id && errors.nom ? (
                <p class="field-error" id={`nom-${p.id}-erreur`}>
                  {errors.nom}
                </p>
              ) : null}
            </form>
          ),
        },
        { label: t.passkeys.created, cell: (p) => p.created },
        { label: t.passkeys.lastUsed, cell: (p) => p.lastUsed ?? t.passkeys.never },
        {
          label: t.passkeys.remove,
          action: true,
          cell: (p) => (
            <form method="post" action={`${base}/${p.id}/supprimer`} class="inline-form">
              <CsrfField token={ctx.csrfToken} />
              <button type="submit" class="button button-small button-danger" aria-label={t.passkeys.removeLabel(p.name)}>
                {t.passkeys.remove}
              </button>
            </form>
          ),
        },
      ]}
    />
  );
}

export interface PasskeysPageProps {
  ctx: PageContext;
  passkeys: PasskeyRow[];
  /** The sign-in is at most 10 minutes old: adding and removing need no password now (S49). */
  recent: boolean;
  notice?: string;
  errors?: FieldErrors;
  editing?: number;
}

/** Mon Espace Pro → Sécurité → Clés d'accès. */
export function PasskeysPage({ ctx, passkeys, recent, notice, errors = {}, editing }: PasskeysPageProps): Html {
  const t = ctx.t;
  const hasError = Object.keys(errors).length > 0;
  return (
    <Layout ctx={ctx} title={t.passkeys.pageTitle} hasError={hasError} signedIn>
      <p class="breadcrumb">
        <a href="/espace-pro">{t.account.title}</a> › <a href="/espace-pro/securite">{t.security.title}</a>
      </p>
      <h1>{t.passkeys.pageTitle}</h1>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <ErrorSummary errors={errors.nom ? {} : errors} />
      <p id="cles">{t.passkeys.sectionIntro}</p>
      {passkeys.length > 0 ? <ZoneNote ctx={ctx} /> : null}
      {passkeys.length === 0 ? <p>{t.passkeys.none}</p> : <PasskeyTable ctx={ctx} t={t} passkeys={passkeys} base="/espace-pro/cles" errors={errors} editing={editing} />}
      {recent ? (
        <>
          <AddPasskeyForm ctx={ctx} t={t} action="/espace-pro/cles" optionsUrl="/espace-pro/cles/options" />
          <NeedsSupport t={t} />
        </>
      ) : (
        <section class="panel" aria-labelledby="confirmer-titre">
          <h2 id="confirmer-titre">{t.passkeys.confirmTitle}</h2>
          <p>{t.passkeys.confirmIntro}</p>
          <form method="post" action="/espace-pro/cles/confirmer" novalidate>
            <CsrfField token={ctx.csrfToken} />
            <Field t={t} name="actuel" label={t.security.current} type="password" error={errors.actuel} required autocomplete="current-password" maxlength={1024} />
            <button type="submit" class="button button-primary">
              {t.passkeys.confirmSubmit}
            </button>
          </form>
        </section>
      )}
      <p>
        <a href="/espace-pro/securite">{t.passkeys.back}</a>
      </p>
      <PasskeyScripts />
    </Layout>
  );
}
