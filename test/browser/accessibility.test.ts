/**
 * Every page, in its normal and its error state, at a desktop and a phone viewport:
 * zero axe-core violations at WCAG 2.1 A/AA, no script or CSP error, and a screenshot in
 * docs/screenshots/ (<viewport>-<page>.png) for people to look at (the gallery: docs/screenshots/README.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedAccount, seedMember, STRONG_PASSWORD } from '../helpers/accounts.js';
import { invitationLink } from '../company/support.js';
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
  /** A buyer of this company who is also in another one: signs in by e-mail and meets the chooser. */
  member: string;
  /** Invited from Mon équipe; opens the invitation's activation page. */
  invitee: string;
}

interface PageVisit {
  /** File name of the screenshot, and how failures name the page. */
  name: string;
  status: number;
  /**
   * Brings the page into the state to audit, starting from the previous visit's page. When it
   * returns a response, its status is checked; redirects are followed and not checked.
   */
  open(page: Page, live: LiveApp, account: Account): Promise<unknown>;
  /** The page's h1, which says where the visitor is. */
  heading: string | RegExp;
  /** What else this page must show at this viewport. */
  check?(page: Page, viewport: ViewportName): Promise<void>;
}

/** The two panels of Authentification: side by side on a desktop, stacked in reading order on a phone. */
async function checkPanels(page: Page, viewport: ViewportName) {
  const opening = (await page.getByRole('region', { name: 'OUVERTURE DE COMPTE' }).boundingBox())!;
  const registered = (await page.getByRole('region', { name: 'DÉJÀ INSCRIT ?' }).boundingBox())!;
  if (viewport === 'desktop') {
    assert.equal(Math.round(opening.y), Math.round(registered.y), 'panels on the same row on a desktop');
    assert.ok(registered.x > opening.x, 'OUVERTURE DE COMPTE on the left, DÉJÀ INSCRIT ? on the right');
  } else {
    assert.equal(Math.round(opening.x), Math.round(registered.x), 'panels in one column on a phone');
    // Issue 15: returning customers are most visitors; on a phone their panel comes first.
    assert.ok(registered.y < opening.y, 'DÉJÀ INSCRIT ? first on a phone');
  }
}

/** Submits a form that answers with a page of its own (an error state), and returns that response. */
async function submitAndWait(page: Page, submit: () => Promise<void>) {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'), submit()]);
  await page.waitForLoadState();
  return response;
}

async function submitLogin(page: Page, account: Account, password: string) {
  await page.getByRole('textbox', { name: 'Identifiant', exact: true }).fill(account.code);
  await page.getByLabel(/^Mot de passe/).fill(password);
  await page.getByRole('button', { name: 'Valider' }).click();
}

let sink: SmtpSink;

/** Delivers the outbox until a mail reaches `address` (the other viewport may be draining too). */
async function mailTo(live: LiveApp, address: string) {
  for (let tries = 0; tries < 100; tries++) {
    await live.t.outbox.drain();
    const mail = sink.to(address).at(-1);
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`no mail reached ${address}`);
}

