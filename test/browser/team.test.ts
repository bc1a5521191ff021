/**
 * Company accounts in Chromium: an administrator signs in, opens Mon équipe, sends an invitation
 * with mistakes (errors next to the fields), then a correct one; the invited person opens the
 * mail's link and chooses a password; staff open the company page. Screenshots in
 * docs/screenshots/: desktop-mon-equipe.png, desktop-invitation-erreurs.png,
 * desktop-invitation-mail.png, desktop-back-office-entreprise.png, phone-mon-equipe.png, and the
 * chooser of a person of two companies: desktop-choix-compte-client.png, phone-choix-compte-client.png.
 * Each page is audited with axe-core (WCAG 2.1 A/AA) and must log no console error.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { STRONG_PASSWORD } from '../helpers/accounts.js';
import { currentTotp, nextTotpStep, seedStaff } from '../helpers/staff.js';
import { addMember, invitationLink, lastMailTo, seedCompany } from '../company/support.js';
import { accessibilityViolations, BROWSER_SUITE_TIMEOUT_MS, enableAxe, launchChromium, type LiveApp, newContext, skipWithoutChromium, startLiveApp, viewportOptions, watchConsole } from './support.js';

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: path.join(DOCS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

async function signIn(live: LiveApp, page: Page, identifier: string) {
  await page.goto(live.url('/connexion'));
  await page.getByRole('textbox', { name: 'Identifiant', exact: true }).fill(identifier);
  await page.locator('#mot_de_passe').fill(STRONG_PASSWORD);
  await page.locator('#mot_de_passe').press('Enter');
  await page.waitForURL(/\/espace-pro$/);
}

describe('browser: Mon équipe, an invitation, the company page', { skip: skipWithoutChromium, timeout: BROWSER_SUITE_TIMEOUT_MS }, () => {
  let live: LiveApp;
  let browser: Browser;

  before(async () => {
    [live, browser] = await Promise.all([startLiveApp(), launchChromium()]);
    const a = await seedCompany(live.t, { code: '12345', company: 'Librairie du Port', email: 'marie.durand@librairie-du-port.fr' });
    await live.t.db.updateTable('accounts').set({ given_name: 'Marie', family_name: 'Durand', last_login_at: Date.UTC(2026, 0, 12, 8, 30) }).where('id', '=', a.holderId).execute();
    await addMember(live.t, a.companyId, { email: 'paul.martin@librairie-du-port.fr', role: 'buyer', givenName: 'Paul', familyName: 'Martin' });
    await addMember(live.t, a.companyId, { email: 'compta@librairie-du-port.fr', role: 'viewer', givenName: 'Claire', familyName: 'Lefèvre' });
  });
  after(async () => {
    await browser?.close();
    await live?.close();
  });

  test('an administrator invites a collaborator; the person accepts by choosing a password; staff see the company page', async () => {
    const context: BrowserContext = await newContext(browser, viewportOptions('desktop'));
    await enableAxe(context);
    try {
      const page = await context.newPage();
      const problems = watchConsole(page);
      await signIn(live, page, '12345');
      await page.getByRole('link', { name: 'Gérer mon équipe' }).click();
      await page.waitForURL(/\/espace-pro\/equipe$/);
      assert.equal((await page.getByRole('heading', { level: 1 }).textContent())?.trim(), 'Mon équipe');

      // Mistakes first: every message next to its field, what was typed kept.
      await page.locator('#prenom').fill('Léa');
      await page.locator('#email').fill('lea.petit@');
      await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
      await page.waitForLoadState();
      assert.match((await page.locator('#nom-erreur').textContent()) ?? '', /Veuillez saisir le nom/);
      assert.match((await page.locator('#email-erreur').textContent()) ?? '', /adresse e-mail valide/);
      assert.equal(await page.locator('#prenom').inputValue(), 'Léa');
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.locator('#inviter').scrollIntoViewIfNeeded();
      await shoot(page, 'desktop-invitation-erreurs');

      await page.locator('#nom').fill('Petit');
      await page.locator('#email').fill('lea.petit@librairie-du-port.fr');
      await page.locator('#role').selectOption('buyer');
      await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
      await page.waitForURL(/\/espace-pro\/equipe\?ok=invited$/);
      assert.match(await page.locator('body').innerText(), /L’invitation est envoyée/);
      assert.match(await page.locator('body').innerText(), /lea\.petit@librairie-du-port\.fr/);
      assert.deepEqual(await accessibilityViolations(page), []);
      await shoot(page, 'desktop-mon-equipe');

      // The mail, as its HTML part renders.
      const mail = await lastMailTo(live.t, 'lea.petit@librairie-du-port.fr');
      const mailPage = await context.newPage();
      await mailPage.setContent(mail.html_body!);
      await shoot(mailPage, 'desktop-invitation-mail');
      await mailPage.close();

      // The invited person, in another browser: the link, their e-mail as Identifiant, a password.
      const invitee = await newContext(browser, viewportOptions('desktop'));
      try {
        const p2 = await invitee.newPage();
        const p2problems = watchConsole(p2);
        await p2.goto(live.url(invitationLink(mail.text_body!)));
        await p2.waitForURL(/\/invitation$/);
        assert.equal(await p2.locator('#identifiant').inputValue(), 'lea.petit@librairie-du-port.fr');
        await p2.locator('#mot_de_passe').fill(STRONG_PASSWORD);
        await p2.locator('#confirmation').fill(STRONG_PASSWORD);
        await p2.getByRole('button', { name: 'Valider' }).click();
        await p2.waitForURL(/\/connexion\?enregistre=1$/);
        await signIn(live, p2, 'lea.petit@librairie-du-port.fr');
        assert.match(await p2.locator('body').innerText(), /Acheteur/);
        assert.deepEqual(p2problems, []);
      } finally {
        await invitee.close();
      }
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }

    // Phone: the same team page.
    const phone = await newContext(browser, viewportOptions('phone'));
    try {
      const page = await phone.newPage();
      await signIn(live, page, '12345');
      await page.goto(live.url('/espace-pro/equipe'));
      await shoot(page, 'phone-mon-equipe');
    } finally {
      await phone.close();
    }

    // A person of two companies: Choisissez le compte client after signing in with their e-mail.
    const quais = await seedCompany(live.t, { code: '67890', company: 'Librairie des Quais', email: 'direction@librairie-des-quais.fr' });
    await addMember(live.t, quais.companyId, { email: 'paul.martin@librairie-du-port.fr', role: 'viewer' });
    for (const size of ['desktop', 'phone'] as const) {
      const chooserContext = await newContext(browser, viewportOptions(size));
      await enableAxe(chooserContext);
      try {
        const page = await chooserContext.newPage();
        const problems = watchConsole(page);
        await page.goto(live.url('/connexion'));
        await page.getByRole('textbox', { name: 'Identifiant', exact: true }).fill('paul.martin@librairie-du-port.fr');
        await page.locator('#mot_de_passe').fill(STRONG_PASSWORD);
        await page.locator('#mot_de_passe').press('Enter');
        await page.waitForURL(/\/espace-pro\/compte-client$/);
        assert.equal((await page.getByRole('heading', { level: 1 }).textContent())?.trim(), 'Choisissez le compte client');
        assert.deepEqual(await accessibilityViolations(page), []);
        await shoot(page, `${size}-choix-compte-client`);
        await page.getByRole('button', { name: 'Continuer avec le compte 67890' }).click();
        await page.waitForURL(/\/espace-pro$/);
        assert.match(await page.locator('body').innerText(), /Librairie des Quais/);
        assert.deepEqual(problems, []);
      } finally {
        await chooserContext.close();
      }
    }

    // Staff: the company page with its people and the pending invitations.
    const staffContext = await newContext(browser, viewportOptions('desktop'));
    await enableAxe(staffContext);
    try {
      const staff = await seedStaff(live.t, { role: 'admin' });
      const page = await staffContext.newPage();
      const problems = watchConsole(page);
      await page.goto(live.url('/back-office/connexion'));
      await page.locator('#email').fill(staff.email);
      await page.locator('#mot_de_passe').fill(staff.password);
      await page.locator('#mot_de_passe').press('Enter');
      await page.waitForURL(/\/back-office\/connexion\/code/);
      nextTotpStep(live.t);
      await page.locator('#code').fill(currentTotp(live.t, staff.totpSecret));
      await page.locator('#code').press('Enter');
      await page.waitForURL(live.url('/back-office'));
      const company = await live.t.db.selectFrom('companies').select('id').where('code', '=', '12345').executeTakeFirstOrThrow();
      await page.goto(live.url(`/back-office/comptes/${company.id}`));
      assert.match(await page.locator('body').innerText(), /Personnes du compte client/);
      assert.match(await page.locator('body').innerText(), /lea\.petit@librairie-du-port\.fr/);
      assert.deepEqual(await accessibilityViolations(page), []);
      await shoot(page, 'desktop-back-office-entreprise');
      assert.deepEqual(problems, []);
    } finally {
      await staffContext.close();
    }
  });
});
