import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { buildTestApp, CookieJar, csrfToken, DIALECTS, inputValue, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn, currentTotp, nextTotpStep, seedStaff } from '../helpers/staff.js';
import { freshIp, Visitor } from './support.js';

const ORIGIN = 'http://localhost:3000';

/** S24 payload classes: each is what an attacker puts as `next` (before any encoding of ours). */
const CLASSES: Record<string, string[]> = {
  'dot segments': ['/./', '/../', '/.//evil.example', '/a/..//evil.example', '/espace-pro/../..//evil.example', '/././/evil.example'],
  'dot segments behind an allowed prefix': ['/back-office/..//evil.example', '/back-office/.//evil.example', '/back-office/%2e%2e//evil.example', '/back-office/a/../..//evil.example'],
  'encoded dots': ['/%2e//evil.example', '/%2e%2e//evil.example', '/a/%2e%2e//evil.example', '/%2E/%2Fevil.example'],
  'doubled and mixed slashes': ['//evil.example', '///evil.example', '/\\evil.example', '\\/evil.example', '/%5Cevil.example', '/%2F/evil.example'],
  backslashes: ['\\\\evil.example', '/\\\\evil.example', '/a\\..\\..\\/evil.example'],
  'tabs and newlines': ['/%09/evil.example', '/%0A/evil.example', '/%0D%0A/evil.example', '/\t/evil.example', '/\n/evil.example', '/\t/\t/evil.example'],
  'scheme-relative': ['//evil.example/espace-pro', '/%2F%2Fevil.example', '%2F%2Fevil.example'],
  userinfo: ['/@evil.example', '//user@evil.example', '//localhost:3000@evil.example'],
  'full URLs': ['https://evil.example', 'HTTPS://evil.example', ' https://evil.example', 'http://localhost:3000@evil.example/', 'javascript:alert(1)', 'data:text/html,<script>alert(1)</script>'],
};
/** Legitimate targets that must be kept exactly (customer doors). */
const CUSTOMER_CONTROLS = ['/espace-pro/securite', '/espace-pro?x=1'];
/** Legitimate targets of the back office. */
const STAFF_CONTROLS = ['/back-office/equipe', '/back-office?x=1'];

/** Each payload raw, percent-encoded and double-encoded: the value the server receives as `next`. */
const ATTACKS: Array<{ label: string; value: string }> = Object.entries(CLASSES).flatMap(([klass, payloads]) =>
  payloads.flatMap((p) => [
    { label: `${klass} raw ${JSON.stringify(p)}`, value: p },
    { label: `${klass} encoded ${JSON.stringify(p)}`, value: encodeURIComponent(p) },
    { label: `${klass} double-encoded ${JSON.stringify(p)}`, value: encodeURIComponent(encodeURIComponent(p)) },
  ]),
);

