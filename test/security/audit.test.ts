import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { linkIn, SmtpSink } from '../helpers/smtp.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

const NEW_PASSWORD = 'un phare veille sur la baie de Morlaix';

/** S34: who did what to whom, from where, how it ended — for every security event and staff action. */
for (const dialect of DIALECTS) {
  describe(`S34 the audit log of security events and staff actions [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
    });

    const entries = async (event: string) => t.db.selectFrom('audit_log').selectAll().where('event', '=', event).execute();

    async function act(browser: Browser, page: string, action: string, form: Record<string, string> = {}) {
      const html = await browser.get(page);
      return browser.post(action, { _csrf: csrfToken(html.body), ...form }, { 'user-agent': 'Agent-Test/1.0' });
    }

    test('S34 every staff action on an account is audited with its actor, target, IP, user agent and outcome', async () => {
      const account = await seedAccount(t, { code: '12345', password: null });
      const agent = await createStaffAndSignIn(t, { email: 'agent@cartotheque.test' });
      const page = `/back-office/comptes/${account.id}`;
      for (let i = 0; i < 5; i++) await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: 'raté ' + i });
      const actions: Array<[string, string, Record<string, string>]> = [
        ['lien', 'staff.link_sent', {}],
        ['email', 'staff.email_changed', { email: 'nouvelle@x.fr' }],
        ['sessions', 'staff.sessions_revoked', {}],
        ['debloquer', 'staff.throttle_cleared', {}],
        ['desactiver', 'staff.account_disabled', {}],
        ['reactiver', 'staff.account_enabled', {}],
      ];
      for (const [path, event, form] of actions) {
        assert.equal((await act(agent, page, `${page}/${path}`, form)).statusCode, 303, path);
        const [entry] = await entries(event);
        assert.ok(entry, `${event} recorded`);
        assert.equal(entry.actor_type, 'staff', event);
        assert.equal(entry.actor_id, 'agent@cartotheque.test', event);
        assert.equal(entry.account_id, account.id, event);
        assert.equal(entry.target, '12345', event);
        assert.equal(entry.outcome, 'success', event);
        assert.equal(entry.user_agent, 'Agent-Test/1.0', event);
        assert.ok(entry.ip, event);
      }
    });

    test('S34 link use and password change are audited; a malformed identifier is stored as a marker, never as typed', async () => {
      await seedAccount(t, { code: '12345', email: 'client@x.fr', password: null });
      const browser = new Browser(t.app);
      await browser.submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { identifiant: '12345', email: 'client@x.fr' });
      await t.outbox.drain();
      const link = new URL(linkIn(smtp.messages[0]!));
      await browser.get(link.pathname + link.search);
      const page = await browser.get('/activation');
      await browser.post('/activation', { _csrf: csrfToken(page.body), mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD });
      assert.equal((await entries('account.activated')).length, 1, 'the first password set through the link');

      const customer = new Browser(t.app);
      await customer.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: NEW_PASSWORD });
      await customer.submit('/espace-pro/securite', '/espace-pro/mot-de-passe', { actuel: NEW_PASSWORD, mot_de_passe: STRONG_PASSWORD, confirmation: STRONG_PASSWORD });
      const [changed] = await entries('password.changed');
      assert.equal(changed?.actor_type, 'customer');
      assert.equal(changed?.actor_id, '12345');

      // A customer typing their password into "Identifiant": what they typed never reaches the log.
      const typed = 'MonMotDePasse secret 2026';
      await new Browser(t.app).submit('/connexion', '/connexion', { identifiant: typed, mot_de_passe: 'x' });
      const dump = JSON.stringify(await t.db.selectFrom('audit_log').selectAll().execute());
      assert.ok(!dump.includes(typed), 'the typed value is not stored');
      const [failure] = (await entries('login.failure')).filter((e) => /malformed_identifier/.test(e.details ?? ''));
      assert.equal(failure?.target, `invalid format (${typed.length} characters)`);
      for (const secret of [NEW_PASSWORD, STRONG_PASSWORD, link.searchParams.get('token')!]) assert.ok(!dump.includes(secret), 'S35 no secret in the log');
    });
  });
}
