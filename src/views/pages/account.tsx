/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField } from '../forms.js';
import { h, type Html } from '../jsx.js';
import { Layout, type PageContext } from '../layout.js';

export interface AccountPageProps {
  ctx: PageContext;
  company: string;
  code: string;
}

export function AccountPage({ ctx, company, code }: AccountPageProps): Html {
  return (
    <Layout ctx={ctx} title={fr.account.title}>
      <h1>{fr.account.title}</h1>
      <p class="greeting">{fr.account.greeting(company)}</p>
      <dl class="facts">
        <dt>{fr.account.identifierLabel}</dt>
        <dd>{code}</dd>
      </dl>
      <form method="post" action="/deconnexion">
        <CsrfField token={ctx.csrfToken} />
        <button type="submit" class="button">
          {fr.account.logout}
        </button>
      </form>
    </Layout>
  );
}
