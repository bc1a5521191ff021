/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { Config } from '../config.js';
import type { Catalogue } from '../shared/i18n/fr.js';
import { catalogue, type Lang } from '../shared/i18n/languages.js';
import { CsrfField } from './forms.js';
import { type Child, Fragment, h, type Html } from './jsx.js';

/**
 * What every page needs from the request: the brand, the CSRF token for its forms, and its
 * language. Customer views read every sentence from `ctx.t` (src/shared/i18n/README.md); the
 * back office keeps importing `fr`.
 */
export interface PageContext {
  brandName: string;
  csrfToken: string;
  /** The page's language: `<html lang>`, and the catalogue `t` is its (S51). */
  lang: Lang;
  t: Catalogue;
  /** Where the English / Français link comes back to (a safe local path); absent: the home page. */
  path?: string;
  /** Logo and customer-service contact from the configuration (absent: name only, generic footer). */
  branding?: Branding;
  /** DISPLAY_TIMEZONE: the zone the page's times are in, named once per page (ZoneNote). */
  timeZone?: string;
}

export interface Branding {
  /** Footer links (S42): LEGAL_NOTICE_URL when set; PRIVACY_POLICY_URL, or the built-in page. */
  legalNoticeUrl?: string | null;
  privacyUrl?: string;
  logoSrc: string | null;
  supportEmail: string | null;
  supportPhone: string | null;
}

export function brandingOf(config: Pick<Config, 'brandLogo' | 'supportEmail' | 'supportPhone' | 'legalNoticeUrl' | 'privacyPolicyUrl'>): Branding {
  const logo = config.brandLogo;
  return {
    logoSrc: logo === null ? null : logo.kind === 'url' ? logo.url : `/static/logo.${logo.ext}`,
    supportEmail: config.supportEmail,
    supportPhone: config.supportPhone,
    legalNoticeUrl: config.legalNoticeUrl,
    privacyUrl: config.privacyPolicyUrl ?? '/confidentialite',
  };
}

/** The logo (decorative: the brand name is next to it) for the header link. */
export function BrandLogo({ ctx }: { ctx: PageContext }): Html | null {
  const src = ctx.branding?.logoSrc;
  return src ? <img class="brand-logo" src={src} alt="" /> : null;
}

function hasSupportContact(ctx: PageContext): boolean {
  return Boolean(ctx.branding && (ctx.branding.supportEmail || ctx.branding.supportPhone));
}

/** The footer's customer-service contact, when SUPPORT_EMAIL or SUPPORT_PHONE is set. */
export function SupportContact({ ctx }: { ctx: PageContext }): Html | null {
  const b = ctx.branding;
  if (!b || (!b.supportEmail && !b.supportPhone)) return null;
  return (
    <p class="support-contact">
      {ctx.t.site.supportContact}{' '}
      {b.supportEmail ? <a href={`mailto:${b.supportEmail}`}>{b.supportEmail}</a> : null}
      {b.supportEmail && b.supportPhone ? ' – ' : null}
      {b.supportPhone ? <a href={`tel:${b.supportPhone.replace(/[ .-]/g, '')}`}>{b.supportPhone}</a> : null}
    </p>
  );
}

export interface LayoutProps {
  ctx: PageContext;
  title: string;
  /** Announces the error in the page title (RGAA: the title says there is an error). */
  hasError?: boolean;
  /** A signed-in customer's page: "Se déconnecter" sits in the header. */
  signedIn?: boolean;
  children?: Child;
}

/**
 * The one HTML shell of every page, customer and back office alike: head (same stylesheet and
 * script), skip link, header, an optional navigation, the main content and an optional footer.
 */
export function PageShell(props: {
  /** The language of the page's text (the back office: French). */
  lang?: Lang;
  /** The whole <title>, error prefix included. */
  documentTitle: string;
  bodyClass?: string;
  brandHref: string;
  brand: Child;
  headerActions?: Child;
  nav?: Child;
  footer?: Child;
  children?: Child;
}): Html {
  const lang = props.lang ?? 'fr';
  const t = catalogue(lang);
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.documentTitle}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="stylesheet" href="/static/brand.css" />
        <script src="/static/app.js" defer></script>
      </head>
      <body class={props.bodyClass} data-texte-afficher-mot-de-passe={t.site.showPassword} data-texte-masquer-mot-de-passe={t.site.hidePassword}>
        <a class="skip-link" href="#contenu">
          {t.site.skipToContent}
        </a>
        <header class="site-header">
          <a class="brand" href={props.brandHref}>
            {props.brand}
          </a>
          {props.headerActions ? <div class="header-actions">{props.headerActions}</div> : null}
        </header>
        {props.nav ?? null}
        <main id="contenu" tabindex="-1">
          {props.children}
        </main>
        {props.footer ?? null}
      </body>
    </html>
  );
}

