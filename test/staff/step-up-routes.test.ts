import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { staffRouteLog } from '../../src/modules/staff/staff.guard.js';
import { STEP_UP_ROUTES } from '../../src/modules/staff/step-up.js';
import { seedAccount } from '../helpers/accounts.js';
import { buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn, seedStaff, type StaffBrowser } from '../helpers/staff.js';

const MINUTE = 60_000;

/**
 * Back-office routes that change something (or export) and need no fresh second factor, each with
 * why. A new POST route, or a new export, that is neither here nor in STEP_UP_ROUTES fails the
 * classification test below: whoever adds it must decide.
 */
const NOT_SENSITIVE: Record<string, string> = {
  'POST /back-office/verification': 'the step-up itself',
  'POST /back-office/mon-compte/mot-de-passe': 'own password: the current password is asked (attempt core)',
  'POST /back-office/mon-compte/sessions': 'ends own other sessions: only takes access away',
  'POST /back-office/mon-compte/application/code': 'confirms a re-enrolment that the step-up already opened',
  'POST /back-office/demandes/:id/prendre-en-charge': 'a queue state',
  'POST /back-office/demandes/:id/approuver': 'links or creates an account; the link goes to the account’s own address (S37)',
  'POST /back-office/demandes/:id/refuser': 'closes a request',
  'POST /back-office/comptes/:id/lien': 'the link goes to the account’s current address only (S37)',
  'POST /back-office/comptes/:id/email/refuser': 'rejecting a change keeps the address',
  'POST /back-office/comptes/:id/sessions': 'only takes access away',
  'POST /back-office/comptes/:id/debloquer': 'clears a throttle; the password is still needed',
  'POST /back-office/comptes/:id/invitations/:sub/renvoyer': 'a new link to the address the invitation was made for (its making needed the step-up)',
  'POST /back-office/comptes/:id/invitations/:sub/retirer': 'only takes access away',
  'POST /back-office/comptes/:id/personnes/:sub/retirer': 'only takes access away (S46 keeps an administrator)',
  'POST /back-office/comptes/:id/personnes/:sub/lien': 'the link goes to the person’s current address only (S37)',
  'POST /back-office/comptes/:id/personnes/:sub/email/refuser': 'rejecting a change keeps the address',
  'POST /back-office/mon-compte/cles/:id/nom': 'renames one’s own passkey',
  'POST /back-office/mon-compte/cles/options': 'a registration challenge; adding the passkey is in the table',
  'POST /back-office/verification/cle/options': 'the step-up’s own challenge',
  'POST /back-office/verification/cle': 'the step-up itself (a passkey as the fresh second factor, S50)',
};

/** The fields a route's schema requires, valid, so the request reaches the step-up (and, fresh, the action). */
const FORMS: Record<string, Record<string, string>> = {
  '/back-office/comptes/:id/email': { email: 'autre@x.fr' },
  '/back-office/equipe': { email: 'nouveau@cartotheque.test', role: 'agent' },
  '/back-office/applications': { nom: 'Boutique', redirection: 'https://shop.example/callback' },
  '/back-office/comptes/:id/invitations': { prenom: 'Léa', nom: 'Petit', email: 'lea@x.fr', role: 'buyer' },
  '/back-office/comptes/:id/personnes/:sub/role': { role: 'viewer' },
  '/back-office/mon-compte/cles': { reponse: '{}' },
};

/** A route pattern with ids that exist (or not: the step-up answers before any lookup). */
function concrete(url: string, ids: { account: number; request: number; staff: number }) {
  return url
    .replace('/comptes/:id', `/comptes/${ids.account}`)
    .replace('/demandes/:id', `/demandes/${ids.request}`)
    .replace('/equipe/:id', `/equipe/${ids.staff}`)
    .replace('/applications/:id', '/applications/unknown-client')
    .replace(':sub', String(ids.account))
    .replace(':person', String(ids.account))
    .replace('/cles/:id', '/cles/1')
    .replace('.:format', '.json');
}

