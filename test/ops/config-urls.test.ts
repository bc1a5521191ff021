import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

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

/** Every URL setting, a valid value (the positive control) and how to build one with a given authority/scheme. */
const SETTINGS: Array<{ name: string; valid: string[]; build: (authority: string, scheme?: string) => string; scheme: string }> = [
  { name: 'SMTP_URL', scheme: 'smtp', valid: ['smtp://mailer:S3cr3t@smtp.example.fr:587', 'smtps://smtp.example.fr:465', 'smtp://127.0.0.1:1', 'smtp://[::1]:65535'], build: (a, s = 'smtp') => `${s}://${a}` },
  {
    name: 'DATABASE_URL',
    scheme: 'postgres',
    valid: ['postgres://app:S3cr3t@db.internal:5432/espace', 'postgresql://db/espace', 'postgresql:///espace?host=/run/postgresql', 'postgres://[::1]:65535/x'],
    build: (a, s = 'postgres') => `${s}://${a}/espace`,
  },
  { name: 'PUBLIC_URL', scheme: 'https', valid: ['https://pro.example.fr', 'http://127.0.0.1:65535', 'https://pro.example.fr:1/'], build: (a, s = 'https') => `${s}://${a}` },
  { name: 'LEGAL_NOTICE_URL', scheme: 'https', valid: ['https://www.cartotheque.com/mentions-legales', 'https://www.cartotheque.com:8443/x'], build: (a, s = 'https') => `${s}://${a}/mentions` },
  { name: 'PRIVACY_POLICY_URL', scheme: 'https', valid: ['https://www.cartotheque.com/confidentialite'], build: (a, s = 'https') => `${s}://${a}/confidentialite` },
  { name: 'BRAND_LOGO_URL', scheme: 'https', valid: ['https://cdn.cartotheque.com/logo.svg', 'https://cdn.cartotheque.com:443/logo.svg'], build: (a, s = 'https') => `${s}://${a}/logo.png` },
];

/** Payload classes; each authority hides the secret "S3cr3t" where a URL may carry one. */
const BAD: Array<[string, (b: (a: string, s?: string) => string) => string, RegExp]> = [
  ['port above 65535', (b) => b('user:S3cr3t@host.example.fr:99999'), /the port must be a whole number from 1 to 65535/],
  ['port 65536', (b) => b('host.example.fr:65536'), /the port must be a whole number from 1 to 65535/],
  ['port 0', (b) => b('user:S3cr3t@host.example.fr:0'), /the port must be a whole number from 1 to 65535/],
  ['negative port', (b) => b('host.example.fr:-1'), /the port must be a whole number from 1 to 65535/],
  ['port with letters', (b) => b('user:S3cr3t@host.example.fr:58x'), /the port must be a whole number from 1 to 65535/],
  ['empty port', (b) => b('host.example.fr:'), /the port must be a whole number from 1 to 65535/],
  ['huge port', (b) => b('host.example.fr:123456789012345678901234567890'), /the port must be a whole number from 1 to 65535/],
  ['no host', (b) => b('user:S3cr3t@:587'), /a host name is missing|the host name is not valid/],
  ['invalid host', (b) => b('user:S3cr3t@ho%st:25'), /the host name is not valid/],
  ['wrong scheme', (b) => b('user:S3cr3t@host.example.fr:25', 'ftp'), /the scheme must be/],
  ['space inside', (b) => b('user:S3cr3t@host .example.fr'), /no spaces/],
];

describe('every URL setting is checked in full at start (scheme, host, port 1–65535), without echoing credentials', () => {
  for (const setting of SETTINGS) {
    test(`${setting.name}: valid values pass (positive control)`, () => {
      for (const value of setting.valid) assert.deepEqual(problems({ [setting.name]: value }), [], value);
    });
    test(`S40 ${setting.name}: each wrong scheme, host or port is named in one line, never with its password`, () => {
      for (const [label, make, reason] of BAD) {
        const value = make(setting.build);
        const found = problems({ [setting.name]: value });
        assert.equal(found.length, 1, `${label}: ${value} → ${found.join(' | ')}`);
        assert.ok(found[0]!.startsWith(`${setting.name}: expected `), found[0]);
        assert.match(found[0]!, reason, `${label}: ${found[0]}`);
        assert.doesNotMatch(found[0]!, /S3cr3t/, label);
      }
    });
  }

  test('S40 the server refuses SMTP_URL=smtp://user:pw@host:99999 at start, in one line, without the password', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, SMTP_URL: 'smtp://user:S3cr3t@host:99999', DATABASE_URL: '', PORT: '1', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 1);
    const output = result.stdout + result.stderr;
    assert.match(output, /^Configuration error: SMTP_URL: expected smtp:\/\/user:pass@host:587 or smtps:\/\/host:465: the port must be a whole number from 1 to 65535 \(got "smtp:\/\/\*\*\*@host:99999"\)$/m);
    assert.equal(output.trim().split('\n').length, 1, output);
    assert.doesNotMatch(output, /S3cr3t/);
  });
});
