/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { loadConfig } from '../../src/config.js';
import { sendPageRenderedOnce } from '../../src/plugins/views.js';
import { h } from '../../src/views/jsx.js';

async function app() {
  const server = Fastify();
  server.decorate('deps', { config: loadConfig({ LOG_LEVEL: 'silent' }), csrfKey: 'clé de test' } as never);
  server.get<{ Querystring: { nom: string } }>('/page', async (request, reply) =>
    sendPageRenderedOnce(request, reply, 'page', (ctx, slots) => (
      <p title={slots.nom} data-jeton={ctx.csrfToken}>
        Bonjour {slots.nom}
      </p>
    ), { nom: request.query.nom }),
  );
  server.get('/transforme', async (request, reply) =>
    sendPageRenderedOnce(request, reply, 'transforme', (_ctx, slots) => <p>{slots.nom.toUpperCase().slice(0, 8)}</p>, { nom: 'x' }),
  );
  return server;
}

describe('pages rendered once', () => {
  test('S25 each answer gets its own values, HTML-encoded in text and attribute', async () => {
    const server = await app();
    const a = await server.inject({ url: '/page', query: { nom: 'Librairie du Port' } });
    const b = await server.inject({ url: '/page', query: { nom: `<b>"L'Atelier" & fils</b>` } });
    assert.match(a.body, /<p title="Librairie du Port" data-jeton="[\w-]{43}">Bonjour Librairie du Port<\/p>/);
    assert.match(b.body, /title="&lt;b&gt;&quot;L&#39;Atelier&quot; &amp; fils&lt;\/b&gt;"/);
    assert.match(b.body, />Bonjour &lt;b&gt;&quot;L&#39;Atelier&quot; &amp; fils&lt;\/b&gt;<\/p>/);
    assert.doesNotMatch(a.body + b.body, /\u2063/);
    await server.close();
  });

  test('a template that transforms a slot is refused instead of showing a broken page', async () => {
    const server = await app();
    const res = await server.inject('/transforme');
    assert.equal(res.statusCode, 500);
    assert.match(res.json().message, /transformed/);
    await server.close();
  });
});
