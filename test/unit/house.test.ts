import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

/** The import lines of every .ts/.tsx file under a folder of src/. */
function imports(folder: string): Array<{ file: string; from: string; line: string }> {
  const root = path.resolve(import.meta.dirname, '../../src', folder);
  const found: Array<{ file: string; from: string; line: string }> = [];
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^import[^;]*?from '([^']+)';/gms)) found.push({ file: path.relative(root, file), from: match[1]!, line: match[0] });
  }
  return found;
}

describe('the house: imports flow one way (CONVENTIONS.md, issue 22)', () => {
  test('retention, a platform module, imports no feature module (each module registers its own clean-up job)', () => {
    const foreign = imports('modules/retention').filter((i) => /^\.\.\/(?!\.\.\/)/.test(i.from));
    assert.deepEqual(foreign, []);
  });

  test('privacy and the applications page guard their routes through the shared gate, not the staff module', () => {
    const staff = [...imports('modules/privacy'), ...imports('modules/sso')].filter((i) => i.from.includes('/staff/'));
    assert.deepEqual(staff, []);
  });

  test('the shared gate imports no module', () => {
    assert.deepEqual(
      imports('plugins').filter((i) => i.file === 'staff-gate.ts' && i.from.includes('/modules/')),
      [],
    );
  });

  test("views take props types they own, never a service's return type", () => {
    const root = path.resolve(import.meta.dirname, '../../src/views');
    for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const text = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
      assert.doesNotMatch(text, /ReturnType<typeof/, entry.name);
      assert.doesNotMatch(text, /from '[^']*\.service\.js'/, entry.name);
    }
  });
});
