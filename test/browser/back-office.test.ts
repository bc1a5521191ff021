/**
 * The account-opening request and its approval in the back office, in Chromium; then every
 * back-office page audited with axe-core (WCAG 2.1 A/AA) at a desktop and a phone viewport,
 * with a screenshot of each in docs/screenshots/ (<viewport>-back-office-<page>.png).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedAccount, seedMember } from '../helpers/accounts.js';
import { SmtpSink } from '../helpers/smtp.js';
import { currentTotp, nextTotpStep, seedStaff } from '../helpers/staff.js';
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

async function headingText(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).textContent())?.trim() ?? '';
}

/**
 * Signs a new staff member in through the real pages: e-mail and password, then the code their
 * authenticator app shows (the test clock first moves to a fresh 30-second step: no replay).
 */
async function signInContext(live: LiveApp, context: BrowserContext, role: 'agent' | 'admin') {
  const staff = await seedStaff(live.t, { role });
  const page = await context.newPage();
  try {
    await page.goto(live.url('/back-office/connexion'));
    await page.locator('#email').fill(staff.email);
    await page.locator('#mot_de_passe').fill(staff.password);
    await page.locator('#mot_de_passe').press('Enter');
    await page.waitForURL(/\/back-office\/connexion\/code/);
    nextTotpStep(live.t);
    await page.locator('#code').fill(currentTotp(live.t, staff.totpSecret));
    await page.locator('#code').press('Enter');
    await page.waitForURL(live.url('/back-office'));
  } finally {
    await page.close();
  }
  return staff;
}

interface PageIds {
  request: number;
  account: number;
}

/**
 * Every signed-in back-office page, screenshot as `<viewport>-back-office-<name>.png` and audited
 * (axe, sideways scroll, text over text). To add a page, add a row: its name, whom to sign in as
 * (admin unless said), its path, and optionally what else it must show.
 */
const BACK_OFFICE_PAGES: Array<{ name: string; as?: 'admin' | 'agent'; status?: number; path: (ids: PageIds) => string; check?: (page: Page, failures: string[]) => Promise<void> }> = [
  { name: 'accueil', path: () => '/back-office' },
  {
    name: 'accueil-agent',
    as: 'agent',
    path: () => '/back-office',
    check: async (page, failures) => {
      if ((await page.locator('main a[href="/back-office/import"]').count()) > 0) failures.push('accueil-agent: the Import card shown to an agent');
    },
  },
  { name: 'demandes', path: () => '/back-office/demandes?etat=toutes' },
  { name: 'demande', path: (ids) => `/back-office/demandes/${ids.request}` },
  { name: 'comptes', path: () => '/back-office/comptes?q=Librairie' },
  {
    name: 'comptes-verrouilles',
    as: 'agent',
    path: () => '/back-office/comptes?filtre=verrouilles',
    check: async (page, failures) => {
      if (!/Verrouillé jusqu’à \d{1,2}\u00a0h\u00a0\d{2}/.test((await page.getByRole('main').innerText()) ?? '')) failures.push('comptes-verrouilles: no "Verrouillé jusqu’à …"');
    },
  },
  {
    // The company page: its people, a pending invitation, the lock with Déverrouiller, the journal link.
    name: 'compte',
    path: (ids) => `/back-office/comptes/${ids.account}`,
    check: async (page, failures) => {
      const main = (await page.getByRole('main').innerText()) ?? '';
      if (!/Verrouillé jusqu’à \d{1,2}\u00a0h\u00a0\d{2}/.test(main)) failures.push('compte: no "Verrouillé jusqu’à …"');
      if ((await page.getByRole('button', { name: 'Déverrouiller' }).count()) !== 1) failures.push('compte: no Déverrouiller');
      if ((await page.locator('a[href="/back-office/journal?compte=12345"]').count()) !== 1) failures.push('compte: no link to its journal');
      if (!main.includes('paul.martin@librairie-du-port.fr')) failures.push('compte: its people not listed');
    },
  },
  { name: 'journal', path: () => '/back-office/journal' },
  { name: 'journal-compte', path: () => '/back-office/journal?compte=12345' },
  {
    name: 'journal-erreur',
    status: 400,
    path: () => '/back-office/journal?du=31%2F02%2F2026&au=15%2F01%2F2026',
    check: async (page, failures) => {
      if (!/jj\/mm\/aaaa/.test((await page.locator('#du-erreur').textContent()) ?? '')) failures.push('journal-erreur: no French message next to "Du"');
      if ((await page.locator('#du').inputValue()) !== '31/02/2026') failures.push('journal-erreur: the typed day lost');
    },
  },
  { name: 'import', path: () => '/back-office/import' },
  { name: 'equipe', path: () => '/back-office/equipe' },
  { name: 'applications', path: () => '/back-office/applications' },
  {
    // With one passkey (seeded at sign-in): the staff passkeys list in Mon compte.
    name: 'mon-compte',
    path: () => '/back-office/mon-compte',
    check: async (page, failures) => {
      if (!((await page.locator('#cles').innerText()) ?? '').includes('Clé YubiKey')) failures.push('mon-compte: the passkey is not listed');
    },
  },
];

