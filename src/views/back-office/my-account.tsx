/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors, NewPasswordFields, PostButton } from '../forms.js';
import { Fragment, h, type Html } from '../jsx.js';
import { DataTable, type PageContext, ZoneNote } from '../layout.js';
import { BackOfficeLayout, BackOfficeNotice, type BackOfficeUser } from './layout.js';
import type { PasskeyRow } from '../pages/passkeys.js';
import { StaffPasskeysSection } from './passkeys.js';

const st = fr.staff;

export interface MyAccountPageProps {
  ctx: PageContext;
  staff: BackOfficeUser;
  sessions: Array<{ browser: string; place: string; lastSeen: string; current: boolean }>;
  recoveryCodesLeft: number;
  minLength: number;
  notice?: string;
  errors?: FieldErrors;
  /** Re-enrolment in progress: the new app's QR code and key. */
  reenrolment?: { qrSvg: Html; secret: string };
  /** Codes just made, shown this once. */
  newCodes?: string[];
  /** The member's passkeys (S50). */
  passkeys?: PasskeyRow[];
  /** The passkey whose new name was refused (its error shown next to it). */
  editingPasskey?: number;
}

/** "Mon compte": a staff member's own password, sessions, recovery codes and authenticator. */
export function MyAccountPage(p: MyAccountPageProps): Html {
  const errors = p.errors ?? {};
  return (
    <BackOfficeLayout ctx={p.ctx} staff={p.staff} title={st.accountTitle} current="me" hasError={Object.keys(errors).length > 0}>
      <h1>{st.accountTitle}</h1>
      <p>{st.accountIntro(p.staff.email)}</p>
      <ZoneNote ctx={p.ctx} />
      {p.notice ? <BackOfficeNotice kind="success">{p.notice}</BackOfficeNotice> : null}
      {/* A refused passkey name is shown next to its field, as on the customer's page. */}
      <ErrorSummary errors={errors.nom ? {} : errors} />

      {p.newCodes ? (
        <section class="panel" aria-labelledby="nouveaux-codes-titre">
          <h2 id="nouveaux-codes-titre">{st.codesHeading}</h2>
          <p>{st.codesRenewedIntro}</p>
          <ul class="recovery-codes">
            {p.newCodes.map((code) => (
              <li>
                <code>{code}</code>
              </li>
            ))}
          </ul>
          <p>
            <a class="button" href="/back-office/mon-compte">
              {st.codesBack}
            </a>
          </p>
        </section>
      ) : null}

      {p.reenrolment ? (
        <section class="panel" aria-labelledby="totp-titre">
          <h2 id="totp-titre">{st.totpHeading}</h2>
          <p>{st.totpReenrolIntro}</p>
          <figure class="totp-qr" role="img" aria-label={st.setupQrLabel}>
            {p.reenrolment.qrSvg}
          </figure>
          <p>{st.setupSecretLabel}</p>
          <p>
            <code class="totp-secret">{p.reenrolment.secret}</code>
          </p>
          <form method="post" action="/back-office/mon-compte/application/code" novalidate>
            <CsrfField token={p.ctx.csrfToken} />
            <Field name="code" label={st.setupCode} error={errors.code} required autocomplete="one-time-code" inputmode="numeric" maxlength={16} />
            <button type="submit" class="button button-primary">
              {st.totpConfirm}
            </button>
          </form>
        </section>
      ) : null}

      <section class="panel" aria-labelledby="mdp-titre">
        <h2 id="mdp-titre">{st.passwordHeading}</h2>
        <form method="post" action="/back-office/mon-compte/mot-de-passe" novalidate>
          <CsrfField token={p.ctx.csrfToken} />
          <Field name="actuel" label={st.currentPassword} type="password" error={errors.actuel} required autocomplete="current-password" maxlength={1024} />
          <NewPasswordFields labels={{ password: st.newPassword, confirmation: st.newConfirmation }} rules={fr.staff.setupRules(p.minLength)} meterContext={fr.staff.meterContext} minLength={p.minLength} words={[p.staff.email]} errors={errors} />
          <button type="submit" class="button button-primary">
            {st.passwordSubmit}
          </button>
        </form>
      </section>

      <section class="panel" aria-labelledby="sessions-titre">
        <h2 id="sessions-titre">{st.sessionsHeading}</h2>
        <DataTable
          labelledBy="sessions-titre"
          tableClass="dense cards"
          rows={p.sessions}
          columns={[
            {
              label: fr.security.browser,
              cell: (s) => (
                <>
                  {s.browser}
                  {s.current ? <> ({st.thisSession})</> : null}
                </>
              ),
            },
            { label: fr.security.place, cell: (s) => s.place },
            { label: fr.security.lastSeen, cell: (s) => s.lastSeen },
          ]}
        />
        {p.sessions.some((s) => !s.current) ? (
          <PostButton ctx={p.ctx} action="/back-office/mon-compte/sessions" label={st.sessionsEnd} />
        ) : null}
      </section>

      <section class="panel" aria-labelledby="codes-titre">
        <h2 id="codes-titre">{st.codesHeading}</h2>
        <p>{st.codesLeft(p.recoveryCodesLeft)}</p>
        <PostButton ctx={p.ctx} action="/back-office/mon-compte/codes" label={st.codesRenew} />
      </section>

      <section class="panel" aria-labelledby="application-titre">
        <h2 id="application-titre">{st.totpHeading}</h2>
        <p>{st.totpIntro}</p>
        <PostButton ctx={p.ctx} action="/back-office/mon-compte/application" label={st.totpStart} />
      </section>

      <StaffPasskeysSection ctx={p.ctx} passkeys={p.passkeys ?? []} errors={errors} editing={p.editingPasskey} />
    </BackOfficeLayout>
  );
}
