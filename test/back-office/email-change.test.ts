import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { seedAccount } from '../helpers/accounts.js';
import { type Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { linkIn, SmtpSink } from '../helpers/smtp.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

for (const dialect of DIALECTS) {
  describe(`S37 four eyes on a customer's e-mail [${dialect}]`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await new SmtpSink().start();
      t = await buildTestApp(dialect, { env: { SMTP_URL: smtp.url, SUPPORT_PHONE: '01 23 45 67 89' } });
    });
    after(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
      smtp.clear();
    });

    async function act(browser: Browser, page: string, action: string, form: Record<string, string> = {}) {
      const html = await browser.get(page);
      return browser.post(action, { _csrf: csrfToken(html.body), ...form });
    }
    const email = async () => (await t.db.selectFrom('accounts').select('email').executeTakeFirstOrThrow()).email;
    const events = async () => (await t.db.selectFrom('audit_log').select(['event', 'actor_id', 'details']).orderBy('id').execute()).filter((e) => e.event.startsWith('staff.'));

    test('S37 the takeover path is closed: a change waits for a second person, no link reaches the new address before, the old one is told', async () => {
      const account = await seedAccount(t, { code: '12345', email: 'client@librairie.fr' });
      const thief = await createStaffAndSignIn(t, { email: 'agent.a@cartotheque.test' });
      const colleague = await createStaffAndSignIn(t, { email: 'agent.b@cartotheque.test' });
      const page = `/back-office/comptes/${account.id}`;

      const asked = await act(thief, page, `${page}/email`, { email: 'moi@ailleurs.example' });
      assert.equal(asked.statusCode, 303);
      assert.match(asked.headers.location as string, /ok=email_requested/);
      assert.equal(await email(), 'client@librairie.fr', 'nothing changes before the approval');
      assert.match((await thief.get('/back-office/comptes')).body, /moi@ailleurs\.example/, 'the change waits, visible in the queue');

      // The requester cannot approve it, and a link sent now goes to the address the customer controls.
      const own = await act(thief, page, `${page}/email/approuver`);
      assert.equal(own.statusCode, 409);
      assert.match(own.body, /un autre membre du service client doit le valider/);
      assert.equal((await act(thief, page, `${page}/lien`)).statusCode, 303);
      await t.outbox.drain();
      assert.equal(smtp.to('moi@ailleurs.example').length, 0, 'no link reaches the new address');
      assert.equal(smtp.to('client@librairie.fr').length, 1, 'the link went to the current address');
      const oldLink = new URL(linkIn(smtp.to('client@librairie.fr')[0]!));
      smtp.clear();

      assert.equal((await act(colleague, page, `${page}/email/approuver`)).statusCode, 303);
      assert.equal(await email(), 'moi@ailleurs.example');
      await t.outbox.drain();
      const notice = smtp.to('client@librairie.fr');
      assert.equal(notice.length, 1, 'the old address is told');
      assert.match(notice[0]!.subject ?? '', /L’adresse e-mail de votre Espace Pro a été modifiée/);
      assert.match(notice[0]!.text ?? '', /moi@ailleurs\.example/);
      assert.match(notice[0]!.text ?? '', /01 23 45 67 89/, 'how to reach customer service');
      assert.doesNotMatch(notice[0]!.text ?? '', /token=/, 'a notice carries no link');
      const customer = await act(colleague, page, page); // any page: the old link is void now
      assert.ok(customer.statusCode < 500);
      const first = await thief.get(oldLink.pathname + oldLink.search);
      assert.equal((await thief.get(first.headers.location as string)).statusCode, 410, 'S12 the link sent before the change is void');

      const log = await events();
      const requested = log.find((e) => e.event === 'staff.email_change_requested');
      const approved = log.find((e) => e.event === 'staff.email_change_approved');
      assert.equal(requested?.actor_id, 'agent.a@cartotheque.test', 'S34 the request is audited with its author');
      assert.equal(approved?.actor_id, 'agent.b@cartotheque.test', 'S34 the approval is audited with its author');
      assert.match(approved?.details ?? '', /"requestedBy":"agent\.a@cartotheque\.test"/);
    });

    test('S37 a rejected change leaves the address; the requester may withdraw theirs', async () => {
      const account = await seedAccount(t, { code: '12345', email: 'client@librairie.fr' });
      const a = await createStaffAndSignIn(t, { email: 'agent.a@cartotheque.test' });
      const b = await createStaffAndSignIn(t, { email: 'agent.b@cartotheque.test' });
      const page = `/back-office/comptes/${account.id}`;
      await act(a, page, `${page}/email`, { email: 'autre@x.fr' });
      assert.equal((await act(b, page, `${page}/email/refuser`)).statusCode, 303);
      assert.equal(await email(), 'client@librairie.fr');
      await act(a, page, `${page}/email`, { email: 'encore@x.fr' });
      assert.equal((await act(a, page, `${page}/email/refuser`)).statusCode, 303, 'withdrawn by its author');
      assert.equal((await act(b, page, `${page}/email/approuver`)).statusCode, 409, 'nothing left to approve');
      assert.equal(await email(), 'client@librairie.fr');
      assert.deepEqual((await events()).map((e) => e.event).filter((e) => e.includes('email')), [
        'staff.email_change_requested',
        'staff.email_change_rejected',
        'staff.email_change_requested',
        'staff.email_change_rejected',
      ]);
    });

    test('S37 an account not yet activated changes at once, and its old address is told', async () => {
      const account = await seedAccount(t, { code: '12345', email: 'ancien@x.fr', password: null });
      const agent = await createStaffAndSignIn(t);
      const page = `/back-office/comptes/${account.id}`;
      assert.match((await act(agent, page, `${page}/email`, { email: 'nouveau@x.fr' })).headers.location as string, /ok=email$/);
      assert.equal(await email(), 'nouveau@x.fr');
      await t.outbox.drain();
      assert.equal(smtp.to('ancien@x.fr').length, 1);
    });

    test('S36 S37 concurrent requests leave one pending change; concurrent approvals apply it once', async () => {
      const account = await seedAccount(t, { code: '12345', email: 'client@librairie.fr' });
      const agents = await Promise.all([0, 1, 2, 3].map((i) => createStaffAndSignIn(t, { email: `agent${i}@cartotheque.test` })));
      const page = `/back-office/comptes/${account.id}`;
      const pages = await Promise.all(agents.map((a) => a.get(page)));
      const asks = await Promise.all(agents.map((a, i) => a.post(`${page}/email`, { _csrf: csrfToken(pages[i]!.body), email: `nouveau${i}@x.fr` })));
      assert.equal(asks.filter((r) => r.statusCode === 303).length, 1, 'one request pending');
      assert.equal(asks.filter((r) => r.statusCode === 400).length, 3, 'the others told a change is pending');
      const pending = await t.db.selectFrom('email_changes').selectAll().where('decided_at', 'is', null).execute();
      assert.equal(pending.length, 1);
      const approvers = agents.filter((a) => a.staff.email !== pending[0]!.requested_by);
      const again = await Promise.all(approvers.map((a) => a.get(page)));
      const approvals = await Promise.all(approvers.map((a, i) => a.post(`${page}/email/approuver`, { _csrf: csrfToken(again[i]!.body) })));
      assert.equal(approvals.filter((r) => r.statusCode === 303).length, 1, 'applied once');
      await t.outbox.drain();
      assert.equal(smtp.to('client@librairie.fr').length, 1, 'one notice');
    });
  });
}
