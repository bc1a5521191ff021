/**
 * Signing in as a person does it, in Chromium: with the mouse, with JavaScript off, with the
 * keyboard only, and with "Mémoriser mes identifiants" across a browser restart.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import {
  BROWSER_SUITE_TIMEOUT_MS,
  launchChromium,
  type LiveApp,
  newContext,
  persistentCookies,
  resetData,
  skipWithoutChromium,
  startLiveApp,
  watchConsole,
} from './support.js';

const COMPANY = 'Librairie du Port';

/** The "DÉJÀ INSCRIT ?" form's controls, found by their accessible names as a screen reader would. */
function loginForm(page: Page) {
  return {
    identifier: page.getByRole('textbox', { name: 'Identifiant', exact: true }),
    // The label reads "Mot de passe *" on screen; the asterisk is hidden from screen readers.
    password: page.getByLabel(/^Mot de passe/),
    remember: page.getByRole('checkbox', { name: 'Mémoriser mes identifiants' }),
    submit: page.getByRole('button', { name: 'Valider' }),
  };
}

async function signIn(page: Page, live: LiveApp, options: { remember?: boolean; password?: string } = {}) {
  await page.goto(live.url('/connexion'));
  const form = loginForm(page);
  await form.identifier.fill('12345');
  await form.password.fill(options.password ?? STRONG_PASSWORD);
  if (options.remember) await form.remember.check();
  await form.submit.click();
}

async function headingText(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).textContent())?.trim() ?? '';
}

