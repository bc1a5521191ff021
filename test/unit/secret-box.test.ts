import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { resealStaffSecrets } from '../../src/modules/staff/staff.members.service.js';
import { createSecretBox, loadSecretKeys } from '../../src/shared/secret-box.js';
import { createTestDatabase, DIALECTS } from '../helpers/app.js';

describe('S40 secret box', () => {
  test('S40 sealed with AES-256-GCM: never the secret in clear, tampering detected, an older key still opens, rotation reseals', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const old = createSecretBox([oldKey]);
    const sealed = old.seal('JBSWY3DPEHPK3PXP');
    assert.ok(!sealed.includes('JBSWY3DPEHPK3PXP'));
    assert.notEqual(old.seal('JBSWY3DPEHPK3PXP'), sealed, 'a fresh IV each time');
    assert.equal(old.open(sealed), 'JBSWY3DPEHPK3PXP');
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    assert.throws(() => old.open(tampered));
    const rotated = createSecretBox([newKey, oldKey]);
    assert.equal(rotated.open(sealed), 'JBSWY3DPEHPK3PXP');
    assert.equal(rotated.needsResealing(sealed), true);
    assert.equal(rotated.needsResealing(rotated.seal('x')), false);
    assert.throws(() => createSecretBox([newKey]).open(sealed), /no key/);
    assert.equal(old.open('JBSWY3DPEHPK3PXP'), 'JBSWY3DPEHPK3PXP', 'a secret stored before sealing opens as it is');
    assert.equal(old.needsResealing('JBSWY3DPEHPK3PXP'), true);
  });

  test('S40 without SECRETS_KEY the key file is made once under DATA_DIR, readable by its owner only; a wrong SECRETS_KEY is refused without being echoed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-keys-'));
    try {
      const dataDir = path.join(dir, 'data');
      const first = loadSecretKeys({ secretsKeys: [], dataDir });
      const again = loadSecretKeys({ secretsKeys: [], dataDir });
      assert.deepEqual(again, first, 'the same key at the next start');
      assert.equal(fs.statSync(path.join(dataDir, 'secrets.key')).mode & 0o777, 0o600);
      assert.equal(fs.statSync(dataDir).mode & 0o777, 0o700);
      const wrong = 'not-a-key-Sup3rS3cret';
      assert.throws(
        () => loadConfig({ SECRETS_KEY: wrong }),
        (error: Error) => /SECRETS_KEY/.test(error.message) && !error.message.includes(wrong),
      );
      const key = randomBytes(32).toString('hex');
      assert.equal(loadConfig({ SECRETS_KEY: key }).secretsKeys[0]!.toString('hex'), key);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const dialect of DIALECTS) {
  test(`S40 at start, TOTP secrets stored in clear or under a rotated-out key are resealed under the current key [${dialect}]`, async () => {
    const database = await createTestDatabase(dialect);
    try {
      const keyOld = randomBytes(32);
      const keyNew = randomBytes(32);
      const before = createSecretBox([keyOld]);
      const values = (email: string, secret: string) => ({ email, role: 'agent' as const, password_hash: null, totp_secret: secret, totp_enabled_at: 1, last_totp_step: null, created_at: 1, updated_at: 1, disabled_at: null, last_login_at: null });
      // One stored before sealing existed, one sealed with the key that SECRETS_KEY=new,old rotates out.
      await database.db.insertInto('staff').values([values('a@x.fr', 'JBSWY3DPEHPK3PXP'), values('b@x.fr', before.seal('KRSXG5CTMVRXEZLU'))]).execute();
      const current = createSecretBox([keyNew, keyOld]);
      assert.equal(await resealStaffSecrets(database.db, current), 2);
      const rows = await database.db.selectFrom('staff').select(['email', 'totp_secret']).orderBy('email').execute();
      assert.deepEqual(rows.map((r) => current.open(r.totp_secret!)), ['JBSWY3DPEHPK3PXP', 'KRSXG5CTMVRXEZLU']);
      assert.ok(rows.every((r) => !current.needsResealing(r.totp_secret!)));
      assert.equal(await resealStaffSecrets(database.db, current), 0, 'nothing left to do');
    } finally {
      await database.close();
    }
  });
}
