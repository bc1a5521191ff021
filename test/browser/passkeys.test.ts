/**
 * Passkeys in Chromium with its virtual authenticator (DevTools protocol `WebAuthn.*`): a customer
 * adds one, signs in with it alone, removes it, and then it signs nobody in; a staff member adds
 * one and uses it as the second factor. WebAuthn refuses an IP address as RP ID, so the portal
 * runs at http://localhost:PORT (PUBLIC_URL likewise).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fr } from '../../src/shared/i18n/fr.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { currentTotp, nextTotpStep, seedStaff } from '../helpers/staff.js';
import { BROWSER_SUITE_TIMEOUT_MS, launchChromium, type LiveApp, newContext, resetData, saveScreenshot, skipWithoutChromium, startLiveApp, viewportOptions, watchConsole } from './support.js';

/** A context whose pages have a platform authenticator with resident keys and user verification. */
async function contextWithAuthenticator(
  browser: Browser,
  viewport: 'desktop' | 'phone' = 'desktop',
  options: { autofill?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; credentials: () => Promise<number> }> {
  const context = await newContext(browser, viewportOptions(viewport));
  // The virtual authenticator answers a conditional (autofill) request at once, without anyone
  // picking the passkey; to test the button, the browser says it has no such autofill.
  // (A string: a function would carry the test runner's helpers, unknown in the page.)
  if (options.autofill === false) await context.addInitScript({ content: "Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: function () { return Promise.resolve(false); } });" });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length;
  return { context, page, credentials };
}

describe('browser: passkeys', { skip: skipWithoutChromium, timeout: BROWSER_SUITE_TIMEOUT_MS }, () => {
  let live: LiveApp;
  let browser: Browser;

  before(async () => {
    [live, browser] = await Promise.all([startLiveApp({ hostname: 'localhost' }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await live?.close();
  });
  beforeEach(async () => {
    await resetData(live.t);
  });

  test('a customer adds a passkey, signs in with it alone, removes it, and then it signs nobody in', async () => {
    await seedAccount(live.t, { company: 'Librairie du Port' });
    const { context, page, credentials } = await contextWithAuthenticator(browser, 'desktop', { autofill: false });
    const problems = watchConsole(page);
    try {
      // Password sign-in: Mon Espace Pro invites to add a passkey (WebAuthn is there).
      await page.goto(live.url('/connexion'));
      await page.getByRole('textbox', { name: 'Identifiant', exact: true }).fill('12345');
      await page.getByLabel(/^Mot de passe/).fill(STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Valider' }).click();
      await page.waitForURL(live.url('/espace-pro'));
      await page.getByRole('heading', { name: fr.passkeys.inviteTitle }).waitFor();
      await saveScreenshot(page, 'desktop-passkey-invitation');

      // Mon Espace Pro → Sécurité → Clés d'accès → Ajouter une clé d'accès.
      await page.goto(live.url('/espace-pro/cles'));
      await page.getByRole('button', { name: fr.passkeys.add }).click();
      await page.waitForURL(live.url('/espace-pro/cles?ok=added'));
      assert.equal(await credentials(), 1, 'the authenticator made one credential');
      assert.equal((await live.t.db.selectFrom('passkeys').select('id').execute()).length, 1);
      await page.getByText(fr.passkeys.done.added!).waitFor();
      await saveScreenshot(page, 'desktop-passkeys');

      // Signed out, then in with the passkey alone.
      await page.getByRole('button', { name: 'Se déconnecter' }).first().click();
      await page.waitForURL(/\/connexion/);
      const button = page.getByRole('button', { name: fr.passkeys.signIn });
      await button.waitFor();
      await saveScreenshot(page, 'desktop-connexion-passkey');
      await button.click();
      await page.waitForURL(live.url('/espace-pro'));
      const session = await live.t.db.selectFrom('sessions').select('auth_method').execute();
      assert.deepEqual(session.map((s) => s.auth_method), ['passkey']);

      // Remove it (a passkey sign-in is a recent sign-in: no password asked).
      await page.goto(live.url('/espace-pro/cles'));
      await page.getByRole('button', { name: fr.passkeys.removeLabel('Chrome sur Linux') }).click();
      await page.waitForURL(live.url('/espace-pro/cles?ok=removed'));
      assert.equal((await live.t.db.selectFrom('passkeys').select('id').execute()).length, 0);

      // The authenticator still holds the credential; the server no longer knows it.
      await page.getByRole('button', { name: 'Se déconnecter' }).first().click();
      await page.waitForURL(/\/connexion/);
      await page.getByRole('button', { name: fr.passkeys.signIn }).click();
      await page.getByText(fr.passkeys.SIGN_IN_FAILED).first().waitFor();
      assert.match(page.url(), /\/connexion\/cle$/);
      await saveScreenshot(page, 'desktop-connexion-passkey-refused');
      assert.deepEqual(problems.filter((p) => !/401 for/.test(p)), []);
    } finally {
      await context.close();
    }
  });

  test('passkeys in the autofill of Identifiant (conditional mediation) sign in', async () => {
    await seedAccount(live.t, { company: 'Librairie du Port' });
    const { context, page } = await contextWithAuthenticator(browser);
    try {
      await page.goto(live.url('/connexion'));
      await page.getByRole('textbox', { name: 'Identifiant', exact: true }).fill('12345');
      await page.getByLabel(/^Mot de passe/).fill(STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Valider' }).click();
      await page.waitForURL(live.url('/espace-pro'));
      await page.goto(live.url('/espace-pro/cles'));
      await page.getByRole('button', { name: fr.passkeys.add }).click();
      await page.waitForURL(live.url('/espace-pro/cles?ok=added'));
      await page.getByRole('button', { name: 'Se déconnecter' }).first().click();
      // The Authentification page asks for an autofill passkey on load; the authenticator answers.
      await page.waitForURL(live.url('/espace-pro'));
      const methods = (await live.t.db.selectFrom('sessions').select('auth_method').execute()).map((s) => s.auth_method);
      assert.deepEqual(methods, ['passkey']);
    } finally {
      await context.close();
    }
  });

  test('without WebAuthn nothing about passkeys shows: the page is the password page', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(live.url('/connexion'));
      assert.equal(await page.getByRole('button', { name: fr.passkeys.signIn }).isVisible(), false);
      assert.ok(await page.getByRole('button', { name: 'Valider' }).isVisible());
    } finally {
      await context.close();
    }
  });

  test('a staff member adds a passkey in Mon compte and uses it as the second factor', async () => {
    const staff = await seedStaff(live.t, { role: 'admin', email: 'admin@cartotheque.test' });
    const { context, page } = await contextWithAuthenticator(browser);
    try {
      const signInWithPassword = async () => {
        await page.goto(live.url('/back-office/connexion'));
        await page.getByLabel(new RegExp(`^${fr.staff.email}`)).fill(staff.email);
        await page.getByLabel(/^Mot de passe/).fill(staff.password);
        await page.getByRole('button', { name: fr.staff.loginSubmit }).click();
        await page.waitForURL(/\/back-office\/connexion\/code/);
      };
      await signInWithPassword();
      nextTotpStep(live.t);
      await page.getByLabel(new RegExp(`^${fr.staff.code}`)).fill(currentTotp(live.t, staff.totpSecret));
      await page.getByRole('button', { name: fr.staff.codeSubmit }).click();
      await page.waitForURL(live.url('/back-office'));

      await page.goto(live.url('/back-office/mon-compte'));
      await page.getByRole('button', { name: fr.passkeys.add }).click();
      await page.waitForURL(/\/back-office\/mon-compte\?ok=passkey_added/);
      await page.locator('#cles').scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'desktop-back-office-mon-compte-passkeys');

      await page.getByRole('button', { name: 'Se déconnecter' }).first().click();
      await page.waitForURL(/\/back-office\/connexion/);
      await signInWithPassword();
      const use = page.getByRole('button', { name: fr.passkeys.staffUse });
      await use.waitFor();
      await saveScreenshot(page, 'desktop-back-office-code-passkey');
      await use.click();
      await page.waitForURL(live.url('/back-office'));
      const audit = await live.t.db.selectFrom('audit_log').select('details').where('event', '=', 'staff.login.success').orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.match(audit.details ?? '', /"method":"passkey"/);
    } finally {
      await context.close();
    }
  });

  test('phone: the passkeys page', async () => {
    await seedAccount(live.t, { company: 'Librairie du Port' });
    const { context, page } = await contextWithAuthenticator(browser, 'phone');
    try {
      await page.goto(live.url('/connexion'));
      await page.getByRole('textbox', { name: 'Identifiant', exact: true }).fill('12345');
      await page.getByLabel(/^Mot de passe/).fill(STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Valider' }).click();
      await page.waitForURL(live.url('/espace-pro'));
      await page.goto(live.url('/espace-pro/cles'));
      await page.getByRole('button', { name: fr.passkeys.add }).click();
      await page.waitForURL(live.url('/espace-pro/cles?ok=added'));
      const width = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
      assert.ok(width <= 390, `no sideways scroll (${width})`);
      await saveScreenshot(page, 'phone-passkeys');
    } finally {
      await context.close();
    }
  });
});
