import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { loadOrCreateKeys, rotateKeys } from '../../src/modules/sso/sso.keys.js';
import { createSecretBox } from '../../src/shared/secret-box.js';
import { buildTestApp, DIALECTS, type TestApp } from '../helpers/app.js';

/** Every text the database holds about the provider's keys, as a dump or a backup would show it. */
async function storedKeys(t: TestApp) {
  return t.db.selectFrom('oidc_keys').select(['kid', 'use', 'material']).orderBy('kid').execute();
}

/** What must never be readable in a stored row: a private JWK or a raw key. */
function assertNothingInClear(rows: Array<{ kid: string; material: string }>, secrets: { d: string[]; cookie: string[] }) {
  for (const row of rows) {
    assert.match(row.material, /^v1:[0-9a-f]{8}:/, `${row.kid} is sealed`);
    assert.doesNotMatch(row.material, /"d"\s*:|"kty"|-----BEGIN/, `${row.kid}: no JWK, no PEM`);
    assert.throws(() => JSON.parse(row.material), SyntaxError, `${row.kid}: not a JSON document`);
    for (const d of secrets.d) assert.ok(!row.material.includes(d), `${row.kid}: no private exponent`);
    for (const key of secrets.cookie) assert.ok(!row.material.includes(key), `${row.kid}: no raw cookie key`);
  }
}

function privateParts(keys: Awaited<ReturnType<typeof loadOrCreateKeys>>) {
  return { d: keys.jwks.keys.map((k) => String(k.d)), cookie: keys.cookieKeys };
}

for (const dialect of DIALECTS) {
  describe(`S40 S41 the provider's private keys at rest (${dialect})`, () => {
    test('S40 S41 nothing stored in oidc_keys contains a private JWK or a raw cookie key, at first start and after oidc:rotate-keys', async () => {
      const t = await buildTestApp(dialect);
      try {
        // What the running provider uses (opened): private JWKs with `d`, and cookie keys.
        const keys = await loadOrCreateKeys(t.db, t.secrets);
        assert.equal(keys.jwks.keys.length, 2);
        for (const k of keys.jwks.keys) assert.equal(typeof k.d, 'string', 'positive control: the provider does get the private key');
        assertNothingInClear(await storedKeys(t), privateParts(keys));

        await rotateKeys(t.db, t.secrets);
        const after = await loadOrCreateKeys(t.db, t.secrets);
        assert.equal(after.jwks.keys.length, 4, 'old and new keys');
        assertNothingInClear(await storedKeys(t), privateParts(after));
        // And no other table holds them either (the provider's models, settings).
        const models = await t.db.selectFrom('oidc_models').select('payload').execute();
        const settings = await t.db.selectFrom('settings').selectAll().execute();
        const elsewhere = JSON.stringify([models, settings]);
        for (const d of privateParts(after).d) assert.ok(!elsewhere.includes(d));
      } finally {
        await t.close();
      }
    });

    test('S40 keys stored in clear before sealing (the previous release) are sealed at the next start, keeping every kid and key', async () => {
      const t = await buildTestApp(dialect);
      try {
        // The rows as the previous release wrote them: the JWK and the cookie key in clear.
        await t.db.deleteFrom('oidc_keys').execute();
        const now = Date.now();
        const ec = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'es256-old', alg: 'ES256', use: 'sig' };
        const rsa = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'rs256-old', alg: 'RS256', use: 'sig' };
        const cookie = randomBytes(32).toString('base64url');
        await t.db
          .insertInto('oidc_keys')
          .values([
            { kid: 'es256-old', use: 'sig', alg: 'ES256', material: JSON.stringify(ec), created_at: now, retired_at: null },
            { kid: 'rs256-old', use: 'sig', alg: 'RS256', material: JSON.stringify(rsa), created_at: now, retired_at: null },
            { kid: 'cookie-old', use: 'cookie', alg: 'HS256', material: cookie, created_at: now, retired_at: null },
          ])
          .execute();

        const keys = await loadOrCreateKeys(t.db, t.secrets); // what every start does
        assert.deepEqual(keys.jwks.keys.map((k) => [k.kid, k.d]).sort(), [['es256-old', ec.d], ['rs256-old', rsa.d]], 'the same keys sign: live tokens stay valid');
        assert.deepEqual(keys.cookieKeys, [cookie], 'the same cookie key: provider sessions stay valid');
        const rows = await storedKeys(t);
        assert.deepEqual(rows.map((r) => r.kid), ['cookie-old', 'es256-old', 'rs256-old']);
        assertNothingInClear(rows, { d: [ec.d!, rsa.d!], cookie: [cookie] });
      } finally {
        await t.close();
      }
    });

    test('S40 a new SECRETS_KEY reseals the keys at the next start; the old SECRETS_KEY can then be dropped', async () => {
      const t = await buildTestApp(dialect);
      try {
        const first = await loadOrCreateKeys(t.db, t.secrets);
        const oldKey = randomBytes(32);
        const newKey = randomBytes(32);
        // Move the rows under a known key, then rotate: SECRETS_KEY=new,old.
        const oldBox = createSecretBox([oldKey]);
        for (const row of await storedKeys(t)) {
          await t.db.updateTable('oidc_keys').set({ material: oldBox.seal(t.secrets.open(row.material)) }).where('kid', '=', row.kid).execute();
        }
        const rotated = createSecretBox([newKey, oldKey]);
        const before = await storedKeys(t);
        assert.ok(before.every((r) => rotated.needsResealing(r.material)), 'positive control: sealed under the old key');
        await loadOrCreateKeys(t.db, rotated);
        const after = await storedKeys(t);
        assert.ok(after.every((r) => !rotated.needsResealing(r.material)), 'resealed under the new key');
        const again = await loadOrCreateKeys(t.db, createSecretBox([newKey]));
        assert.deepEqual(again.jwks.keys.map((k) => k.d).sort(), first.jwks.keys.map((k) => k.d).sort(), 'the new key alone opens them');
        assertNothingInClear(after, privateParts(again));
      } finally {
        await t.close();
      }
    });
  });
}
