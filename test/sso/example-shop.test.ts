import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createClient } from '../../src/modules/sso/sso.clients.service.js';
import { freePort, signIn, type SsoSetup, startSso, TEST_OPERATOR, WebBrowser } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('SSO example shop (examples/shop)', () => {
  let s: SsoSetup;
  let shop: ReturnType<typeof spawn>;
  let shopUrl: string;
  before(async () => {
    s = await startSso('sqlite');
    const port = await freePort();
    shopUrl = `http://127.0.0.1:${port}`;
    const { clientId, clientSecret } = await createClient(s.t.db, s.t.clock, { name: 'Boutique pro', redirectUris: [`${shopUrl}/callback`], postLogoutUris: [`${shopUrl}/`] }, TEST_OPERATOR);
    shop = spawn(process.execPath, ['--import', 'tsx', 'examples/shop/shop.ts'], {
      cwd: ROOT,
      env: { ...process.env, ISSUER: s.issuer, SHOP_URL: shopUrl, CLIENT_ID: clientId, CLIENT_SECRET: clientSecret },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => shop.stdout!.on('data', (d: Buffer) => d.toString().includes('Boutique pro on') && resolve()));
  });
  after(async () => {
    shop.kill();
    await s.close();
  });

  test('SSO example shop: sign in through Espace Pro shows "Prix pro pour Librairie du Port (12345)", the person and the role, then signs out of both', async () => {
    const browser = new WebBrowser();
    const start = await browser.follow(`${shopUrl}/login`, `${shopUrl}/never`);
    assert.match(start.url, /\/connexion\?next=/);
    const posted = await signIn(browser, start.url);
    const back = await browser.follow(start.url, `${shopUrl}/never`, posted);
    assert.equal(back.url, `${shopUrl}/`);
    const shopPage = await back.response!.text();
    assert.match(shopPage, /Prix pro pour Librairie du Port \(12345\)/);
    // The person and their role at that company (the holder: Administrateur, who may order).
    assert.match(shopPage, /Bonjour contact@librairie-du-port\.fr — Administrateur/);
    assert.match(shopPage, /<button>Commander<\/button>/);
    // Sign out from the shop: Espace Pro asks to confirm, then both sessions are gone.
    const confirm = await browser.follow(`${shopUrl}/logout`, `${shopUrl}/never`);
    const html = await confirm.response!.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
    const done = await browser.follow(new URL(action, s.origin).href, `${shopUrl}/never`, await browser.request(new URL(action, s.origin).href, { form: { xsrf, logout: 'yes' } }));
    assert.equal(done.url, `${shopUrl}/`);
    assert.match(await done.response!.text(), /Se connecter avec Mon Espace Pro/);
    assert.equal((await browser.request(`${s.origin}/espace-pro`)).status, 303);
  });
});
