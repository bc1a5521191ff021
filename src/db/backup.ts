import fs from 'node:fs';
import SQLite from 'better-sqlite3';

export interface BackupResult {
  pages: number;
  bytes: number;
}

/**
 * Online copy of the SQLite file through SQLite's backup API: consistent even while the server
 * writes (WAL), never a half-copied page. The copy is checked (quick_check) before we say it is good.
 */
export async function backupSqliteFile(sourceFile: string, destination: string): Promise<BackupResult> {
  const source = new SQLite(sourceFile, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    // S40: a backup is the whole database: owner only, from its first byte (SQLite keeps the mode it finds).
    if (!fs.existsSync(destination)) fs.closeSync(fs.openSync(destination, 'a', 0o600));
    fs.chmodSync(destination, 0o600);
    const progress = await source.backup(destination);
    fs.chmodSync(destination, 0o600);
    const copy = new SQLite(destination, { readonly: true, fileMustExist: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
    } finally {
      copy.close();
    }
    return { pages: progress.totalPages, bytes: fs.statSync(destination).size };
  } finally {
    source.close();
  }
}
