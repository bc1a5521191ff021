import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../..');
const doc = fs.readFileSync(path.join(ROOT, 'docs/security.md'), 'utf8');
const spec = ['S1', 'S51'];

/** "S12" → the test files its *Proved by* line names. */
function provedBy(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const m of doc.matchAll(/- \*\*(S\d+)\*\*.*?\n {2}- \*Enforced:\* .*?\n {2}- \*Proved by:\* (.*?)\n/gs)) {
    map.set(m[1]!, [...m[2]!.matchAll(/`(test\/[^`]+)`/g)].map((f) => f[1]!));
  }
  return map;
}

function testFiles(dir = path.join(ROOT, 'test')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(full);
    return /\.test\.tsx?$/.test(e.name) ? [path.relative(ROOT, full)] : [];
  });
}

describe('docs/security.md maps every requirement to its tests', () => {
  test('every numbered requirement from the first to the last of the spec has test files; each exists and names its requirement', () => {
    const map = provedBy();
    const [first, last] = spec.map((s) => Number(s.slice(1)));
    for (let n = first!; n <= last!; n++) {
      const files = map.get(`S${n}`);
      assert.ok(files && files.length > 0, `S${n} has no "Proved by" test file`);
      for (const file of files) {
        assert.ok(fs.existsSync(path.join(ROOT, file)), `S${n}: ${file} does not exist`);
        assert.match(fs.readFileSync(path.join(ROOT, file), 'utf8'), new RegExp(`\\bS${n}\\b`), `S${n}: ${file} never names S${n}`);
      }
    }
  });

  test('every test named after a requirement is listed under it', () => {
    const map = provedBy();
    for (const file of testFiles()) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const titles = [...text.matchAll(/(?:test|describe)\(\s*[`'"]([^`'"]*)/g)].map((m) => m[1]!);
      const named = new Set(titles.flatMap((t) => [...t.matchAll(/\bS(\d+)\b/g)].map((m) => `S${m[1]}`)));
      for (const s of named) {
        if (!map.has(s)) continue; // a number the specification does not have
        assert.ok(map.get(s)!.includes(file), `${file} has tests named ${s}: list it under ${s} in docs/security.md`);
      }
    }
  });
});
