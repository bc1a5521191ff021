import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
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

/** An address of this machine other than loopback, to knock on from outside the loopback. */
const external = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-metrics-host-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('metrics (issue 13): metrics bind to the loopback unless METRICS_HOST says otherwise', () => {
  test('metrics (issue 13): METRICS_HOST defaults to 127.0.0.1, even when HOST is 0.0.0.0', () => {
    assert.equal(loadConfig({ HOST: '0.0.0.0', METRICS_PORT: '9464' }).metricsHost, '127.0.0.1');
    assert.equal(loadConfig({ METRICS_HOST: '10.0.0.5' }).metricsHost, '10.0.0.5');
    assert.deepEqual(problems({ METRICS_HOST: 'a b' }), ['METRICS_HOST: expected an address to listen on, such as 127.0.0.1, 10.0.0.5 or ::1 (got "a b")']);
  });

  test('metrics (issue 13): a server on HOST=0.0.0.0 answers on the network, its metrics only on the loopback', { skip: external ? false : 'no non-loopback IPv4 address', timeout: 90_000 }, async () => {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const metricsPort = port + 1;
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, HOST: '0.0.0.0', PORT: String(port), METRICS_PORT: String(metricsPort), DATA_DIR: dataDir, DATABASE_URL: '', SMTP_URL: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    server.stderr.on('data', (d) => (log += d));
    const exited = new Promise((resolve) => server.once('exit', resolve));
    try {
      let ready = false;
      for (let i = 0; i < 150 && !ready; i++) {
        await new Promise((r) => setTimeout(r, 100));
        ready = await fetch(`http://${external}:${port}/readyz`).then((r) => r.ok, () => false);
      }
      assert.ok(ready, `the app answers on ${external}:${port}\n${log}`);
      assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status, 200, 'metrics on the loopback');
      const outside = await fetch(`http://${external}:${metricsPort}/metrics`).then((r) => r.status, (e: { cause?: { code?: string } }) => e.cause?.code);
      assert.equal(outside, 'ECONNREFUSED', 'metrics not reachable on the network address');
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
  });
});

const CONTACT = { SUPPORT_EMAIL: 'service-client@cartotheque.test' };

describe('S21 S28 production refuses plain http outside this machine', () => {
  test('S21 S28 NODE_ENV=production with an http:// PUBLIC_URL on a real host: one configuration error', () => {
    const found = problems({ NODE_ENV: 'production', PUBLIC_URL: 'http://pro.example.fr', SUPPORT_EMAIL: 'service-client@cartotheque.test' });
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^PUBLIC_URL: expected an https:\/\/ address in production \(NODE_ENV=production\); http:\/\/ is accepted only for localhost, 127\.0\.0\.1 or \[::1\] \(got "http:\/\/pro\.example\.fr"\)$/);
  });

  test('S21 S28 https, loopback http, and http outside production are accepted', () => {
    const accepted: Array<Record<string, string>> = [
      { NODE_ENV: 'production', PUBLIC_URL: 'https://pro.example.fr', ...CONTACT },
      { NODE_ENV: 'production', PUBLIC_URL: 'http://localhost:3000', ...CONTACT },
      { NODE_ENV: 'production', PUBLIC_URL: 'http://127.0.0.1:8080', ...CONTACT },
      { NODE_ENV: 'production', PUBLIC_URL: 'http://[::1]:3000', ...CONTACT },
      { NODE_ENV: 'production', ...CONTACT },
      { PUBLIC_URL: 'http://pro.example.fr' },
    ];
    for (const env of accepted) {
      assert.deepEqual(problems(env), [], JSON.stringify(env));
    }
  });

  test('Production needs a way to reach customer service (SUPPORT_EMAIL, SUPPORT_PHONE or CUSTOMER_SERVICE_EMAIL); this machine only warns', () => {
    const found = problems({ NODE_ENV: 'production', PUBLIC_URL: 'https://pro.example.fr' });
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^SUPPORT_EMAIL: expected in production \(NODE_ENV=production\), or SUPPORT_PHONE, or CUSTOMER_SERVICE_EMAIL/);
    for (const contact of [{ SUPPORT_EMAIL: 'aide@cartotheque.test' }, { SUPPORT_PHONE: '01 23 45 67 89' }, { CUSTOMER_SERVICE_EMAIL: 'service-client@cartotheque.test' }] as Array<Record<string, string>>) {
      assert.deepEqual(problems({ NODE_ENV: 'production', PUBLIC_URL: 'https://pro.example.fr', ...contact }), [], JSON.stringify(contact));
    }
    assert.deepEqual(problems({ PUBLIC_URL: 'https://pro.example.fr' }), []);
  });

  test('S21 S28 the server process stops at start with that one line', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', PUBLIC_URL: 'http://pro.example.fr', SUPPORT_EMAIL: 'service-client@cartotheque.test', DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 1);
    const lines = result.stderr.trim().split('\n');
    assert.deepEqual(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^Configuration error: PUBLIC_URL: expected an https:\/\/ address in production/);
  });
});
