/**
 * Issue 23, the copy: staff texts do not speak of a customer code nor sign off as a customer
 * mail; the welcome after an approved request greets the requester by name; the pages have a
 * way to reach customer service as soon as CUSTOMER_SERVICE_EMAIL is set; the staff code page's
 * only submit signs in (the restart is a link).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { fr } from '../../src/shared/i18n/fr.js';
import { formatTime } from '../../src/shared/format.js';
import { StaffCodePage } from '../../src/views/back-office/staff.js';
import { resetLinkMail, staffSetupMail } from '../../src/views/mail/templates.js';

describe('issue 23: copy', () => {
  test('the welcome mail greets the requester by name; other link mails the company', () => {
    const base = { brand: 'Cartothèque', company: 'Librairie des Quais', code: '54321', link: 'https://x/a', duration: '8 heures', until: 'demain', lang: 'fr' as const };
    assert.match(resetLinkMail({ ...base, kind: 'welcome', name: 'Claire Martin' }).text, /^Bonjour Claire Martin,/);
    assert.match(resetLinkMail({ ...base, kind: 'reset' }).text, /^Bonjour Librairie des Quais,/);
  });

  test('the staff setup mail signs off as the back office, not "Bonne navigation"', () => {
    const mail = staffSetupMail({ brand: 'Cartothèque', link: 'https://x/b', duration: '8 heures', until: 'demain' });
    assert.ok(!mail.text.includes('Bonne navigation'));
    assert.ok(mail.text.includes('L’administration du back office Cartothèque'));
  });

  test('staff password rules and strength warning never mention a customer code', () => {
    assert.ok(!fr.staff.setupRules(12).includes('code client'));
    assert.ok(!fr.staff.meterContext.includes('code client'));
  });

  test('the support contact falls back to an explicitly set CUSTOMER_SERVICE_EMAIL, never to its localhost default', () => {
    assert.equal(loadConfig({ CUSTOMER_SERVICE_EMAIL: 'sav@cartotheque.com' }).supportEmail, 'sav@cartotheque.com');
    assert.equal(loadConfig({ CUSTOMER_SERVICE_EMAIL: 'sav@cartotheque.com', SUPPORT_EMAIL: 'aide@cartotheque.com' }).supportEmail, 'aide@cartotheque.com');
    assert.equal(loadConfig({}).supportEmail, null);
  });

  test('the staff code page: one submit (sign in), "Recommencer la connexion" a link', () => {
    const html = String(StaffCodePage({ ctx: { brandName: 'Cartothèque', csrfToken: 't', lang: 'fr', t: fr } }));
    assert.equal((html.match(/type="submit"/g) ?? []).length, 1);
    assert.match(html, /<a href="\/back-office\/connexion">Recommencer la connexion<\/a>/);
  });

  test('a time in a sentence reads "14 h 32", with no-break spaces so that it never splits across lines', () => {
    assert.equal(formatTime(Date.UTC(2026, 0, 15, 13, 32), 'Europe/Paris'), '14\u00a0h\u00a032');
    assert.equal(formatTime(Date.UTC(2026, 0, 15, 8, 5), 'Europe/Paris'), '9\u00a0h\u00a005');
  });
});
