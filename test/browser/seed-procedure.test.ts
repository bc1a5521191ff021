/**
 * The seed's "Procédure d'initialisation du mot de passe", in Chromium, as a customer does it:
 * home → Mon Espace Pro → "Mot de passe oublié ? / Première connexion" → Identifiant + Email →
 * "Réinitialiser mot de passe" → the link in the mail received over SMTP → both passwords →
 * Valider → sign in with the new password → Mon Espace Pro → Se déconnecter. With JavaScript on
 * and off, and the activation page completed with the keyboard only.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedAccount, holderOfCode } from '../helpers/accounts.js';
import { linkIn, SmtpSink } from '../helpers/smtp.js';
import { BROWSER_SUITE_TIMEOUT_MS, launchChromium, type LiveApp, newContext, resetData, skipWithoutChromium, startLiveApp, watchConsole } from './support.js';

const CODE = '12345';
const EMAIL = 'contact@librairie-du-port.fr';
const NEW_PASSWORD = 'un phare bleu veille sur la baie';

async function headingText(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).textContent())?.trim() ?? '';
}

describe('browser: the seed procedure, first login through "Mot de passe oublié ? / Première connexion"', { skip: skipWithoutChromium, timeout: BROWSER_SUITE_TIMEOUT_MS }, () => {
  let live: LiveApp;
  let browser: Browser;
  let sink: SmtpSink;

  before(async () => {
    sink = await new SmtpSink().start();
    [live, browser] = await Promise.all([startLiveApp({ env: { SMTP_URL: sink.url } }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await live?.close();
    await sink?.stop();
  });
  beforeEach(async () => {
    // Links and queued requests first: they point at the accounts resetData deletes.
    for (const table of ['link_tokens', 'reset_requests', 'outbox'] as const) await live.t.db.deleteFrom(table).execute();
    await resetData(live.t);
    sink.clear();
    // Created beforehand by customer service, without a password: the customer must activate it.
    await seedAccount(live.t, { code: CODE, email: EMAIL, password: null });
  });

  /** The mail the worker delivered over SMTP (the reset request is matched by the worker first). */
  async function activationLink(): Promise<string> {
    for (let tries = 0; tries < 100; tries++) {
      await live.t.outbox.drain();
      const mail = sink.to(EMAIL).at(-1);
      if (mail) return linkIn(mail);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`no mail reached ${EMAIL}`);
  }

  /** Home → Mon Espace Pro → Mot de passe oublié ? → the form sent; returns the link from the mail. */
  async function requestLink(page: Page): Promise<string> {
    await page.goto(live.url('/'));
    await page.getByRole('main').getByRole('link', { name: 'Mon Espace Pro' }).click();
    await page.waitForURL(/\/connexion/);
    assert.equal(await headingText(page), 'Authentification');
    await page.getByRole('link', { name: 'Mot de passe oublié ? / Première connexion' }).click();
    await page.waitForURL(/\/mot-de-passe-oublie/);
    await page.getByRole('textbox', { name: 'Identifiant', exact: true }).fill(CODE);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(EMAIL);
    await page.getByRole('button', { name: 'Réinitialiser mot de passe' }).click();
    await page.waitForURL(/\/mot-de-passe-oublie\/confirmation/);
    assert.equal(await headingText(page), 'Vérifiez votre messagerie');
    return activationLink();
  }

  /** Signs in with the new password from wherever the activation left the customer, then signs out. */
  async function signInAndOut(page: Page) {
    await page.waitForURL(/\/connexion/);
    const identifier = page.getByRole('textbox', { name: 'Identifiant', exact: true });
    if ((await identifier.inputValue()) === '') await identifier.fill(CODE);
    await page.getByLabel(/^Mot de passe/).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.waitForURL(live.url('/espace-pro'));
    assert.equal(await headingText(page), 'Mon Espace Pro');
    assert.match((await page.getByRole('main').textContent()) ?? '', /12345/);
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(/\/connexion\?deconnecte=1/);
    await page.goto(live.url('/espace-pro'));
    assert.match(page.url(), /\/connexion\?next=/, 'signed out for real');
  }

  for (const javaScriptEnabled of [true, false]) {
    test(`home → … → the link in the mail → Valider → sign in → Se déconnecter (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const context = await newContext(browser, { javaScriptEnabled });
      try {
        const page = await context.newPage();
        const problems = watchConsole(page);
        const link = await requestLink(page);
        assert.ok(link.startsWith(live.origin + '/activation?token='), 'the link points at PUBLIC_URL');

        await page.goto(link);
        assert.equal(await headingText(page), 'Activation / Réinitialisation compte utilisateur');
        assert.equal(await page.locator('#identifiant').inputValue(), CODE, 'the page shows the identifier');
        await page.locator('#mot_de_passe').fill(NEW_PASSWORD);
        await page.locator('#confirmation').fill(NEW_PASSWORD);
        await page.getByRole('button', { name: 'Valider' }).click();

        await signInAndOut(page);
        const account = await live.t.db.selectFrom('accounts').select(['password_hash', 'activated_at']).where('id', 'in', holderOfCode(live.t.db, CODE)).executeTakeFirstOrThrow();
        assert.ok(account.password_hash && account.activated_at, 'the account is activated');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }

  test('keyboard only: the activation page is completed with Tab, typing and Enter', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(await requestLinkWithoutBrowser());
      assert.equal(await headingText(page), 'Activation / Réinitialisation compte utilisateur');

      const focusedId = () => page.evaluate(() => (globalThis as any).document.activeElement?.id as string);
      /** Tab until the element with this id has focus, checking the focus is visible at each stop. */
      async function tabTo(id: string) {
        for (let presses = 0; presses < 20; presses++) {
          await page.keyboard.press('Tab');
          const visible = await page.evaluate(() => {
            const style = (globalThis as any).getComputedStyle((globalThis as any).document.activeElement);
            return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
          });
          assert.ok(visible, `visible focus on #${await focusedId()}`);
          if ((await focusedId()) === id) return;
        }
        assert.fail(`could not reach #${id} with Tab`);
      }
      await tabTo('mot_de_passe');
      await page.keyboard.type(NEW_PASSWORD);
      await tabTo('confirmation');
      await page.keyboard.type(NEW_PASSWORD);
      await page.keyboard.press('Enter');
      await signInAndOut(page);
    } finally {
      await context.close();
    }
  });

  /** The same request as the form sends, to start the keyboard test on the activation page. */
  test('the strength meter follows the typing with the server’s rules, announced politely', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(await requestLinkWithoutBrowser());
      const meter = page.locator('#mot_de_passe-force');
      assert.equal(await meter.getAttribute('aria-live'), 'polite');
      assert.match((await page.locator('#mot_de_passe').getAttribute('aria-describedby')) ?? '', /mot_de_passe-force/);
      const typed = async (value: string) => {
        await page.locator('#mot_de_passe').fill(value);
        return (await meter.textContent()) ?? '';
      };
      // Issue 15: plurals written out, and the singular when one character is missing.
      assert.match(await typed('court'), /Encore 10 caractères : 5 sur 15/);
      assert.match(await typed('quatorze carac'), /Encore 1 caractère : 14 sur 15/);
      assert.match(await typed('aaaaaaaaaaaaaaaaaa'), /Trop prévisible/);
      assert.match(await typed('ma boutique 12345 au port'), /contient votre code client/);
      assert.match(await typed('le vélo rouge 😀 de Lucie'), /Longueur suffisante \(24 caractères\)/, 'counted in code points, like the server');
    } finally {
      await context.close();
    }
  });

  async function requestLinkWithoutBrowser(): Promise<string> {
    const context = await newContext(browser);
    try {
      return await requestLink(await context.newPage());
    } finally {
      await context.close();
    }
  }
});
