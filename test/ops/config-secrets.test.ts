import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, shownValue } from '../../src/config.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/** Malformed settings that carry a credential; the secret part is always "S3cr3t". */
const LEAKY: Array<[string, string, RegExp]> = [
  ['DATABASE_URL', 'postgre://app:S3cr3t@db.internal:5432/espace', /^DATABASE_URL: expected a postgres:\/\/ .*\(got "postgre:\/\/\*\*\*@db\.internal:5432\/espace"\)$/],
  ['DATABASE_URL', 'mysql://app:pa/S3cr3t@db:3306/x', /\(got "mysql:\/\/\*\*\*@db:3306\/x"\)$/],
  ['DATABASE_URL', 'app:S3cr3t@db.internal', /\(got "\*\*\* \(22 characters, hidden\)"\)$/],
  ['DATABASE_URL', 'host=db user=app password=S3cr3t', /\(got "\*\*\* \(32 characters, hidden\)"\)$/],
  ['DATABASE_URL', 'file:///db?password=S3cr3t', /\(got "file:\/\/\/db\?\*\*\*"\)$/],
  ['SMTP_URL', 'smtp://mailer:S3cr3t@smtp.example.fr:587 x', /^SMTP_URL: expected smtp:.*\(got "smtp:\/\/\*\*\*@smtp\.example\.fr:587 x"\)$/],
  ['SMTP_URL', 'http://mailer:S3cr3t@smtp.example.fr', /\(got "http:\/\/\*\*\*@smtp\.example\.fr"\)$/],
  ['PUBLIC_URL', 'https://admin:S3cr3t@pro.example.fr', /^PUBLIC_URL: /],
];

describe('S40 configuration errors never echo credentials', () => {
  for (const [name, value, expected] of LEAKY) {
    test(`S40 ${name}=${value.replace('S3cr3t', '…')} is reported without its secret`, () => {
      const found = problems({ [name]: value });
      assert.equal(found.length, 1, found.join('\n'));
      assert.doesNotMatch(found[0]!, /S3cr3t/);
      assert.match(found[0]!, expected);
    });
  }

  test('S40 a key or secret setting is shown by its length only', () => {
    for (const name of ['TOTP_KEY', 'SESSION_SECRET', 'SMTP_PASSWORD', 'API_TOKEN']) {
      assert.equal(shownValue(name, 'S3cr3tS3cr3t'), 'value hidden, 12 characters');
    }
  });

  test('S40 other values are still shown as typed, so the operator sees the mistake', () => {
    assert.deepEqual(problems({ PORT: 'abc' }), ['PORT: expected a whole number from 1 to 65535 (got "abc")']);
    assert.equal(shownValue('LOG_LEVEL', 'verbose'), 'got "verbose"');
    assert.match(problems({ PUBLIC_URL: 'pro.example.fr' })[0]!, /\(got "pro\.example\.fr"\)$/);
  });

  test('S40 the server started with a malformed DATABASE_URL prints one line without the password', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: 'postgre://app:S3cr3t@db.internal:5432/espace', SMTP_URL: 'smtp://u:S3cr3t@ host', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.notEqual(result.status, 0);
    const output = result.stdout + result.stderr;
    assert.match(output, /DATABASE_URL: /);
    assert.match(output, /SMTP_URL: /);
    assert.doesNotMatch(output, /S3cr3t/);
  });
});
