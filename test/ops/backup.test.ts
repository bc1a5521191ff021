import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import SQLite from 'better-sqlite3';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-backup-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('backup and retention from the CLI', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('backup FILE: an online copy made while the server runs holds the account', { timeout: 90_000 }, async () => {
    assert.equal(cli(['account:create', '--code', '24680', '--email', 'compta@papeterie.fr', '--company', 'Papeterie Durand']).code, 0);
    const port = 30000 + Math.floor(Math.random() * 20000);
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise((resolve) => server.once('exit', resolve));
    try {
      let ready = false;
      for (let i = 0; i < 150 && !ready; i++) {
        await new Promise((r) => setTimeout(r, 100));
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      }
      assert.ok(ready, 'server ready');
      const file = path.join(dataDir, 'copies', 'espace-pro-copy.sqlite');
      fs.mkdirSync(path.dirname(file));
      const backup = cli(['backup', file]);
      assert.equal(backup.code, 0, backup.err);
      assert.match(backup.out, /Backed up .*espace-pro\.sqlite to .*espace-pro-copy\.sqlite .*integrity checked/);

      const copy = new SQLite(file, { readonly: true });
      try {
        const row = copy.prepare('select c.code, a.email, c.name as company from companies c join accounts a on a.id = c.holder_account_id where c.code = ?').get('24680');
        assert.deepEqual(row, { code: '24680', email: 'compta@papeterie.fr', company: 'Papeterie Durand' });
      } finally {
        copy.close();
      }

      const again = cli(['backup', file]);
      assert.equal(again.code, 2, 'an existing file is never overwritten');
      assert.match(again.err, /already exists/);
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
  });

  test('backup: wrong usage and PostgreSQL are refused with exit code 2 and a clear message', () => {
    const none = cli(['backup']);
    assert.equal(none.code, 2);
    assert.match(none.err, /exactly one destination file/);
    const pg = cli(['backup', path.join(dataDir, 'x.sqlite')], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing' });
    assert.equal(pg.code, 2);
    assert.match(pg.err, /PostgreSQL.*pg_dump/s);
    assert.equal(fs.existsSync(path.join(dataDir, 'x.sqlite')), false);
    const missing = cli(['backup', path.join(dataDir, 'y.sqlite')], { DATA_DIR: path.join(dataDir, 'empty') });
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no SQLite database/);
  });

  test('retention:run purges now and prints what it did', () => {
    const db = new SQLite(path.join(dataDir, 'espace-pro.sqlite'));
    try {
      db.prepare("insert into audit_log (at, event, outcome, actor_type) values (?, 'logout', 'success', 'customer')").run(Date.now() - 401 * 86_400_000);
    } finally {
      db.close();
    }
    const run = cli(['retention:run']);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /^auditEntries\t1$/m);
    assert.match(run.out, /^sessions\t0$/m);
    assert.match(run.out, /Retention pass done/);
  });
});
