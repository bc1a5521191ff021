/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../forms.js';
import { Fragment, h, type Html } from '../jsx.js';
import { Layout, Notice, type PageContext, ScrollTable } from '../layout.js';

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
export function PasskeySignIn({ next, autofill = true }: { next?: string | null; autofill?: boolean }): Html {
  return (
    // No CSRF field of its own: the page is rendered once for all visitors with one token slot
    // (S23); passkeys.js copies the password form's token into this form.
    <form method="post" action="/connexion/cle" class="passkey-signin" data-cle="connexion" data-cle-options="/connexion/cle/options" data-cle-erreur={fr.passkeys.ceremonyFailed} data-cle-autofill={autofill ? undefined : 'non'} hidden>
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <input type="hidden" name="reponse" value="" />
      <input type="hidden" name="memoriser" value="" disabled />
      <p class="separator">{fr.passkeys.or}</p>
      <button type="button" id="cle" class="button">
        {fr.passkeys.signIn}
      </button>
      <p class="passkey-message" role="alert" hidden></p>
    </form>
  );
}

/** The add button: options from `optionsUrl`, then the attestation posted to `action`. */
export function AddPasskeyForm({ ctx, action, optionsUrl, label = fr.passkeys.add }: { ctx: PageContext; action: string; optionsUrl: string; label?: string }): Html {
  return (
    <form method="post" action={action} data-cle="ajout" data-cle-options={optionsUrl} data-cle-erreur={fr.passkeys.errors.REGISTRATION_FAILED} hidden>
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
function NeedsSupport(): Html {
  return (
    <p class="hint" data-cle-sans-support>
      {fr.passkeys.addNeedsSupport}
    </p>
  );
}

/** The invitation on Mon Espace Pro after a password sign-in; invisible where WebAuthn does not work. */
export function PasskeyInvitation({ ctx }: { ctx: PageContext }): Html {
  return (
    <section class="panel passkey-invitation" aria-labelledby="invitation-cle-titre" data-cle="invitation" hidden>
      <h2 id="invitation-cle-titre">{fr.passkeys.inviteTitle}</h2>
      <p>{fr.passkeys.inviteBody}</p>
      <div class="actions">
        <AddPasskeyForm ctx={ctx} action="/espace-pro/cles" optionsUrl="/espace-pro/cles/options" />
        <form method="post" action="/espace-pro/cles/invitation/refuser" class="inline-form">
          <CsrfField token={ctx.csrfToken} />
          <button type="submit" class="button">
            {fr.passkeys.inviteDecline}
          </button>
        </form>
      </div>
    </section>
  );
}

/** The "Clés d'accès" panel of the Sécurité page: a sentence and the link to the passkeys page. */
export function PasskeysSummary({ count }: { count: number }): Html {
  return (
    <section class="panel" aria-labelledby="cles-titre">
      <h2 id="cles-titre">{fr.passkeys.sectionTitle}</h2>
      <p>{fr.passkeys.sectionIntro}</p>
      <p>{fr.passkeys.count(count)}</p>
      <p>
        <a class="button" href="/espace-pro/cles">
          {fr.passkeys.manage}
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
export function PasskeyTable({ ctx, passkeys, base, errors = {}, editing }: { ctx: PageContext; passkeys: PasskeyRow[]; base: string; errors?: FieldErrors; editing?: number }): Html {
  return (
    <ScrollTable labelledBy="cles-liste" tableClass="cards">
      <caption id="cles-liste" class="visually-hidden">
        {fr.passkeys.tableCaption}
      </caption>
      <thead>
        <tr>
          <th scope="col">{fr.passkeys.name}</th>
          <th scope="col">{fr.passkeys.created}</th>
          <th scope="col">{fr.passkeys.lastUsed}</th>
          <th scope="col">
            <span class="visually-hidden">{fr.passkeys.remove}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {passkeys.map((p) => (
          <tr>
            <td data-label={fr.passkeys.name}>
              <form method="post" action={`${base}/${p.id}/nom`} class="inline-form passkey-name">
                <CsrfField token={ctx.csrfToken} />
                <label class="visually-hidden" for={`nom-${p.id}`}>
                  {fr.passkeys.renameLabel(p.name)}
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
                  {fr.passkeys.rename}
                </button>
                {editing === p.id && errors.nom ? (
                  <p class="field-error" id={`nom-${p.id}-erreur`}>
                    {errors.nom}
                  </p>
                ) : null}
              </form>
            </td>
            <td data-label={fr.passkeys.created}>{p.created}</td>
            <td data-label={fr.passkeys.lastUsed}>{p.lastUsed ?? fr.passkeys.never}</td>
            <td class="cell-action">
              <form method="post" action={`${base}/${p.id}/supprimer`} class="inline-form">
                <CsrfField token={ctx.csrfToken} />
                <button type="submit" class="button button-small" aria-label={fr.passkeys.removeLabel(p.name)}>
                  {fr.passkeys.remove}
                </button>
              </form>
            </td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
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
  const hasError = Object.keys(errors).length > 0;
  return (
    <Layout ctx={ctx} title={fr.passkeys.pageTitle} hasError={hasError} signedIn>
      <p class="breadcrumb">
        <a href="/espace-pro">{fr.account.title}</a> › <a href="/espace-pro/securite">{fr.security.title}</a>
      </p>
      <h1>{fr.passkeys.pageTitle}</h1>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <ErrorSummary errors={errors.nom ? {} : errors} />
      <p>{fr.passkeys.sectionIntro}</p>
      {passkeys.length === 0 ? <p>{fr.passkeys.none}</p> : <PasskeyTable ctx={ctx} passkeys={passkeys} base="/espace-pro/cles" errors={errors} editing={editing} />}
      {recent ? (
        <>
          <AddPasskeyForm ctx={ctx} action="/espace-pro/cles" optionsUrl="/espace-pro/cles/options" />
          <NeedsSupport />
        </>
      ) : (
        <section class="panel" aria-labelledby="confirmer-titre">
          <h2 id="confirmer-titre">{fr.passkeys.confirmTitle}</h2>
          <p>{fr.passkeys.confirmIntro}</p>
          <form method="post" action="/espace-pro/cles/confirmer" novalidate>
            <CsrfField token={ctx.csrfToken} />
            <Field name="actuel" label={fr.security.current} type="password" error={errors.actuel} required autocomplete="current-password" maxlength={1024} />
            <button type="submit" class="button button-primary">
              {fr.passkeys.confirmSubmit}
            </button>
          </form>
        </section>
      )}
      <p>
        <a href="/espace-pro/securite">{fr.passkeys.back}</a>
      </p>
      <PasskeyScripts />
    </Layout>
  );
}
