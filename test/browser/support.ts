/**
 * End-to-end tests in a real Chromium (Debian's `chromium` package, driven by playwright-core).
 *
 * The app runs in-process on a fresh in-memory SQLite with a ManualClock (buildTestApp), but
 * behind a real socket, so the browser sees real cookies (`__Host-`, Secure — accepted on
 * http://127.0.0.1 and http://localhost), the real CSP and real redirects.
 *
 * Without Chromium the browser suites skip with one line saying why; CI installs it with apt.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags for a quiet, headless, offline-friendly Chromium inside a container. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // French browser chrome, as the customers' and staff's: date fields read jj/mm/aaaa in screenshots.
  '--lang=fr-FR',
];

/** A reason to skip (for `describe(name, { skip })`), or false when Chromium is there. */
export const skipWithoutChromium: string | false = fs.existsSync(CHROMIUM_PATH)
  ? false
  : `browser tests skipped: Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;

/** Upper bound for one browser suite: about 20 s each on a quiet machine, with room for a busy CI runner. */
export const BROWSER_SUITE_TIMEOUT_MS = 120_000;

/** Committed: the gallery docs/screenshots/README.md shows them (issue 23). */
export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/** Phone contexts behave like a phone (mobile viewport, touch) as well as being narrow. */
export function viewportOptions(name: ViewportName): BrowserContextOptions {
  return name === 'phone'
    ? { viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true }
    : { viewport: VIEWPORTS.desktop };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 20_000 });
}

/** A free TCP port on the loopback interface (closed again before the app takes it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface LiveApp {
  t: TestApp;
  /** The origin the browser uses, equal to PUBLIC_URL (the CSRF Origin check needs them equal). */
  origin: string;
  url(pathname: string): string;
  close(): Promise<void>;
}

/**
 * The real app on a real port. PUBLIC_URL must be known before the app is built, so the port is
 * chosen first; another process could grab it in between, hence the retry.
 */
export async function startLiveApp(options: { hostname?: '127.0.0.1' | 'localhost'; env?: Record<string, string> } = {}): Promise<LiveApp> {
  const hostname = options.hostname ?? '127.0.0.1';
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const origin = `http://${hostname}:${port}`;
    const t = await buildTestApp('sqlite', { env: { PUBLIC_URL: origin, ...options.env } });
    try {
      await t.app.listen({ port, host: '127.0.0.1' });
    } catch (error) {
      await t.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 5) continue;
      throw error;
    }
    return { t, origin, url: (pathname) => origin + pathname, close: () => t.close() };
  }
}

/** Empties the tables a browser test writes to, so each test starts from a known state. */
export async function resetData(t: TestApp): Promise<void> {
  // Staff members created for a whole suite stay; everything customers did goes.
  await resetDatabase(t.db, t.dialect, { keep: ['staff', 'staff_recovery_codes', 'staff_sessions'] });
}

/**
 * Fails the page on anything a visitor would not notice but a developer must: an uncaught
 * script error, a CSP refusal or any other console error.
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A page answered with 401 or 404 on purpose is logged as "Failed to load resource" too;
    // failed sub-resources are caught below, with their URL.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' && response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
  });
  return problems;
}

export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', ...options });
  // Everything here is local and fast: a step that takes 5 s is a failure, not a slow machine.
  context.setDefaultTimeout(5_000);
  context.setDefaultNavigationTimeout(10_000);
  return context;
}

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** axe-core as @axe-core/playwright ships it (so the two versions always match). */
const AXE_SOURCE = fs.readFileSync(createRequire(createRequire(import.meta.url).resolve('@axe-core/playwright')).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Loads axe-core into every page of the context as it opens (CSP does not apply to init
 * scripts). AxeBuilder would otherwise evaluate its 550 kB source twice per audit, which is
 * most of the time an audit takes.
 */
export async function enableAxe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: AXE_SOURCE });
}