/** The English / Français link: to the other language, written in it, `lang` and `hreflang` on it (S51). */
export function LanguageSwitch({ ctx }: { ctx: PageContext }): Html {
  const other: Lang = ctx.lang === 'fr' ? 'en' : 'fr';
  return (
    <a class="header-link language-switch" href={`/langue?l=${other}&next=${encodeURIComponent(ctx.path ?? '/')}`} lang={other} hreflang={other}>
      {ctx.t.site.languageSwitch}
    </a>
  );
}

export function Layout({ ctx, title, hasError, signedIn, children }: LayoutProps): Html {
  const t = ctx.t;
  return (
    <PageShell
      lang={ctx.lang}
      documentTitle={`${hasError ? t.site.errorTitlePrefix : ''}${title} – ${ctx.brandName}`}
      brandHref="/"
      brand={
        <>
          <BrandLogo ctx={ctx} />
          {ctx.brandName}
        </>
      }
      headerActions={
        <>
          <LanguageSwitch ctx={ctx} />
          <a class="header-link" href="/espace-pro">
            {t.site.espacePro}
          </a>
          {signedIn ? (
            <form method="post" action="/deconnexion" class="header-logout">
              <CsrfField token={ctx.csrfToken} />
              <button type="submit" class="button button-header">
                {t.account.logout}
              </button>
            </form>
          ) : null}
        </>
      }
      footer={
        <footer class="site-footer">
          {hasSupportContact(ctx) ? (
            <>
              <p>{t.site.footerHelp}</p>
              <SupportContact ctx={ctx} />
            </>
          ) : (
            <p>{t.site.footerNoContact(ctx.brandName)}</p>
          )}
          <FooterLinks ctx={ctx} />
        </footer>
      }
    >
      {children}
    </PageShell>
  );
}

export function FooterLinks({ ctx }: { ctx: PageContext }): Html {
  const b = ctx.branding;
  return (
    <p class="footer-links">
      {b?.legalNoticeUrl ? (
        <>
          <a href={b.legalNoticeUrl}>{ctx.t.site.legalNotice}</a>
          {' · '}
        </>
      ) : null}
      <a href={b?.privacyUrl ?? '/confidentialite'}>{ctx.t.site.privacy}</a>
    </p>
  );
}

/** A message box above a form: success or information. */
export function Notice({ kind, children }: { kind: 'success' | 'info'; children?: Child }): Html {
  return (
    <div class={`notice notice-${kind}`} role="status">
      {children}
    </div>
  );
}

/**
 * A table that may be wider than a phone: it scrolls sideways inside a box that keyboard users
 * can focus to scroll (WCAG 2.1.1), named after the heading of its section. A group, not a
 * region: the section around it is already the landmark with that name.
 */
export function ScrollTable({ labelledBy, tableClass, children }: { labelledBy: string; tableClass?: string; children?: Child }): Html {
  return (
    <div class="table-scroll" role="group" aria-labelledby={labelledBy} tabindex="0">
      <table class={tableClass}>{children}</table>
    </div>
  );
}

/** One column of a DataTable: its header, and the cell each row shows under it. */
export interface Column<R> {
  label: string;
  cell: (row: R) => Child;
  /** The row's actions: the header is for screen readers only, and a phone's card shows no label. */
  action?: boolean;
  /** A class for the column's cells (`nowrap`…). */
  class?: string;
}

/**
 * Rows with the same columns: a table on a desktop, one card per row on a phone (`table.cards`),
 * each cell labelled by its column's header (`data-label`), so header and card labels cannot drift.
 */
export function DataTable<R>({ labelledBy, caption, columns, rows, tableClass = 'cards' }: { labelledBy: string; caption?: { id: string; text: string }; columns: Array<Column<R>>; rows: R[]; tableClass?: string }): Html {
  return (
    <ScrollTable labelledBy={labelledBy} tableClass={tableClass}>
      {caption ? (
        <caption id={caption.id} class="visually-hidden">
          {caption.text}
        </caption>
      ) : null}
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col">{c.action ? <span class="visually-hidden">{c.label}</span> : c.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr>
            {columns.map((c) =>
              c.action ? (
                <td class="cell-action">{c.cell(row)}</td>
              ) : (
                <td data-label={c.label} class={c.class}>
                  {c.cell(row)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

export { Fragment };

/**
 * "Heures indiquées en heure de Paris." once per page whose tables show times (short form in the
 * cells, the zone said here rather than in every cell).
 */
export function ZoneNote({ ctx }: { ctx: PageContext }): Html {
  return ctx.timeZone ? <p class="zone-note">{ctx.t.time.zoneNote(ctx.t.time.zone(ctx.timeZone))}</p> : <></>;
}
