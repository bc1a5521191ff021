import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { MailHeaderInjectionError, enqueueMail } from '../../src/modules/mail/mail.service.js';
import { sha256 } from '../../src/shared/crypto.js';
import { seedAccount, STRONG_PASSWORD, holderOfCode } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, inputValue, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { linkIn, SmtpSink } from '../helpers/smtp.js';

const HOUR = 3600_000;
const NEW_PASSWORD = 'un vélo bleu sous la pluie';

for (const dialect of DIALECTS) {
  describe(`Mot de passe oublié / Première connexion [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'Cartothèque <no-reply@cartotheque.test>', PUBLIC_URL: 'https://pro.cartotheque.test' } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
      smtp.failNext = { count: 0, code: 451 };
      await seedAccount(t, { code: '12345', email: 'Contact@Librairie-du-Port.fr', password: null });
    });

    async function requestReset(identifiant: string, email: string, browser = new Browser(t.app), headers: Record<string, string> = {}) {
      const res = await browser.submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant, email }, headers);
      await t.outbox.drain();
      return res;
    }

    /** Follows a link as a browser does: token into the cookie, then the token-free page. */
    async function openLink(link: string, browser = new Browser(t.app)) {
      const url = new URL(link);
      const first = await browser.get(url.pathname + url.search);
      const page = await browser.get(first.headers.location as string);
      return { browser, first, page };
    }

    async function setPassword(browser: Browser, password: string, confirmation = password) {
      const page = await browser.get('/activation');
      return browser.post('/activation', { _csrf: csrfToken(page.body), mot_de_passe: password, confirmation });
    }

    test('the request page shows the seed sentence, fields, button and link verbatim', async () => {
      const page = await new Browser(t.app).get('/mot-de-passe-oublie');
      for (const text of [
        'Pour réinitialiser votre mot de passe, renseignez votre identifiant ainsi que votre adresse e-mail puis cliquez sur « Réinitialiser mot de passe ». Nous allons envoyer à cette adresse un lien vous permettant de réinitialiser votre mot de passe.',
        '>Identifiant<',
        '>Email<',
        'Réinitialiser mot de passe</button>',
        'Nouveau ici ? <a href="/ouverture-de-compte">Demander une ouverture de compte</a>',
      ]) {
        assert.ok(page.body.includes(text.replaceAll('’', '’')), `missing: ${text}`);
      }
    });

    test('S15 one mail for a matching pair (e-mail case-insensitive), none otherwise, and identical pages', async () => {
      await seedAccount(t, { code: '54321', email: 'off@x.fr', disabled: true });
      const cases: Array<[string, string, number]> = [
        ['12345', 'contact@librairie-du-port.FR', 1],
        ['12345', 'someone@else.fr', 0],
        ['99999', 'contact@librairie-du-port.fr', 0],
        ['54321', 'off@x.fr', 0],
      ];
      const answers = [];
      for (const [identifiant, email, expected] of cases) {
        smtp.clear();
        const browser = new Browser(t.app);
        const res = await requestReset(identifiant, email, browser);
        assert.equal(smtp.messages.length, expected, `${identifiant} ${email}`);
        const confirmation = await browser.get(res.headers.location as string);
        answers.push({ status: res.statusCode, location: res.headers.location, cookies: res.headers['set-cookie'], page: confirmation.body.replace(/value="[^"]+"/g, '') });
      }
      for (const answer of answers) assert.deepEqual(answer, answers[0]);
      assert.equal(answers[0]!.status, 303);
      assert.match(answers[0]!.page, /Si l’identifiant et l’adresse e-mail saisis correspondent à un compte/);
      assert.match(answers[0]!.page, /valable 8 heures/);
      assert.match(answers[0]!.page, /En cas de problèmes/);
      assert.match(answers[0]!.page, /si votre identifiant ou adresse mail n’est pas reconnue, veuillez contacter notre service client/);
      assert.match(answers[0]!.page, /href="\/ouverture-de-compte">Demander une ouverture de compte/);
      const audit = await t.db.selectFrom('audit_log').select(['event', 'outcome']).where('event', '=', 'reset.requested').execute();
      assert.equal(audit.length, 4, 'S34 every link request is audited');
    });

    test('S15 the request only records what was typed; matching and mail happen in the background', async () => {
      const browser = new Browser(t.app);
      await browser.submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant: '12345', email: 'contact@librairie-du-port.fr' });
      await browser.submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant: '99999', email: 'contact@librairie-du-port.fr' });
      assert.equal(smtp.messages.length, 0, 'nothing sent by the request');
      assert.equal((await t.db.selectFrom('outbox').selectAll().execute()).length, 0, 'nothing decided by the request either');
      assert.equal((await t.db.selectFrom('link_tokens').selectAll().execute()).length, 0);
      assert.equal((await t.db.selectFrom('reset_requests').selectAll().execute()).length, 2, 'both recorded the same way');
      await t.outbox.drain();
      assert.equal(smtp.messages.length, 1, 'the worker matched one and mailed it');
      assert.equal((await t.db.selectFrom('reset_requests').selectAll().where('processed_at', 'is', null).execute()).length, 0);
    });

    test('S15 same timing whether or not the pair matched', async () => {
      const once = async (identifiant: string) => {
        await t.db.deleteFrom('rate_limits').execute();
        const browser = new Browser(t.app);
        const page = await browser.get('/mot-de-passe-oublie');
        const start = process.hrtime.bigint();
        await browser.post('/mot-de-passe-oublie', { _csrf: csrfToken(page.body), identifiant, email: 'contact@librairie-du-port.fr' });
        return Number(process.hrtime.bigint() - start) / 1e6;
      };
      // Interleaved, so a busy machine slows both sides alike.
      const matched: number[] = [];
      const unmatched: number[] = [];
      for (let i = 0; i < 9; i++) {
        matched.push(await once('12345'));
        unmatched.push(await once('99999'));
      }
      const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
      const [m, u] = [median(matched), median(unmatched)];
      assert.ok(Math.abs(m - u) < 10, `matched ${m.toFixed(2)} ms vs unmatched ${u.toFixed(2)} ms`);
    });

    test('the e-mail: French, HTML and text, brand, PUBLIC_URL link, "valable 8 heures" and the expiry in Europe/Paris, from MAIL_FROM', async () => {
      await t.db.updateTable('companies').set({ name: 'Librairie <script>alert(1)</script> & Fils' }).execute();
      await requestReset('12345', 'contact@librairie-du-port.fr');
      const [mail] = smtp.messages;
      assert.ok(mail);
      assert.equal(mail.from?.value[0]?.address, 'no-reply@cartotheque.test');
      assert.equal((mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : '')?.toLowerCase(), 'contact@librairie-du-port.fr');
      assert.match(mail.subject ?? '', /Cartothèque/);
      assert.match(mail.text ?? '', /valable 8 heures/);
      // The clock stands at 2026-01-15 09:00 UTC: 10:00 in Paris, so the link ends at 18:00 Paris time.
      assert.match(mail.text ?? '', /jusqu’au jeudi 15 janvier 2026 à 18:00 \(heure de Paris\)/);
      assert.match(mail.text ?? '', /identifiant 12345/);
      assert.ok(linkIn(mail).startsWith('https://pro.cartotheque.test/activation?token='));
      assert.ok(typeof mail.html === 'string' && mail.html.includes('valable 8 heures'));
      assert.ok((mail.html as string).includes('Librairie &lt;script&gt;alert(1)&lt;/script&gt; &amp; Fils'), 'S26 user data encoded in HTML');
      assert.ok(!(mail.html as string).includes('<script>'));
    });

    test('S26 a line break in a header field is refused', async () => {
      await assert.rejects(
        enqueueMail(t.db, t.clock, { kind: 'x', to: 'a@b.fr\r\nBcc: evil@x.fr', accountId: null, subject: 's', text: '', html: '' }),
        MailHeaderInjectionError,
      );
      await assert.rejects(enqueueMail(t.db, t.clock, { kind: 'x', to: 'a@b.fr', accountId: null, subject: 'a\nBcc: evil@x.fr', text: '', html: '' }), MailHeaderInjectionError);
    });

    test('S11 the token has at least 128 bits and only its SHA-256 is stored', async () => {
      await requestReset('12345', 'contact@librairie-du-port.fr');
      const token = new URL(linkIn(smtp.messages[0]!)).searchParams.get('token')!;
      assert.ok(Buffer.from(token, 'base64url').length >= 16);
      const rows = await t.db.selectFrom('link_tokens').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.token_hash, sha256(token));
      assert.ok(!JSON.stringify(rows).includes(token));
      // The outbox needed the link until delivery (durability); once sent, its body is erased.
      const outbox = await t.db.selectFrom('outbox').selectAll().execute();
      assert.equal(outbox[0]!.status, 'sent');
      assert.ok(!JSON.stringify(outbox).includes(token), 'no raw token left in the outbox');
    });

    test('S13 Host and X-Forwarded-Host never change the link: it stays on PUBLIC_URL', async () => {
      await requestReset('12345', 'contact@librairie-du-port.fr', new Browser(t.app), { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' });
      const link = linkIn(smtp.messages[0]!);
      assert.ok(link.startsWith('https://pro.cartotheque.test/activation?token='), link);
      assert.ok(!(smtp.messages[0]!.html as string).includes('evil.example'));
    });

    test('S14 the first visit moves the token into a cookie and redirects to a token-free address', async () => {
      await requestReset('12345', 'contact@librairie-du-port.fr');
      const { first, page, browser } = await openLink(linkIn(smtp.messages[0]!));
      assert.equal(first.statusCode, 303);
      assert.equal(first.headers.location, '/activation');
      assert.equal(first.headers['referrer-policy'], 'no-referrer');
      assert.equal(first.headers['cache-control'], 'no-store');
      const cookie = (first.cookies as Array<{ name: string; httpOnly?: boolean; secure?: boolean; maxAge?: number }>).find((c) => c.name === '__Host-ep_reset');
      assert.ok(cookie?.httpOnly && cookie.secure && cookie.maxAge! <= 3600, 'short-lived HttpOnly cookie');
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['cache-control'], 'no-store');
      // Link pages load nothing from other origins.
      assert.doesNotMatch(page.body, /(src|href)="(https?:)?\/\//);
      assert.ok(browser.jar.get('__Host-ep_reset'));
    });

    test('the activation page is the seed’s: title, Votre compte Web, read-only Identifiant, both passwords, rules, legend, Valider', async () => {
      await requestReset('12345', 'contact@librairie-du-port.fr');
      const { page } = await openLink(linkIn(smtp.messages[0]!));
      for (const text of ['Activation / Réinitialisation compte utilisateur', 'Votre compte Web :', '>Identifiant<', '>Mot de passe<', '>Confirmation mot de passe<', '* Champs obligatoires', 'Valider</button>', 'Au moins 15 caractères']) {
        assert.ok(page.body.includes(text), `missing ${text}`);
      }
      assert.match(page.body, /<input id="identifiant" name="identifiant" type="text" value="12345"[^>]*readonly/);
      assert.match(page.body, /autocomplete="username"/);
      assert.equal((page.body.match(/autocomplete="new-password"/g) ?? []).length, 2);
      const rules = page.body.indexOf('Au moins 15 caractères');
      assert.ok(rules < page.body.indexOf('name="mot_de_passe"'), 'the rules come before the field');
    });

    test('S16 after Valider: password saved, no automatic login, sessions and remember-me revoked, notice mail, back to Authentification pre-filled', async () => {
      await seedAccount(t, { code: '77777', email: 'old@x.fr' });
      // The owner is signed in elsewhere with remember-me.
      const elsewhere = new Browser(t.app);
      await elsewhere.submit('/connexion', '/connexion', { identifiant: '77777', mot_de_passe: STRONG_PASSWORD, memoriser: '1' });
      assert.equal((await elsewhere.get('/espace-pro')).statusCode, 200);

      await requestReset('77777', 'old@x.fr');
      const { browser } = await openLink(linkIn(smtp.messages[0]!));
      const res = await setPassword(browser, NEW_PASSWORD);
      assert.equal(res.statusCode, 303);
      // Issue 15: the customer code is never in a URL, nor in a cookie of its own (S21): the used
      // link's cookie stays a few minutes and the login page finds the account through it, once.
      assert.equal(res.headers.location, '/connexion?enregistre=1');
      assert.equal(browser.jar.get('__Host-ep_session'), undefined, 'no automatic login');
      assert.ok(!Object.values(Object.fromEntries(browser.jar.cookies)).some((v) => v.includes('77777')), 'S21 no cookie holds the code');
      const login = await browser.get(res.headers.location as string);
      assert.match(login.body, /Ce mot de passe vous servira lors de vos futures connexions/);
      assert.equal(inputValue(login.body, 'identifiant'), '77777');
      assert.equal(browser.jar.get('__Host-ep_reset'), undefined, 'the link cookie is cleared once it served');

      elsewhere.jar.cookies.delete('__Host-ep_session');
      assert.equal((await elsewhere.get('/espace-pro')).statusCode, 303, 'remember-me revoked');
      assert.equal((await t.db.selectFrom('sessions').selectAll().execute()).length, 0);
      assert.equal((await t.db.selectFrom('remember_tokens').selectAll().execute()).length, 0);

      await t.outbox.drain();
      const notice = smtp.messages.find((m) => /a été modifié/.test(m.subject ?? ''));
      assert.ok(notice, 'notice mail sent');
      assert.ok(!(notice.text ?? '').includes(NEW_PASSWORD) && !/token=/.test(notice.text ?? ''), 'no password or token in the notice');

      const ok = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '77777', mot_de_passe: NEW_PASSWORD });
      assert.equal(ok.statusCode, 303);
      const old = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '77777', mot_de_passe: STRONG_PASSWORD });
      assert.equal(old.statusCode, 401);
    });

    test('S12 valid at 8 h − 1 min, refused at 8 h + 1 s', async () => {
      await requestReset('12345', 'contact@librairie-du-port.fr');
      const link = linkIn(smtp.messages[0]!);
      t.clock.advance(8 * HOUR - 60_000);
      const { page, browser } = await openLink(link);
      assert.equal(page.statusCode, 200, 'still valid one minute before the end');
      t.clock.advance(60_000 + 1000);
      const expired = await browser.get('/activation');
      assert.equal(expired.statusCode, 410);
      assert.match(expired.body, /Ce lien n’est plus valide/);
      assert.match(expired.body, /il est valable 8 heures/, 'the configured validity, not "quelques heures"');
      assert.match(expired.body, /href="\/mot-de-passe-oublie">Demander un nouveau lien/, 'no customer code in the URL');
      assert.equal(inputValue((await browser.get('/mot-de-passe-oublie')).body, 'identifiant'), '12345', 'still pre-filled');
      const row = await t.db.selectFrom('accounts').select('password_hash').executeTakeFirstOrThrow();
      assert.equal(row.password_hash, null, 'nothing saved');
    });

    test('S12 single use: the link is refused once used', async () => {
      await requestReset('12345', 'contact@librairie-du-port.fr');
      const link = linkIn(smtp.messages[0]!);
      const { browser } = await openLink(link);
      assert.equal((await setPassword(browser, NEW_PASSWORD)).statusCode, 303);
      const again = await openLink(link);
      assert.equal(again.page.statusCode, 410);
    });

    test('S12 two concurrent submits of one token: exactly one succeeds', async () => {
      await requestReset('12345', 'contact@librairie-du-port.fr');
      const { browser } = await openLink(linkIn(smtp.messages[0]!));
      const token = csrfToken((await browser.get('/activation')).body);
      const submit = (password: string) => browser.post('/activation', { _csrf: token, mot_de_passe: password, confirmation: password });
      const results = await Promise.all([submit(NEW_PASSWORD), submit('une autre phrase secrète ici')]);
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [303, 410]);
      const consumed = await t.db.selectFrom('link_tokens').select('consumed_at').execute();
      assert.equal(consumed.filter((r) => r.consumed_at !== null).length, 1);
    });

    test('S12 only the newest link is valid', async () => {
      await requestReset('12345', 'contact@librairie-du-port.fr');
      await requestReset('12345', 'contact@librairie-du-port.fr');
      assert.equal(smtp.messages.length, 2);
      const older = await openLink(linkIn(smtp.messages[0]!));
      assert.equal(older.page.statusCode, 410);
      const newer = await openLink(linkIn(smtp.messages[1]!));
      assert.equal(newer.page.statusCode, 200);
    });

    /** Two links of the account, both open (the newer one voided the older: reopened here). */
    async function twoOpenLinks(): Promise<[string, string]> {
      await requestReset('12345', 'contact@librairie-du-port.fr');
      await requestReset('12345', 'contact@librairie-du-port.fr');
      assert.equal(smtp.messages.length, 2);
      await t.db.updateTable('link_tokens').set({ revoked_at: null, revoked_reason: null }).execute();
      const open = await t.db.selectFrom('link_tokens').select('id').where('consumed_at', 'is', null).where('revoked_at', 'is', null).execute();
      assert.equal(open.length, 2, 'both links open before the change');
      return [linkIn(smtp.messages[0]!), linkIn(smtp.messages[1]!)];
    }

    test('S12 a password change through one link voids every other open link', async () => {
      const [first, second] = await twoOpenLinks();
      const { browser } = await openLink(first);
      assert.equal((await setPassword(browser, NEW_PASSWORD)).statusCode, 303);
      assert.equal((await openLink(second)).page.statusCode, 410, 'the other link died with the change');
      const open = await t.db.selectFrom('link_tokens').selectAll().where('consumed_at', 'is', null).where('revoked_at', 'is', null).execute();
      assert.equal(open.length, 0);
      const revoked = await t.db.selectFrom('link_tokens').select('revoked_reason').where('revoked_at', 'is not', null).execute();
      assert.deepEqual(revoked.map((r) => r.revoked_reason), ['password_changed']);
    });

    test('S12 a password change on the security page voids every open link', async () => {
      await t.db.updateTable('accounts').set({ password_hash: await t.hasher.hash(STRONG_PASSWORD), activated_at: t.clock.now() }).execute();
      const [first, second] = await twoOpenLinks();
      const customer = new Browser(t.app);
      assert.equal((await customer.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD })).statusCode, 303);
      const changed = await customer.submit('/espace-pro/securite', '/espace-pro/mot-de-passe', { actuel: STRONG_PASSWORD, mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD });
      assert.equal(changed.statusCode, 303);
      assert.equal((await openLink(first)).page.statusCode, 410, 'the first link died with the change');
      assert.equal((await openLink(second)).page.statusCode, 410, 'and so did the second');
      const audit = await t.db.selectFrom('audit_log').select('event').where('event', '=', 'password.changed').execute();
      assert.equal(audit.length, 1, 'S34 the change is audited');
    });

    const rules: Array<[string, string, RegExp | null]> = [
      ['14 code points', 'abcdefghijklmn'.replace('a', 'x'), /au moins 15 caractères \(vous en avez saisi 14\)/],
      ['15 code points', 'xbcdefghijklmnz', null],
      ['emoji counted as one', 'plage de sable😀', null],
      ['emoji: 14 code points', 'plage desable😀', /vous en avez saisi 14/],
      ['129 code points', 'y'.repeat(60) + 'z'.repeat(69), /ne peut pas dépasser 128 caractères \(vous en avez saisi 129\)/],
      ['a common password', 'passwordpassword', /mots de passe les plus courants/],
      ['a trivial sequence', '123456789012345', /trop prévisible/],
      ['the customer code inside', 'ma boutique 12345 ok', /ni votre code client/],
      ['the brand inside', 'j’aime CARTOTHEQUE beaucoup', /ni le nom « Cartothèque »/],
      ['the e-mail local part inside', 'contact chez nous ok', /ni votre adresse e-mail/],
    ];
    for (const [what, password, message] of rules) {
      test(`S1–S3 password rule: ${what}`, async () => {
        await requestReset('12345', 'contact@librairie-du-port.fr');
        const { browser } = await openLink(linkIn(smtp.messages[0]!));
        t.hasher.hashCalls = 0;
        const res = await setPassword(browser, password);
        if (message === null) {
          assert.equal(res.statusCode, 303, `${what} accepted`);
          return;
        }
        assert.equal(res.statusCode, 400);
        assert.match(res.body, message);
        assert.match(res.body, /aria-invalid="true"/);
        assert.match(res.body, /<title>Erreur : /);
        assert.ok(!res.body.includes(password), 'the password is never sent back');
        assert.equal(t.hasher.hashCalls, 0, 'refused before hashing');
      });
    }

    test('S2 NFKC: a password set with compatibility characters works typed in its canonical form', async () => {
      await requestReset('12345', 'contact@librairie-du-port.fr');
      const { browser } = await openLink(linkIn(smtp.messages[0]!));
      assert.equal((await setPassword(browser, 'ｕｎ ｃａｆé ｓｕｒ ｌａ ｐｌａｃｅ')).statusCode, 303);
      const res = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: 'un café sur la place' });
      assert.equal(res.statusCode, 303);
    });

    test('the confirmation must match', async () => {
      await requestReset('12345', 'contact@librairie-du-port.fr');
      const { browser } = await openLink(linkIn(smtp.messages[0]!));
      const res = await setPassword(browser, NEW_PASSWORD, NEW_PASSWORD + '!');
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /La confirmation ne correspond pas/);
    });

    test('S15 at most 3 mails per account per hour: beyond, the same page and no mail', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await requestReset('12345', 'contact@librairie-du-port.fr');
        assert.equal(res.headers.location, '/mot-de-passe-oublie/confirmation');
      }
      assert.equal(smtp.messages.length, 3);
      t.clock.advance(HOUR);
      await requestReset('12345', 'contact@librairie-du-port.fr');
      assert.equal(smtp.messages.length, 4, 'allowed again an hour later');
    });

    test('S15 at most 20 requests per IP per hour: beyond, the same page and no mail', async () => {
      for (let i = 0; i < 20; i++) await requestReset('99999', 'x@y.fr');
      const res = await requestReset('12345', 'contact@librairie-du-port.fr');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/mot-de-passe-oublie/confirmation');
      assert.equal(smtp.messages.length, 0);
    });

    test('S36 S15 12 parallel requests for one account: exactly 3 mails; 30 parallel from one IP: at most 20 recorded', async () => {
      const forAccount = await Promise.all(Array.from({ length: 12 }, () => new Browser(t.app).submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant: '12345', email: 'contact@librairie-du-port.fr' })));
      await t.outbox.drain();
      for (const res of forAccount) assert.equal(res.headers.location, '/mot-de-passe-oublie/confirmation', 'the same page for every request');
      assert.equal(smtp.messages.length, 3, 'positive control and bound: three mails, no more');
      await t.db.deleteFrom('reset_requests').execute();
      await t.db.deleteFrom('rate_limits').execute();
      const fromOneIp = await Promise.all(Array.from({ length: 30 }, (_, i) => new Browser(t.app).submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant: String(20000 + i), email: `x${i}@y.fr` })));
      for (const res of fromOneIp) assert.equal(res.headers.location, '/mot-de-passe-oublie/confirmation');
      const recorded = await t.db.selectFrom('reset_requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.ok(Number(recorded.n) >= 1, 'positive control: the first ones are recorded');
      assert.ok(Number(recorded.n) <= 20, `${recorded.n} of 30 recorded`);
    });

    test('S17 more than 20 invalid tokens from one IP in 10 minutes gives 429', async () => {
      const browser = new Browser(t.app);
      for (let i = 0; i < 20; i++) {
        const { page } = await openLink(`https://pro.cartotheque.test/activation?token=${randomBytes(32).toString('base64url')}`, browser);
        assert.equal(page.statusCode, 410);
      }
      const { page } = await openLink(`https://pro.cartotheque.test/activation?token=${randomBytes(32).toString('base64url')}`, browser);
      assert.equal(page.statusCode, 429);
      assert.ok(Number(page.headers['retry-after']) > 0);
      assert.match(page.body, /Trop de tentatives/);
    });

    test('S17 a valid link does not count against the limit: reopening it 25 times never gets 429', async () => {
      await requestReset('12345', 'contact@librairie-du-port.fr');
      const { browser } = await openLink(linkIn(smtp.messages[0]!));
      for (let i = 0; i < 25; i++) assert.equal((await browser.get('/activation')).statusCode, 200, `visit ${i + 1}`);
    });

    test('S40 a token not in its issued form gets the French invalid-link page, never a 500 nor raw bytes in a header', async () => {
      for (const token of ['%E2%82%AC', 'abc%3B%20Path%3D%2F', '%0D%0ASet-Cookie%3Ax%3Dy', 'A'.repeat(42), 'A'.repeat(44), 'x'.repeat(4000)]) {
        const res = await new Browser(t.app).get(`/activation?token=${token}`);
        assert.equal(res.statusCode, 410, token.slice(0, 20));
        assert.match(res.body, /Ce lien n’est plus valide/);
        assert.ok(res.headers['content-security-policy'], 'S28 headers on the invalid page');
        for (const cookie of [res.headers['set-cookie'] ?? []].flat()) assert.match(cookie, /^[^=]+=[A-Za-z0-9_.-]*;/, `cookie value in its issued form: ${cookie}`);
      }
    });

    test('S8 a completed reset clears the identifier throttle', async () => {
      await seedAccount(t, { code: '66666', email: 'six@x.fr' });
      for (let i = 0; i < 5; i++) await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '66666', mot_de_passe: 'faux mot de passe ' + i });
      assert.ok(await t.db.selectFrom('login_throttle').selectAll().where('key', '=', '66666').executeTakeFirst());
      await requestReset('66666', 'six@x.fr');
      const { browser } = await openLink(linkIn(smtp.messages[0]!));
      await setPassword(browser, NEW_PASSWORD);
      const res = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '66666', mot_de_passe: NEW_PASSWORD });
      assert.equal(res.statusCode, 303, 'signed in at once: the throttle is gone');
    });

    test('the seed procedure end to end: account created without password → request → mail → link → password → login', async () => {
      const row = await t.db.selectFrom('accounts').select(['password_hash', 'activated_at']).where('id', 'in', holderOfCode(t.db, '12345')).executeTakeFirstOrThrow();
      assert.equal(row.password_hash, null, 'S5 pre-created without password');
      const first = await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: NEW_PASSWORD });
      assert.equal(first.statusCode, 401, 'cannot sign in before activation');
      const browser = new Browser(t.app);
      const login = await browser.get('/connexion');
      assert.match(login.body, /href="\/mot-de-passe-oublie">Mot de passe oublié \? \/ Première connexion/);
      await requestReset('12345', 'contact@librairie-du-port.fr', browser);
      const mail = smtp.messages[0]!;
      await openLink(linkIn(mail), browser);
      assert.equal((await setPassword(browser, NEW_PASSWORD)).statusCode, 303);
      const res = await browser.submit('/connexion?enregistre=1&identifiant=12345', '/connexion', { identifiant: '12345', mot_de_passe: NEW_PASSWORD });
      assert.equal(res.statusCode, 303);
      const home = await browser.get('/espace-pro');
      assert.match(home.body, /Librairie du Port/);
      const activated = await t.db.selectFrom('accounts').select('activated_at').where('id', 'in', holderOfCode(t.db, '12345')).executeTakeFirstOrThrow();
      assert.ok(activated.activated_at);
    });
  });
}