/** WCAG 2.1 A and AA violations found by axe-core, one readable line per failing node. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const preloaded = await page.evaluate(() => typeof (globalThis as any).axe?.run === 'function');
  // Legacy mode runs axe in the page itself; the default opens an extra blank page per audit to
  // merge frame results, which our pages (no iframes) do not need.
  const results = await new AxeBuilder({ page, axeSource: preloaded ? '/* axe-core loaded by enableAxe */' : AXE_SOURCE })
    // options() replaces every option, so it comes before withTags() (which sets runOnly).
    .options({ resultTypes: ['violations'] })
    .withTags(AXE_TAGS)
    .setLegacyMode(true)
    .analyze();
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id} (${violation.impact}): ${violation.help} — ${node.target.join(' ')} — ${node.failureSummary?.replace(/\s+/g, ' ')}`),
  );
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/**
 * What a person would see as broken, whatever the page: sideways scrolling (the whole page, or a
 * table hiding columns behind a scroll) and, on a phone, text printed over other text. Text boxes
 * are the client rects of every visible text node, plus the label a `table.cards` cell draws with
 * its ::before (placed from its computed float, width and margin), so "Dernière connexion" printed
 * over its value is caught.
 */
export async function layoutProblems(page: Page, viewport: 'desktop' | 'phone'): Promise<string[]> {
  // tsx keeps function names with a helper that the page does not have.
  await page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
  return page.evaluate((vp) => {
    const g = globalThis as any;
    const doc = g.document;
    const problems: string[] = [];
    const sideways = doc.documentElement.scrollWidth - g.innerWidth;
    if (sideways > 0) problems.push(`the page scrolls ${sideways}px sideways`);
    const scrolling = [...doc.querySelectorAll('.table-scroll')].filter((box: any) => box.scrollWidth > box.clientWidth + 1).length;
    if (scrolling > 0) problems.push(`${scrolling} table(s) scroll sideways`);
    if (vp !== 'phone') return problems;

    interface Box { x: number; y: number; w: number; h: number; what: string; owner: any }
    const boxes: Box[] = [];
    const visible = (el: any) => {
      for (let e = el, child: any = null; e && e !== doc.body; child = e, e = e.parentElement) {
        // A closed <details> shows its summary only: Chromium hides the rest with content-visibility
        // (::details-content), which leaves them a display and boxes, but nobody sees them.
        if (e.tagName === 'DETAILS' && !e.open && !(child && child.tagName === 'SUMMARY')) return false;
        const st = g.getComputedStyle(e);
        if (st.display === 'none' || st.visibility === 'hidden' || st.clipPath === 'inset(50%)' || (st.position === 'absolute' && st.overflow === 'hidden' && e.offsetWidth <= 1)) return false;
      }
      return true;
    };
    const walker = doc.createTreeWalker(doc.querySelector('main') ?? doc.body, 4 /* NodeFilter.SHOW_TEXT */);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || !visible(node.parentElement)) continue;
      const range = doc.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) if (r.width > 1 && r.height > 1) boxes.push({ x: r.left, y: r.top, w: r.width, h: r.height, what: node.textContent.trim().slice(0, 40), owner: node.parentElement });
    }
    for (const td of doc.querySelectorAll('table.cards td[data-label]')) {
      const before = g.getComputedStyle(td, '::before');
      if (!visible(td) || before.content === 'none' || before.content === 'normal') continue;
      const cell = td.getBoundingClientRect();
      const cs = g.getComputedStyle(td);
      const probe = doc.createElement('span');
      probe.textContent = td.getAttribute('data-label');
      probe.style.cssText = `position:absolute;visibility:hidden;display:block;width:${before.width};font:${before.font};white-space:${before.whiteSpace};overflow-wrap:${before.overflowWrap};word-break:${before.wordBreak};hyphens:${before.hyphens}`;
      doc.body.appendChild(probe);
      const h = probe.getBoundingClientRect().height;
      // A label that cannot wrap (white-space: nowrap inherited) runs out of its column: its real width.
      const w = Math.max(parseFloat(before.width) || 0, probe.scrollWidth);
      probe.remove();
      const x = cell.left + parseFloat(cs.paddingLeft) + (parseFloat(before.marginLeft) || 0);
      boxes.push({ x, y: cell.top + parseFloat(cs.paddingTop), w, h, what: `label "${td.getAttribute('data-label')}"`, owner: td });
    }
    const seen = new Set<string>();
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        if (a.owner === b.owner && !a.what.startsWith('label') && !b.what.startsWith('label')) continue;
        const dx = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
        const dy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
        if (dx > 2 && dy > 2) {
          const key = `"${a.what}" / "${b.what}"`;
          if (!seen.has(key)) problems.push(`text over text: ${key}`);
          seen.add(key);
        }
      }
    }
    return problems;
  }, viewport);
}

/** Cookies that a real browser restart keeps: only those with an expiry (no session cookies). */
export function persistentCookies<T extends { expires: number }>(cookies: T[]): T[] {
  return cookies.filter((cookie) => cookie.expires > 0);
}
