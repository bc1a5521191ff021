import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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

describe('operations settings', () => {
  test('defaults: no metrics listener, requests kept 365 days, audit 400 days', () => {
    const config = loadConfig({});
    assert.equal(config.metricsPort, null);
    assert.equal(config.requestRetentionDays, 365);
    assert.equal(config.auditRetentionDays, 400);
  });

  test('METRICS_PORT, REQUEST_RETENTION_DAYS and AUDIT_RETENTION_DAYS are read', () => {
    const config = loadConfig({ METRICS_PORT: '9464', REQUEST_RETENTION_DAYS: '90', AUDIT_RETENTION_DAYS: '1095' });
    assert.equal(config.metricsPort, 9464);
    assert.equal(config.requestRetentionDays, 90);
    assert.equal(config.auditRetentionDays, 1095);
  });

  test('INVITATION_TTL_HOURS: 168 hours (7 days) by default, or the hours given', () => {
    assert.equal(loadConfig({}).invitationTtlSeconds, 168 * 3600);
    assert.equal(loadConfig({ INVITATION_TTL_HOURS: '48' }).invitationTtlSeconds, 48 * 3600);
  });

  test('a wrong value is named in one line', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ METRICS_PORT: 'abc' }, /^METRICS_PORT: expected a whole number from 1 to 65535 \(got "abc"\)$/],
      [{ METRICS_PORT: '0' }, /^METRICS_PORT: expected a whole number from 1 to 65535/],
      [{ METRICS_PORT: '70000' }, /^METRICS_PORT: expected a whole number from 1 to 65535/],
      [{ METRICS_PORT: '3000' }, /^METRICS_PORT: expected a port other than PORT \(3000\) \(got "3000"\)$/],
      [{ PORT: '8080', METRICS_PORT: '8080' }, /^METRICS_PORT: expected a port other than PORT \(8080\)/],
      [{ REQUEST_RETENTION_DAYS: '0' }, /^REQUEST_RETENTION_DAYS: expected a whole number from 1 to 3650/],
      [{ AUDIT_RETENTION_DAYS: 'un an' }, /^AUDIT_RETENTION_DAYS: expected a whole number from 1 to 3650/],
      [{ INVITATION_TTL_HOURS: '0' }, /^INVITATION_TTL_HOURS: expected a whole number from 1 to 720/],
      [{ INVITATION_TTL_HOURS: '7j' }, /^INVITATION_TTL_HOURS: expected a whole number from 1 to 720/],
      [{ INVITATION_TTL_HOURS: '721' }, /^INVITATION_TTL_HOURS: expected a whole number from 1 to 720/],
    ];
    for (const [env, expected] of cases) {
      const found = problems(env);
      assert.equal(found.length, 1, JSON.stringify(env));
      assert.match(found[0]!, expected);
    }
  });
});
