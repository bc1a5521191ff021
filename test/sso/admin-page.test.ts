import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sha256 } from '../../src/shared/crypto.js';
import { buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

for (const dialect of DIALECTS) {
  describe(`S41 applications in the back office [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => resetDatabase(t.db, t.dialect));

    const PAGE = '/back-office/applications';

    test('S41 an admin registers a shop: the secret is shown once and only its SHA-256 kept; an agent is refused; disabling it is audited', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin', email: 'admin@cartotheque.test' });
      const page = await admin.get(PAGE);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /\/oidc\/\.well-known\/openid-configuration/);
      const bad = await admin.post(PAGE, { _csrf: csrfToken(page.body), nom: 'Boutique', redirection: 'http://boutique.example/callback' });
      assert.equal(bad.statusCode, 400, 'https only outside localhost');
      assert.match(bad.body, /adresse https complète/);
      const res = await admin.post(PAGE, { _csrf: csrfToken(page.body), nom: 'Boutique pro', redirection: 'https://boutique.example/callback', accueil: 'https://boutique.example/' });
      assert.equal(res.statusCode, 200);
      const secret = /client_secret<\/dt>\s*<dd>\s*<code>([A-Za-z0-9_-]{43})<\/code>/.exec(res.body)?.[1];
      const clientId = /client_id<\/dt>\s*<dd>\s*<code>([A-Za-z0-9_-]+)<\/code>/.exec(res.body)?.[1];
      assert.ok(secret && clientId, 'the secret and client id are shown');
      const row = await t.db.selectFrom('oidc_clients').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.secret_hash, sha256(secret!));
      assert.ok(!JSON.stringify(row).includes(secret!), 'never stored in clear');
      assert.ok(!(await admin.get(PAGE)).body.includes(secret!), 'shown once');

      const agent = await createStaffAndSignIn(t, { role: 'agent' });
      assert.equal((await agent.get(PAGE)).statusCode, 403);

      const list = await admin.get(PAGE);
      const off = await admin.post(`${PAGE}/${clientId}/desactiver`, { _csrf: csrfToken(list.body) });
      assert.equal(off.statusCode, 303);
      assert.match((await admin.get(PAGE)).body, /Désactivée/);
      const events = (await t.db.selectFrom('audit_log').select(['event', 'actor_id']).where('event', 'like', 'sso.client_%').execute()).map((e) => `${e.event} ${e.actor_id}`);
      assert.deepEqual(events, ['sso.client_created admin@cartotheque.test', 'sso.client_disabled admin@cartotheque.test']);
    });

    test('S38 registering or disabling an application needs a fresh second factor', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const page = await admin.get(PAGE);
      t.clock.advance(11 * 60_000);
      const res = await admin.post(PAGE, { _csrf: csrfToken(page.body), nom: 'Boutique pro', redirection: 'https://boutique.example/callback' });
      assert.equal(res.statusCode, 303);
      assert.match(res.headers.location as string, /verification/);
      assert.equal((await t.db.selectFrom('oidc_clients').selectAll().execute()).length, 0);
    });
  });
}
