/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField } from '../forms.js';
import { type Child, Fragment, h, type Html } from '../jsx.js';
import { FooterLinks, type PageContext, PageShell } from '../layout.js';

export type BackOfficeSection = 'dashboard' | 'requests' | 'accounts' | 'import' | 'audit' | 'team' | 'applications' | 'me';

/** What the layout needs of the signed-in member (CurrentStaff from plugins/staff-session fits). */
export interface BackOfficeUser {
  email: string;
  role: 'admin' | 'agent';
}

export interface BackOfficeLayoutProps {
  ctx: PageContext;
  staff: BackOfficeUser;
  title: string;
  /** The navigation entry marked aria-current. */
  current?: BackOfficeSection;
  hasError?: boolean;
  children?: Child;
}

const SECTIONS: Array<{ key: BackOfficeSection; href: string; label: string; adminOnly?: boolean }> = [
  { key: 'dashboard', href: '/back-office', label: fr.staff.nav.dashboard },
  { key: 'requests', href: '/back-office/demandes', label: fr.staff.nav.requests },
  { key: 'accounts', href: '/back-office/comptes', label: fr.staff.nav.accounts },
  { key: 'import', href: '/back-office/import', label: fr.staff.nav.import, adminOnly: true },
  { key: 'audit', href: '/back-office/journal', label: fr.staff.nav.audit },
  { key: 'team', href: '/back-office/equipe', label: fr.staff.nav.team, adminOnly: true },
  { key: 'applications', href: '/back-office/applications', label: fr.staff.nav.applications, adminOnly: true },
];

/**
 * Every back-office page: the navigation (Équipe for admins only), who is signed in, and
 * "Se déconnecter" as a CSRF-protected POST (S22). Same stylesheet and script as the customer pages.
 */
export function BackOfficeLayout({ ctx, staff, title, current, hasError, children }: BackOfficeLayoutProps): Html {
  return (
    <PageShell
      documentTitle={staffTitle(ctx, title, hasError)}
      bodyClass="back-office"
      brandHref="/back-office"
      brand={`${ctx.brandName} – ${fr.staff.backOffice}`}
      headerActions={
        <>
          <a class="staff-user" href="/back-office/mon-compte" aria-current={current === 'me' ? 'page' : undefined} title={fr.staff.accountNav}>
            {fr.staff.signedInAs(staff.email, fr.staff.roles[staff.role])}
          </a>
          <form method="post" action="/back-office/deconnexion" class="header-logout">
            <CsrfField token={ctx.csrfToken} />
            <button type="submit" class="button button-header">
              {fr.staff.nav.logout}
            </button>
          </form>
        </>
      }
      nav={
        <nav class="back-office-nav" aria-label={fr.staff.nav.label}>
          <ul>
            {SECTIONS.filter((s) => !s.adminOnly || staff.role === 'admin').map((s) => (
              <li>
                <a href={s.href} aria-current={s.key === current ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      }
      footer={<StaffFooter ctx={ctx} />}
    >
      {children}
    </PageShell>
  );
}

/**
 * The same footer bar as the customer pages, with what a member of customer service needs: no
 * "contact customer service" (they are customer service), the brand and the privacy page.
 */
function StaffFooter({ ctx }: { ctx: PageContext }): Html {
  return (
    <footer class="site-footer staff-footer">
      <p>{`${ctx.brandName} – ${fr.staff.backOffice}`}</p>
      <FooterLinks ctx={ctx} />
    </footer>
  );
}

/**
 * An e-mail address that may wrap after "@" and before each dot, never in the middle of a word
 * (the Journal's and Équipe's narrow columns).
 */
export function EmailText({ email }: { email: string }): Html {
  const at = email.indexOf('@');
  if (at < 0) return <>{email}</>;
  const domain = email.slice(at + 1).split('.');
  return (
    <>
      {email.slice(0, at + 1)}
      <wbr />
      {domain.map((part, i) => (i === 0 ? part : <><wbr />{`.${part}`}</>))}
    </>
  );
}

function staffTitle(ctx: PageContext, title: string, hasError?: boolean): string {
  return `${hasError ? fr.site.errorTitlePrefix : ''}${title} – ${fr.staff.backOffice} – ${ctx.brandName}`;
}

/** A message box at the top of a back-office page. */
export function BackOfficeNotice({ kind, children }: { kind: 'success' | 'info'; children?: Child }): Html {
  return (
    <div class={`notice notice-${kind}`} role="status">
      {children}
    </div>
  );
}

/**
 * The staff pages before sign-in (login, code, setup, recovery codes): the back office's own
 * header and no customer footer — the reader is a member of customer service, not a customer.
 */
export function StaffPublicLayout({ ctx, title, hasError, children }: { ctx: PageContext; title: string; hasError?: boolean; children?: Child }): Html {
  return (
    <PageShell documentTitle={staffTitle(ctx, title, hasError)} bodyClass="back-office" brandHref="/back-office/connexion" brand={`${ctx.brandName} – ${fr.staff.backOffice}`} footer={<StaffFooter ctx={ctx} />}>
      {children}
    </PageShell>
  );
}
