import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { clearSecureCookie, readCookie, setSecureCookie } from '../../src/plugins/cookies.js';

async function app() {
  const server = Fastify();
  server.get('/set', async (_request, reply) => {
    setSecureCookie(reply, '__Host-a', 'first');
    clearSecureCookie(reply, '__Host-b');
    setSecureCookie(reply, '__Host-c', 'kept', 3600.7);
    setSecureCookie(reply, '__Host-a', 'second');
    return 'ok';
  });
  server.get('/read', async (request) => ({ a: readCookie(request, '__Host-a') ?? null, b: readCookie(request, '__Host-b') ?? null }));
  return server;
}

describe('S21 cookies', () => {
  test('every cookie carries __Host- attributes; the last word on a name wins; a clear expires it', async () => {
    const server = await app();
    const res = await server.inject('/set');
    assert.deepEqual(res.headers['set-cookie'], [
      '__Host-b=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
      '__Host-c=kept; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=3600',
      '__Host-a=second; Path=/; HttpOnly; Secure; SameSite=Lax',
    ]);
    assert.equal(res.headers['cache-control'], 'no-store', 'S29');
    await server.close();
  });

  test('reading: the first of two same-named cookies, and nothing that is not one of our token values', async () => {
    const server = await app();
    const read = async (cookie: string) => (await server.inject({ url: '/read', headers: { cookie } })).json();
    assert.deepEqual(await read('__Host-a=abc_-.D9; __Host-b=x'), { a: 'abc_-.D9', b: 'x' });
    assert.deepEqual(await read('__Host-a=one;__Host-a=two'), { a: 'one', b: null });
    assert.deepEqual(await read('__Host-a="quoted"; __Host-b=a%20b'), { a: null, b: null });
    assert.deepEqual(await read(`__Host-a=${'x'.repeat(257)}; __Host-b=`), { a: null, b: null });
    assert.deepEqual(await read('garbage; =x; __Host-b'), { a: null, b: null });
    await server.close();
  });
});
