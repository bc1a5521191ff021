import assert from 'node:assert/strict';
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { createArgon2Hasher } from '../../src/shared/hasher.js';

/** Nice value of each of this process's threads other than the main one (Linux). */
function threadNiceValues(): number[] {
  return fs
    .readdirSync('/proc/self/task')
    .filter((tid) => tid !== String(process.pid))
    .map((tid) => Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
}

describe('S10 password hashing threads', () => {
  test('hash and verify give argon2id results, a malformed stored hash verifies nothing', async () => {
    const hasher = createArgon2Hasher();
    const phc = await hasher.hash('un mot de passe correct');
    assert.match(phc, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await hasher.verify(phc, 'un mot de passe correct'), true);
    assert.equal(await hasher.verify(phc, 'un autre mot de passe'), false);
    assert.equal(await hasher.verify('pas un hachage', 'un mot de passe correct'), false);
  });

  test('S10 the event loop keeps turning while every core hashes', async () => {
    const hasher = createArgon2Hasher();
    const phc = await hasher.hash('x'.repeat(20));
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    await Promise.all(Array.from({ length: 12 }, () => hasher.verify(phc, 'y'.repeat(20))));
    delay.disable();
    // Twelve argon2id runs take far longer than this; on the event loop, each would stall it whole.
    assert.ok(delay.max / 1e6 < 50, `the event loop stalled for ${(delay.max / 1e6).toFixed(0)} ms`);
  });

  test('S10 hashing threads run at the lowest CPU priority, so pages are served first', { skip: process.platform !== 'linux' && 'Linux only' }, async () => {
    await createArgon2Hasher().hash('un mot de passe correct');
    assert.ok(threadNiceValues().includes(19), `thread nice values: ${threadNiceValues().join(',')}`);
  });
});