/** In this order: the anonymous pages and their error states, the reset flow, then the signed-in pages. */
const VISITS: PageVisit[] = [
  { name: 'accueil', status: 200, heading: /Bienvenue/, open: (page, live) => page.goto(live.url('/')) },
  { name: 'connexion', status: 200, heading: 'Authentification', open: (page, live) => page.goto(live.url('/connexion')), check: checkPanels },
  {
    name: 'connexion-erreur',
    status: 401,
    heading: 'Authentification',
    open: (page, _live, account) => submitAndWait(page, () => submitLogin(page, account, 'pas le bon mot de passe')),
  },
  { name: 'mot-de-passe-oublie', status: 200, heading: 'Mot de passe oublié ? / Première connexion', open: (page, live) => page.goto(live.url('/mot-de-passe-oublie')) },
  {
    name: 'mot-de-passe-oublie-erreur',
    status: 400,
    heading: 'Mot de passe oublié ? / Première connexion',
    open: (page) => submitAndWait(page, () => page.getByRole('button', { name: 'Réinitialiser mot de passe' }).click()),
  },
  {
    name: 'mot-de-passe-oublie-confirmation',
    status: 200,
    heading: 'Vérifiez votre messagerie',
    open: async (page, _live, account) => {
      await page.getByRole('textbox', { name: 'Identifiant', exact: true }).fill(account.code);
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill(account.email);
      await page.getByRole('button', { name: 'Réinitialiser mot de passe' }).click();
      return page.waitForURL(/\/mot-de-passe-oublie\/confirmation/);
    },
  },
  {
    name: 'activation',
    status: 200,
    heading: 'Activation / Réinitialisation compte utilisateur',
    open: async (page, live, account) => {
      return page.goto(linkIn(await mailTo(live, account.email)));
    },
  },
  {
    name: 'activation-erreur',
    status: 400,
    heading: 'Activation / Réinitialisation compte utilisateur',
    open: (page) =>
      submitAndWait(page, async () => {
        await page.locator('#mot_de_passe').fill('court');
        await page.locator('#confirmation').fill('autre chose');
        await page.getByRole('button', { name: 'Valider' }).click();
      }),
  },
  { name: 'lien-invalide', status: 410, heading: 'Ce lien n’est plus valide', open: (page, live) => page.goto(live.url('/activation?token=ce-lien-n-existe-pas')) },
  { name: 'ouverture-de-compte', status: 200, heading: /ouverture de compte/, open: (page, live) => page.goto(live.url('/ouverture-de-compte')) },
  {
    name: 'ouverture-de-compte-erreur',
    status: 400,
    heading: /ouverture de compte/,
    open: (page) => submitAndWait(page, () => page.getByRole('button', { name: 'Envoyer' }).click()),
  },
  {
    name: 'ouverture-de-compte-merci',
    status: 200,
    heading: 'Merci, votre demande a bien été envoyée',
    open: async (page, live) => {
      const fields = { raison_sociale: 'Librairie des Quais', nom: 'Martin', prenom: 'Claire', email: 'claire@librairie-des-quais.fr', telephone: '01 23 45 67 89' };
      for (const [id, value] of Object.entries(fields)) await page.locator(`#${id}`).fill(value);
      await page.getByRole('button', { name: 'Envoyer' }).click();
      return page.waitForURL((url) => url.pathname.startsWith('/ouverture-de-compte/'));
    },
  },
  { name: 'page-introuvable', status: 404, heading: 'Page introuvable', open: (page, live) => page.goto(live.url('/cette-page-n-existe-pas')) },
  {
    name: 'espace-pro',
    status: 200,
    heading: 'Mon Espace Pro',
    open: async (page, live, account) => {
      await page.goto(live.url('/connexion'));
      await submitLogin(page, account, STRONG_PASSWORD);
      await page.waitForURL(live.url('/espace-pro'));
      return page.goto(live.url('/espace-pro'));
    },
  },
  {
    name: 'espace-pro-securite',
    status: 200,
    heading: 'Sécurité de mon compte',
    open: async (page, live) => {
      await page.getByRole('link', { name: 'Gérer la sécurité de mon compte' }).click();
      return page.waitForURL(live.url('/espace-pro/securite'));
    },
  },
  {
    name: 'espace-pro-securite-erreur',
    status: 400,
    heading: 'Sécurité de mon compte',
    open: (page) => submitAndWait(page, () => page.getByRole('button', { name: 'Changer le mot de passe' }).click()),
  },
  // The account's passkeys (one seeded, so the list shows its dates and "Supprimer").
  { name: 'cles', status: 200, heading: 'Clés d’accès', open: (page, live) => page.goto(live.url('/espace-pro/cles')) },
  // Company accounts: Mon équipe, the invitation form with its errors, then a sent invitation.
  {
    name: 'mon-equipe',
    status: 200,
    heading: 'Mon équipe',
    open: async (page, live) => {
      await page.goto(live.url('/espace-pro'));
      await page.getByRole('link', { name: 'Gérer mon équipe' }).click();
      return page.waitForURL(live.url('/espace-pro/equipe'));
    },
  },
  {
    name: 'mon-equipe-erreur',
    status: 400,
    heading: 'Mon équipe',
    open: (page) =>
      submitAndWait(page, async () => {
        await page.locator('#prenom').fill('Léa');
        await page.locator('#email').fill('lea.petit@');
        await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
      }),
    check: async (page) => {
      assert.match((await page.locator('#nom-erreur').textContent()) ?? '', /Veuillez saisir le nom/);
      assert.equal(await page.locator('#prenom').inputValue(), 'Léa', 'what was typed is kept');
    },
  },
  {
    name: 'mon-equipe-invitation-envoyee',
    status: 200,
    heading: 'Mon équipe',
    open: async (page, _live, account) => {
      await page.locator('#nom').fill('Petit');
      await page.locator('#email').fill(account.invitee);
      await page.locator('#role').selectOption('buyer');
      await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
      return page.waitForURL(/\/espace-pro\/equipe\?ok=invited$/);
    },
  },
  {
    name: 'connexion-deconnecte',
    status: 200,
    heading: 'Authentification',
    open: async (page, live) => {
      await page.goto(live.url('/espace-pro'));
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      return page.waitForURL(/deconnecte=1/);
    },
  },
  // The invited person's page: their e-mail as Identifiant, a password to choose.
  {
    name: 'invitation',
    status: 200,
    heading: 'Activation / Réinitialisation compte utilisateur',
    open: async (page, live, account) => page.goto(live.url(invitationLink((await mailTo(live, account.invitee)).text ?? ''))),
    check: async (page) => {
      assert.match(await page.getByRole('main').innerText(), /vous invite à rejoindre l’Espace Pro de/);
      assert.match(await page.locator('#identifiant').inputValue(), /@/, 'the invited e-mail as Identifiant');
    },
  },
  {
    name: 'invitation-erreur',
    status: 400,
    heading: 'Activation / Réinitialisation compte utilisateur',
    open: (page) =>
      submitAndWait(page, async () => {
        await page.locator('#mot_de_passe').fill('court');
        await page.locator('#confirmation').fill('autre chose');
        await page.getByRole('button', { name: 'Valider' }).click();
      }),
  },
  // A person of two companies signs in with their e-mail: "Choisissez le compte client".
  {
    name: 'compte-client',
    status: 200,
    heading: 'Choisissez le compte client',
    open: async (page, live, account) => {
      await page.goto(live.url('/connexion'));
      await submitLogin(page, { ...account, code: account.member }, STRONG_PASSWORD);
      return page.waitForURL(/\/espace-pro\/compte-client/);
    },
  },
];

