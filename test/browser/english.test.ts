/**
 * S51 in a real browser: every customer page in English (a British browser, Accept-Language
 * en-GB), in its normal and error states, at a desktop and a phone viewport: `<html lang="en">`,
 * no French left in its text (the link to French aside), zero axe-core violations, no script or
 * CSP error, no sideways scroll nor text over text (layoutProblems), and a screenshot
 * (docs/screenshots/en-<viewport>-<page>.png, in the gallery). Then the
 * English / Français link, with JavaScript off, both ways.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedAccount, seedMember, STRONG_PASSWORD } from '../helpers/accounts.js';
import { linkIn, SmtpSink } from '../helpers/smtp.js';
import {
  accessibilityViolations,
  BROWSER_SUITE_TIMEOUT_MS,
  enableAxe,
  launchChromium,
  layoutProblems,
  type LiveApp,
  newContext,
  saveScreenshot,
  skipWithoutChromium,
  startLiveApp,
  VIEWPORTS,
  type ViewportName,
  viewportOptions,
  watchConsole,
} from './support.js';

interface Account {
  code: string;
  email: string;
  /** A person in two companies, who signs in by e-mail and meets "Choose the customer account". */
  member: string;
}

interface PageVisit {
  name: string;
  status: number;
  open(page: Page, live: LiveApp, account: Account): Promise<unknown>;
  heading: string;
}

async function submitAndWait(page: Page, submit: () => Promise<void>) {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'), submit()]);
  await page.waitForLoadState();
  return response;
}

