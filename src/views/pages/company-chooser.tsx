/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { CsrfField } from '../forms.js';
import { h, type Html } from '../jsx.js';
import { Layout, Notice, type PageContext } from '../layout.js';

export interface ChoosableCompany {
  id: number;
  code: string;
  name: string;
  role: 'admin' | 'buyer' | 'viewer';
}

export interface CompanyChooserProps {
  ctx: PageContext;
  companies: ChoosableCompany[];
  /** The company the session is signed in to now (a switch), if any. */
  currentId: number | null;
  next: string | null;
  error?: string;
}

/** "Choisissez le compte client": one button per company, each a small form (works without JavaScript). */
export function CompanyChooserPage({ ctx, companies, currentId, next, error }: CompanyChooserProps): Html {
  const t = ctx.t;
  return (
    <Layout ctx={ctx} title={t.company.chooserTitle} hasError={error !== undefined} signedIn>
      <h1>{t.company.chooserTitle}</h1>
      {error ? <Notice kind="info">{error}</Notice> : null}
      <p>{t.company.chooserIntro}</p>
      <ul class="choices">
        {companies.map((c) => (
          <li class="panel choice">
            <form method="post" action="/espace-pro/compte-client">
              <CsrfField token={ctx.csrfToken} />
              <input type="hidden" name="compte" value={String(c.id)} />
              {next ? <input type="hidden" name="next" value={next} /> : null}
              <h2 class="choice-name">
                {c.name}
                {c.id === currentId ? <span class="tag">{t.company.current}</span> : null}
              </h2>
              <p class="choice-facts">
                {t.account.customerCodeLabel} {c.code} · {t.company.roles[c.role]}
              </p>
              <button type="submit" class="button button-primary">
                {t.company.chooseAction(c.code)}
              </button>
            </form>
          </li>
        ))}
      </ul>
    </Layout>
  );
}
