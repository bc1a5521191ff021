/**
 * Issue 23: a notice that tells the customer to contact customer service says how — the address
 * (SUPPORT_EMAIL, else an explicitly set CUSTOMER_SERVICE_EMAIL) and the phone when there is one —
 * in French and in English, in the text and the HTML part. Checked on every customer notice
 * template, then on the mails the app really sends (password saved, password changed, request
 * rejected) with only CUSTOMER_SERVICE_EMAIL set.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import type { Lang } from '../../src/shared/i18n/languages.js';
import {
  accountRequestRejectedMail,
  emailChangedNoticeMail,
  type MailContent,
  newDeviceMail,
  passkeyNoticeMail,
  passwordChangedMail,
  supportContact,
} from '../../src/views/mail/templates.js';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { SmtpSink } from '../helpers/smtp.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

const EMAIL = 'aide@cartotheque.test';
const PHONE = '01 23 45 67 89';

/** The sentences of a mail that send the reader to customer service. */
function contactSentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[.:])\s+(?=[A-ZÀ-Ý])/)
    .filter((s) => /(contact|répondez|reply)/i.test(s) && /(service client|customer service)/i.test(s));
}

/** Every sentence that sends the reader to customer service names the address (and the phone if given). */
function assertSaysHow(name: string, mail: MailContent, expected: string[]) {
  const sentences = contactSentences(mail.text);
  assert.ok(sentences.length > 0, `${name}: tells the reader to contact customer service`);
  for (const sentence of sentences) for (const how of expected) assert.ok(sentence.includes(how), `${name}: “${sentence}” does not say ${how}`);
  for (const how of expected) assert.ok(mail.html.includes(how), `${name}: the HTML part does not say ${how}`);
}

describe('customer notices say how to reach customer service (templates)', () => {
  const common = { brand: 'Cartothèque', company: 'Librairie du Port', code: '12345', when: 'mardi 1er décembre 2026 à 10:00 (heure de Paris)' };
  const notices = (support: string, lang: Lang): Array<[string, MailContent]> => [
    ['password saved', passwordChangedMail({ ...common, first: true, support, lang })],
    ['password changed', passwordChangedMail({ ...common, support, lang })],
    ['request rejected', accountRequestRejectedMail({ brand: 'Cartothèque', company: 'Librairie des Quais', name: 'Claire Martin', reason: 'Code client inconnu.', support, lang })],
    ['e-mail changed', emailChangedNoticeMail({ ...common, newEmail: 'nouveau@x.fr', support, lang })],
    ['new browser', newDeviceMail({ ...common, browser: 'Firefox', place: '192.0.2.x', support, lang })],
    ['passkey removed', passkeyNoticeMail({ brand: 'Cartothèque', change: 'removed', customer: { company: 'Librairie du Port', code: '12345', lang }, name: 'Mon téléphone', when: common.when, browser: 'Firefox', place: '192.0.2.x', support })],
  ];

  for (const lang of ['fr', 'en'] as const) {
    test(`${lang}: an e-mail address and a phone`, () => {
      const support = supportContact({ supportEmail: EMAIL, supportPhone: PHONE }, lang);
      for (const [name, mail] of notices(support, lang)) assertSaysHow(`${lang} ${name}`, mail, [EMAIL, PHONE]);
    });
    test(`${lang}: an e-mail address only`, () => {
      const support = supportContact({ supportEmail: EMAIL, supportPhone: null }, lang);
      for (const [name, mail] of notices(support, lang)) assertSaysHow(`${lang} ${name}`, mail, [EMAIL]);
    });
  }

  test('the contact reads as part of the sentence, in each language', () => {
    const fr = passwordChangedMail({ ...common, support: supportContact({ supportEmail: EMAIL, supportPhone: PHONE }, 'fr'), lang: 'fr' });
    assert.ok(fr.text.includes(`Si vous n’êtes pas à l’origine de ce changement, contactez immédiatement notre service client, par e-mail à ${EMAIL} ou par téléphone au ${PHONE}.`));
    const en = passwordChangedMail({ ...common, first: true, support: supportContact({ supportEmail: EMAIL, supportPhone: null }, 'en'), lang: 'en' });
    assert.ok(en.text.includes(`If you did not activate this account, tell us immediately: contact our customer service, by e-mail at ${EMAIL}.`), en.text);
  });
});

for (const dialect of DIALECTS) {
  describe(`notices sent by the app name the contact, CUSTOMER_SERVICE_EMAIL only [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    const CS = 'service-client@cartotheque.test';
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://pro.cartotheque.test', CUSTOMER_SERVICE_EMAIL: CS } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
    });

    const noticeTo = (address: string, subject: RegExp): ParsedMail => {
      const mail = smtp.messages.filter((m) => m.to && JSON.stringify(m.to).includes(address) && subject.test(m.subject ?? '')).at(-1);
      assert.ok(mail, `a mail “${subject}” to ${address}`);
      return mail;
    };

    for (const lang of ['fr', 'en'] as const) {
      test(`${lang}: the password notice after a reset`, async () => {
        const email = `contact-${lang}@librairie-du-port.fr`;
        const account = await seedAccount(t, { code: '12345', email, password: STRONG_PASSWORD });
        await t.db.updateTable('accounts').set({ language: lang }).where('id', '=', account.id).execute();
        await new Browser(t.app).submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant: '12345', email });
        await t.outbox.drain();
        const link = new URL(/https:\/\/pro\.cartotheque\.test\/activation\?token=[A-Za-z0-9_-]+/.exec(smtp.messages.at(-1)!.text ?? '')![0]);
        const browser = new Browser(t.app);
        const first = await browser.get(link.pathname + link.search);
        const page = await browser.get(first.headers.location as string);
        const done = await browser.post('/activation', { _csrf: csrfToken(page.body), mot_de_passe: 'nos livres voyagent loin', confirmation: 'nos livres voyagent loin' });
        assert.equal(done.statusCode, 303);
        await t.outbox.drain();
        const notice = noticeTo(email, lang === 'fr' ? /mot de passe a été modifié/ : /password has been changed/);
        assert.ok(contactSentences(notice.text ?? '').length > 0);
        for (const sentence of contactSentences(notice.text ?? '')) assert.ok(sentence.includes(CS), `“${sentence}” names ${CS}`);
        assert.ok(String(notice.html).includes(CS));
      });
    }

    test('fr: the rejection of an account-opening request', async () => {
      const form = { raison_sociale: 'Librairie des Quais', nom: 'Martin', prenom: 'Claire', email: 'claire@librairie-des-quais.fr', telephone: '01 23 45 67 89' };
      await new Browser(t.app).submit('/ouverture-de-compte', '/ouverture-de-compte', form);
      const request = await t.db.selectFrom('account_requests').select('id').executeTakeFirstOrThrow();
      const agent = await createStaffAndSignIn(t);
      const page = `/back-office/demandes/${request.id}`;
      assert.equal((await agent.submit(page, `${page}/refuser`, { motif: 'Nous ne travaillons pas avec les particuliers.' })).statusCode, 303);
      await t.outbox.drain();
      const notice = noticeTo('claire@librairie-des-quais.fr', /Votre demande d’ouverture de compte/);
      assert.ok(contactSentences(notice.text ?? '').length > 0);
      for (const sentence of contactSentences(notice.text ?? '')) assert.ok(sentence.includes(CS), `“${sentence}” names ${CS}`);
    });
  });
}
