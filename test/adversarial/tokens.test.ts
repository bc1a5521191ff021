import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, DIALECTS, type TestApp } from '../helpers/app.js';
import { assertCleanHeaders, assertSecurityHeaders, CUSTOMER_PASSWORD_NEW, freshIp, setCookieValue, Visitor } from './support.js';

/** A base64url string of exactly `length` characters (the alphabet we issue, the wrong length). */
const b64 = (length: number) => randomBytes(length).toString('base64url').slice(0, length);

/**
 * S40 "a token is accepted only in the exact format issued", S28–S30: payload classes, each as
 * it would appear after `token=` in a link (percent-encoded where a URL needs it).
 */
const PAYLOADS: Array<[string, string]> = [
  ['non-base64url UTF-8 (€)', '%E2%82%AC'],
  ['NUL byte', '%00'],
  ['lone 0xFF byte', '%FF'],
  ['semicolon and cookie attributes', 'abc;%20Path=/;%20Domain=evil'],
  ['CR/LF header injection', '%0D%0ASet-Cookie:x=y'],
  ['spaces', 'abc%20def%20ghi'],
  ['quotes', '%22abc%22'],
  ['over-long (4000 chars)', 'A'.repeat(4000)],
  ['empty', ''],
  ['42 chars of base64url', b64(42)],
  ['44 chars of base64url', b64(44)],
  ['the valid alphabet but wrong length (8)', 'abcDEF12'],
  ['43 chars with a dot', `${b64(42)}.`],
];

/** The value a browser would hold as a cookie for that payload: its bytes, one latin-1 char each. */
const cookieValueOf = (payload: string) => payload.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

const INVALID_PAGE = /Ce lien n’est plus valide/;
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

interface Door {
  name: string;
  path: '/activation' | '/back-office/activation';
  cookie: string;
}
const DOORS: Door[] = [
  { name: 'customer link', path: '/activation', cookie: '__Host-ep_reset' },
  { name: 'staff setup link', path: '/back-office/activation', cookie: '__Host-ep_staff_setup' },
];

for (const dialect of DIALECTS) {
  describe(`adversarial: S40 crafted link tokens get the French invalid-link page [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());

    /** What every answer to a crafted token must be, whatever the door. */
    function assertSafeAnswer(res: LightMyRequestResponse, what: string) {
      assert.ok(res.statusCode < 500, `${what}: status ${res.statusCode} (${res.body.slice(0, 200)})`);
      assertSecurityHeaders(res, what);
      assertCleanHeaders(res, what);
      if (res.statusCode === 429) return;
      assert.match(res.body, INVALID_PAGE, `${what}: the French invalid-link page (status ${res.statusCode})`);
    }

    for (const door of DOORS) {
      for (const [label, payload] of PAYLOADS) {
        test(`S40 ${door.name}: ${label} in the URL`, async () => {
          const visitor = new Visitor(t, freshIp());
          const what = `GET ${door.path}?token=<${label}>`;
          const first = await visitor.get(`${door.path}?token=${payload}`);
          if (first.statusCode === 303) {
            // Accepted into the cookie: only a well-formed token may be, and only towards the token-free page.
            assert.ok(first.statusCode < 500);
            assertSecurityHeaders(first, what);
            assertCleanHeaders(first, what);
            assert.equal(first.headers.location, door.path, `${what}: redirect to the token-free page`);
            const stored = setCookieValue(first, door.cookie);
            assert.match(stored ?? '', WELL_FORMED, `${what}: only a well-formed token is put in the cookie (got ${JSON.stringify(stored?.slice(0, 80))})`);
            assertSafeAnswer(await visitor.get(door.path), `${what} → GET ${door.path}`);
            return;
          }
          assertSafeAnswer(first, what);
        });

        test(`S40 ${door.name}: ${label} planted as the cookie, GET and POST`, async () => {
          const visitor = new Visitor(t, freshIp());
          const csrf = await visitor.csrf('/connexion');
          visitor.jar.cookies.set(door.cookie, cookieValueOf(payload));
          assertSafeAnswer(await visitor.get(door.path), `GET ${door.path} with cookie <${label}>`);
          visitor.jar.cookies.set(door.cookie, cookieValueOf(payload));
          assertSafeAnswer(
            await visitor.post(door.path, { _csrf: csrf, mot_de_passe: CUSTOMER_PASSWORD_NEW, confirmation: CUSTOMER_PASSWORD_NEW }),
            `POST ${door.path} with cookie <${label}>`,
          );
          if (door.path === '/back-office/activation') {
            visitor.jar.cookies.set(door.cookie, cookieValueOf(payload));
            assertSafeAnswer(await visitor.post('/back-office/activation/code', { _csrf: csrf, code: '123456' }), `POST /back-office/activation/code with cookie <${label}>`);
          }
        });
      }

      test(`S40 ${door.name}: positive control, a well-formed unknown token goes through the cookie to the French page`, async () => {
        const visitor = new Visitor(t, freshIp());
        const token = b64(43);
        const first = await visitor.get(`${door.path}?token=${token}`);
        if (first.statusCode === 303) {
          assert.equal(first.headers.location, door.path);
          assert.equal(setCookieValue(first, door.cookie), token, 'a well-formed token is carried to the token-free page');
          assertSafeAnswer(await visitor.get(door.path), 'follow-up');
        } else assertSafeAnswer(first, 'first answer');
      });
    }
  });
}
