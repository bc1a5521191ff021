/**
 * Issue 15: each mail says what happened. Subjects and first paragraphs of every kind, French
 * dates ("1er"), the requester's name in the acknowledgement, Reply-To on the notification.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { formatDateTime } from '../../src/shared/format.js';
import { accountRequestAckMail, passwordChangedMail, resetLinkMail } from '../../src/views/mail/templates.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { SmtpSink } from '../helpers/smtp.js';

/** The first paragraph after "Bonjour …,": what the mail is about. */
function firstParagraph(text: string): string {
  return text.split('\n\n')[1] ?? '';
}

const LINK = { brand: 'Cartothèque', company: 'Librairie du Port', code: '12345', link: 'https://pro.example/activation?token=x', duration: '8 heures', until: 'mardi 1er décembre 2026 à 18:00 (heure de Paris)' };

describe('mail texts (templates)', () => {
  test('welcome: "Votre compte Espace Pro est ouvert", the customer code, the link and its validity', () => {
    const mail = resetLinkMail({ ...LINK, kind: 'welcome', lang: 'fr' });
    assert.equal(mail.subject, 'Cartothèque – Votre compte Espace Pro est ouvert');
    assert.equal(firstParagraph(mail.text), 'Votre compte Espace Pro est ouvert. Votre identifiant est votre code client : 12345. Cliquez sur le lien ci-dessous pour choisir votre mot de passe :');
    assert.ok(mail.text.includes(LINK.link));
    assert.ok(mail.text.includes('Attention, ce lien est valable 8 heures, jusqu’au mardi 1er décembre 2026'));
    assert.ok(!mail.text.includes('mot de passe actuel'), 'no talk of a current password for an account that has none');
  });

  test('first activation and reset have distinct subjects and texts', () => {
    const activation = resetLinkMail({ ...LINK, kind: 'activation', lang: 'fr' });
    const reset = resetLinkMail({ ...LINK, kind: 'reset', lang: 'fr' });
    assert.equal(activation.subject, 'Cartothèque – Activation de votre Espace Pro');
    assert.equal(firstParagraph(activation.text), 'Vous avez demandé à activer votre Espace Pro (identifiant 12345). Cliquez sur le lien ci-dessous pour choisir votre mot de passe :');
    assert.equal(reset.subject, 'Cartothèque – Réinitialisation de votre mot de passe Espace Pro');
    assert.equal(firstParagraph(reset.text), 'Vous avez demandé à réinitialiser le mot de passe de votre Espace Pro (identifiant 12345). Cliquez sur le lien ci-dessous pour choisir un nouveau mot de passe :');
    assert.ok(reset.text.includes('votre mot de passe actuel reste inchangé'));
    assert.ok(!activation.text.includes('mot de passe actuel'));
  });

  test('the notice says "enregistré" after a first activation and "modifié" after a change', () => {
    const p = { brand: 'Cartothèque', company: 'Librairie du Port', code: '12345', when: 'mardi 1er décembre 2026 à 10:00 (heure de Paris)', support: 'notre service client', lang: 'fr' as const };
    const set = passwordChangedMail({ ...p, first: true });
    const changed = passwordChangedMail(p);
    assert.equal(set.subject, 'Cartothèque – Votre mot de passe est enregistré');
    assert.match(firstParagraph(set.text), /^Le mot de passe de votre Espace Pro \(identifiant 12345\) a été enregistré le mardi 1er décembre/);
    assert.ok(!set.text.includes('modifié'));
    assert.equal(changed.subject, 'Cartothèque – Votre mot de passe a été modifié');
    assert.match(firstParagraph(changed.text), /a été modifié le mardi 1er décembre/);
  });

  test('French dates: "1er" on the first of a month only', () => {
    assert.equal(formatDateTime(Date.parse('2026-12-01T09:00:00Z'), 'Europe/Paris'), 'mardi 1er décembre 2026 à 10:00 (heure de Paris)');
    assert.equal(formatDateTime(Date.parse('2026-12-11T09:00:00Z'), 'Europe/Paris'), 'vendredi 11 décembre 2026 à 10:00 (heure de Paris)');
    assert.equal(formatDateTime(Date.parse('2026-12-21T09:00:00Z'), 'Europe/Paris'), 'lundi 21 décembre 2026 à 10:00 (heure de Paris)');
    // Midnight UTC on the 1st is still the 1st in Paris; 23:30 UTC on the 30th of November is the 1st there.
    assert.match(formatDateTime(Date.parse('2026-11-30T23:30:00Z'), 'Europe/Paris'), /^mardi 1er décembre 2026 à 00:30/);
  });

  test('the acknowledgement greets the requester by name', () => {
    const mail = accountRequestAckMail({ brand: 'Cartothèque', when: 'mardi 1er décembre 2026 à 10:00 (heure de Paris)', name: 'Claire  Martin', lang: 'fr' });
    assert.equal(mail.text.split('\n')[0], 'Bonjour Claire Martin,');
  });
});

