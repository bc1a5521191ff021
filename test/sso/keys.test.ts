import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { CLEANUP_STEPS } from '../../src/jobs.js';
import { runRetention } from '../../src/modules/retention/retention.service.js';
import { rotateKeys } from '../../src/modules/sso/sso.keys.js';
import { DIALECTS } from '../helpers/app.js';
import { finishAuthorization, rpConfig, signInThroughShop, startAuthorization, startSso, verifyWithJwks, WebBrowser } from './support.js';

for (const dialect of DIALECTS) {
  describe(`SSO keys (${dialect})`, () => {
    test('SSO keys: ES256 and RS256 signing keys and a cookie key are created at first start, kept in the database, only public parts published', async () => {
      const s = await startSso(dialect);
      try {
        const rows = await s.t.db.selectFrom('oidc_keys').select(['use', 'alg']).execute();
        assert.deepEqual(rows.map((r) => `${r.use}:${r.alg}`).sort(), ['cookie:HS256', 'sig:ES256', 'sig:RS256']);
        const jwks = (await (await fetch(s.config.serverMetadata().jwks_uri!)).json()) as { keys: Array<Record<string, unknown>> };
        assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
        for (const k of jwks.keys) for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(k[secret], undefined);
      } finally {
        await s.close();
      }
    });

    test('SSO key rotation: after oidc:rotate-keys and a restart, new tokens use the new key, one signed by the old key still verifies and the session cookie still works; retention drops the old key after its grace', async () => {
      const s = await startSso(dialect);
      let restarted: Awaited<ReturnType<typeof buildApp>> | undefined;
      try {
        const browser = new WebBrowser();
        const first = await signInThroughShop(s, browser);
        const oldToken = (await finishAuthorization(s, first.callbackUrl, first.pending)).id_token!;
        const oldKid = (await verifyWithJwks(s.config.serverMetadata().jwks_uri!, oldToken)).kid;

        const { signing } = await rotateKeys(s.t.db);
        // A restart on the same database and address, as after a deploy.
        await s.t.app.close();
        restarted = await buildApp({ config: s.t.config, db: s.t.db, dialect, clock: s.t.clock, hasher: s.t.hasher, secrets: s.t.secrets });
        await restarted.listen({ port: s.port, host: '127.0.0.1' });
        const config = await rpConfig(s.issuer, s.clientId, s.clientSecret);

        // The provider session cookie, signed with the old cookie key, is still accepted: no password.
        const pending = await startAuthorization(s, {}, config);
        const hop = await browser.follow(pending.url, s.redirectUri);
        assert.ok(hop.url.startsWith(s.redirectUri), 'signed in without the password after rotation');
        const newToken = (await finishAuthorization(s, hop.url, pending, config)).id_token!;
        const fresh = await verifyWithJwks(config.serverMetadata().jwks_uri!, newToken);
        assert.ok(signing.includes(fresh.kid), 'signed with the new key');
        assert.notEqual(fresh.kid, oldKid);
        assert.equal((await verifyWithJwks(config.serverMetadata().jwks_uri!, oldToken)).kid, oldKid, 'old token still verifies');

        // Within its grace the old key stays; past it, retention removes it.
        assert.equal((await runRetention({ db: s.t.db, clock: s.t.clock, config: s.t.config, steps: CLEANUP_STEPS })).oidcKeys, 0);
        await s.t.db.updateTable('oidc_keys').set({ retired_at: Date.now() - 14 * 3600_000 }).where('retired_at', 'is not', null).execute();
        assert.equal((await runRetention({ db: s.t.db, clock: s.t.clock, config: s.t.config, steps: CLEANUP_STEPS })).oidcKeys, 3);
        assert.equal(await s.t.db.selectFrom('oidc_keys').select('kid').where('kid', '=', oldKid).executeTakeFirst(), undefined);
      } finally {
        await restarted?.close();
        await s.close();
      }
    });

    test('SSO retention removes expired provider rows (codes, sessions, tokens) and keeps live ones', async () => {
      const s = await startSso(dialect);
      try {
        const { callbackUrl, pending } = await signInThroughShop(s, new WebBrowser());
        await finishAuthorization(s, callbackUrl, pending);
        const before = await s.t.db.selectFrom('oidc_models').select('model').execute();
        assert.ok(before.length > 0);
        assert.equal((await runRetention({ db: s.t.db, clock: s.t.clock, config: s.t.config, steps: CLEANUP_STEPS })).oidcModels, 0);
        await s.t.db.updateTable('oidc_models').set({ expires_at: Date.now() - 1 }).where('model', '=', 'AuthorizationCode').execute();
        const codes = before.filter((r) => r.model === 'AuthorizationCode').length;
        assert.equal((await runRetention({ db: s.t.db, clock: s.t.clock, config: s.t.config, steps: CLEANUP_STEPS })).oidcModels, codes);
      } finally {
        await s.close();
      }
    });
  });
}
