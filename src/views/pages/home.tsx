/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { h, type Html } from '../jsx.js';
import { Layout, type PageContext } from '../layout.js';

export function HomePage({ ctx }: { ctx: PageContext }): Html {
  const t = ctx.t;
  return (
    <Layout ctx={ctx} title={t.home.title}>
      <section class="hero">
        <h1>{t.home.heading(ctx.brandName)}</h1>
        <p>{t.home.intro}</p>
        <p>
          <a class="button button-primary" href="/espace-pro">
            {t.home.cta}
          </a>
        </p>
      </section>
    </Layout>
  );
}
