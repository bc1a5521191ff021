import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { clearSecureCookie, COOKIE, readCookie, setSecureCookie } from '../../src/plugins/cookies.js';

const T1 = 'A'.repeat(43);
const T2 = 'b_-9'.repeat(10) + 'xyz';
const REMEMBER = `${'s'.repeat(22)}.${'v'.repeat(43)}`;

async function app() {
  const server = Fastify();
  server.get('/set', async (_request, reply) => {
    setSecureCookie(reply, '__Host-a', T1);
    clearSecureCookie(reply, '__Host-b');
    setSecureCookie(reply, '__Host-c', T2, 3600.7);
    setSecureCookie(reply, '__Host-a', T2);
    return 'ok';
  });
  server.get('/read', async (request) => ({
    a: readCookie(request, '__Host-a') ?? null,
    b: readCookie(request, '__Host-b') ?? null,
    remember: readCookie(request, COOKIE.remember) ?? null,
  }));
  server.get<{ Querystring: { v: string } }>('/set-lang', async (request, reply) => {
    setSecureCookie(reply, COOKIE.language, request.query.v, 60);
    return 'ok';
  });
  server.get('/read-lang', async (request) => ({ lang: readCookie(request, COOKIE.language) ?? null }));
  server.get<{ Querystring: { v: string } }>('/set-raw', async (request, reply) => {
    setSecureCookie(reply, '__Host-a', request.query.v);
    return 'ok';
  });
  return server;
}

describe('S21 cookies', () => {
  test('every cookie carries __Host- attributes; the last word on a name wins; a clear expires it', async () => {
    const server = await app();
    const res = await server.inject('/set');
    assert.deepEqual(res.headers['set-cookie'], [
      '__Host-b=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
      `__Host-c=${T2}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=3600`,
      `__Host-a=${T2}; Path=/; HttpOnly; Secure; SameSite=Lax`,
    ]);
    assert.equal(res.headers['cache-control'], 'no-store', 'S29');
    await server.close();
  });

  test('S40 reading: the first of two same-named cookies, and only a value in its exact issued form', async () => {
    const server = await app();
    const read = async (cookie: string) => (await server.inject({ url: '/read', headers: { cookie } })).json();
    assert.deepEqual(await read(`__Host-a=${T1}; __Host-b=${T2}`), { a: T1, b: T2, remember: null });
    assert.deepEqual(await read(`__Host-a=${T1};__Host-a=${T2}`), { a: T1, b: null, remember: null });
    assert.deepEqual(await read(`${COOKIE.remember}=${REMEMBER}`), { a: null, b: null, remember: REMEMBER });
    // Any other form is absent: quoted, encoded, one character short or long, another alphabet, the other cookie's form.
    for (const bad of [`"${T1}"`, T1.slice(1), `${T1}x`, `${T1.slice(1)}%`, `${T1.slice(2)}.;`, REMEMBER, '']) {
      assert.deepEqual(await read(`__Host-a=${bad}; ${COOKIE.remember}=${T1}`), { a: null, b: null, remember: null }, bad);
    }
    assert.deepEqual(await read('garbage; =x; __Host-b'), { a: null, b: null, remember: null });
    await server.close();
  });

  test('S40 a value not in its issued form is never written into Set-Cookie (the output is checked)', async () => {
    const server = await app();
    for (const v of ['abc; Path=/; Domain=evil', 'x'.repeat(43).replace('x', ';'), '€'.repeat(43), 'a\r\nSet-Cookie: x=y'.padEnd(43, 'a')]) {
      const res = await server.inject({ url: `/set-raw?v=${encodeURIComponent(v)}` });
      assert.equal(res.statusCode, 500, v);
      assert.equal(res.headers['set-cookie'], undefined, v);
    }
    await server.close();
  });

  test('S51 the language cookie holds fr or en and nothing else, read or written', async () => {
    const server = await app();
    for (const v of ['fr', 'en']) {
      const set = await server.inject({ url: `/set-lang?v=${v}` });
      assert.equal(set.headers['set-cookie'], `${COOKIE.language}=${v}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=60`);
      assert.deepEqual((await server.inject({ url: '/read-lang', headers: { cookie: `${COOKIE.language}=${v}` } })).json(), { lang: v });
    }
    for (const bad of ['de', 'EN', 'En', 'fr-FR', 'english', '"en"', 'en%00', '%65%6e', 'e n', '<script>', 'fr,en', 'en=', 'x'.repeat(300), '']) {
      const set = await server.inject({ url: `/set-lang?v=${encodeURIComponent(bad)}` });
      assert.equal(set.statusCode, 500, `${bad}: refused on the way out`);
      assert.equal(set.headers['set-cookie'], undefined, bad);
      assert.deepEqual((await server.inject({ url: '/read-lang', headers: { cookie: `${COOKIE.language}=${bad}` } })).json(), { lang: null }, `${bad}: absent on the way in`);
    }
    await server.close();
  });
});
