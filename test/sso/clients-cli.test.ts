import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-sso-cli-'));

function cli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', PUBLIC_URL: 'https://pro.example.fr' },
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('SSO operator CLI (SQLite file under DATA_DIR)', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('SSO client:create prints client_id and secret once; only the SHA-256 of the secret is stored; client:list and client:disable', () => {
    const created = cli(['client:create', '--name', 'Boutique pro', '--redirect-uri', 'https://shop.example.fr/callback', '--post-logout-uri', 'https://shop.example.fr/', '--backchannel-logout-uri', 'https://shop.example.fr/bcl', '--home-url', 'https://shop.example.fr/']);
    assert.equal(created.code, 0, created.err);
    const clientId = /client_id:\s+(\S+)/.exec(created.out)![1]!;
    const secret = /client_secret:\s+(\S+)/.exec(created.out)![1]!;
    assert.match(created.out, /https:\/\/pro\.example\.fr\/oidc\/\.well-known\/openid-configuration/);
    const db = new Database(path.join(dataDir, 'espace-pro.sqlite'), { readonly: true });
    const row = db.prepare('SELECT * FROM oidc_clients WHERE client_id = ?').get(clientId) as Record<string, string>;
    db.close();
    assert.equal(row.secret_hash, createHash('sha256').update(secret).digest('hex'));
    assert.ok(!JSON.stringify(row).includes(secret), 'the secret itself is nowhere');
    const list = cli(['client:list']);
    assert.match(list.out, new RegExp(`${clientId}\\tactive\\tBoutique pro\\thttps://shop.example.fr/callback`));
    assert.doesNotMatch(list.out, new RegExp(secret));
    assert.equal(cli(['client:disable', clientId]).code, 0);
    assert.match(cli(['client:list']).out, new RegExp(`${clientId}\\tdisabled`));
    assert.equal(cli(['client:disable', 'inconnu']).code, 2);
  });

  test('SSO client:create refuses a non-https redirect URI, a fragment, or a missing one, and writes nothing', () => {
    for (const uri of ['http://shop.example.fr/cb', 'https://shop.example.fr/cb#x', 'javascript:alert(1)']) {
      const r = cli(['client:create', '--name', 'X', '--redirect-uri', uri]);
      assert.equal(r.code, 2, uri);
      assert.match(r.err, /redirect-uri/);
    }
    assert.equal(cli(['client:create', '--name', 'X']).code, 2);
    assert.equal(cli(['client:list']).out.trim().split('\n').length, 1);
  });

  test('SSO oidc:rotate-keys prints key ids only, never key material', () => {
    const r = cli(['oidc:rotate-keys']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /es256-\S+/);
    assert.doesNotMatch(r.out + r.err, /"d":|"k":|PRIVATE/);
    const db = new Database(path.join(dataDir, 'espace-pro.sqlite'), { readonly: true });
    const rows = db.prepare("SELECT kid, retired_at FROM oidc_keys WHERE use = 'sig'").all() as Array<{ kid: string; retired_at: number | null }>;
    db.close();
    // Keys of a first start (none yet here: the CLI alone) plus one new set, all active.
    assert.ok(rows.filter((k) => k.retired_at === null).length >= 2);
  });
});