for (const dialect of DIALECTS) {
  describe(`S38 the step-up on every route of the table the router uses [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => resetDatabase(t.db, t.dialect));

    async function send(browser: StaffBrowser, method: string, url: string, form: Record<string, string> = {}) {
      if (method !== 'POST') return t.app.inject({ method: method as 'GET' | 'HEAD', url, headers: { cookie: browser.jar.header() } });
      const page = await browser.get('/back-office');
      const token = csrfToken(page.body);
      // The token in the body and in the address (where the multipart import carries it).
      return browser.post(`${url}?_csrf=${encodeURIComponent(token)}`, { _csrf: token, ...form }, { referer: 'http://localhost:3000/back-office' });
    }

    test('S38 every route of STEP_UP_ROUTES, by every method that reaches it (HEAD too), sends a member whose second factor is 11 minutes old to confirm a code, and changes nothing', async () => {
      const account = await seedAccount(t, { code: '12345', email: 'client@x.fr' });
      const member = await seedStaff(t);
      const ids = { account: account.id, request: 999999, staff: member.id };
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      t.clock.advance(11 * MINUTE);
      const auditBefore = (await t.db.selectFrom('audit_log').select('id').execute()).length;
      for (const route of STEP_UP_ROUTES) {
        for (const method of route.method === 'GET' ? ['GET', 'HEAD'] : ['POST']) {
          const res = await send(admin, method, concrete(route.url, ids), FORMS[route.url]);
          assert.equal(res.statusCode, 303, `${method} ${route.url} (${route.action})`);
          assert.match(res.headers.location as string, /^\/back-office\/verification\?next=/, `${method} ${route.url}`);
        }
      }
      assert.equal((await t.db.selectFrom('accounts').select(['email', 'disabled_at']).executeTakeFirstOrThrow()).disabled_at, null);
      assert.equal((await t.db.selectFrom('outbox').selectAll().execute()).length, 0, 'no mail');
      assert.equal((await t.db.selectFrom('staff').select('id').execute()).length, 2, 'no staff created');
      assert.equal((await t.db.selectFrom('oidc_clients').select('client_id').execute()).length, 0, 'no application registered');
      assert.equal((await t.db.selectFrom('email_changes').select('id').execute()).length, 0, 'no e-mail change asked');
      const events = (await t.db.selectFrom('audit_log').select('event').execute()).slice(auditBefore).map((e) => e.event);
      assert.deepEqual(events.filter((e) => !e.startsWith('csrf')), [], 'nothing done, nothing exported');
    });

    test('S38 positive control: with a second factor 9 minutes old, the same requests reach their handlers', async () => {
      const account = await seedAccount(t, { code: '12345', email: 'client@x.fr' });
      const member = await seedStaff(t);
      const ids = { account: account.id, request: 999999, staff: member.id };
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      t.clock.advance(9 * MINUTE);
      for (const route of STEP_UP_ROUTES) {
        const res = await send(admin, route.method, concrete(route.url, ids), FORMS[route.url]);
        assert.ok(!String(res.headers.location ?? '').startsWith('/back-office/verification'), `${route.method} ${route.url} reached its handler`);
      }
    });

    test('S38 every back-office route that changes something or exports data is in the step-up table or named not sensitive, and the table matches real routes', async () => {
      const log = staffRouteLog(t.app.deps);
      const registered = new Set(log.flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => `${m} ${r.url}`)));
      for (const route of STEP_UP_ROUTES) assert.ok(registered.has(`${route.method} ${route.url}`), `the table names a real route: ${route.method} ${route.url}`);
      for (const entry of log) {
        for (const method of Array.isArray(entry.method) ? entry.method : [entry.method]) {
          const key = `${method} ${entry.url}`;
          const changesOrExports = method !== 'GET' && method !== 'HEAD' ? true : /\.(csv|json)$|\.:format$/.test(entry.url);
          if (!changesOrExports) continue;
          assert.ok(entry.stepUp || key in NOT_SENSITIVE, `${key}: add it to STEP_UP_ROUTES (src/modules/staff/step-up.ts) or say in this test why it is not sensitive`);
          if (key in NOT_SENSITIVE) assert.ok(!entry.stepUp, `${key} is both in the table and named not sensitive`);
        }
      }
    });
  });
}
