import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { importAccounts } from '../../src/modules/import/import.service.js';
import { seedAccount, holderOfCode } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { SmtpSink } from '../helpers/smtp.js';
import { createStaffAndSignIn, type StaffBrowser } from '../helpers/staff.js';

/**
 * S37 / S39, every door that can change a customer's e-mail (docs/security.md lists them): the ERP
 * import from the page, the ERP import from the CLI, the account page, and the approval of an
 * account-opening request that links an existing code. None lets one person route an activated
 * account's links to an address of their own; the old address always hears of a change.
 */
for (const dialect of DIALECTS) {
  describe(`S37 every door that changes an e-mail [${dialect}]`, () => {
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

    const emailOf = async (code: string) => (await t.db.selectFrom('accounts').select('email').where('id', 'in', holderOfCode(t.db, code)).executeTakeFirstOrThrow()).email;
    const pending = async () => t.db.selectFrom('email_changes').select(['account_id', 'new_email', 'requested_by']).where('decided_at', 'is', null).orderBy('id').execute();

    async function upload(admin: StaffBrowser, content: string, fields: Record<string, string> = {}) {
      const page = await admin.get('/back-office/import');
      const formData = new FormData();
      for (const [k, v] of Object.entries(fields)) formData.append(k, v);
      formData.append('fichier', new Blob([content], { type: 'text/csv' }), 'clients.csv');
      const request = new Request('http://localhost/back-office/import', { method: 'POST', body: formData });
      return t.app.inject({
        method: 'POST',
        url: `/back-office/import?_csrf=${encodeURIComponent(csrfToken(page.body))}`,
        headers: { cookie: admin.jar.header(), 'content-type': request.headers.get('content-type')! },
        payload: Buffer.from(await request.arrayBuffer()),
      });
    }
    async function act(browser: Browser, page: string, action: string, form: Record<string, string> = {}) {
      const html = await browser.get(page);
      return browser.post(action, { _csrf: csrfToken(html.body), ...form });
    }

    test('S37 the ERP import (page) cannot take over an activated account: the change waits for a second person, then the old address is told', async () => {
      const victim = await seedAccount(t, { code: '22222', email: 'client@librairie.fr', company: 'Client Deux' });
      await seedAccount(t, { code: '33333', email: 'pre@x.fr', company: 'Pas encore', password: null }); // positive control
      const admin = await createStaffAndSignIn(t, { role: 'admin', email: 'admin.a@cartotheque.test' });
      const colleague = await createStaffAndSignIn(t, { email: 'agent.b@cartotheque.test' });
      const csv = '22222;someone-else@example.test;Client Deux\n33333;nouveau@x.fr;Pas encore\n';

      // The dry run shows the held line apart, and writes nothing.
      const dry = await upload(admin, csv, { simulation: '1' });
      assert.equal(dry.statusCode, 200);
      assert.match(dry.body, /Changements d’adresse e-mail soumis à un second membre/);
      assert.match(dry.body, /nouvelle adresse someone-else@example\.test en attente de validation/);
      assert.match(dry.body, /0 créé, 1 mis à jour/, 'only the account not yet activated counts as updated');
      assert.equal((await pending()).length, 0, 'the dry run writes nothing');

      const real = await upload(admin, csv);
      assert.equal(real.statusCode, 200);
      assert.match(real.body, /En attente de validation/);
      assert.equal(await emailOf('22222'), 'client@librairie.fr', 'the activated account keeps its address');
      assert.equal(await emailOf('33333'), 'nouveau@x.fr', 'positive control: an account without password changes at once');
      assert.deepEqual(await pending(), [{ account_id: victim.id, new_email: 'someone-else@example.test', requested_by: 'admin.a@cartotheque.test' }]);

      // "Send a link" now reaches the customer's own address, never the importer's.
      await act(admin, `/back-office/comptes/${victim.id}`, `/back-office/comptes/${victim.id}/lien`);
      await t.outbox.drain();
      assert.equal(smtp.to('someone-else@example.test').length, 0, 'no link reaches the imported address');
      assert.equal(smtp.to('client@librairie.fr').length, 1);
      assert.equal(smtp.to('pre@x.fr').length, 1, 'S39 the old address of the applied change is told');
      assert.doesNotMatch(smtp.to('pre@x.fr')[0]!.text ?? '', /token=/);
      smtp.clear();

      // The importer cannot approve their own line; a second person can, and the old address hears of it.
      const page = `/back-office/comptes/${victim.id}`;
      assert.equal((await act(admin, page, `${page}/email/approuver`)).statusCode, 409);
      assert.equal((await act(colleague, page, `${page}/email/approuver`)).statusCode, 303);
      assert.equal(await emailOf('22222'), 'someone-else@example.test');
      await t.outbox.drain();
      assert.equal(smtp.to('client@librairie.fr').length, 1, 'S39 the old address is told');
      assert.match(smtp.to('client@librairie.fr')[0]!.subject ?? '', /adresse e-mail/);

      // A re-run of the same file while a change already waits is refused for that line, said so.
      await t.db.updateTable('accounts').set({ email: 'client@librairie.fr', email_lc: 'client@librairie.fr' }).where('id', '=', victim.id).execute();
      await upload(admin, '22222;a@example.test;Client Deux\n');
      const again = await upload(admin, '22222;b@example.test;Client Deux\n');
      assert.match(again.body, /un changement d’adresse e-mail attend déjà une validation/);
      assert.deepEqual((await pending()).map((p) => p.new_email), ['a@example.test']);
    });

    test('S37 the ERP import (CLI, operator) holds the change too, and a company change alone still applies', async () => {
      await seedAccount(t, { code: '22222', email: 'client@librairie.fr', company: 'Client Deux' });
      const options = { sendActivation: false, actor: { type: 'operator' as const, id: 'cli' }, origin: { ip: null, userAgent: null } };
      const dry = await importAccounts(t, '22222;someone-else@example.test;Client Deux SA\n', { ...options, dryRun: true });
      assert.deepEqual(dry.lines.map((l) => [l.outcome, l.changed, l.pendingEmail]), [['pending', ['company'], 'someone-else@example.test']]);
      const report = await importAccounts(t, '22222;someone-else@example.test;Client Deux SA\n', { ...options, dryRun: false });
      assert.equal(report.totals.pending, 1);
      assert.equal(report.totals.updated, 0);
      const row = await t.db.selectFrom('accounts').innerJoin('companies', 'companies.holder_account_id', 'accounts.id').select(['accounts.email', 'companies.name as company']).executeTakeFirstOrThrow();
      assert.deepEqual(row, { email: 'client@librairie.fr', company: 'Client Deux SA' });
      assert.deepEqual((await pending()).map((p) => [p.new_email, p.requested_by]), [['someone-else@example.test', 'cli']]);
      // The same address in other letters is the same address (as on the account page): nothing to approve.
      await t.db.deleteFrom('email_changes').execute();
      const cased = await importAccounts(t, '22222;CLIENT@Librairie.fr;Client Deux SA\n', { ...options, dryRun: false });
      assert.equal(cased.totals.unchanged, 1);
      assert.equal((await pending()).length, 0);
      const audit = await t.db.selectFrom('audit_log').select(['event', 'actor_type']).where('event', '=', 'staff.email_change_requested').execute();
      assert.deepEqual(audit, [{ event: 'staff.email_change_requested', actor_type: 'operator' }], 'S34 the operator is named');
    });

    test('S36 S37 the import and the account page racing on one account leave a single pending change', async () => {
      const account = await seedAccount(t, { code: '22222', email: 'client@librairie.fr' });
      const admin = await createStaffAndSignIn(t, { role: 'admin', email: 'admin.a@cartotheque.test' });
      const agent = await createStaffAndSignIn(t, { email: 'agent.b@cartotheque.test' });
      const page = `/back-office/comptes/${account.id}`;
      const html = await agent.get(page);
      const [imported, asked] = await Promise.all([upload(admin, '22222;import@example.test;Librairie du Port\n'), agent.post(`${page}/email`, { _csrf: csrfToken(html.body), email: 'page@example.test' })]);
      assert.equal(imported.statusCode, 200);
      assert.ok([303, 400].includes(asked.statusCode));
      assert.equal((await pending()).length, 1, 'one change waits, whoever won');
      assert.equal(await emailOf('22222'), 'client@librairie.fr');
    });

    test('S37 approving an account-opening request that links an existing code never changes its e-mail nor mails the requester a link', async () => {
      const account = await seedAccount(t, { code: '12345', email: 'client@librairie.fr' });
      const agent = await createStaffAndSignIn(t);
      const form = {
        raison_sociale: 'Librairie',
        code_client: '12345',
        siret: '732 829 320 00074',
        nom: 'Martin',
        prenom: 'Claire',
        email: 'intrus@example.test',
        telephone: '02 98 12 34 56',
        adresse: '',
        code_postal: '',
        ville: '',
        pays: '',
        message: '',
      };
      assert.equal((await new Browser(t.app).submit('/ouverture-de-compte', '/ouverture-de-compte', form)).statusCode, 303);
      const request = await t.db.selectFrom('account_requests').select('id').executeTakeFirstOrThrow();
      const page = `/back-office/demandes/${request.id}`;
      assert.equal((await act(agent, page, `${page}/approuver`, { code: '12345' })).statusCode, 303);
      assert.equal(await emailOf('12345'), 'client@librairie.fr');
      assert.equal((await pending()).length, 0);
      smtp.clear();
      await act(agent, `/back-office/comptes/${account.id}`, `/back-office/comptes/${account.id}/lien`);
      await t.outbox.drain();
      assert.equal(smtp.to('intrus@example.test').filter((m) => /token=/.test(m.text ?? '')).length, 0, 'no link reaches the requester');
      assert.equal(smtp.to('client@librairie.fr').length, 1);
    });
  });
}
