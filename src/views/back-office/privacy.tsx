/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField } from '../forms.js';
import { h, type Html } from '../jsx.js';
import type { PageContext } from '../layout.js';
import { BackOfficeLayout, BackOfficeNotice, type BackOfficeUser } from './layout.js';

/** S42: export and erasure of what is stored about the person behind an account or a request. */
export function PrivacyPanel({ ctx, staff, base }: { ctx: PageContext; staff: BackOfficeUser; base: string }): Html {
  return (
    <section class="panel" aria-labelledby="donnees-titre">
      <h2 id="donnees-titre">{fr.privacy.heading}</h2>
      <p>{fr.privacy.intro}</p>
      <p class="actions">
        <a class="button" href={`${base}/donnees.json`}>
          {fr.privacy.exportJson}
        </a>
        <a class="button" href={`${base}/donnees.csv`}>
          {fr.privacy.exportCsv}
        </a>
      </p>
      {staff.role === 'admin' ? (
        <form method="post" action={`${base}/effacer`} class="inline-form">
          <CsrfField token={ctx.csrfToken} />
          <p>{fr.privacy.eraseWarning}</p>
          <button type="submit" class="button button-danger">
            {fr.privacy.erase}
          </button>
        </form>
      ) : (
        <p>{fr.privacy.eraseAdminsOnly}</p>
      )}
    </section>
  );
}

export function ErasedPage({ ctx, staff, message }: { ctx: PageContext; staff: BackOfficeUser; message: string }): Html {
  return (
    <BackOfficeLayout ctx={ctx} staff={staff} title={fr.privacy.erasedTitle}>
      <h1>{fr.privacy.erasedTitle}</h1>
      <BackOfficeNotice kind="success">{message}</BackOfficeNotice>
      <p>
        <a class="button" href="/back-office/comptes">
          {fr.staff.nav.accounts}
        </a>
      </p>
    </BackOfficeLayout>
  );
}
