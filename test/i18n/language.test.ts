/**
 * S51 over HTTP: the language of every customer page (Accept-Language, then the visitor's choice
 * in the `__Host-ep_lang` cookie), the English / Français link, what an attacker can put in the
 * cookie, the header and the link (nothing but `fr` or `en` is ever kept, nothing is echoed), the
 * choice saved on the person, and the mails that follow it.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, CookieJar, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { linkIn, SmtpSink } from '../helpers/smtp.js';

const LANG_COOKIE = '__Host-ep_lang';

function htmlLang(body: string): string | undefined {
  return /<html lang="([^"]*)"/.exec(body)?.[1];
}

/** The English / Français link of a page: its href, lang, hreflang and text. */
function languageLink(body: string) {
  const match = /<a class="header-link language-switch" href="([^"]*)" lang="([^"]*)" hreflang="([^"]*)">([^<]*)<\/a>/.exec(body);
  return match ? { href: match[1]!.replaceAll('&amp;', '&'), lang: match[2], hreflang: match[3], text: match[4] } : null;
}

function setCookies(res: { headers: Record<string, unknown> }): string[] {
  const raw = res.headers['set-cookie'];
  return raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [String(raw)];
}

for (const dialect of DIALECTS) {
  describe(`S51 languages [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://pro.cartotheque.test' } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
    });

    async function personLanguage(email: string): Promise<string | null> {
      const row = await t.db.selectFrom('accounts').select('language').where('email_lc', '=', email).executeTakeFirstOrThrow();
      return row.language;
    }

    async function signIn(browser: Browser, code = '12345') {
      const res = await browser.submit('/connexion', '/connexion', { identifiant: code, mot_de_passe: STRONG_PASSWORD });
      assert.equal(res.statusCode, 303);
      return res;
    }

    /** Anonymous pages: [path, French h1, English h1]. */
    const PUBLIC_PAGES: Array<[string, string, string]> = [
      ['/', 'Bienvenue chez Cartothèque', 'Welcome to Cartothèque'],
      ['/connexion', 'Authentification', 'Sign in'],
      ['/mot-de-passe-oublie', 'Mot de passe oublié ? / Première connexion', 'Forgotten your password? / First sign-in'],
      ['/mot-de-passe-oublie/confirmation', 'Vérifiez votre messagerie', 'Check your inbox'],
      ['/ouverture-de-compte', 'Demande d’ouverture de compte', 'Account request'],
      ['/ouverture-de-compte/merci', 'Merci, votre demande a bien été envoyée', 'Thank you, your request has been sent'],
      ['/confidentialite', 'Vos données personnelles', 'Your personal data'],
      ['/activation?token=ce-lien-n-existe-pas', 'Ce lien n’est plus valide', 'This link is no longer valid'],
      ['/cette-page-n-existe-pas', 'Page introuvable', 'Page not found'],
    ];

    test('S51 every customer page: French by default, English for an English browser, <html lang> matching its text, and the link to the other language', async () => {
      for (const [path, french, english] of PUBLIC_PAGES) {
        for (const [headers, lang, heading, other, otherName] of [
          [{}, 'fr', french, 'en', 'English'],
          [{ 'accept-language': 'en-GB,en;q=0.9' }, 'en', english, 'fr', 'Français'],
        ] as const) {
          const page = await new Browser(t.app).get(path, headers);
          assert.equal(htmlLang(page.body), lang, `${path} ${lang}: <html lang>`);
          assert.ok(page.body.includes(`<h1>${heading}</h1>`) || page.body.includes(`>${heading}</h1>`), `${path} ${lang}: h1 ${heading}`);
          const link = languageLink(page.body);
          assert.ok(link, `${path} ${lang}: the English / Français link`);
          assert.equal(link.lang, other, `${path}: lang of the link`);
          assert.equal(link.hreflang, other, `${path}: hreflang of the link`);
          assert.equal(link.text, otherName);
          assert.match(link.href, new RegExp(`^/langue\\?l=${other}&next=`));
        }
      }
    });

    test('S51 the single sign-on provider’s own pages (its error page) follow the browser’s language', async () => {
      for (const url of ['/oidc/auth?client_id=nope&response_type=code&scope=openid', '/oidc/interaction/no-such-interaction']) {
        const en = await t.app.inject({ url, headers: { 'accept-language': 'en-GB' } });
        assert.equal(htmlLang(en.body), 'en', url);
        assert.ok(en.body.includes('<h1>Sign-in failed</h1>'), url);
        const fr = await t.app.inject({ url, headers: { cookie: `${LANG_COOKIE}=fr`, 'accept-language': 'en-GB' } });
        assert.equal(htmlLang(fr.body), 'fr', `${url}: the cookie wins`);
        assert.ok(fr.body.includes('<h1>Connexion impossible</h1>'), url);
      }
    });

    test('S51 the signed-in pages and the chooser follow the language too', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr' });
      const browser = new Browser(t.app);
      await signIn(browser);
      for (const [path, french, english] of [
        ['/espace-pro', 'Mon Espace Pro', 'My Pro Area'],
        ['/espace-pro/securite', 'Sécurité de mon compte', 'My account security'],
      ] as const) {
        const fr = await browser.get(path);
        assert.equal(htmlLang(fr.body), 'fr');
        assert.ok(fr.body.includes(french) && fr.body.includes('Se déconnecter'), path);
        const en = await browser.get(path, { 'accept-language': 'en' });
        assert.equal(htmlLang(en.body), 'en');
        assert.ok(en.body.includes(english) && en.body.includes('Sign out'), path);
        assert.ok(!en.body.includes('Se déconnecter'), `${path}: no French left in the header`);
        assert.equal(languageLink(en.body)?.href, `/langue?l=fr&next=${encodeURIComponent(path)}`);
      }
      // The security page shown again by its form (POST /espace-pro/mot-de-passe) links back to the page itself.
      const security0 = await browser.get('/espace-pro/securite');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(security0.body)![1]!;
      const again = await browser.post('/espace-pro/mot-de-passe', { _csrf: csrf, actuel: '', mot_de_passe: '', confirmation: '' }, { 'accept-language': 'en' });
      assert.equal(again.statusCode, 400);
      assert.equal(languageLink(again.body)?.href, '/langue?l=fr&next=%2Fespace-pro%2Fsecurite');
      // The security page's dates are English too (DISPLAY_TIMEZONE, 'en-GB'): the short form in its
      // tables ("15/01/2026, 10:00"), the zone named once for the page.
      const security = await browser.get('/espace-pro/securite', { 'accept-language': 'en' });
      assert.match(security.body, /<td data-label="Last activity">\d\d\/\d\d\/\d{4}, \d\d:\d\d<\/td>/);
      assert.equal(security.body.match(/Times shown in Paris time\./g)?.length, 1);
      assert.doesNotMatch(security.body, /heure de Paris|\(Paris time\)/);
    });

    test('S51 pages rendered once are cached per language (the login page, then the signed-in home)', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr' });
      const browser = new Browser(t.app);
      for (const lang of ['fr', 'en', 'fr', 'en'] as const) {
        const page = await new Browser(t.app).get('/connexion', lang === 'en' ? { 'accept-language': 'en' } : {});
        assert.equal(htmlLang(page.body), lang);
        assert.ok(page.body.includes(lang === 'en' ? '<h1>Sign in</h1>' : '<h1>Authentification</h1>'));
        // The language link of a page rendered once goes back to the route, never to a query someone typed.
        const odd = await new Browser(t.app).get('/connexion?x=%22%3E%3Cscript%3E', lang === 'en' ? { 'accept-language': 'en' } : {});
        assert.ok(!odd.body.includes('<script>'), 'S25');
      }
      await signIn(browser);
      const en = await browser.get('/espace-pro', { 'accept-language': 'en' });
      const fr = await browser.get('/espace-pro');
      assert.ok(en.body.includes('Hello, Librairie du Port') && htmlLang(en.body) === 'en');
      assert.ok(fr.body.includes('Bonjour, Librairie du Port') && htmlLang(fr.body) === 'fr');
    });

    test('S51 the language link sets only the cookie, a plain enum, and goes back to a safe path; the choice beats Accept-Language', async () => {
      const browser = new Browser(t.app);
      const res = await browser.get('/langue?l=en&next=%2Fmot-de-passe-oublie');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/mot-de-passe-oublie');
      assert.equal(res.headers['cache-control'], 'no-store', 'S29: a response that sets a cookie');
      const cookies = setCookies(res);
      assert.equal(cookies.length, 1);
      assert.match(cookies[0]!, /^__Host-ep_lang=en; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=31536000$/, 'S21');
      const page = await browser.get('/mot-de-passe-oublie', { 'accept-language': 'fr-FR' });
      assert.equal(htmlLang(page.body), 'en', 'the choice wins over the browser');
      assert.equal(languageLink(page.body)?.href, '/langue?l=fr&next=%2Fmot-de-passe-oublie');
      const back = await browser.get('/langue?l=fr&next=%2Fmot-de-passe-oublie', { 'accept-language': 'en' });
      assert.match(setCookies(back)[0]!, /^__Host-ep_lang=fr;/);
      assert.equal(htmlLang((await browser.get('/mot-de-passe-oublie', { 'accept-language': 'en' })).body), 'fr');
    });

    test('S51 the language link: anything but fr or en sets nothing and is never echoed', async () => {
      const payloads = [
        'de',
        'EN',
        'en ',
        'en;',
        'fr,en',
        '',
        // (`%65%6e` is `en` once the query is decoded, as every browser sends it: accepted. Encoded twice, refused.)
        '%2565%256e',
        'en%0d%0aSet-Cookie:%20x=y',
        'en%00',
        '%22%3E%3Cscript%3Ealert(1)%3C/script%3E',
        `${'e'.repeat(5000)}n`,
        'en&l=fr',
      ];
      for (const payload of payloads) {
        const browser = new Browser(t.app);
        const res = await browser.get(`/langue?l=${payload}&next=%2Fconnexion`);
        assert.equal(res.statusCode, 303, payload);
        assert.equal(res.headers.location, '/connexion', payload);
        const cookies = setCookies(res);
        if (payload === 'en&l=fr') {
          // Two values: the query parser keeps the last or an array; either way only fr or en is ever set.
          assert.ok(cookies.every((c) => /^__Host-ep_lang=(fr|en);/.test(c)), payload);
        } else {
          assert.deepEqual(cookies, [], `${payload}: no cookie`);
        }
        const answer = res.body + JSON.stringify(res.headers);
        assert.ok(!answer.includes('<script') && !answer.includes('alert') && !answer.includes('eeee') && !/set-cookie:\s*x/i.test(answer), `${payload}: not echoed`);
        assert.equal(htmlLang((await browser.get('/connexion')).body), 'fr', payload);
      }
    });

    test('S24 the language link goes back only to a same-origin path', async () => {
      for (const next of ['//evil.example', 'https://evil.example/', '/\\evil.example', '%2F%2Fevil.example', '/%2F%2Fevil.example', 'javascript:alert(1)', '/connexion%0d%0aX:%20y', '', '/./%2e%2e//evil']) {
        const res = await new Browser(t.app).get(`/langue?l=en&next=${encodeURIComponent(next)}`);
        assert.equal(res.statusCode, 303, next);
        assert.equal(res.headers.location, '/', `${next}: home, not elsewhere`);
      }
      const res = await new Browser(t.app).get(`/langue?l=en&next=${encodeURIComponent('/connexion?next=%2Fespace-pro')}`);
      assert.equal(res.headers.location, '/connexion?next=%2Fespace-pro', 'a query string is kept');
    });

    test('S51 a forged language cookie is ignored (French, or the browser’s language) and never echoed', async () => {
      // (Spaces around a value are not a forgery: browsers and our parser trim them, RFC 6265 §5.2.)
      const forged = ['de', 'EN', 'En', 'e n', '"en"', 'en=', 'en%00', 'en\\u0000', '%65%6e', '<script>alert(1)</script>', 'fr,en', '', `${'en'.repeat(3000)}`];
      for (const value of forged) {
        const jar = new CookieJar();
        jar.cookies.set(LANG_COOKIE, value);
        const browser = new Browser(t.app, jar);
        const fr = await browser.get('/connexion');
        assert.equal(htmlLang(fr.body), 'fr', `${JSON.stringify(value)}: ignored`);
        if (value.includes('<') || value.length > 10) assert.ok(!fr.body.includes(value), `${JSON.stringify(value)}: not echoed`);
        const en = await browser.get('/connexion', { 'accept-language': 'en' });
        assert.equal(htmlLang(en.body), 'en', `${JSON.stringify(value)}: the browser's language then`);
      }
      // The first of two same-named cookies wins (cookies.ts), and only if it is fr or en.
      const twice = await new Browser(t.app).get('/connexion', { cookie: `${LANG_COOKIE}=en; ${LANG_COOKIE}=fr` });
      assert.equal(htmlLang(twice.body), 'en');
    });

    test('S51 Accept-Language payload classes: the page is French or English, the header never echoed', async () => {
      const headers: Array<[string, 'fr' | 'en']> = [
        ['en-US;q=0.1, fr;q=0.9', 'fr'],
        ['*', 'fr'],
        ['de', 'fr'],
        ['de, en;q=0.5', 'en'],
        ['', 'fr'],
        ['%65%6e', 'fr'],
        ['"en"', 'fr'],
        ['<script>alert("en")</script>', 'fr'],
        ['en;q=0', 'fr'],
        [`${'x-'.repeat(3000)},en`, 'fr'],
        ['EN-gb', 'en'],
      ];
      for (const [header, lang] of headers) {
        const page = await new Browser(t.app).get('/connexion', { 'accept-language': header });
        assert.equal(page.statusCode, 200, header);
        assert.equal(htmlLang(page.body), lang, header);
        // Echoes are looked for where they would be dangerous or unmistakable (`"en"` is in every page's link).
        if (header.includes('<') || header.length > 10) assert.ok(!page.body.includes(header), `${header.slice(0, 30)}: not echoed`);
        assert.ok(!setCookies(page).some((c) => c.startsWith(LANG_COOKIE)), 'negotiation never sets the cookie');
      }
    });

    test('S51 S23 the link changes nothing on the server; the choice reaches the person at sign-in and at their next form', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr' });
      const browser = new Browser(t.app);
      await browser.get('/langue?l=en&next=%2Fconnexion');
      assert.equal(await personLanguage('contact@librairie-du-port.fr'), null);
      await signIn(browser);
      assert.equal(await personLanguage('contact@librairie-du-port.fr'), 'en', 'saved at sign-in');
      // Switching while signed in: the GET only sets the cookie…
      await browser.get('/langue?l=fr&next=%2Fespace-pro');
      assert.equal(await personLanguage('contact@librairie-du-port.fr'), 'en', 'GET never changes state');
      // …and the next form the person sends saves it (here: revoking a session that is not there).
      const security = await browser.get('/espace-pro/securite');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(security.body)![1]!;
      await browser.post('/espace-pro/sessions/revoquer', { _csrf: csrf, session: 'nothing-here' });
      assert.equal(await personLanguage('contact@librairie-du-port.fr'), 'fr');
    });

    test('S51 a person who chose English elsewhere gets English pages at sign-in on a new browser; one who never chose is saved in the language they read', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr' });
      await seedAccount(t, { code: '23456', email: 'compta@papeterie.fr' });
      await t.db.updateTable('accounts').set({ language: 'en' }).where('email_lc', '=', 'contact@librairie-du-port.fr').execute();
      const browser = new Browser(t.app);
      const res = await signIn(browser);
      assert.ok(setCookies(res).some((c) => c.startsWith(`${LANG_COOKIE}=en;`)), 'the person’s language follows them');
      assert.equal(htmlLang((await browser.get('/espace-pro')).body), 'en');

      const other = new Browser(t.app);
      const page = await other.get('/connexion', { 'accept-language': 'en-GB' });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      await other.post('/connexion', { _csrf: csrf, identifiant: '23456', mot_de_passe: STRONG_PASSWORD }, { 'accept-language': 'en-GB' });
      assert.equal(await personLanguage('compta@papeterie.fr'), 'en');
      // A stored value outside the enum (written by hand) is ignored: French.
      await t.db.updateTable('accounts').set({ language: 'de' }).where('email_lc', '=', 'compta@papeterie.fr').execute();
      const third = new Browser(t.app);
      const signedIn = await signIn(third, '23456');
      assert.ok(!setCookies(signedIn).some((c) => c.startsWith(LANG_COOKIE) && !/=(fr|en);/.test(c)));
    });

    async function resetMail(browser: Browser, headers: Record<string, string> = {}): Promise<ParsedMail> {
      const page = await browser.get('/mot-de-passe-oublie', headers);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const res = await browser.post('/mot-de-passe-oublie', { _csrf: csrf, identifiant: '12345', email: 'contact@librairie-du-port.fr' }, headers);
      assert.equal(res.statusCode, 303);
      await t.outbox.drain();
      assert.equal(smtp.messages.length, 1);
      return smtp.messages.pop()!;
    }

    test('S51 an English reset mail (HTML and text) for a person whose language is en, even asked from a French page', async () => {
      t.clock.set(Date.parse('2026-12-01T08:00:00Z'));
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr', company: 'Harbour <Books> & Co' });
      await t.db.updateTable('accounts').set({ language: 'en' }).where('email_lc', '=', 'contact@librairie-du-port.fr').execute();
      const mail = await resetMail(new Browser(t.app));
      assert.equal(mail.subject, 'Cartothèque – Reset your Pro Area password');
      const text = mail.text ?? '';
      assert.ok(text.startsWith('Hello Harbour <Books> & Co,'), text);
      assert.ok(text.includes('You asked to reset the password of your Pro Area (username 12345).'));
      assert.ok(text.includes('Please note: this link is valid for 8 hours, until Tuesday, 1 December 2026 at 17:00 (Paris time). It can only be used once.'), text);
      assert.ok(text.includes('Kind regards,\nThe Cartothèque team'));
      assert.ok(!/Bonjour|Attention|votre/.test(text), 'no French in the text part');
      const html = String(mail.html);
      assert.match(html, /<html lang="en">/);
      assert.ok(html.includes('Hello Harbour &lt;Books&gt; &amp; Co,'), 'S26: encoded in the HTML part');
      assert.ok(html.includes('>Choose my password</a>'));
      assert.ok(html.includes('Tuesday, 1 December 2026 at 17:00 (Paris time)'));
      assert.ok(!/Bonjour|Attention|votre/.test(html), 'no French in the HTML part');
      assert.ok(html.includes(linkIn(mail)));
    });

    test('S51 a person who never chose gets the language of the page the reset was asked from; a French person stays French', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr', password: null });
      const english = await resetMail(new Browser(t.app), { 'accept-language': 'en' });
      assert.equal(english.subject, 'Cartothèque – Activate your Pro Area');
      assert.match(String(english.html), /<html lang="en">/);
      await t.db.updateTable('accounts').set({ language: 'fr' }).where('email_lc', '=', 'contact@librairie-du-port.fr').execute();
      t.clock.advance(3600_000 * 2);
      const french = await resetMail(new Browser(t.app), { 'accept-language': 'en' });
      assert.equal(french.subject, 'Cartothèque – Activation de votre Espace Pro');
      assert.match(String(french.html), /<html lang="fr">/);
    });

    test('S51 the new-browser notice and the password-changed notice go out in the person’s language', async () => {
      await seedAccount(t, { code: '12345', email: 'contact@librairie-du-port.fr' });
      await t.db.updateTable('accounts').set({ language: 'en', last_login_at: t.clock.now() }).where('email_lc', '=', 'contact@librairie-du-port.fr').execute();
      const browser = new Browser(t.app);
      await signIn(browser);
      await t.outbox.drain();
      const notice = smtp.messages.find((m) => m.subject === 'New sign-in to your Pro Area');
      assert.ok(notice, `new-browser notice in English (got ${smtp.messages.map((m) => m.subject).join(', ')})`);
      assert.match(notice.text ?? '', /from a browser we did not know: (Unknown browser|[A-Za-z]+( on [A-Za-z]+)?), approximate IP address/);
      smtp.clear();
      const security = await browser.get('/espace-pro/securite');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(security.body)![1]!;
      const changed = await browser.post('/espace-pro/mot-de-passe', { _csrf: csrf, actuel: STRONG_PASSWORD, mot_de_passe: 'a quiet harbour at dawn', confirmation: 'a quiet harbour at dawn' });
      assert.equal(changed.statusCode, 303);
      await t.outbox.drain();
      assert.deepEqual(
        smtp.messages.map((m) => m.subject),
        ['Cartothèque – Your password has been changed'],
      );
    });

    test('S51 English form errors, input kept and encoded (S25)', async () => {
      const browser = new Browser(t.app);
      const page = await browser.get('/ouverture-de-compte', { 'accept-language': 'en' });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const res = await browser.post('/ouverture-de-compte', { _csrf: csrf, raison_sociale: '<script>x</script>', email: 'not an address' }, { 'accept-language': 'en' });
      assert.equal(res.statusCode, 400);
      assert.equal(htmlLang(res.body), 'en');
      assert.ok(res.body.includes('Error: Account request'), 'the title says there is an error');
      assert.ok(res.body.includes('There is a problem with the form:'));
      assert.ok(res.body.includes('Enter your last name.'));
      assert.ok(res.body.includes('Enter a valid e-mail address (for example name@company.com).'));
      assert.ok(res.body.includes('value="&lt;script&gt;x&lt;/script&gt;"'));
      assert.ok(!res.body.includes('<script>x'));
    });
  });
}
