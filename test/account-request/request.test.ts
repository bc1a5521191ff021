import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { seedAccount } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, inputValue, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { SmtpSink } from '../helpers/smtp.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const CS = 'service-client@cartotheque.test';
const SEED_SENTENCE = 'Complétez puis envoyez le formulaire. Notre service client reviendra vers vous dans les plus brefs délais.';
const XSS = '<script>alert(1)</script>';

const VALID = {
  raison_sociale: 'Librairie du Port',
  code_client: '',
  siret: '732 829 320 00074',
  nom: 'Martin',
  prenom: 'Claire',
  email: 'claire.martin@librairie-du-port.fr',
  telephone: '02 98 12 34 56',
  adresse: '3 quai de l’Odet',
  code_postal: '29000',
  ville: 'Quimper',
  pays: 'France',
  message: 'Bonjour,\nNous souhaitons commander en ligne.',
};
type Form = Record<string, string | string[]>;

function html(mail: ParsedMail): string {
  return typeof mail.html === 'string' ? mail.html : '';
}

/** The page without what differs per visitor (CSRF tokens). */
function neutral(body: string): string {
  return body.replace(/name="_csrf" value="[^"]+"/g, '');
}

for (const dialect of DIALECTS) {
  describe(`Demande d’ouverture de compte [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, {
        env: { SMTP_URL: smtp.url, MAIL_FROM: 'Cartothèque <no-reply@cartotheque.test>', PUBLIC_URL: 'https://pro.cartotheque.test', CUSTOMER_SERVICE_EMAIL: CS },
      });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
    });

    async function send(form: Form, browser = new Browser(t.app), headers: Record<string, string> = {}) {
      const res = await browser.submit('/ouverture-de-compte', '/ouverture-de-compte', form, headers);
      await t.outbox.drain();
      return res;
    }
    const stored = () => t.db.selectFrom('account_requests').selectAll().orderBy('id').execute();
    const outbox = () => t.db.selectFrom('outbox').selectAll().orderBy('id').execute();
    const audit = (event: string) => t.db.selectFrom('audit_log').selectAll().where('event', '=', event).execute();

    test('the form shows every label, the seed sentence verbatim, "* Champs obligatoires" and a hidden honeypot', async () => {
      const page = await new Browser(t.app).get('/ouverture-de-compte');
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.ok(page.body.includes(`<h1>Demande d’ouverture de compte</h1>`));
      assert.ok(page.body.includes(SEED_SENTENCE), 'seed sentence verbatim');
      assert.ok(page.body.includes('* Champs obligatoires'));
      assert.doesNotMatch(page.body, /Bientôt disponible/, 'the placeholder is gone');
      const labels: Array<[string, string, boolean]> = [
        ['raison_sociale', 'Raison sociale', true],
        ['code_client', 'Code client', false],
        ['siret', 'SIRET', false],
        ['nom', 'Nom', true],
        ['prenom', 'Prénom', true],
        ['email', 'Email', true],
        ['telephone', 'Téléphone', true],
        ['adresse', 'Adresse', false],
        ['code_postal', 'Code postal', false],
        ['ville', 'Ville', false],
        ['pays', 'Pays', false],
        ['message', 'Message', false],
      ];
      let previous = -1;
      for (const [name, label, required] of labels) {
        const star = required ? '<span class="required" aria-hidden="true"> *</span>' : '';
        const at = page.body.indexOf(`<label for="${name}">${label}${star}</label>`);
        assert.ok(at > previous, `label ${label} (in order, ${required ? 'with' : 'without'} *)`);
        previous = at;
        assert.match(page.body, new RegExp(`<(input|textarea) id="${name}" name="${name}"[^>]*maxlength="\\d+"`), `${name} bounded`);
      }
      assert.match(page.body, /<input id="email" name="email" type="email"/);
      assert.match(page.body, /<input id="telephone" name="telephone" type="tel"/);
      assert.match(page.body, /Envoyer<\/button>/);
      // The honeypot: out of sight, out of the tab order, skipped by screen readers, never autofilled.
      assert.match(page.body, /<div class="visually-hidden" aria-hidden="true"><label for="site_web">[^<]+<\/label><input type="text" id="site_web" name="site_web" value="" tabindex="-1" autocomplete="off">/);
    });

    test('a valid submission is stored as new, then one notification to CUSTOMER_SERVICE_EMAIL and one acknowledgement over SMTP', async () => {
      const browser = new Browser(t.app);
      const res = await browser.submit('/ouverture-de-compte', '/ouverture-de-compte', VALID, { 'user-agent': 'Firefox de test' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/ouverture-de-compte/merci');
      assert.equal(smtp.messages.length, 0, 'queued in the request, sent by the worker');
      assert.deepEqual(
        (await outbox()).map((m) => [m.kind, m.recipient, m.status]),
        [
          ['account_request_notification', CS, 'pending'],
          ['account_request_ack', VALID.email, 'pending'],
        ],
      );

      const thanks = await browser.get('/ouverture-de-compte/merci');
      assert.equal(thanks.statusCode, 200);
      assert.match(thanks.body, /Merci, votre demande a bien été envoyée/);
      assert.match(thanks.body, /reviendra vers vous dans les plus brefs délais/);

      const [row, ...others] = await stored();
      assert.ok(row);
      assert.equal(others.length, 0);
      assert.equal(row.state, 'new');
      assert.equal(row.company, 'Librairie du Port');
      assert.equal(row.siret, '73282932000074', 'SIRET stored without spaces');
      assert.equal(row.customer_code, null);
      assert.equal(row.message, VALID.message);
      assert.equal(row.email, VALID.email);
      assert.equal(row.user_agent, 'Firefox de test');
      assert.equal(row.ip, '127.0.0.1');
      assert.equal(row.created_at, t.clock.now());
      assert.equal(row.handled_by, null);
      assert.equal(row.account_id, null);

      await t.outbox.drain();
      assert.equal(smtp.messages.length, 2);
      const [notification] = smtp.to(CS);
      assert.ok(notification, 'customer service notified');
      assert.equal(smtp.to(CS).length, 1);
      assert.equal(notification.from?.value[0]?.address, 'no-reply@cartotheque.test');
      assert.match(notification.subject ?? '', /Nouvelle demande d’ouverture de compte : Librairie du Port/);
      for (const value of ['Librairie du Port', '73282932000074', 'Martin', 'Claire', VALID.email, '02 98 12 34 56', '3 quai de l’Odet', '29000', 'Quimper', 'France', 'Nous souhaitons commander en ligne.']) {
        assert.ok((notification.text ?? '').includes(value), `text has ${value}`);
        assert.ok(html(notification).includes(value.replace('’', '’')), `html has ${value}`);
      }
      assert.ok((notification.text ?? '').includes(`https://pro.cartotheque.test/back-office/demandes/${row.id}`), 'back-office link on PUBLIC_URL');
      assert.ok(html(notification).includes(`href="https://pro.cartotheque.test/back-office/demandes/${row.id}"`));

      const acks = smtp.to(VALID.email);
      assert.equal(acks.length, 1, 'one acknowledgement');
      assert.match(acks[0]!.subject ?? '', /Cartothèque – Votre demande d’ouverture de compte/);
      assert.match(acks[0]!.text ?? '', /Nous avons bien reçu votre demande d’ouverture de compte/);
      assert.match(html(acks[0]!), /Notre service client reviendra vers vous dans les plus brefs délais/);

      const [created] = await audit('account_request.created');
      assert.ok(created, 'S34 audited');
      assert.equal(created.outcome, 'success');
      assert.equal(created.target, `account_request:${row.id}`);
      assert.equal(created.ip, '127.0.0.1');
      assert.equal(created.user_agent, 'Firefox de test');
    });

    const INVALID: Array<{ what: string; change: Record<string, string>; field: string; message: RegExp }> = [
      { what: 'missing Raison sociale', change: { raison_sociale: '   ' }, field: 'raison_sociale', message: /Veuillez saisir la raison sociale de votre entreprise\./ },
      { what: 'missing Nom', change: { nom: '' }, field: 'nom', message: /Veuillez saisir votre nom\./ },
      { what: 'missing Prénom', change: { prenom: '' }, field: 'prenom', message: /Veuillez saisir votre prénom\./ },
      { what: 'missing Email', change: { email: '' }, field: 'email', message: /Veuillez saisir votre adresse e-mail\./ },
      { what: 'missing Téléphone', change: { telephone: '' }, field: 'telephone', message: /Veuillez saisir votre numéro de téléphone\./ },
      { what: 'bad SIRET checksum', change: { siret: '732 829 320 00075' }, field: 'siret', message: /Ce numéro SIRET n’est pas valide/ },
      { what: 'SIRET with 13 digits', change: { siret: '732 829 320 0007' }, field: 'siret', message: /Le numéro SIRET comporte 14 chiffres \(vous en avez saisi 13\)/ },
      { what: 'SIRET with letters', change: { siret: '732 829 32O 00074' }, field: 'siret', message: /Le numéro SIRET ne contient que des chiffres/ },
      { what: 'bad e-mail', change: { email: 'claire.martin@librairie' }, field: 'email', message: /Veuillez saisir une adresse e-mail valide/ },
      { what: 'bad phone', change: { telephone: '02 98 12 34' }, field: 'telephone', message: /Veuillez saisir un numéro de téléphone valide : 10 chiffres/ },
      { what: 'bad customer code', change: { code_client: '1234' }, field: 'code_client', message: /Le code client comporte 5 chiffres/ },
      { what: 'bad postal code', change: { code_postal: '29000!' }, field: 'code_postal', message: /Veuillez saisir un code postal valide/ },
      {
        what: 'over-long message',
        change: { message: 'x'.repeat(2001) },
        field: 'message',
        message: /Le champ « Message » ne peut pas dépasser 2000 caractères \(vous en avez saisi 2001\)/,
      },
      {
        what: 'over-long Raison sociale',
        change: { raison_sociale: 'R'.repeat(121) },
        field: 'raison_sociale',
        message: /Le champ « Raison sociale » ne peut pas dépasser 120 caractères \(vous en avez saisi 121\)/,
      },
    ];
    for (const { what, change, field, message } of INVALID) {
      test(`invalid field: ${what} → French message next to the field and in the summary, input kept, nothing stored`, async () => {
        const form = { ...VALID, ...change };
        const res = await send(form);
        assert.equal(res.statusCode, 400);
        assert.match(res.body, /<title>Erreur : Demande d’ouverture de compte/);
        const fieldError = new RegExp(`<p class="error" id="${field}-erreur"><span class="visually-hidden">Erreur : </span>([^<]+)</p>`).exec(res.body);
        assert.ok(fieldError, 'message next to the field');
        assert.match(fieldError[1]!, message);
        assert.match(res.body, new RegExp(`<li><a href="#${field}">${message.source}`), 'in the summary, linked to the field');
        assert.match(res.body, new RegExp(`id="${field}" name="${field}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*${field}-erreur`));
        assert.equal((res.body.match(/<p class="error"/g) ?? []).length, 1, 'only that field is in error');
        for (const [name, value] of Object.entries(form)) {
          const kept = name === 'message' ? new RegExp(`<textarea id="message"[^>]*>([^<]*)</textarea>`).exec(res.body)?.[1] : inputValue(res.body, name);
          assert.equal(kept, value.replaceAll('’', '’'), `${name} kept`);
        }
        assert.ok(res.body.includes(SEED_SENTENCE));
        assert.equal((await stored()).length, 0);
        assert.equal((await outbox()).length, 0);
        assert.equal(smtp.messages.length, 0);
      });
    }

    test('S27 a field sent twice (array) is refused: 400, nothing stored, nothing sent', async () => {
      for (const field of ['raison_sociale', 'email', 'message', 'site_web']) {
        const res = await send({ ...VALID, [field]: ['Librairie du Port', 'Autre'] });
        assert.equal(res.statusCode, 400, field);
        assert.match(res.body, /Demande incorrecte/);
      }
      assert.equal((await stored()).length, 0);
      assert.equal((await outbox()).length, 0);
    });

    test('S33 beyond the body bound the generic 400 page answers, and extra fields are ignored', async () => {
      const res = await send({ ...VALID, message: 'x'.repeat(8001) });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /Demande incorrecte/);
      assert.equal((await stored()).length, 0);
      const extra = await send({ ...VALID, state: 'approved', account_id: '1', handled_by: 'moi' });
      assert.equal(extra.statusCode, 303);
      const [row] = await stored();
      assert.equal(row!.state, 'new');
      assert.equal(row!.account_id, null);
      assert.equal(row!.handled_by, null);
    });

    test('S33 honeypot filled: the same answer, nothing stored, no mail, audited as spam', async () => {
      const human = await send(VALID);
      await t.db.deleteFrom('account_requests').execute();
      await t.db.deleteFrom('outbox').execute();
      smtp.clear();

      const browser = new Browser(t.app);
      const robot = await send({ ...VALID, site_web: 'https://promo.example' }, browser);
      assert.equal(robot.statusCode, human.statusCode);
      assert.equal(robot.headers.location, human.headers.location);
      assert.equal((await browser.get(robot.headers.location as string)).statusCode, 200);
      assert.equal((await stored()).length, 0);
      assert.equal((await outbox()).length, 0);
      assert.equal(smtp.messages.length, 0);
      const [spam] = await audit('account_request.spam');
      assert.ok(spam);
      assert.equal(spam.outcome, 'blocked');
      assert.equal((await audit('account_request.created')).length, 1, 'only the human one');

      // Even with the other fields wrong, the robot learns nothing from error messages.
      const sloppy = await send({ ...VALID, email: 'pas-une-adresse', site_web: 'x' });
      assert.equal(sloppy.statusCode, 303);
    });

    test('S36 S33 20 parallel submissions from one IP: 5 stored, the other 15 get the 429 page', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => new Browser(t.app).submit('/ouverture-de-compte', '/ouverture-de-compte', { ...VALID, email: `parallele${i}@exemple.fr` })));
      await t.outbox.drain();
      const codes = answers.map((r) => r.statusCode);
      assert.equal(codes.filter((c) => c === 303).length, 5, `positive control and bound: ${codes.join(' ')}`);
      assert.equal(codes.filter((c) => c === 429).length, 15, codes.join(' '));
      assert.equal((await stored()).length, 5);
      assert.equal(smtp.to(CS).length, 5);
    });

    test('S33 the 6th submission from one IP within the hour gets the French 429 page with Retry-After', async () => {
      // Forms refused for a typo do not count: a person fixing their SIRET is not punished.
      for (let i = 0; i < 3; i++) assert.equal((await send({ ...VALID, siret: '1' })).statusCode, 400);
      t.clock.advance(10 * 60_000);
      for (let i = 1; i <= 5; i++) {
        const res = await send({ ...VALID, email: `demandeur${i}@exemple.fr` });
        assert.equal(res.statusCode, 303, `submission ${i}`);
      }
      const sixth = await send({ ...VALID, email: 'demandeur6@exemple.fr' });
      assert.equal(sixth.statusCode, 429);
      const retryAfter = Number(sixth.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 3600, `Retry-After ${sixth.headers['retry-after']}`);
      // A sliding hour: the five were sent at the same instant, so room comes back an hour after them.
      assert.equal(retryAfter, 60 * 60, 'until the oldest counted submission is an hour old');
      assert.match(sixth.body, /Trop de tentatives/);
      assert.match(sixth.body, /réessayer dans 60 minutes/);
      assert.equal((await stored()).length, 5, 'the 6th is not stored');
      assert.equal(smtp.to(CS).length, 5);
      assert.ok((await audit('account_request.rate_limited')).length >= 1, 'S34 the throttle is audited');
      // Once limited, even an invalid form gets the 429, and so does the honeypot.
      assert.equal((await send({ ...VALID, siret: '1' })).statusCode, 429);
      assert.equal((await send({ ...VALID, site_web: 'x' })).statusCode, 429);

      t.clock.advance(HOUR);
      assert.equal((await send({ ...VALID, email: 'demandeur7@exemple.fr' })).statusCode, 303, 'open again in the next hour');
    });

    test('S33 a second request from the same address the same day: stored, customer service notified, no second acknowledgement', async () => {
      assert.equal((await send(VALID)).statusCode, 303);
      t.clock.advance(5 * HOUR);
      assert.equal((await send({ ...VALID, email: 'Claire.Martin@Librairie-du-Port.FR', message: 'Je relance ma demande.' })).statusCode, 303);
      assert.equal((await stored()).length, 2);
      assert.equal(smtp.to(CS).length, 2, 'customer service sees both');
      assert.equal(smtp.to(VALID.email).length, 1, 'one acknowledgement per address per day');
      const details = (await audit('account_request.created')).map((e) => JSON.parse(e.details!).acknowledgement);
      assert.deepEqual(details, ['sent', 'already_sent_today']);
      // Nothing about the address is kept in the counter, only its digest.
      const counters = await t.db.selectFrom('rate_limits').select('key').execute();
      assert.ok(!JSON.stringify(counters).toLowerCase().includes('claire'));

      t.clock.advance(DAY);
      assert.equal((await send(VALID)).statusCode, 303);
      assert.equal(smtp.to(VALID.email).length, 2, 'a new day, a new acknowledgement');
    });

    test('S33 same answer whether or not the company is already a customer', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr', password: null });
      const answers = [];
      for (const [i, code] of ['12345', '54321', ''].entries()) {
        smtp.clear();
        const browser = new Browser(t.app);
        const res = await send({ ...VALID, code_client: code, email: `client${i}@librairie-du-port.fr` }, browser);
        const thanks = await browser.get(res.headers.location as string);
        answers.push({ status: res.statusCode, location: res.headers.location, cookies: res.headers['set-cookie'], page: neutral(thanks.body), mails: smtp.messages.length });
      }
      for (const answer of answers) assert.deepEqual(answer, answers[0]);
      assert.equal(answers[0]!.mails, 2);
      assert.deepEqual(
        (await stored()).map((r) => [r.customer_code, r.state]),
        [
          ['12345', 'new'],
          ['54321', 'new'],
          [null, 'new'],
        ],
      );
      assert.equal((await t.db.selectFrom('accounts').selectAll().execute()).length, 1, 'no account created by the form');
    });

    test('S26 a stored XSS payload in Raison sociale and Message is encoded in the mails’ HTML', async () => {
      const res = await send({ ...VALID, raison_sociale: `ACME ${XSS}`, message: `Bonjour ${XSS}\n<img src=x onerror=alert(2)>` });
      assert.equal(res.statusCode, 303);
      const [row] = await stored();
      assert.equal(row!.company, `ACME ${XSS}`, 'stored as typed; encoding happens on output');
      const [notification] = smtp.to(CS);
      assert.ok(notification);
      const body = html(notification);
      assert.ok(body.includes('ACME &lt;script&gt;alert(1)&lt;/script&gt;'), 'company encoded');
      assert.ok(body.includes('Bonjour &lt;script&gt;alert(1)&lt;/script&gt;'), 'message encoded');
      assert.ok(body.includes('&lt;img src=x onerror=alert(2)&gt;'));
      assert.ok(!/<script|<img/i.test(body), 'no live markup');
      assert.ok((notification.text ?? '').includes(`ACME ${XSS}`), 'the text part is plain text');
      const [ack] = smtp.to(VALID.email);
      assert.ok(ack);
      assert.ok(!html(ack).includes('script') && !(ack.text ?? '').includes('ACME'), 'the acknowledgement repeats nothing the sender typed');
    });

    test('S26 a line break in Raison sociale never reaches a mail header', async () => {
      const res = await send({ ...VALID, raison_sociale: 'ACME\r\nBcc: victime@exemple.fr' });
      assert.equal(res.statusCode, 303);
      const [row] = await stored();
      assert.equal(row!.company, 'ACME Bcc: victime@exemple.fr');
      const [notification] = smtp.to(CS);
      assert.ok(notification);
      assert.equal(notification.subject, 'Cartothèque – Nouvelle demande d’ouverture de compte : ACME Bcc: victime@exemple.fr');
      assert.equal(notification.bcc, undefined);
      assert.equal(smtp.messages.length, 2);
    });

    test('S25 typed input is encoded when the form comes back with errors', async () => {
      const res = await send({ ...VALID, raison_sociale: `"><script>alert(1)</script>`, email: 'x', message: `</textarea>${XSS}` });
      assert.equal(res.statusCode, 400);
      assert.ok(!res.body.includes('<script>alert(1)'), 'no live script');
      assert.ok(res.body.includes('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
      assert.ok(res.body.includes('&lt;/textarea&gt;&lt;script&gt;'));
    });

    test('S23 CSRF: without the token or from another site, 403 and nothing stored', async () => {
      const browser = new Browser(t.app);
      await browser.get('/ouverture-de-compte');
      const noToken = await browser.post('/ouverture-de-compte', VALID);
      assert.equal(noToken.statusCode, 403);
      assert.match(noToken.body, /Page expirée/);
      const forged = await browser.post('/ouverture-de-compte', { ...VALID, _csrf: 'forged' });
      assert.equal(forged.statusCode, 403);
      const page = await browser.get('/ouverture-de-compte');
      const crossSite = await browser.post('/ouverture-de-compte', { ...VALID, _csrf: csrfToken(page.body) }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
      assert.equal(crossSite.statusCode, 403);
      assert.equal((await stored()).length, 0);
      assert.equal((await outbox()).length, 0);
      assert.equal((await audit('csrf.refused')).length, 3, 'S34 each refusal audited');
    });
  });
}
