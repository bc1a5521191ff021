import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { LIMITS } from '../../src/modules/auth-core/limits.js';
import { STEP_UP_PATH } from '../../src/modules/staff/staff.guard.js';
import { Visitor, freshIp } from '../adversarial/support.js';
import { buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

const LIMIT = LIMITS.passkeyChallengesPerIp;

for (const dialect of DIALECTS) {
  describe(`passkeys: challenges issued per client [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => {
      await t.close();
    });
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
    });

    const challenges = async () => (await t.db.selectFrom('webauthn_challenges').select('challenge').execute()).length;

    test(`S48 S36 ${LIMIT.max + 10} passkey options asked at once from one client: ${LIMIT.max} challenges stored, the rest 429 with Retry-After; another client and, later, the same one are served`, async () => {
      const flooder = new Visitor(t, '127.0.0.1');
      const csrf = await flooder.csrf('/connexion');
      const answers = await Promise.all(Array.from({ length: LIMIT.max + 10 }, () => flooder.post('/connexion/cle/options', { _csrf: csrf })));
      const served = answers.filter((r) => r.statusCode === 200);
      const refused = answers.filter((r) => r.statusCode === 429);
      assert.equal(served.length, LIMIT.max);
      assert.equal(refused.length, 10);
      assert.equal(await challenges(), LIMIT.max);
      for (const res of refused) {
        assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/);
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.match(JSON.parse(res.body).message, /Trop de tentatives|réessayer/);
        assert.doesNotMatch(res.body, /challenge/);
      }

      // The limit is the client's, whatever the door: a staff member on that address is refused a
      // step-up challenge too (one limits core for customers and staff).
      const staff = await createStaffAndSignIn(t, { role: 'admin' });
      const stepUp = await staff.get(STEP_UP_PATH);
      assert.equal((await staff.post(`${STEP_UP_PATH}/cle/options`, { _csrf: csrfToken(stepUp.body) })).statusCode, 429);

      // Positive controls: another client is served now; this one once the window has slid.
      const other = new Visitor(t, freshIp());
      assert.equal((await other.post('/connexion/cle/options', { _csrf: await other.csrf('/connexion') })).statusCode, 200);
      t.clock.advance(LIMIT.windowMs + 1000);
      assert.equal((await flooder.post('/connexion/cle/options', { _csrf: csrf })).statusCode, 200);
    });
  });
}
