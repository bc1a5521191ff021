import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createClient } from '../../src/modules/sso/sso.clients.service.js';
import { STRONG_PASSWORD } from '../helpers/accounts.js';
import { BROWSER_SUITE_TIMEOUT_MS, launchChromium, skipWithoutChromium, watchConsole } from '../browser/support.js';
import { freePort, type SsoSetup, startSso, TEST_OPERATOR } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('SSO in a real Chromium: the example shop', { skip: skipWithoutChromium, timeout: BROWSER_SUITE_TIMEOUT_MS }, () => {
  let s: SsoSetup;
  let shop: ReturnType<typeof spawn>;
  let shopUrl: string;
  let chromium: Browser;
  before(async () => {
    s = await startSso('sqlite');
    // The shop on another site (localhost vs 127.0.0.1), as a real shop is.
    shopUrl = `http://localhost:${await freePort()}`;
    const { clientId, clientSecret } = await createClient(s.t.db, s.t.clock, { name: 'Boutique pro', redirectUris: [`${shopUrl}/callback`], postLogoutUris: [`${shopUrl}/`] }, TEST_OPERATOR);
    shop = spawn(process.execPath, ['--import', 'tsx', 'examples/shop/shop.ts'], {
      cwd: ROOT,
      env: { ...process.env, ISSUER: s.issuer, SHOP_URL: shopUrl, CLIENT_ID: clientId, CLIENT_SECRET: clientSecret },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => shop.stdout!.on('data', (d: Buffer) => d.toString().includes('Boutique pro on') && resolve()));
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    shop?.kill();
    await s?.close();
  });

  test('SSO browser: shop → Espace Pro login (remember-me ticked) → back to the shop signed in → a second tab signs in without a password → logout from the shop ends both', async () => {
    // A French browser, as a customer of the reference shop: Chromium's own default (en-US) would get English pages (S51).
    const context = await chromium.newContext({ locale: 'fr-FR' });
    context.setDefaultTimeout(5000);
    const page = await context.newPage();
    const problems = watchConsole(page);

    await page.goto(`${shopUrl}/`);
    await page.getByRole('link', { name: 'Se connecter avec Mon Espace Pro' }).click();
    await page.waitForURL(/\/connexion\?next=/);
    await page.getByRole('textbox', { name: 'Identifiant', exact: true }).fill('12345');
    await page.getByLabel(/^Mot de passe/).fill(STRONG_PASSWORD);
    await page.getByRole('checkbox', { name: 'Mémoriser mes identifiants' }).check();
    await page.getByRole('button', { name: 'Valider' }).click();
    // Through our "Connexion en cours" page (a form post's redirect chain may not leave for the shop).
    await page.waitForURL(`${shopUrl}/`);
    await page.getByRole('heading', { name: 'Prix pro pour Librairie du Port (12345)' }).waitFor();

    // A second tab starts a new sign-in at the shop: no password page on the way.
    const second = await context.newPage();
    const visited: string[] = [];
    second.on('framenavigated', (frame) => visited.push(frame.url()));
    await second.goto(`${shopUrl}/login`);
    await second.waitForURL(`${shopUrl}/`);
    await second.getByRole('heading', { name: 'Prix pro pour Librairie du Port (12345)' }).waitFor();
    assert.ok(!visited.some((u) => u.includes('/connexion')), `no login page: ${visited.join(' ')}`);

    // Logout from the shop: Espace Pro asks once, then the shop and Espace Pro are both signed out.
    await second.getByRole('link', { name: 'Se déconnecter' }).click();
    await second.getByRole('heading', { name: 'Déconnexion' }).waitFor();
    await second.getByRole('button', { name: 'Se déconnecter' }).click();
    await second.waitForURL(`${shopUrl}/`);
    await second.getByRole('link', { name: 'Se connecter avec Mon Espace Pro' }).waitFor();
    await second.goto(`${s.origin}/espace-pro`);
    assert.match(second.url(), /\/connexion/, 'Espace Pro signed out too, remember-me included');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
