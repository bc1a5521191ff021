/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { h, type Html } from '../jsx.js';
import { Layout, type PageContext, SupportContact } from '../layout.js';

/** S42: the built-in privacy page (PRIVACY_POLICY_URL replaces it in the footer when the company has its own). */
export function PrivacyPage({ ctx, requestDays, auditDays }: { ctx: PageContext; requestDays: number; auditDays: number }): Html {
  const t = ctx.t.privacyNotice;
  return (
    <Layout ctx={ctx} title={t.pageTitle}>
      <h1>{t.pageTitle}</h1>
      <div class="panel">
        <p>{t.pageIntro(ctx.brandName)}</p>
        <ul>
          {t.pageItems(requestDays, auditDays).map((item) => (
            <li>{item}</li>
          ))}
        </ul>
        <SupportContact ctx={ctx} />
      </div>
    </Layout>
  );
}
