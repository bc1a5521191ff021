import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, parseDuration } from '../../src/config.js';
import { encodeControlChars } from '../../src/modules/audit/audit.service.js';
import { throttleDelayMs } from '../../src/modules/auth-core/limits.js';
import { normalizeIdentifier } from '../../src/shared/identifier.js';
import { randomToken } from '../../src/shared/crypto.js';
import { safeNextPath } from '../../src/shared/safe-next.js';
import { escapeHtml, h, Html } from '../../src/views/jsx.js';

describe('identifier', () => {
  test('exactly 5 digits after NFKC and trim', () => {
    assert.equal(normalizeIdentifier('12345'), '12345');
    assert.equal(normalizeIdentifier('  12345\t'), '12345');
    assert.equal(normalizeIdentifier('１２３４５'), '12345');
    for (const bad of ['1234', '123456', '12 345', '12a45', '١٢٣٤٥', '', '12345\n6', '-1234']) assert.equal(normalizeIdentifier(bad), null, bad);
  });
});

describe('S24 safeNextPath', () => {
  test('accepts same-origin paths', () => {
    assert.equal(safeNextPath('/espace-pro'), '/espace-pro');
    assert.equal(safeNextPath('/espace-pro?a=1'), '/espace-pro?a=1');
  });
  test('refuses everything else', () => {
    for (const bad of ['//x', '/\\x', '\\x', 'https://x', 'javascript:x', '%2F%2Fx', '/%2F%2Fx', '/%5Cx', '%252f%252fx', '/%0D%0Ax', '/\r\nx', 'x', '', undefined, ['/'], '/%E0%A4%A']) {
      assert.equal(safeNextPath(bad), null, JSON.stringify(bad));
    }
  });
});

describe('S11 S18 random tokens', () => {
  test('each token is new CSPRNG output of the asked length, across refills of the pool', () => {
    const seen = new Set<string>();
    // 2,000 × 32 bytes spans about sixteen refills of the 4 KiB pool.
    for (let i = 0; i < 2000; i++) {
      const token = randomToken(i % 2 ? 32 : 16);
      assert.equal(Buffer.from(token, 'base64url').length, i % 2 ? 32 : 16);
      assert.ok(!seen.has(token), 'a token came out twice');
      seen.add(token);
    }
    // Bytes spread over all values: a pool handing out zeroed (already used) bytes would fail.
    const bytes = Buffer.concat([...seen].map((t) => Buffer.from(t, 'base64url')));
    const zeros = bytes.filter((b) => b === 0).length;
    assert.ok(zeros < bytes.length / 64, `${zeros} zero bytes of ${bytes.length}`);
    assert.equal(Buffer.from(randomToken(1000), 'base64url').length, 1000);
  });
});

describe('S25 templates escape by default', () => {
  test('children and attributes are encoded, Html passes through', () => {
    const out = h('p', { title: '"><script>' }, '<b>&', new Html('<i>ok</i>')).value;
    assert.equal(out, '<p title="&quot;&gt;&lt;script&gt;">&lt;b&gt;&amp;<i>ok</i></p>');
    assert.equal(escapeHtml(`'`), '&#39;');
    assert.equal(escapeHtml('rien à encoder'), 'rien à encoder');
    assert.equal(h('p', null, 42, ['a<', ['>b']], null, false, true).value, '<p>42a&lt;&gt;b</p>');
    assert.equal(h('input', { disabled: true, hidden: false, value: null, className: 'c"' }).value, '<input disabled class="c&quot;">');
  });
});

describe('S34 audit fields encode CR/LF', () => {
  test('control characters are escaped', () => {
    assert.equal(encodeControlChars('a\r\nb'), 'a\\x0d\\x0ab');
  });
});

describe('S8 delay schedule', () => {
  test('nothing before 5 failures, then doubling up to 15 minutes', () => {
    assert.deepEqual([4, 5, 6, 7, 8, 9, 10, 20].map((n) => throttleDelayMs(n) / 60000), [0, 1, 2, 4, 8, 15, 15, 15]);
  });
});

describe('configuration', () => {
  test('defaults', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.brandName, 'Cartothèque');
    assert.equal(c.databaseUrl, null);
    assert.equal(c.resetTokenTtlSeconds, 8 * 3600);
    assert.equal(c.passwordMinLength, 15);
    assert.ok(Object.isFrozen(c));
  });
  test('every wrong value is named', () => {
    const bad: Record<string, string> = {
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      PUBLIC_URL: 'ftp://x',
      TRUST_PROXY: '10.0.0.1,nope',
      LOG_LEVEL: 'loud',
      RESET_TOKEN_TTL: 'forever',
      SMTP_URL: 'http://x',
      DISPLAY_TIMEZONE: 'Mars/Olympus',
      PASSWORD_MIN_LENGTH: '3',
    };
    for (const [name, value] of Object.entries(bad)) {
      assert.throws(() => loadConfig({ [name]: value }), (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && e.problems[0]!.startsWith(name + ':'), name);
    }
  });
  test('durations', () => {
    assert.equal(parseDuration('8h'), 28800);
    assert.equal(parseDuration('90m'), 5400);
    assert.equal(parseDuration('3600'), 3600);
    assert.equal(parseDuration('8 hours'), null);
  });
});
