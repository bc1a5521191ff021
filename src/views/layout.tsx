/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../shared/i18n/fr.js';
import { type Child, Fragment, h, type Html } from './jsx.js';

/** What every page needs from the request: the brand and the CSRF token for its forms. */
export interface PageContext {
  brandName: string;
  csrfToken: string;
}

export interface LayoutProps {
  ctx: PageContext;
  title: string;
  /** Announces the error in the page title (RGAA: the title says there is an error). */
  hasError?: boolean;
  children?: Child;
}

export function Layout({ ctx, title, hasError, children }: LayoutProps): Html {
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${hasError ? fr.site.errorTitlePrefix : ''}${title} – ${ctx.brandName}`}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer></script>
      </head>
      <body data-texte-afficher-mot-de-passe={fr.site.showPassword} data-texte-masquer-mot-de-passe={fr.site.hidePassword}>
        <a class="skip-link" href="#contenu">
          {fr.site.skipToContent}
        </a>
        <header class="site-header">
          <a class="brand" href="/">
            {ctx.brandName}
          </a>
          <a class="header-link" href="/espace-pro">
            {fr.site.espacePro}
          </a>
        </header>
        <main id="contenu" tabindex="-1">
          {children}
        </main>
        <footer class="site-footer">
          <p>{fr.site.footerHelp}</p>
        </footer>
      </body>
    </html>
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
export function ScrollTable({ labelledBy, children }: { labelledBy: string; children?: Child }): Html {
  return (
    <div class="table-scroll" role="group" aria-labelledby={labelledBy} tabindex="0">
      <table>{children}</table>
    </div>
  );
}

export { Fragment };
