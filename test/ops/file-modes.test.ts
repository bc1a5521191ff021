import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { backupSqliteFile } from '../../src/db/backup.js';
import { openDatabase } from '../../src/db/database.js';
import { fileTransport } from '../../src/modules/mail/transport.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-modes-'));
const mode = (file: string) => fs.statSync(file).mode & 0o777;
const octal = (n: number) => n.toString(8).padStart(4, '0');

describe('S40 files the product writes are readable by their owner only', () => {
  // With the usual umask 022 a plain create would give 0644 / 0755: the assertions below mean something.
  const previousUmask = process.umask(0o022);
  after(() => {
    process.umask(previousUmask);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('S40 the SQLite file, its -wal and -shm are 0600 and a folder it creates is 0700', async () => {
    const dataDir = path.join(root, 'fresh', 'data');
    const file = path.join(dataDir, 'espace-pro.sqlite');
    const database = openDatabase({ databaseUrl: null, sqliteFile: file });
    try {
      await sql`create table t (x integer)`.execute(database.db);
      await sql`insert into t values (1)`.execute(database.db);
      assert.equal(octal(mode(dataDir)), '0700', 'DATA_DIR');
      for (const f of [file, `${file}-wal`, `${file}-shm`]) {
        assert.ok(fs.existsSync(f), f);
        assert.equal(octal(mode(f)), '0600', f);
      }
    } finally {
      await database.close();
    }
  });

  test('S40 an existing world-readable database and its -wal/-shm are tightened at open', async () => {
    const file = path.join(root, 'old.sqlite');
    const first = openDatabase({ databaseUrl: null, sqliteFile: file });
    await sql`create table t (x integer)`.execute(first.db);
    await first.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o644);
    fs.writeFileSync(`${file}-shm`, Buffer.alloc(0), { flag: 'a' });
    fs.chmodSync(`${file}-shm`, 0o644);
    const again = openDatabase({ databaseUrl: null, sqliteFile: file });
    try {
      await sql`select 1`.execute(again.db);
      assert.equal(octal(mode(file)), '0600');
      assert.equal(octal(mode(`${file}-shm`)), '0600');
    } finally {
      await again.close();
    }
  });

  test('S40 mail files are 0600 in a 0700 outbox folder, also when an older file is rewritten', async () => {
    const outbox = path.join(root, 'mail', 'outbox');
    const transport = fileTransport(outbox);
    const mail = { from: 'a@b.test', to: 'c@d.test', subject: 'Lien', text: 'https://x.test/activation?token=SECRET', html: '<p>x</p>', messageId: '<outbox-1@b.test>' };
    const file = await transport.send(mail);
    assert.equal(octal(mode(outbox)), '0700');
    assert.equal(octal(mode(file)), '0600');
    fs.chmodSync(file, 0o644);
    assert.equal(await transport.send(mail), file);
    assert.equal(octal(mode(file)), '0600');
    transport.close();
  });

  test('S40 a backup is 0600', async () => {
    const source = path.join(root, 'source.sqlite');
    const database = openDatabase({ databaseUrl: null, sqliteFile: source });
    await sql`create table t (x integer)`.execute(database.db);
    await database.close();
    const destination = path.join(root, 'backup.sqlite');
    const result = await backupSqliteFile(source, destination);
    assert.ok(result.bytes > 0);
    assert.equal(octal(mode(destination)), '0600');
  });
});
