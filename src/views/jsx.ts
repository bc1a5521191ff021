/**
 * A tiny JSX runtime that escapes by default (S25): every string child and attribute value is
 * HTML-encoded; only values already wrapped in Html (other templates) pass through.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Child = Html | string | number | boolean | null | undefined | Child[];
type Props = Record<string, unknown> & { children?: Child };
type Component<P> = (props: P) => Html;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const NEEDS_ESCAPE = /[&<>"']/;

export function escapeHtml(value: string): string {
  // Most text has nothing to encode: one scan, no new string.
  return NEEDS_ESCAPE.test(value) ? value.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : value;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

function renderChild(child: Child): string {
  if (typeof child === 'string') return escapeHtml(child);
  if (child instanceof Html) return child.value;
  if (child === null || child === undefined || typeof child === 'boolean') return '';
  if (Array.isArray(child)) {
    let out = '';
    for (const c of child) out += renderChild(c);
    return out;
  }
  return escapeHtml(String(child));
}

export function h(tag: string | Component<any>, props: Props | null, ...children: Child[]): Html {
  if (typeof tag === 'function') return tag({ ...props, children: children.length === 1 ? children[0] : children });
  let out = '<' + tag;
  for (const name in props) {
    const value = props[name];
    if (value === null || value === undefined || value === false || name === 'children') continue;
    const attr = name === 'className' ? 'class' : name === 'htmlFor' ? 'for' : name;
    out += value === true ? ' ' + attr : ' ' + attr + '="' + escapeHtml(String(value)) + '"';
  }
  out += '>';
  if (VOID.has(tag)) return new Html(out);
  return new Html(out + renderChild(children) + '</' + tag + '>');
}

export function Fragment(props: { children?: Child }): Html {
  return new Html(renderChild(props.children ?? null));
}

/** Renders a whole document. */
export function renderDocument(page: Html): string {
  return '<!DOCTYPE html>\n' + page.value;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    type Element = Html;
    interface IntrinsicElements {
      [tag: string]: Record<string, unknown>;
    }
    interface ElementChildrenAttribute {
      children: unknown;
    }
  }
}