for (const dialect of DIALECTS) {
  describe(`mails sent by the app [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    const CS = 'service-client@cartotheque.test';
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'Cartothèque <no-reply@cartotheque.test>', PUBLIC_URL: 'https://pro.cartotheque.test', CUSTOMER_SERVICE_EMAIL: CS } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
    });

    const linkIn = (mail: ParsedMail) => /https:\/\/pro\.cartotheque\.test\/activation\?token=[A-Za-z0-9_-]+/.exec(mail.text ?? '')![0];

    async function requestLink(code: string, email: string): Promise<ParsedMail> {
      await new Browser(t.app).submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant: code, email });
      await t.outbox.drain();
      const mail = smtp.messages.at(-1);
      assert.ok(mail, 'a link mail');
      return mail;
    }

    async function choosePassword(link: string, password: string): Promise<void> {
      const browser = new Browser(t.app);
      const url = new URL(link);
      const first = await browser.get(url.pathname + url.search);
      const page = await browser.get(first.headers.location as string);
      const done = await browser.post('/activation', { _csrf: csrfToken(page.body), mot_de_passe: password, confirmation: password });
      assert.equal(done.statusCode, 303);
      await t.outbox.drain();
    }

    test('first activation: "Activation" link mail, then the notice says "enregistré"', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr', password: null });
      const link = await requestLink('12345', 'contact@librairie-du-port.fr');
      assert.equal(link.subject, 'Cartothèque – Activation de votre Espace Pro');
      await choosePassword(linkIn(link), 'nos livres voyagent loin');
      const notice = smtp.messages.at(-1)!;
      assert.equal(notice.subject, 'Cartothèque – Votre mot de passe est enregistré');
      assert.match(firstParagraph(notice.text ?? ''), /a été enregistré le/);
    });

    test('reset: "Réinitialisation" link mail, then the notice says "modifié"', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr', password: STRONG_PASSWORD });
      const link = await requestLink('12345', 'contact@librairie-du-port.fr');
      assert.equal(link.subject, 'Cartothèque – Réinitialisation de votre mot de passe Espace Pro');
      await choosePassword(linkIn(link), 'nos livres voyagent loin');
      const notice = smtp.messages.at(-1)!;
      assert.equal(notice.subject, 'Cartothèque – Votre mot de passe a été modifié');
      assert.match(firstParagraph(notice.text ?? ''), /a été modifié le/);
    });

    test('S11 the welcome mail of an approved request holds a live link: its body is erased once delivered, like every link mail', async () => {
      const { sendAccountLink } = await import('../../src/modules/auth-core/account-link.js');
      const account = await seedAccount(t, { code: '54321', email: 'bienvenue@x.fr', company: 'Bienvenue', password: null });
      await t.db.transaction().execute((trx) => sendAccountLink({ clock: t.clock, config: t.config }, trx, { ...account, password_hash: null }, 'welcome'));
      await t.outbox.drain();
      const mail = smtp.to('bienvenue@x.fr')[0];
      assert.equal(mail?.subject, 'Cartothèque – Votre compte Espace Pro est ouvert');
      const row = await t.db.selectFrom('outbox').selectAll().where('kind', '=', 'welcome_link').executeTakeFirstOrThrow();
      assert.equal(row.status, 'sent');
      assert.equal(row.text_body, null, 'text body erased');
      assert.equal(row.html_body, null, 'html body erased');
    });

    test('account-opening request: Reply-To of the notification is the requester; the acknowledgement greets them by name', async () => {
      const form = { raison_sociale: 'Librairie des Quais', nom: 'Martin', prenom: 'Claire', email: 'claire@librairie-des-quais.fr', telephone: '01 23 45 67 89' };
      const res = await new Browser(t.app).submit('/ouverture-de-compte', '/ouverture-de-compte', form);
      assert.equal(res.statusCode, 303);
      await t.outbox.drain();
      const notification = smtp.to(CS)[0];
      assert.ok(notification, 'notification sent');
      assert.deepEqual(notification.replyTo?.value.map((a) => a.address), ['claire@librairie-des-quais.fr']);
      const ack = smtp.to('claire@librairie-des-quais.fr')[0];
      assert.ok(ack, 'acknowledgement sent');
      assert.equal(ack.replyTo, undefined, 'the acknowledgement has no Reply-To');
      assert.equal((ack.text ?? '').split('\n')[0], 'Bonjour Claire Martin,');
    });
  });
}
