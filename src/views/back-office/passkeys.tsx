/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField, type FieldErrors, PostButton } from '../forms.js';
import { Fragment, h, type Html } from '../jsx.js';
import type { PageContext } from '../layout.js';
import { AddPasskeyForm, PasskeyScripts, type PasskeyRow, PasskeyTable } from '../pages/passkeys.js';

/**
 * "Utiliser ma clé d'accès" on the staff code page and the step-up page (S50): shown by
 * passkeys.js only where WebAuthn works and only for a member who has a passkey; the code form
 * below it stays (TOTP and recovery codes).
 */
export function StaffPasskeyForm({ ctx, action, next }: { ctx: PageContext; action: string; next?: string | null }): Html {
  return (
    <>
      <form method="post" action={action} data-cle="facteur" data-cle-options={`${action}/options`} data-cle-erreur={fr.passkeys.ceremonyFailed} hidden>
        <CsrfField token={ctx.csrfToken} />
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <input type="hidden" name="reponse" value="" />
        <button type="button" class="button button-primary">
          {fr.passkeys.staffUse}
        </button>
        <p class="passkey-message" role="alert" hidden></p>
        <p>{fr.passkeys.staffOrCode}</p>
      </form>
      <PasskeyScripts />
    </>
  );
}

/** Mon compte → Clés d'accès: the list (rename, Supprimer) and Ajouter une clé d'accès. */
export function StaffPasskeysSection({ ctx, passkeys, errors = {}, editing }: { ctx: PageContext; passkeys: PasskeyRow[]; errors?: FieldErrors; editing?: number }): Html {
  return (
    <section class="panel" aria-labelledby="cles-titre" id="cles">
      <h2 id="cles-titre">{fr.passkeys.sectionTitle}</h2>
      <p>{fr.passkeys.staffSectionIntro}</p>
      {errors.cles ? (
        <p class="field-error" id="cles-erreur">
          <span class="visually-hidden">{fr.site.fieldErrorPrefix}</span>
          {errors.cles}
        </p>
      ) : null}
      {passkeys.length === 0 ? <p>{fr.passkeys.none}</p> : <PasskeyTable ctx={ctx} passkeys={passkeys} base="/back-office/mon-compte/cles" errors={errors} editing={editing} />}
      <AddPasskeyForm ctx={ctx} action="/back-office/mon-compte/cles" optionsUrl="/back-office/mon-compte/cles/options" />
      <p class="hint" data-cle-sans-support>
        {fr.passkeys.addNeedsSupport}
      </p>
      <PasskeyScripts />
    </section>
  );
}

/** For admins, on a customer's or a member's page: how many passkeys, and the button to remove them. */
export function AdminPasskeys({ ctx, count, action, who }: { ctx: PageContext; count: number; action: string; who: string }): Html {
  return (
    <>
      {fr.passkeys.adminCount(count)}
      {count > 0 ? (
        <PostButton ctx={ctx} action={action} label={fr.passkeys.adminRemove} variant="danger">
          <span class="visually-hidden">{fr.passkeys.adminRemoveLabel(who)}</span>
        </PostButton>
      ) : null}
    </>
  );
}
