import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../..');

type Outcome = { status: number; at: number; connection?: string } | { error: string; at: number };

/** One request on the shared keep-alive agent; never rejects: the outcome says what happened. */
function request(agent: http.Agent, port: number, options: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, agent, method: options.method, path: options.path, headers: options.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, at: Date.now(), connection: res.headers.connection }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, at: Date.now() }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, at: Date.now() }));
    req.setTimeout(15_000, () => req.destroy(new Error('client timeout')));
    req.end(options.body);
  });
}

describe('graceful shutdown (real server process, SQLite)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-shutdown-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('SIGTERM during a keep-alive burst: no connection reset, requests in flight finish, exit 0 within 10 s', { timeout: 90_000 }, async () => {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const metricsPort = port + 1;
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'info', SMTP_URL: '', METRICS_PORT: String(metricsPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    server.stdout.on('data', (d) => (log += d));
    server.stderr.on('data', (d) => (log += d));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => server.once('exit', (code) => resolve({ code, at: Date.now() })));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    try {
      let ready = false;
      for (let i = 0; i < 150 && !ready; i++) {
        await new Promise((r) => setTimeout(r, 100));
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      }
      assert.ok(ready, `server never became ready:\n${log}`);

      // The metrics listen on their own port only (started and stopped by server.ts).
      const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(scrape.status, 200);
      const exposition = await scrape.text();
      assert.match(exposition, /^espace_pro_http_requests_total\{route="\/readyz",method="GET",status_class="2xx"\} \d+$/m);
      assert.match(exposition, /^espace_pro_outbox_queue_depth 0$/m);
      assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404, 'not on the public port');

      // A login form to post: each POST costs one argon2 verification, so some requests are
      // still running when SIGTERM lands.
      const page = await fetch(`http://127.0.0.1:${port}/connexion`);
      const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const loginBody = new URLSearchParams({ _csrf: csrf, identifiant: '99999', mot_de_passe: 'pas le bon mot de passe' }).toString();

      let sigtermAt = 0;
      let completed = 0;
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const outcome =
            i % 3 === 0
              ? await request(agent, port, { method: 'POST', path: '/connexion', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: loginBody })
              : await request(agent, port, { method: 'GET', path: i % 3 === 1 ? '/connexion' : '/readyz' });
          if (++completed === 40) {
            sigtermAt = Date.now();
            server.kill('SIGTERM');
          }
          return outcome;
        }),
      );
      const exit = await exited;

      const errors = outcomes.filter((o): o is { error: string; at: number } => 'error' in o);
      const answered = outcomes.filter((o): o is { status: number; at: number } => 'status' in o);
      const summary = JSON.stringify({ errors: errors.map((e) => e.error), statuses: answered.map((o) => o.status) });
      assert.ok(sigtermAt > 0);
      assert.deepEqual(
        errors.filter((e) => e.error !== 'ECONNREFUSED'),
        [],
        `only refusals before connecting are allowed, never a reset or a hang-up: ${summary}`,
      );
      assert.ok(answered.length >= 40, summary);
      assert.ok(answered.every((o) => [200, 401, 429, 503].includes(o.status)), summary);
      assert.ok(answered.some((o) => o.at >= sigtermAt), `requests in flight at SIGTERM were answered: ${summary}`);
      assert.equal(exit.code, 0, log);
      assert.ok(exit.at - sigtermAt < 10_000, `exited ${exit.at - sigtermAt} ms after SIGTERM`);
      assert.match(log, /"msg":"shutting down/);
      assert.match(log, /"msg":"stopped"/);
      assert.equal(await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.status, (e) => e.cause?.code), 'ECONNREFUSED', 'metrics port closed too');
    } finally {
      agent.destroy();
      if (server.exitCode === null) server.kill('SIGKILL');
      await exited;
    }
  });
});
