import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSafeLocalPath, safeNextPath } from '../../src/shared/safe-next.js';

/** Each class of open-redirect payload, as typed; the test adds its percent-encoded and double-encoded forms. */
const PAYLOAD_CLASSES: Record<string, string[]> = {
  'dot segments': ['/.//evil.example', '/././/evil.example', '/../evil.example/..//x', '/a/..//evil.example', '/espace-pro/../..//evil.example', '/..', '/.'],
  'encoded dots': ['/%2e//evil.example', '/%2E%2E//evil.example', '/.%2e//evil.example', '/%2e%2e/%2fevil.example'],
  'doubled and mixed slashes': ['//evil.example', '///evil.example', '/%2Fevil.example', '/%2f/evil.example', '/espace-pro//evil.example', '/\\/evil.example'],
  backslashes: ['/\\evil.example', '\\\\evil.example', '/\\\\evil.example', '\\/evil.example', '/%5Cevil.example'],
  'tabs and newlines': ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/%09/evil.example', '/ /evil.example', '/\u00a0/x', '/\u2028/x', '/\u202e/x', '/\u0000x'],
  'scheme-relative': ['//evil.example/espace-pro', '//evil.example:443', '/\t/evil.example', '//@evil.example'],
  userinfo: ['/@evil.example', '//user@evil.example', '/espace-pro@evil.example', '//espace-pro:x@evil.example'],
  'full URLs': ['https://evil.example', 'http://evil.example/espace-pro', 'HTTPS://evil.example', 'https:evil.example', 'ftp://evil.example'],
  'javascript and data': ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x'],
  'not a path': ['', 'evil.example', 'espace-pro', '?x=1', '#x', '/%E0%A4%A'],
};

function encodings(raw: string): Array<[string, string]> {
  const once = encodeURIComponent(raw);
  const twice = encodeURIComponent(once);
  // Partly encoded: only the characters a filter looks for.
  const partial = raw.replace(/\//g, '%2F').replace(/\./g, '%2E');
  const afterSlash = raw.startsWith('/') ? `/${encodeURIComponent(raw.slice(1))}` : once;
  return [
    ['raw', raw],
    ['percent-encoded', once],
    ['double-encoded', twice],
    ['partly encoded', partial],
    ['encoded after the first slash', afterSlash],
    ['double-encoded after the first slash', raw.startsWith('/') ? `/${encodeURIComponent(encodeURIComponent(raw.slice(1)))}` : twice],
  ];
}

describe('S24 safeNextPath: every payload class, raw and encoded, is refused', () => {
  for (const [name, payloads] of Object.entries(PAYLOAD_CLASSES)) {
    test(`S24 ${name}`, () => {
      for (const payload of payloads) {
        for (const [form, value] of encodings(payload)) {
          const result = safeNextPath(value);
          // A value may only come out if it is itself safe; for these payloads nothing may come out.
          assert.equal(result, null, `${form} ${JSON.stringify(value)} → ${JSON.stringify(result)}`);
        }
      }
    });
  }

  test('S24 the reported payload: /.//evil.example and %2F.%2F%2Fevil.example never become //evil.example', () => {
    assert.equal(safeNextPath('/.//evil.example'), null);
    assert.equal(safeNextPath(decodeURIComponent('%2F.%2F%2Fevil.example')), null);
    assert.equal(safeNextPath('%2F.%2F%2Fevil.example'), null);
  });

  test('S24 non-strings are refused', () => {
    for (const bad of [undefined, null, 42, ['/'], { toString: () => '/' }]) assert.equal(safeNextPath(bad), null);
  });

  test('S24 long values are refused', () => {
    assert.equal(safeNextPath(`/${'a'.repeat(600)}`), null);
    // Expands past the bound once percent-encoded by the URL parser.
    assert.equal(safeNextPath(`/${'é'.repeat(200)}`), null);
  });
});

describe('S24 safeNextPath keeps legitimate paths unchanged', () => {
  for (const path of ['/espace-pro', '/espace-pro/securite', '/espace-pro?onglet=1', '/oidc/interaction/abc123', '/back-office/comptes?q=12345&page=2', '/espace-pro/caf%C3%A9']) {
    test(`S24 keeps ${path}`, () => {
      assert.equal(safeNextPath(path), path);
      assert.equal(isSafeLocalPath(path), true);
    });
  }
});

describe('S24 isSafeLocalPath checks the final form', () => {
  test('S24 refuses what URL normalisation can produce from a dot-segment payload', () => {
    assert.equal(new URL('/.//evil.example', 'http://x.invalid').pathname, '//evil.example');
    assert.equal(isSafeLocalPath('//evil.example'), false);
  });
  test('S24 refuses values that stay encoded after several rounds', () => {
    let v = '/%2Fevil.example';
    for (let i = 0; i < 6; i++) v = v.replace(/%/g, '%25');
    assert.equal(isSafeLocalPath(v), false);
  });
  test('S24 every output of safeNextPath over the payload table passes isSafeLocalPath', () => {
    const inputs = Object.values(PAYLOAD_CLASSES).flat().flatMap((p) => encodings(p).map(([, v]) => v));
    for (const v of [...inputs, '/espace-pro', '/a/./b', '/a/%2e/b']) {
      const out = safeNextPath(v);
      if (out !== null) assert.equal(isSafeLocalPath(out), true, v);
    }
  });
});
