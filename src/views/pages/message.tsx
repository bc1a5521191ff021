/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { type Child, h, type Html } from '../jsx.js';
import { Layout, type PageContext } from '../layout.js';

export interface MessagePageProps {
  ctx: PageContext;
  title: string;
  body: string;
  /** Error pages announce themselves as such in the title. */
  isError?: boolean;
  action?: { href: string; label: string };
  children?: Child;
}

/** One page for every error (404, 429, 500…) and every simple message. */
export function MessagePage({ ctx, title, body, isError, action, children }: MessagePageProps): Html {
  const t = ctx.t;
  return (
    <Layout ctx={ctx} title={title} hasError={isError}>
      <h1>{title}</h1>
      <p>{body}</p>
      {children}
      <p>
        <a class="button" href={action?.href ?? '/'}>
          {action?.label ?? t.errors.backHome}
        </a>
      </p>
    </Layout>
  );
}
