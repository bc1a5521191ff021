// npm run smoke:dist — CI's check that the BUILT output works (`npm run build` first): starts
// `node dist/server.js` once on 127.0.0.1 with a throw-away SQLite DATA_DIR, creates an account with
// `node dist/cli.js`, activates it through the mailed link (the .eml the outbox writes), signs in
// through the Authentification page, opens Mon Espace Pro, then stops the server with SIGTERM and
// expects a clean exit. Plain Node, no tsx: nothing here can hide a tsx-only import. Bounded: 90 s.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const DEADLINE_MS = 90_000;
const PASSWORD = 'une mouette grise survole le port de Brest';
const started = Date.now();

if (!fs.existsSync(path.join(root, 'dist', 'server.js'))) {
  console.error('smoke: dist/server.js is missing; run `npm run build` first');
  process.exit(2);
}

const port = await new Promise((resolve, reject) => {
  const server = net.createServer();
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const origin = `http://127.0.0.1:${port}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-smoke-'));
const env = {
  ...process.env,
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: String(port),
  PUBLIC_URL: origin,
  SUPPORT_EMAIL: 'service-client@cartotheque.test',
  DATA_DIR: dataDir,
  DATABASE_URL: '',
  SMTP_URL: '',
  METRICS_PORT: '',
  LOG_LEVEL: 'warn',
};

let server;
let serverLog = '';
let stopping = false;
const finish = (code, message) => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (code !== 0) console.error(`smoke: FAILED after ${Date.now() - started} ms: ${message}\n--- server output ---\n${serverLog.slice(-4000)}`);
  else console.log(`smoke: ${message} (${Date.now() - started} ms)`);
  process.exit(code);
};
const guard = setTimeout(() => finish(1, `no result within ${DEADLINE_MS / 1000} s`), DEADLINE_MS);
const check = (condition, message) => {
  if (!condition) finish(1, message);
};

try {
  // 1. The operator's command, compiled.
  const created = spawnSync(process.execPath, ['dist/cli.js', 'account:create', '--code', '12345', '--email', 'smoke@example.test', '--company', 'Librairie du Port'], { cwd: root, env, encoding: 'utf8', timeout: 30_000 });
  check(created.status === 0, `dist/cli.js account:create exited with ${created.status}: ${created.stderr}`);

  // 2. The server, compiled.
  server = spawn(process.execPath, ['dist/server.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (c) => (serverLog += c));
  server.stderr.on('data', (c) => (serverLog += c));
  server.on('exit', (code) => {
    if (!stopping) finish(1, `dist/server.js exited early with code ${code}`);
  });
  for (;;) {
    const ready = await fetch(`${origin}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  // A browser: cookies by name, CSRF token from the page, Origin on posts, no automatic redirects.
  const jar = new Map();
  const request = async (url, form) => {
    const headers = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    let body;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = origin;
      body = new URLSearchParams(form).toString();
    }
    const response = await fetch(new URL(url, origin), { method: form ? 'POST' : 'GET', headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (!value || attrs.some((a) => /max-age=0\b/i.test(a.trim()))) jar.delete(name);
      else jar.set(name, value);
    }
    return { status: response.status, location: response.headers.get('location'), html: await response.text() };
  };
  const csrf = (html) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  // 3. "Mot de passe oublié ? / Première connexion": the link arrives as an .eml file.
  const forgot = await request('/mot-de-passe-oublie');
  check(forgot.status === 200, `GET /mot-de-passe-oublie answered ${forgot.status}`);
  const asked = await request('/mot-de-passe-oublie', { _csrf: csrf(forgot.html), identifiant: '12345', email: 'smoke@example.test' });
  check(asked.status === 303, `POST /mot-de-passe-oublie answered ${asked.status}`);
  const outbox = path.join(dataDir, 'outbox');
  let link;
  while (!link) {
    for (const name of fs.existsSync(outbox) ? fs.readdirSync(outbox) : []) {
      // Quoted-printable: soft line breaks and "=3D" undone before looking for the link.
      const text = fs.readFileSync(path.join(outbox, name), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
      link = /\/activation\?token=([A-Za-z0-9_-]+)/.exec(text)?.[0] ?? link;
    }
    if (!link) await new Promise((r) => setTimeout(r, 200));
  }

  // 4. The link, then a password.
  const entered = await request(link);
  check(entered.status === 303, `GET the mailed link answered ${entered.status}`);
  const activation = await request(entered.location);
  check(activation.status === 200, `GET /activation answered ${activation.status}`);
  const saved = await request('/activation', { _csrf: csrf(activation.html), mot_de_passe: PASSWORD, confirmation: PASSWORD });
  check(saved.status === 303 && /^\/connexion/.test(saved.location ?? ''), `POST /activation answered ${saved.status} ${saved.location}`);

  // 5. Sign in through Authentification, then Mon Espace Pro.
  const login = await request('/connexion');
  const signedIn = await request('/connexion', { _csrf: csrf(login.html), identifiant: '12345', mot_de_passe: PASSWORD });
  check(signedIn.status === 303 && signedIn.location === '/espace-pro', `POST /connexion answered ${signedIn.status} ${signedIn.location}`);
  const home = await request('/espace-pro');
  check(home.status === 200 && home.html.includes('Librairie du Port'), `GET /espace-pro answered ${home.status}`);
  const css = await request('/static/app.css');
  check(css.status === 200 && css.html.length > 100, `GET /static/app.css answered ${css.status}`);

  // 6. Graceful stop.
  stopping = true;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  const code = await exited;
  clearTimeout(guard);
  check(code === 0, `dist/server.js exited with ${code} after SIGTERM`);
  finish(0, `OK: node dist/server.js on ${origin} — account created with dist/cli.js, activated through the mailed link, signed in, Mon Espace Pro shown, stopped cleanly`);
} catch (error) {
  finish(1, error instanceof Error ? error.stack ?? error.message : String(error));
}