/** The query string that carries `value` as `next`, plus, for printable payloads, the same typed literally in the URL. */
function queries(value: string): string[] {
  const out = [`next=${encodeURIComponent(value)}`];
  if (!/[\s#&%]/.test(value)) out.push(`next=${value}`);
  return out;
}

const unescapeHtml = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** S24 judged on the output: the target a browser would follow stays on our origin, as a plain path. */
function assertSameOriginPath(target: string, what: string, prefix = '/'): void {
  assert.equal(new URL(target, ORIGIN).origin, ORIGIN, `${what}: ${JSON.stringify(target)} leaves the origin`);
  assert.ok(target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\'), `${what}: ${JSON.stringify(target)} is not a single-slash path`);
  assert.doesNotMatch(target, /[\u0000-\u001f\u007f\\]/, `${what}: ${JSON.stringify(target)} has a control character or backslash`);
  assert.ok(!target.includes('//'), `${what}: ${JSON.stringify(target)} contains "//"`);
  assert.ok(target.startsWith(prefix), `${what}: ${JSON.stringify(target)} does not start with ${prefix}`);
}

function location(res: LightMyRequestResponse, what: string): string {
  assert.ok(res.statusCode >= 300 && res.statusCode < 400, `${what}: a redirect expected, got ${res.statusCode}`);
  const loc = res.headers.location;
  assert.equal(typeof loc, 'string', `${what}: a Location`);
  return loc as string;
}

for (const dialect of DIALECTS) {
  describe(`adversarial: S24 open redirect by payload class [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => t.close());
    beforeEach(async () => {
      await resetDatabase(t.db, dialect);
      await seedAccount(t, { code: '12345' });
    });

    /** Runs every case (attacks and controls), collecting failures so one run reports every class that leaks. */
    async function everyCase(controls: string[], check: (value: string, isControl: boolean, label: string) => Promise<void>) {
      const failures: string[] = [];
      for (const { label, value } of [...ATTACKS, ...controls.map((c) => ({ label: `control ${c}`, value: c }))]) {
        try {
          await check(value, controls.includes(value), label);
        } catch (error) {
          failures.push((error as Error).message.split('\n')[0]!);
        }
      }
      assert.deepEqual(failures, [], `${failures.length} case(s) failed`);
    }

    async function signedInCustomer(remember = false): Promise<Visitor> {
      const visitor = new Visitor(t, freshIp());
      const form: Record<string, string> = { _csrf: await visitor.csrf('/connexion'), identifiant: '12345', mot_de_passe: STRONG_PASSWORD };
      if (remember) form.memoriser = '1';
      assert.equal((await visitor.post('/connexion', form)).statusCode, 303, 'control: signed in');
      return visitor;
    }

    test('S24 GET /connexion?next=… for a signed-in customer', async () => {
      const visitor = await signedInCustomer();
      await everyCase(CUSTOMER_CONTROLS, async (value, isControl, label) => {
        for (const query of queries(value)) {
          const loc = location(await visitor.get(`/connexion?${query}`), `${label} (${query})`);
          assertSameOriginPath(loc, label);
          if (isControl) assert.equal(loc, value, `${label}: the legitimate target is kept`);
        }
      });
    });

    test('S24 GET /connexion?next=… for a remembered-only customer (remember-me cookie, no session)', async () => {
      const visitor = await signedInCustomer(true);
      await everyCase(CUSTOMER_CONTROLS, async (value, isControl, label) => {
        for (const query of queries(value)) {
          visitor.jar.cookies.delete('__Host-ep_session');
          assert.ok(visitor.jar.get('__Host-ep_remember'), 'control: still remembered');
          const loc = location(await visitor.get(`/connexion?${query}`), `${label} (${query})`);
          assertSameOriginPath(loc, label);
          if (isControl) assert.equal(loc, value, `${label}: the legitimate target is kept`);
        }
      });
    });

    test('S24 POST /connexion with next=… after a successful login', async () => {
      await everyCase(CUSTOMER_CONTROLS, async (value, isControl, label) => {
        const visitor = new Visitor(t, freshIp());
        const res = await visitor.post('/connexion', { _csrf: await visitor.csrf('/connexion'), identifiant: '12345', mot_de_passe: STRONG_PASSWORD, next: value });
        const loc = location(res, label);
        assertSameOriginPath(loc, label);
        if (isControl) assert.equal(loc, value, `${label}: the legitimate target is kept`);
      });
    });

    test('S24 the hidden next field of the anonymous login page', async () => {
      await everyCase(CUSTOMER_CONTROLS, async (value, isControl, label) => {
        for (const query of queries(value)) {
          const page = await t.app.inject({ method: 'GET', url: `/connexion?${query}` });
          assert.ok(page.statusCode < 500, `${label}: status ${page.statusCode}`);
          const hidden = inputValue(page.body, 'next');
          if (isControl) assert.equal(hidden && unescapeHtml(hidden), value, `${label}: the legitimate target is carried`);
          if (hidden !== undefined) assertSameOriginPath(unescapeHtml(hidden), `${label} (hidden field)`);
        }
      });
    });

    test('S24 staff: GET /back-office/connexion?next=… when signed in, and the login page’s hidden field', async () => {
      const staff = await createStaffAndSignIn(t);
      await everyCase([...STAFF_CONTROLS, ...CUSTOMER_CONTROLS], async (value, _isControl, label) => {
        const isControl = STAFF_CONTROLS.includes(value);
        for (const query of queries(value)) {
          const loc = location(await staff.get(`/back-office/connexion?${query}`), `${label} (${query})`);
          assertSameOriginPath(loc, label, '/back-office');
          if (isControl) assert.equal(loc, value, `${label}: the legitimate target is kept`);
          const page = await t.app.inject({ method: 'GET', url: `/back-office/connexion?${query}` });
          const hidden = inputValue(page.body, 'next');
          if (hidden !== undefined) assertSameOriginPath(unescapeHtml(hidden), `${label} (hidden field)`, '/back-office');
        }
      });
    });

    test('S24 staff: the login POST with next=…, through the TOTP step to the final redirect', async () => {
      const member = await seedStaff(t);
      await everyCase([...STAFF_CONTROLS, ...CUSTOMER_CONTROLS], async (value, _isControl, label) => {
        const isControl = STAFF_CONTROLS.includes(value);
        const visitor = new Visitor(t, freshIp(), new CookieJar());
        const first = await visitor.post('/back-office/connexion', { _csrf: await visitor.csrf('/back-office/connexion'), email: member.email, mot_de_passe: member.password, next: value });
        const step = location(first, `${label} (password step)`);
        assertSameOriginPath(step, `${label} (password step)`, '/back-office');
        // The browser follows to the code page and posts its form, hidden fields included.
        const page = await visitor.get(step);
        assert.equal(page.statusCode, 200, `${label}: the code page`);
        const hidden = inputValue(page.body, 'next');
        if (hidden !== undefined) assertSameOriginPath(unescapeHtml(hidden), `${label} (code page hidden field)`, '/back-office');
        nextTotpStep(t);
        const form: Record<string, string> = { _csrf: csrfToken(page.body), code: currentTotp(t, member.totpSecret) };
        if (hidden !== undefined) form.next = unescapeHtml(hidden);
        const final = location(await visitor.post('/back-office/connexion/code', form), `${label} (code step)`);
        assertSameOriginPath(final, `${label} (after the code)`, '/back-office');
        if (isControl) assert.equal(final, value, `${label}: the legitimate target is kept`);
      });
    });
  });
}