async function submitLogin(page: Page, identifier: string, password: string) {
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(identifier);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

let sink: SmtpSink;

async function mailTo(live: LiveApp, address: string) {
  for (let tries = 0; tries < 100; tries++) {
    await live.t.outbox.drain();
    const mail = sink.to(address).at(-1);
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`no mail reached ${address}`);
}

/** Every customer page, in the order a visitor meets them (the same walk as accessibility.test.ts, in English). */
const VISITS: PageVisit[] = [
  { name: 'accueil', status: 200, heading: 'Welcome to Cartothèque', open: (page, live) => page.goto(live.url('/')) },
  { name: 'connexion', status: 200, heading: 'Sign in', open: (page, live) => page.goto(live.url('/connexion')) },
  { name: 'connexion-erreur', status: 401, heading: 'Sign in', open: (page, _live, account) => submitAndWait(page, () => submitLogin(page, account.code, 'not the right password')) },
  { name: 'mot-de-passe-oublie', status: 200, heading: 'Forgotten your password? / First sign-in', open: (page, live) => page.goto(live.url('/mot-de-passe-oublie')) },
  {
    name: 'mot-de-passe-oublie-erreur',
    status: 400,
    heading: 'Forgotten your password? / First sign-in',
    open: (page) => submitAndWait(page, () => page.getByRole('button', { name: 'Reset password' }).click()),
  },
  {
    name: 'mot-de-passe-oublie-confirmation',
    status: 200,
    heading: 'Check your inbox',
    open: async (page, _live, account) => {
      await page.getByRole('textbox', { name: 'Username', exact: true }).fill(account.code);
      await page.getByRole('textbox', { name: 'E-mail', exact: true }).fill(account.email);
      await page.getByRole('button', { name: 'Reset password' }).click();
      return page.waitForURL(/\/mot-de-passe-oublie\/confirmation/);
    },
  },
  { name: 'activation', status: 200, heading: 'Activate / reset your user account', open: async (page, live, account) => page.goto(linkIn(await mailTo(live, account.email))) },
  {
    name: 'activation-erreur',
    status: 400,
    heading: 'Activate / reset your user account',
    open: (page) =>
      submitAndWait(page, async () => {
        await page.locator('#mot_de_passe').fill('short');
        await page.locator('#confirmation').fill('something else');
        await page.getByRole('button', { name: 'Confirm' }).click();
      }),
  },
  { name: 'lien-invalide', status: 410, heading: 'This link is no longer valid', open: (page, live) => page.goto(live.url('/activation?token=no-such-link')) },
  { name: 'ouverture-de-compte', status: 200, heading: 'Account request', open: (page, live) => page.goto(live.url('/ouverture-de-compte')) },
  { name: 'ouverture-de-compte-erreur', status: 400, heading: 'Account request', open: (page) => submitAndWait(page, () => page.getByRole('button', { name: 'Send' }).click()) },
  {
    name: 'ouverture-de-compte-merci',
    status: 200,
    heading: 'Thank you, your request has been sent',
    open: async (page) => {
      const fields = { raison_sociale: 'Harbour Books', nom: 'Smith', prenom: 'Jane', email: 'jane@harbour-books.example', telephone: '+44 20 7946 0958' };
      for (const [id, value] of Object.entries(fields)) await page.locator(`#${id}`).fill(value);
      await page.getByRole('button', { name: 'Send' }).click();
      return page.waitForURL((url) => url.pathname.startsWith('/ouverture-de-compte/'));
    },
  },
  { name: 'confidentialite', status: 200, heading: 'Your personal data', open: (page, live) => page.goto(live.url('/confidentialite')) },
  { name: 'page-introuvable', status: 404, heading: 'Page not found', open: (page, live) => page.goto(live.url('/no-such-page')) },
  {
    name: 'espace-pro',
    status: 200,
    heading: 'My Pro Area',
    open: async (page, live, account) => {
      await page.goto(live.url('/connexion'));
      await submitLogin(page, account.code, STRONG_PASSWORD);
      await page.waitForURL(live.url('/espace-pro'));
      return page.goto(live.url('/espace-pro'));
    },
  },
  {
    name: 'espace-pro-securite',
    status: 200,
    heading: 'My account security',
    open: async (page, live) => {
      await page.getByRole('link', { name: 'Manage my account security' }).click();
      return page.waitForURL(live.url('/espace-pro/securite'));
    },
  },
  { name: 'espace-pro-securite-erreur', status: 400, heading: 'My account security', open: (page) => submitAndWait(page, () => page.getByRole('button', { name: 'Change password' }).click()) },
  {
    name: 'connexion-deconnecte',
    status: 200,
    heading: 'Sign in',
    open: async (page, live) => {
      await page.goto(live.url('/espace-pro'));
      await page.getByRole('button', { name: 'Sign out' }).click();
      return page.waitForURL(/deconnecte=1/);
    },
  },
  {
    name: 'compte-client',
    status: 200,
    heading: 'Choose the customer account',
    open: async (page, live, account) => {
      await submitLogin(page, account.member, STRONG_PASSWORD);
      return page.waitForURL(/\/espace-pro\/compte-client/);
    },
  },
];

/** Words that only French would put in a customer page. */
const FRENCH = /\b(votre|vous|nous|mot de passe|connexion|identifiant|veuillez|bonjour|compte client)\b|[éèêàçù]/i;

const ACCOUNTS: Record<ViewportName, Account> = {
  desktop: { code: '12345', email: 'orders@harbour-books.example', member: 'buyer@harbour-books.example' },
  phone: { code: '23456', email: 'accounts@corner-stationers.example', member: 'buyer@corner-stationers.example' },
};

describe('browser: every customer page in English (S51)', { skip: skipWithoutChromium, timeout: BROWSER_SUITE_TIMEOUT_MS * 2, concurrency: true }, () => {
  let live: LiveApp;
  let browser: Browser;

  before(async () => {
    sink = await new SmtpSink().start();
    [live, browser] = await Promise.all([startLiveApp({ env: { SMTP_URL: sink.url } }), launchChromium()]);
    await seedAccount(live.t, { code: ACCOUNTS.desktop.code, email: ACCOUNTS.desktop.email, company: 'Harbour Books' });
    await seedAccount(live.t, { code: ACCOUNTS.phone.code, email: ACCOUNTS.phone.email, company: 'Corner Stationers' });
    await seedAccount(live.t, { code: '34567', email: 'head-office@harbour-group.example', company: 'Harbour Group' });
    for (const viewport of Object.keys(ACCOUNTS) as ViewportName[]) {
      await seedMember(live.t, { code: ACCOUNTS[viewport].code, email: ACCOUNTS[viewport].member, role: 'buyer' });
      await seedMember(live.t, { code: '34567', email: ACCOUNTS[viewport].member, role: 'admin' });
    }
  });
  after(async () => {
    await browser?.close();
    await live?.close();
    await sink?.stop();
  });

  for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
    test(`${viewport}: every customer page in English, lang="en", no French text, zero WCAG 2.1 AA violations`, async () => {
      const context = await newContext(browser, { ...viewportOptions(viewport), locale: 'en-GB' });
      await enableAxe(context);
      const page = await context.newPage();
      const problems = watchConsole(page);
      const failures: string[] = [];
      try {
        for (const visit of VISITS) {
          const response = (await visit.open(page, live, ACCOUNTS[viewport])) as { status(): number } | null | undefined;
          if (response && typeof response.status === 'function') assert.equal(response.status(), visit.status, `${visit.name}: HTTP status`);
          await page.evaluate(() => (globalThis as any).document.fonts.ready);
          const heading = (await page.getByRole('heading', { level: 1 }).textContent())?.trim() ?? '';
          assert.equal(heading, visit.heading, `${visit.name}: h1`);
          assert.equal(await page.locator('html').getAttribute('lang'), 'en', `${visit.name}: <html lang>`);
          // The text of the page, less what is marked as another language (the link to French) and the brand.
          const text: string = await page.evaluate(() => {
            const body = (globalThis as any).document.body.cloneNode(true);
            for (const other of body.querySelectorAll('[lang]:not([lang="en"])')) other.remove();
            return body.textContent.replaceAll('Cartothèque', '');
          });
          const french = FRENCH.exec(text);
          if (french) failures.push(`${visit.name}: French in an English page: “…${text.slice(Math.max(0, french.index - 40), french.index + 40).replace(/\s+/g, ' ')}…”`);
          const link = page.locator('a.language-switch');
          assert.equal(await link.getAttribute('lang'), 'fr', `${visit.name}: lang of the link`);
          assert.equal(await link.getAttribute('hreflang'), 'fr', `${visit.name}: hreflang of the link`);
          const overflow = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
          if (overflow > 0) failures.push(`${visit.name}: the page is ${overflow}px wider than the window`);
          // Issue 23: English words are longer than French ones in places; the same layout checks.
          for (const problem of await layoutProblems(page, viewport)) failures.push(`${visit.name}: ${problem}`);
          await saveScreenshot(page, `en-${viewport}-${visit.name}`);
          for (const violation of await accessibilityViolations(page)) failures.push(`${visit.name}: ${violation}`);
          for (const problem of problems.splice(0)) failures.push(`${visit.name}: ${problem}`);
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(failures, [], failures.join('\n'));
    });
  }

  test('S51 the English / Français link, JavaScript off: same page in the other language, the choice kept over the browser’s', async () => {
    const context = await newContext(browser, { ...viewportOptions('desktop'), javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(live.url('/mot-de-passe-oublie'));
      assert.equal(await page.locator('html').getAttribute('lang'), 'fr', 'a French browser gets French');
      await page.getByRole('link', { name: 'English' }).click();
      await page.waitForURL(live.url('/mot-de-passe-oublie'));
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      assert.equal((await page.getByRole('heading', { level: 1 }).textContent())?.trim(), 'Forgotten your password? / First sign-in');
      const cookie = (await context.cookies()).find((c) => c.name === '__Host-ep_lang');
      assert.equal(cookie?.value, 'en');
      assert.ok(cookie?.httpOnly && cookie.secure && cookie.sameSite === 'Lax', 'S21');
      await page.goto(live.url('/ouverture-de-compte'));
      assert.equal(await page.locator('html').getAttribute('lang'), 'en', 'the choice stays');
      await page.getByRole('link', { name: 'Français' }).click();
      await page.waitForURL(live.url('/ouverture-de-compte'));
      assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
      assert.equal((await page.getByRole('heading', { level: 1 }).textContent())?.trim(), 'Demande d’ouverture de compte');
    } finally {
      await context.close();
    }
  });
});