describe('browser: account-opening request and back office', { skip: skipWithoutChromium, timeout: BROWSER_SUITE_TIMEOUT_MS }, () => {
  let live: LiveApp;
  let browser: Browser;
  let sink: SmtpSink;

  before(async () => {
    sink = await new SmtpSink().start();
    [live, browser] = await Promise.all([startLiveApp({ env: { SMTP_URL: sink.url } }), launchChromium()]);
    const holder = await seedAccount(live.t, { code: '12345', company: 'Librairie du Port' });
    // The company page's people: the holder, a buyer, a viewer, and an invitation waiting.
    await live.t.db.updateTable('accounts').set({ given_name: 'Marie', family_name: 'Durand' }).where('id', '=', holder.id).execute();
    await seedMember(live.t, { code: '12345', email: 'paul.martin@librairie-du-port.fr', role: 'buyer', givenName: 'Paul', familyName: 'Martin' });
    await seedMember(live.t, { code: '12345', email: 'compta@librairie-du-port.fr', role: 'viewer', givenName: 'Claire', familyName: 'Lefèvre' });
    const now = live.t.clock.now();
    await live.t.db
      .insertInto('invitations')
      .values({ company_id: holder.companyId, email: 'lea.petit@librairie-du-port.fr', email_lc: 'lea.petit@librairie-du-port.fr', given_name: 'Léa', family_name: 'Petit', role: 'buyer', invited_by_account_id: holder.id, invited_by_staff_id: null, created_at: now, expires_at: now + 7 * 86_400_000, state: 'pending', decided_at: null, accepted_account_id: null })
      .execute();
  });
  after(async () => {
    await browser?.close();
    await live?.close();
    await sink?.stop();
  });

  test('a company asks for an account, then an agent approves it with a customer code', async () => {
    const visitor = await newContext(browser);
    try {
      const page = await visitor.newPage();
      const problems = watchConsole(page);
      await page.goto(live.url('/connexion'));
      await page.getByRole('link', { name: 'Demander une ouverture de compte' }).first().click();
      await page.waitForURL(/\/ouverture-de-compte$/);
      const fields: Record<string, string> = {
        raison_sociale: 'Librairie des Quais',
        nom: 'Martin',
        prenom: 'Claire',
        email: 'claire@librairie-des-quais.fr',
        telephone: '01 23 45 67 89',
        ville: 'Nantes',
      };
      for (const [id, value] of Object.entries(fields)) await page.locator(`#${id}`).fill(value);
      await page.getByRole('button', { name: 'Envoyer' }).click();
      await page.waitForURL(/\/ouverture-de-compte\/merci/);
      assert.equal(await headingText(page), 'Merci, votre demande a bien été envoyée');
      assert.deepEqual(problems, []);
    } finally {
      await visitor.close();
    }

    const agent = await newContext(browser);
    try {
      await signInContext(live, agent, 'agent');
      const page = await agent.newPage();
      const problems = watchConsole(page);
      await page.goto(live.url('/back-office/demandes'));
      assert.equal(await headingText(page), 'Demandes d’ouverture de compte');
      await page.getByRole('link', { name: 'Librairie des Quais' }).click();
      await page.waitForURL(/\/back-office\/demandes\/\d+$/);
      assert.match(await headingText(page), /^Demande n° \d+$/);
      assert.match((await page.getByRole('main').textContent()) ?? '', /Librairie des Quais/);
      await page.getByRole('textbox', { name: /Code client ERP/ }).fill('54321');
      await page.getByRole('button', { name: 'Approuver et envoyer le lien d’activation' }).click();
      await page.waitForURL(/\?ok=approuvee/);
      assert.match((await page.getByRole('status').first().textContent()) ?? '', /Demande approuvée/);
      const account = await live.t.db
        .selectFrom('companies')
        .innerJoin('accounts', 'accounts.id', 'companies.holder_account_id')
        .select(['companies.name as company', 'accounts.email'])
        .where('companies.code', '=', '54321')
        .executeTakeFirstOrThrow();
      assert.deepEqual(account, { company: 'Librairie des Quais', email: 'claire@librairie-des-quais.fr' });
      assert.deepEqual(problems, []);
    } finally {
      await agent.close();
    }
  });

  for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
    test(`${viewport}: the staff sign-in pages have the back office's header, no customer footer, zero WCAG 2.1 AA violations`, async () => {
      const context = await newContext(browser, viewportOptions(viewport));
      const failures: string[] = [];
      try {
        await enableAxe(context);
        const staff = await seedStaff(live.t, { role: 'agent' });
        const page = await context.newPage();
        await page.goto(live.url('/back-office/connexion'));
        const states: Array<[string, () => Promise<unknown>]> = [
          ['connexion', async () => undefined],
          ['connexion-erreur', async () => {
            await page.locator('#email').fill(staff.email);
            await page.locator('#mot_de_passe').fill('pas le bon');
            await page.locator('#mot_de_passe').press('Enter');
            await page.waitForLoadState();
          }],
          ['code', async () => {
            await page.locator('#email').fill(staff.email);
            await page.locator('#mot_de_passe').fill(staff.password);
            await page.locator('#mot_de_passe').press('Enter');
            await page.waitForURL(/\/back-office\/connexion\/code/);
          }],
        ];
        for (const [name, reach] of states) {
          await reach();
          assert.match(await page.locator('.site-header .brand').innerText(), /Back office/, `${name}: the back office's header`);
          // The back office has the same footer bar as the customer pages, with the staff's content.
          if ((await page.locator('.site-footer:not(.staff-footer)').count()) > 0) failures.push(`${name}: customer footer shown to staff`);
          if ((await page.getByRole('link', { name: 'Mon Espace Pro' }).count()) > 0) failures.push(`${name}: customer header link shown to staff`);
          for (const problem of await layoutProblems(page, viewport)) failures.push(`${name}: ${problem}`);
          await saveScreenshot(page, `${viewport}-back-office-${name}`);
          for (const violation of await accessibilityViolations(page)) failures.push(`${name}: ${violation}`);
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(failures, [], failures.join('\n'));
    });
  }

  for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
    test(`${viewport}: staff setup — password, QR code centred, recovery codes kept on screen until "Je les ai notés" is ticked`, async () => {
      const { createStaff } = await import('../../src/modules/staff/staff.members.service.js');
      const email = `nouveau-${viewport}@cartotheque.test`;
      const created = await createStaff({ db: live.t.db, clock: live.t.clock, config: live.t.config }, { email, role: 'agent' }, { ip: null, userAgent: 'test' }, { type: 'operator', id: 'test' }, 'print');
      const context = await newContext(browser, viewportOptions(viewport));
      const failures: string[] = [];
      try {
        await enableAxe(context);
        const page = await context.newPage();
        const problems = watchConsole(page);
        const shot = async (name: string) => {
          for (const problem of await layoutProblems(page, viewport)) failures.push(`${name}: ${problem}`);
          if ((await page.locator('.site-footer:not(.staff-footer)').count()) > 0) failures.push(`${name}: customer footer shown to staff`);
          await saveScreenshot(page, `${viewport}-back-office-${name}`);
          for (const violation of await accessibilityViolations(page)) failures.push(`${name}: ${violation}`);
          for (const problem of problems.splice(0)) failures.push(`${name}: ${problem}`);
        };
        assert.ok(created.ok && created.value.link);
        await page.goto(created.value.link.replace(/^https?:\/\/[^/]+/, live.origin));
        await page.waitForURL(/\/back-office\/activation$/);
        const hint = (await page.locator('#mot_de_passe-aide').innerText()) ?? '';
        assert.ok(!hint.includes('code client'), 'the staff password hint does not speak of a customer code');
        await shot('activation-mot-de-passe');
        await page.locator('#mot_de_passe').fill('une tortue verte traverse la route');
        await page.locator('#confirmation').fill('une tortue verte traverse la route');
        await page.getByRole('button', { name: 'Enregistrer et continuer' }).click();
        await page.waitForLoadState();
        const qr = (await page.locator('.totp-qr svg').boundingBox())!;
        const panel = (await page.locator('.panel').first().boundingBox())!;
        const offCentre = Math.abs(qr.x + qr.width / 2 - (panel.x + panel.width / 2));
        assert.ok(offCentre <= 2, `QR code centred in its panel (${offCentre}px off)`);
        await shot('activation-qr-code');
        const secret = ((await page.locator('.totp-secret').innerText()) ?? '').replace(/ /g, '');
        nextTotpStep(live.t);
        await page.locator('#code').fill(currentTotp(live.t, secret));
        await page.getByRole('button', { name: 'Activer' }).click();
        await page.waitForLoadState();
        assert.equal(await headingText(page), 'Vos codes de secours');
        assert.ok(await page.getByRole('button', { name: 'Imprimer les codes' }).isVisible(), 'a print button');
        assert.ok(await page.getByRole('button', { name: 'Copier les codes' }).isVisible(), 'a copy button');
        await shot('codes-de-secours');
        await page.getByRole('button', { name: 'Aller à la connexion du back office' }).click();
        await page.waitForTimeout(200);
        assert.equal(await headingText(page), 'Vos codes de secours', 'the codes stay until "Je les ai notés" is ticked');
        await page.getByLabel('Je les ai notés en lieu sûr').check();
        await page.getByRole('button', { name: 'Aller à la connexion du back office' }).click();
        await page.waitForURL(/\/back-office\/connexion/);
      } finally {
        await context.close();
      }
      assert.deepEqual(failures, [], failures.join('\n'));
    });
  }

  // After the approval above, so the lists, the request and the account have something to show.
  for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
    test(`${viewport}: zero WCAG 2.1 AA violations on every back-office page (BACK_OFFICE_PAGES, as an admin and as an agent)`, async () => {
      const contexts = { admin: await newContext(browser, viewportOptions(viewport)), agent: await newContext(browser, viewportOptions(viewport)) };
      const failures: string[] = [];
      try {
        const request = await live.t.db.selectFrom('account_requests').select('id').orderBy('id').executeTakeFirstOrThrow();
        const account = await live.t.db.selectFrom('companies').select('id').where('code', '=', '12345').executeTakeFirstOrThrow();
        // A throttled account, so Comptes shows "Verrouillé jusqu'à …" with its action.
        const now = live.t.clock.now();
        await live.t.db.deleteFrom('login_throttle').where('key', '=', '12345').execute();
        await live.t.db.insertInto('login_throttle').values({ key: '12345', failures: 6, blocked_until: now + 12 * 60_000, updated_at: now }).execute();
        const ids: PageIds = { request: Number(request.id), account: Number(account.id) };
        const pages: Partial<Record<'admin' | 'agent', Page>> = {};
        for (const visit of BACK_OFFICE_PAGES) {
          const as = visit.as ?? 'admin';
          if (!pages[as]) {
            await enableAxe(contexts[as]);
            const staff = await signInContext(live, contexts[as], as);
            await live.t.db
              .insertInto('passkeys')
              .values({ owner_type: 'staff', owner_id: staff.id, credential_id: `cle-${viewport}-${as}`, public_key: 'AA', user_handle: `h-${viewport}-${as}`, counter: 0, transports: 'usb', device_type: 'singleDevice', backed_up: 0, name: 'Clé YubiKey', created_at: now - 30 * 86_400_000, last_used_at: now - 3_600_000 })
              .execute();
            pages[as] = await contexts[as].newPage();
          }
          const page = pages[as]!;
          const problems = watchConsole(page);
          const name = visit.name;
          const response = await page.goto(live.url(visit.path(ids)));
          assert.equal(response?.status(), visit.status ?? 200, `${name}: HTTP status`);
          assert.ok((await headingText(page)) !== '', `${name}: an h1`);
          // Issue 23: no sideways scroll (page or table) at 1280 px, no text over text at 390 px.
          for (const problem of await layoutProblems(page, viewport)) failures.push(`${name}: ${problem}`);
          // The navigation is a bar of links, not a bulleted list.
          const bullets = await page.evaluate(() =>
            [...(globalThis as any).document.querySelectorAll('.back-office-nav li')].filter((li: any) => {
              const style = (globalThis as any).getComputedStyle(li);
              return style.display === 'list-item' && style.listStyleType !== 'none';
            }).length,
          );
          if (bullets > 0) failures.push(`${name}: ${bullets} navigation item(s) rendered as bullets`);
          // One place says where you are: a navigation item, or "Mon compte" (the header's link).
          const current = await page.locator('.back-office-nav [aria-current="page"], .staff-user[aria-current="page"]').count();
          if (current !== 1) failures.push(`${name}: ${current} navigation item(s) marked aria-current`);
          if (name === 'journal') {
            const text = (await page.getByRole('main').innerText()) ?? '';
            const codes = text.match(/\b[a-z_]+\.[a-z_.]+\b/g)?.filter((w) => !w.includes('@') && !/\.(fr|test|com)$/.test(w)) ?? [];
            if (codes.length > 0) failures.push(`journal: raw event codes in the visible text: ${codes.join(', ')}`);
            if (/\b(success|failure|operator:|staff:)\b/.test(text)) failures.push('journal: raw outcome or actor codes');
            if (text.includes('Date (UTC)')) failures.push('journal: "Date (UTC)"');
          }
          await visit.check?.(page, failures);
          await saveScreenshot(page, `${viewport}-back-office-${name}`);
          for (const violation of await accessibilityViolations(page)) failures.push(`${name}: ${violation}`);
          for (const problem of problems.splice(0)) failures.push(`${name}: ${problem}`);
        }
      } finally {
        await contexts.admin.close();
        await contexts.agent.close();
      }
      assert.deepEqual(failures, [], failures.join('\n'));
    });
  }
});
