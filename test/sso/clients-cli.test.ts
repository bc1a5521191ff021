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
  test('S41 client:create --no-pkce registers the exception, marked in client:list and in the journal; without the flag PKCE stays required; a public method is refused', () => {
    const plain = cli(['client:create', '--name', 'Odoo', '--redirect-uri', 'https://odoo.example.fr/auth_oauth/signin']);
    const exempt = cli(['client:create', '--name', 'WordPress', '--redirect-uri', 'https://wp.example.fr/wp-admin/admin-ajax.php?action=openid-connect-authorize', '--auth-method', 'client_secret_post', '--no-pkce']);
    assert.equal(plain.code, 0, plain.err);
    assert.equal(exempt.code, 0, exempt.err);
    assert.doesNotMatch(plain.out, /NOT required/);
    assert.match(exempt.out, /PKCE is NOT required for this application: it must send a nonce/);
    const plainId = /client_id:\s+(\S+)/.exec(plain.out)![1]!;
    const exemptId = /client_id:\s+(\S+)/.exec(exempt.out)![1]!;
    const list = cli(['client:list']).out;
    assert.match(list, new RegExp(`${plainId}\\t.*\\tpkce$`, 'm'));
    assert.match(list, new RegExp(`${exemptId}\\t.*\\tNO-PKCE \\(nonce required\\)$`, 'm'));
    const refused = cli(['client:create', '--name', 'Appli', '--redirect-uri', 'https://app.example.fr/cb', '--auth-method', 'none', '--no-pkce']);
    assert.equal(refused.code, 2);
    const db = new Database(path.join(dataDir, 'espace-pro.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT client_id, pkce_required FROM oidc_clients').all() as Array<{ client_id: string; pkce_required: number }>;
    const audit = db.prepare("SELECT target, actor_type, actor_id, details FROM audit_log WHERE event = 'sso.client_created'").all() as Array<{ target: string; actor_type: string; actor_id: string; details: string }>;
    db.close();
    assert.equal(rows.find((r) => r.client_id === plainId)!.pkce_required, 1);
    assert.equal(rows.find((r) => r.client_id === exemptId)!.pkce_required, 0);
    assert.ok(!rows.some((r) => !(r.client_id === plainId || r.client_id === exemptId) && r.pkce_required === 0), 'the refused one was not written');
    const exemptAudit = audit.find((a) => a.target === exemptId)!;
    assert.equal(exemptAudit.actor_type, 'operator');
    assert.equal(JSON.parse(exemptAudit.details).pkce, 'not_required_nonce_required');
    assert.equal(JSON.parse(audit.find((a) => a.target === plainId)!.details).pkce, 'required');
  });
});
