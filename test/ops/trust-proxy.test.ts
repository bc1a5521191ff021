import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { ConfigError, loadConfig } from '../../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('S9 TRUST_PROXY', () => {
  test('S9 a /0 range (everyone is a trusted proxy) is refused by the configuration check, naming the setting', () => {
    for (const value of ['0.0.0.0/0', '::/0', '10.0.0.1, 0.0.0.0/0', '::ffff:0.0.0.0/0', '1.2.3.4/00', '2001:db8::/0']) {
      const found = problems({ TRUST_PROXY: value });
      assert.equal(found.length, 1, value);
      assert.match(found[0]!, /^TRUST_PROXY: ".*\/0+" would trust every address/, value);
    }
  });

  test('S9 proxies and ranges are accepted (positive control) and the server starts with them', async () => {
    for (const value of ['10.0.0.1', '10.0.0.0/8', '::1', '2001:db8::/32', '127.0.0.1,192.168.0.0/16', '10.0.0.0/1']) {
      assert.deepEqual(problems({ TRUST_PROXY: value }), [], value);
      const app = Fastify({ trustProxy: [...loadConfig({ TRUST_PROXY: value }).trustProxy] });
      await app.ready();
      await app.close();
    }
  });
});
