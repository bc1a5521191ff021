/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { h, type Html } from '../jsx.js';
import { Layout, type PageContext } from '../layout.js';

export function HomePage({ ctx }: { ctx: PageContext }): Html {
  return (
    <Layout ctx={ctx} title={fr.home.title}>
      <section class="hero">
        <h1>{fr.home.heading(ctx.brandName)}</h1>
        <p>{fr.home.intro}</p>
        <p>
          <a class="button button-primary" href="/espace-pro">
            {fr.home.cta}
          </a>
        </p>
      </section>
    </Layout>
  );
}
