import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { TEST_DATABASE_URL } from '../helpers/app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-cli-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('operator CLI (SQLite file under DATA_DIR)', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('migrate, account:create without password, account:list', () => {
    assert.equal(cli(['migrate']).code, 0);
    const created = cli(['account:create', '--code', '12345', '--email', 'a@b.fr', '--company', 'Librairie du Port']);
    assert.equal(created.code, 0, created.err);
    assert.match(created.out, /Created account 12345/);
    const list = cli(['account:list']);
    assert.equal(list.code, 0);
    assert.match(list.out, /12345\tpre-created\ta@b\.fr\tLibrairie du Port/);
    assert.ok(fs.existsSync(path.join(dataDir, 'espace-pro.sqlite')));
  });

  test('a duplicate code is refused with exit code 2 and nothing is written', () => {
    const dup = cli(['account:create', '--code', '12345', '--email', 'other@b.fr', '--company', 'Autre']);
    assert.equal(dup.code, 2);
    assert.match(dup.err, /already exists/);
    const list = cli(['account:list']);
    assert.equal(list.out.trim().split('\n').length, 1);
    assert.doesNotMatch(list.out, /other@b\.fr/);
  });

  test('bad arguments: a clear message and exit code 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['account:create', '--code', '1234', '--email', 'a@b.fr', '--company', 'X'], /5 digits/],
      [['account:create', '--code', '54321', '--email', 'not-an-email', '--company', 'X'], /valid e-mail/],
      [['account:create', '--code', '54321', '--email', 'a@b.fr'], /--company is required/],
      [['account:create', '--code', '54321', '--email', 'a@b.fr', '--company', 'X', '--bogus'], /Unknown option/],
      [['account:frobnicate'], /unknown command/],
      [[], /Usage/],
    ];
    for (const [args, message] of cases) {
      const result = cli(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.err + result.out, message, args.join(' '));
    }
  });

  test('account:import: dry run, real run, idempotent re-run, malformed lines reported, progress shown', () => {
    const file = path.join(dataDir, 'clients.csv');
    fs.writeFileSync(file, '\ufeffcode;email;company\n20001;a@x.fr;Alpha\n20002;b@x.fr;"Beta; fils"\nabc;bad;X\n20001;dup@x.fr;Doublon\n');
    const dry = cli(['account:import', file, '--dry-run']);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /Dry run, nothing written: would create 2, update 0, unchanged 0, rejected 2/);
    assert.match(dry.out, /line 4\tabc\trejected\tcode client invalide/);
    assert.match(dry.out, /line 5\t20001\trejected\tcode client déjà présent plus haut dans le fichier/);
    assert.doesNotMatch(cli(['account:list']).out, /20001/, 'dry run wrote nothing');
    const real = cli(['account:import', file]);
    assert.equal(real.code, 0, real.err);
    assert.match(real.out, /Created 2, updated 0, unchanged 0, rejected 2/);
    assert.match(real.err, /2\/2 lines written/, 'progress on stderr');
    assert.match(cli(['account:list']).out, /20002\tpre-created\tb@x\.fr\tBeta; fils/);
    const again = cli(['account:import', file]);
    assert.match(again.out, /Created 0, updated 0, unchanged 2, rejected 2/);
    assert.equal(cli(['account:import']).code, 2);
    assert.equal(cli(['account:import', path.join(dataDir, 'missing.csv')]).code, 2);
  });

  test('a wrong setting stops with one line naming the variable', () => {
    const result = cli(['account:list'], { PORT: 'abc' });
    assert.equal(result.code, 1);
    assert.equal(result.err.trim().split('\n').length, 1);
    assert.match(result.err, /^Configuration error: PORT:/);
  });
});

describe('npm start', () => {
  test('the server serves the home page, and a wrong setting stops it with one clear line', async () => {
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env: { ...process.env, PUBLIC_URL: 'not a url', DATA_DIR: dataDir }, encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr.trim(), /^Configuration error: PUBLIC_URL: [^\n]+$/);

    const port = 30000 + Math.floor(Math.random() * 20000);
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let body = '';
      for (let i = 0; i < 100 && !body; i++) {
        await new Promise((r) => setTimeout(r, 100));
        body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => '');
      }
      assert.match(body, /Mon Espace Pro/);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  });
});

describe('PostgreSQL suite', () => {
  test('runs when TEST_DATABASE_URL is set', { skip: TEST_DATABASE_URL ? false : 'PostgreSQL suite skipped: set TEST_DATABASE_URL=postgres://… to run every test on PostgreSQL too' }, () => {
    assert.ok(TEST_DATABASE_URL);
  });
});