/** One account per viewport, so both audits can run side by side without sharing mail or limits. */
const ACCOUNTS: Record<ViewportName, Account> = {
  desktop: { code: '12345', email: 'contact@librairie-du-port.fr', member: 'paul.martin@librairie-du-port.fr', invitee: 'lea.petit@librairie-du-port.fr' },
  phone: { code: '23456', email: 'compta@papeterie-du-centre.fr', member: 'achats@papeterie-du-centre.fr', invitee: 'stagiaire@papeterie-du-centre.fr' },
};

// The two viewports run side by side: each has its own context and account.
describe('browser: accessibility and screenshots of every page', { skip: skipWithoutChromium, timeout: BROWSER_SUITE_TIMEOUT_MS, concurrency: true }, () => {
  let live: LiveApp;
  let browser: Browser;

  before(async () => {
    sink = await new SmtpSink().start();
    [live, browser] = await Promise.all([startLiveApp({ env: { SMTP_URL: sink.url } }), launchChromium()]);
    const desktop = await seedAccount(live.t, { code: ACCOUNTS.desktop.code, email: ACCOUNTS.desktop.email, company: 'Librairie du Port' });
    const phone = await seedAccount(live.t, { code: ACCOUNTS.phone.code, email: ACCOUNTS.phone.email, company: 'Papeterie du Centre' });
    // A chain's head office, where each viewport's buyer is also an administrator: the chooser offers both.
    await seedAccount(live.t, { code: '34567', email: 'centrale@groupe-des-libraires.fr', company: 'Groupe des Libraires' });
    for (const viewport of Object.keys(ACCOUNTS) as ViewportName[]) {
      await seedMember(live.t, { code: ACCOUNTS[viewport].code, email: ACCOUNTS[viewport].member, role: 'buyer', givenName: 'Paul', familyName: 'Martin' });
      await seedMember(live.t, { code: '34567', email: ACCOUNTS[viewport].member, role: 'admin' });
    }
    // One passkey per holder, so Clés d'accès shows a filled list (the ceremony itself: passkeys.test.ts).
    const now = live.t.clock.now();
    for (const [i, person] of [desktop, phone].entries()) {
      await live.t.db
        .insertInto('passkeys')
        .values({ owner_type: 'person', owner_id: person.id, credential_id: `cle-${i}`, public_key: 'AA', user_handle: `u${i}`, counter: 0, transports: 'internal', device_type: 'multiDevice', backed_up: 1, name: 'MacBook de Marie', created_at: now - 20 * 86_400_000, last_used_at: now - 86_400_000 })
        .execute();
    }
  });
  after(async () => {
    await browser?.close();
    await live?.close();
    await sink?.stop();
  });

  for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
    test(`${viewport} (${VIEWPORTS[viewport].width}×${VIEWPORTS[viewport].height}): zero WCAG 2.1 AA violations on every page`, async () => {
      const context = await newContext(browser, viewportOptions(viewport));
      await enableAxe(context);
      const page = await context.newPage();
      const problems = watchConsole(page);
      const failures: string[] = [];
      try {
        for (const visit of VISITS) {
          const response = (await visit.open(page, live, ACCOUNTS[viewport])) as { status(): number } | null | undefined;
          if (response && typeof response.status === 'function') {
            assert.equal(response.status(), visit.status, `${visit.name}: HTTP status`);
          }
          await page.evaluate(() => (globalThis as any).document.fonts.ready);
          const heading = (await page.getByRole('heading', { level: 1 }).textContent())?.trim() ?? '';
          if (typeof visit.heading === 'string') assert.equal(heading, visit.heading, `${visit.name}: h1`);
          else assert.match(heading, visit.heading, `${visit.name}: h1`);
          // S51: a French browser gets French pages, and says so; the link to English says it is English.
          assert.equal(await page.locator('html').getAttribute('lang'), 'fr', `${visit.name}: <html lang>`);
          assert.equal(await page.locator('a.language-switch').getAttribute('hreflang'), 'en', `${visit.name}: the link to English`);

          // Nothing may stick out sideways on a phone (WCAG 1.4.10 reflow).
          const overflow = await page.evaluate(() => {
            const doc = (globalThis as any).document.documentElement;
            return doc.scrollWidth - doc.clientWidth;
          });
          if (overflow > 0) failures.push(`${visit.name}: ${overflow}px of horizontal scrolling`);
          const wider = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
          if (wider > 0) failures.push(`${visit.name}: the page is ${wider}px wider than the window`);

          // Issue 23: no sideways scroll at 1280 px, no text printed over other text at 390 px.
          for (const problem of await layoutProblems(page, viewport)) failures.push(`${visit.name}: ${problem}`);

          await visit.check?.(page, viewport);
          await saveScreenshot(page, `${viewport}-${visit.name}`);
          for (const violation of await accessibilityViolations(page)) failures.push(`${visit.name}: ${violation}`);
          for (const problem of problems.splice(0)) failures.push(`${visit.name}: ${problem}`);
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(failures, [], failures.join('\n'));
    });
  }
});