describe('browser: signing in', { skip: skipWithoutChromium, timeout: BROWSER_SUITE_TIMEOUT_MS }, () => {
  let live: LiveApp;
  let browser: Browser;

  before(async () => {
    [live, browser] = await Promise.all([startLiveApp(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await live?.close();
  });
  beforeEach(async () => {
    await resetData(live.t);
    await seedAccount(live.t, { company: COMPANY });
  });

  for (const javaScriptEnabled of [true, false]) {
    test(`home → Mon Espace Pro → Authentification → Valider → Mon Espace Pro → Se déconnecter (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const context = await newContext(browser, { javaScriptEnabled });
      const page = await context.newPage();
      const problems = watchConsole(page);

      await page.goto(live.url('/'));
      await page.getByRole('main').getByRole('link', { name: 'Mon Espace Pro' }).click();
      await page.waitForURL(/\/connexion/);
      assert.equal(await headingText(page), 'Authentification');
      assert.equal(await page.title(), 'Authentification – Cartothèque');
      for (const panel of ['OUVERTURE DE COMPTE', 'DÉJÀ INSCRIT ?']) {
        assert.equal(await page.getByRole('region', { name: panel }).count(), 1, `panel ${panel}`);
      }
      const toggles = page.getByRole('button', { name: 'Afficher le mot de passe' });
      assert.equal(await toggles.count(), javaScriptEnabled ? 1 : 0, 'the show/hide button exists only with JavaScript');

      const form = loginForm(page);
      await form.identifier.fill('12345');
      await form.password.fill(STRONG_PASSWORD);
      assert.equal(await form.remember.isChecked(), false);
      await form.submit.click();

      await page.waitForURL(live.url('/espace-pro'));
      assert.equal(await headingText(page), 'Mon Espace Pro');
      const main = (await page.getByRole('main').textContent()) ?? '';
      assert.match(main, /Bonjour, Librairie du Port/);
      assert.match(main, /12345/);

      // Chromium took the __Host- cookies over plain http://127.0.0.1, Secure and HttpOnly.
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === '__Host-ep_session');
      assert.ok(session, 'session cookie stored by the browser');
      assert.equal(session.secure, true);
      assert.equal(session.httpOnly, true);
      assert.equal(session.expires, -1, 'without "Mémoriser mes identifiants" the session ends with the browser');
      assert.equal(cookies.some((c) => c.name === '__Host-ep_remember'), false);

      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.waitForURL(/\/connexion\?deconnecte=1/);
      assert.match((await page.getByRole('status').textContent()) ?? '', /Vous êtes déconnecté/);
      await page.goto(live.url('/espace-pro'));
      assert.match(page.url(), /\/connexion\?next=/, 'signed out for real');

      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('a failed login keeps the identifier, never the password, and moves focus to the error summary', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchConsole(page);
    await signIn(page, live, { password: 'pas le bon mot de passe' });
    await page.waitForFunction(() => (globalThis as any).document.activeElement?.id === 'resume-erreurs');

    assert.equal(await page.title(), 'Erreur : Authentification – Cartothèque');
    const form = loginForm(page);
    assert.equal(await form.identifier.inputValue(), '12345');
    assert.equal(await form.password.inputValue(), '');
    assert.equal(await form.identifier.getAttribute('aria-invalid'), 'true');
    // Issue 15: the one failure message is shown once, in the summary, which describes the field.
    assert.match((await form.identifier.getAttribute('aria-describedby')) ?? '', /\bresume-erreurs\b/);
    const alert = page.getByRole('alert');
    assert.match((await alert.textContent()) ?? '', /Identifiant ou mot de passe incorrect/);

    // The summary's link takes the customer to the field.
    await alert.getByRole('link').click();
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.id), 'identifiant');

    assert.deepEqual(problems, []);
    await context.close();
  });

  test('keyboard only: Tab, typing and Enter sign in, with a visible focus at every stop', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(live.url('/'));

    /** Presses Tab until the focused element matches; returns what each stop was. */
    async function tabTo(description: string, matches: (el: { id: string; text: string; tag: string }) => boolean) {
      for (let presses = 0; presses < 15; presses++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const el = (globalThis as any).document.activeElement;
          const style = (globalThis as any).getComputedStyle(el);
          return {
            id: el.id as string,
            tag: el.tagName.toLowerCase() as string,
            text: ((el.textContent as string) ?? '').trim(),
            visibleFocus: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
          };
        });
        assert.ok(focused.visibleFocus, `focus indicator visible on <${focused.tag}> ${focused.id || focused.text}`);
        if (matches(focused)) return;
      }
      assert.fail(`could not reach ${description} with Tab`);
    }

    await tabTo('the skip link', (el) => el.text === 'Aller au contenu');
    await tabTo('the header link Mon Espace Pro', (el) => el.tag === 'a' && el.text === 'Mon Espace Pro');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/connexion/);

    await tabTo('Identifiant', (el) => el.id === 'identifiant');
    await page.keyboard.type('12345');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement.id), 'mot_de_passe', 'Mot de passe follows Identifiant');
    await page.keyboard.type(STRONG_PASSWORD);
    // The show/hide button works from the keyboard too.
    await tabTo('Afficher le mot de passe', (el) => el.text === 'Afficher le mot de passe');
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#mot_de_passe').getAttribute('type'), 'text');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#mot_de_passe').getAttribute('type'), 'password');
    await tabTo('Mémoriser mes identifiants', (el) => el.id === 'memoriser');
    await page.keyboard.press('Space');
    assert.equal(await loginForm(page).remember.isChecked(), true);
    await tabTo('Valider', (el) => el.text === 'Valider');
    await page.keyboard.press('Enter');

    await page.waitForURL(live.url('/espace-pro'));
    assert.equal(await headingText(page), 'Mon Espace Pro');
    await tabTo('Se déconnecter', (el) => el.text === 'Se déconnecter');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/connexion\?deconnecte=1/);
    await context.close();
  });

  test('show/hide password: a real toggle button with aria-pressed and a French label', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(live.url('/connexion'));
    const password = page.locator('#mot_de_passe');
    await password.fill('secret');
    const toggle = page.getByRole('button', { name: 'Afficher le mot de passe' });
    assert.equal(await toggle.getAttribute('type'), 'button', 'never submits the form');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    assert.equal(await toggle.getAttribute('aria-controls'), 'mot_de_passe');

    await toggle.click();
    assert.equal(await password.getAttribute('type'), 'text');
    const hide = page.getByRole('button', { name: 'Masquer le mot de passe' });
    assert.equal(await hide.getAttribute('aria-pressed'), 'true');
    assert.equal(await password.inputValue(), 'secret', 'the typed password is kept');

    await hide.click();
    assert.equal(await password.getAttribute('type'), 'password');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await context.close();
  });

  test('a second click on Valider while the first is on its way sends nothing more', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    // The answer takes half a second, long enough for an impatient second click.
    let posts = 0;
    await page.route('**/connexion', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts++;
      await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue().catch(() => undefined); // aborted if the browser moved on
    });
    await page.goto(live.url('/connexion'));
    const form = loginForm(page);
    await form.identifier.fill('12345');
    await form.password.fill(STRONG_PASSWORD);
    // The mouse, not locator.click(): a person does not wait for the page to start loading.
    const box = (await form.submit.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForURL(live.url('/espace-pro'));
    assert.equal(posts, 1, 'one POST (without app.js, Chromium sends two)');
    await context.close();
  });

  test('"Mémoriser mes identifiants" survives a browser restart; without it the session does not', async () => {
    const remembered = await newContext(browser);
    const forgotten = await newContext(browser);
    await Promise.all([signIn(await remembered.newPage(), live, { remember: true }), signIn(await forgotten.newPage(), live, { remember: false })]);
    for (const context of [remembered, forgotten]) await context.pages()[0]!.waitForURL(live.url('/espace-pro'));
    const rememberedState = await remembered.storageState();
    const forgottenState = await forgotten.storageState();
    await Promise.all([remembered.close(), forgotten.close()]);

    // A restarted browser keeps only the cookies that have an expiry: that is the new context.
    const back = await newContext(browser, { storageState: { ...rememberedState, cookies: persistentCookies(rememberedState.cookies) } });
    assert.equal((await back.cookies()).some((c) => c.name === '__Host-ep_session'), false, 'the session cookie died with the browser');
    const page = await back.newPage();
    await page.goto(live.url('/espace-pro'));
    assert.equal(page.url(), live.url('/espace-pro'), 'still signed in after the restart');
    assert.equal(await headingText(page), 'Mon Espace Pro');

    // Signing out ends the session, yet this browser still pre-fills the identifier.
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(/\/connexion\?deconnecte=1/);
    assert.equal(await loginForm(page).identifier.inputValue(), '12345');
    assert.equal(await loginForm(page).remember.isChecked(), true);
    await back.close();

    const other = await newContext(browser, { storageState: { ...forgottenState, cookies: persistentCookies(forgottenState.cookies) } });
    const otherPage = await other.newPage();
    await otherPage.goto(live.url('/espace-pro'));
    assert.match(otherPage.url(), /\/connexion\?next=/, 'without the box, the restart signed the customer out');
    assert.equal(await loginForm(otherPage).identifier.inputValue(), '');
    await other.close();
  });

  test('Chromium accepts the __Host- Secure cookies on http://localhost too, so development works', async () => {
    const local = await startLiveApp({ hostname: 'localhost' });
    try {
      await seedAccount(local.t);
      const context = await newContext(browser);
      const page = await context.newPage();
      await signIn(page, local);
      await page.waitForURL(local.url('/espace-pro'));
      const names = (await context.cookies()).map((c) => c.name).sort();
      assert.deepEqual(names, ['__Host-ep_browser', '__Host-ep_csrf', '__Host-ep_session']);
      await context.close();
    } finally {
      await local.close();
    }
  });
});
