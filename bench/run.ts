/**
 * `npm run bench [-- --quick]`: every figure is a ratio of two things measured side by side in
 * this one run, so it means something on a noisy shared machine. Targets only 127.0.0.1.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { ARGON2_PARAMS } from '../src/shared/hasher.js';
import { sha256 } from '../src/shared/crypto.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const QUICK = process.argv.includes('--quick');
const DURATION = QUICK ? 3 : 10;
const ACCOUNTS = QUICK ? 10_000 : 100_000;
const SESSIONS = QUICK ? 100_000 : 1_000_000;
const PASSWORD = 'un banc d’essai bien mesuré';
const CORES = os.availableParallelism();

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

type Result = autocannon.Result;
function cannon(options: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: 10, duration: DURATION, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** Peak resident memory of a process, from the kernel's own high-water mark. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Raw argon2id capacity: as many parallel hashes as cores, same parameters, for `seconds`. */
async function argonCapacity(seconds: number): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CORES }, async () => {
      while (Date.now() < end) {
        await hash(PASSWORD, { algorithm: 2 as never, ...ARGON2_PARAMS });
        done++;
      }
    }),
  );
  return done / seconds;
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; origin: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', TRUST_PROXY: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${origin}/connexion`).then((r) => r.ok, () => false)) return { child, origin };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

/** Cookie and CSRF token for posting the login form. */
async function loginForm(origin: string) {
  const page = await fetch(`${origin}/connexion`);
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  return { cookie, token };
}

async function signedInCookie(origin: string, code: string): Promise<string> {
  const { cookie, token } = await loginForm(origin);
  const res = await fetch(`${origin}/connexion`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, identifiant: code, mot_de_passe: PASSWORD }),
  });
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => c.includes('ep_session')).join('; ');
}

interface Row {
  figure: string;
  value: string;
  target: string;
  pass: boolean | null;
}

async function benchDatabase(label: string, databaseUrl: string | null, rows: Row[]) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-bench-'));
  const env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '' };
  const database = openDatabase({ databaseUrl, sqliteFile: path.join(dataDir, 'espace-pro.sqlite') });
  await migrateToLatest(database.db);
  const passwordHash = await hash(PASSWORD, { algorithm: 2 as never, ...ARGON2_PARAMS });
  const now = Date.now();
  for (let i = 0; i < 20; i++) {
    await database.db
      .insertInto('accounts')
      .values({ code: String(90000 + i), email: `bench${i}@x.fr`, email_lc: `bench${i}@x.fr`, company: `Banc ${i}`, password_hash: passwordHash, created_at: now, updated_at: now, activated_at: now, disabled_at: null, last_login_at: null, password_changed_at: null })
      .execute();
  }
  const { child, origin } = await startServer(env);
  try {
    const sessionCookie = await signedInCookie(origin, '90000');
    const measure = async (phase: string) => {
      log(`[${label}] ${phase}: login page`);
      const loginPage = await cannon({ url: `${origin}/connexion` });
      log(`[${label}] ${phase}: signed-in page`);
      const signedIn = await cannon({ url: `${origin}/espace-pro`, headers: { cookie: sessionCookie } });
      log(`[${label}] ${phase}: successful logins`);
      const { cookie, token } = await loginForm(origin);
      let n = 0;
      const logins = await cannon({
        url: `${origin}/connexion`,
        method: 'POST',
        connections: CORES * 4,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              body: new URLSearchParams({ _csrf: token, identifiant: String(90000 + (n++ % 20)), mot_de_passe: PASSWORD }).toString(),
            }),
          },
        ],
      });
      log(`[${label}] ${phase}: raw argon2id capacity`);
      const argon = await argonCapacity(Math.min(DURATION, 5));
      return { loginPage, signedIn, logins, argon };
    };

    log(`[${label}] bare Fastify hello`);
    const hello = Fastify();
    hello.get('/', async () => 'hello');
    const helloUrl = await hello.listen({ port: 0, host: '127.0.0.1' });
    const bare = await cannon({ url: helloUrl });
    await hello.close();

    const first = await measure('empty database');
    const loginOk = first.logins['2xx'] + first.logins['3xx'];
    const loginRate = loginOk / DURATION;
    rows.push({ figure: `${label}: login page req/s ÷ bare Fastify req/s`, value: `${first.loginPage.requests.average.toFixed(0)} ÷ ${bare.requests.average.toFixed(0)} = ${(first.loginPage.requests.average / bare.requests.average).toFixed(2)}`, target: '≥ 0.5', pass: first.loginPage.requests.average / bare.requests.average >= 0.5 });
    const r2 = first.signedIn.requests.average / first.loginPage.requests.average;
    rows.push({ figure: `${label}: signed-in page ÷ login page`, value: `${first.signedIn.requests.average.toFixed(0)} ÷ ${first.loginPage.requests.average.toFixed(0)} = ${r2.toFixed(2)}`, target: '≥ 0.7', pass: r2 >= 0.7 });
    const r3 = loginRate / first.argon;
    rows.push({ figure: `${label}: successful logins/s ÷ raw argon2id hashes/s (${CORES} cores)`, value: `${loginRate.toFixed(1)} ÷ ${first.argon.toFixed(1)} = ${r3.toFixed(2)}`, target: '≥ 0.85', pass: r3 >= 0.85 });

    log(`[${label}] flood: login page p99 without and with 200 wrong-password connections`);
    const calm = await cannon({ url: `${origin}/connexion`, connections: 4 });
    const { cookie, token } = await loginForm(origin);
    const floodChild = spawn(process.execPath, ['--import', 'tsx', 'bench/flood.ts', origin, cookie, token, String(DURATION)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let floodOut = '';
    floodChild.stdout!.on('data', (d) => (floodOut += d));
    const floodRun = new Promise<{ total: number; '4xx': number }>((resolve) => floodChild.once('exit', () => resolve(JSON.parse(floodOut || '{"total":0,"4xx":0}'))));
    await new Promise((r) => setTimeout(r, 1500));
    const stormy = await cannon({ url: `${origin}/connexion`, connections: 4, duration: Math.max(2, DURATION - 2) });
    // A real customer whose login meets a full hash queue gets the 429 page and tries again.
    const t0 = performance.now();
    let tries = 0;
    for (;;) {
      tries++;
      try {
        await signedInCookie(origin, '90001');
        break;
      } catch (error) {
        if (!String(error).includes('429') || performance.now() - t0 > 30_000) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const legitMs = performance.now() - t0;
    const flood = await floodRun;
    const r4 = stormy.latency.p99 / Math.max(1, calm.latency.p99);
    rows.push({ figure: `${label}: login page p99 during flood ÷ p99 without (ms)`, value: `${stormy.latency.p99} ÷ ${calm.latency.p99} = ${r4.toFixed(1)}× (flood from another process: ${flood.total} attempts, ${flood['4xx']} answered 401/429)`, target: '≤ 3×', pass: r4 <= 3 });
    rows.push({ figure: `${label}: a legitimate login during the flood`, value: `${legitMs.toFixed(0)} ms (${tries} attempt${tries > 1 ? 's' : ''}; a full hash queue answers 429 at once)`, target: 'signed in', pass: true });

    log(`[${label}] scale: import ${ACCOUNTS} accounts through the CLI`);
    const csvFile = path.join(dataDir, 'clients.csv');
    let csv = 'code;email;company\n';
    for (let i = 0; i < ACCOUNTS; i++) csv += `${String(i).padStart(5, '0')};client${i}@exemple.fr;Client ${i}\n`;
    fs.writeFileSync(csvFile, csv);
    const t1 = performance.now();
    const imported = spawnSync(process.execPath, ['dist/cli.js', 'account:import', csvFile], { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, encoding: 'utf8' });
    const importSeconds = (performance.now() - t1) / 1000;
    if (imported.status !== 0) throw new Error(imported.stderr);
    rows.push({ figure: `${label}: import ${ACCOUNTS.toLocaleString('en')} accounts (CLI, whole process)`, value: `${importSeconds.toFixed(1)} s`, target: label === 'SQLite' ? '< 30 s' : '—', pass: label === 'SQLite' ? importSeconds < 30 : null });

    log(`[${label}] scale: create ${SESSIONS} sessions`);
    const ids = await database.db.selectFrom('accounts').select('id').limit(1000).execute();
    const batch = databaseUrl ? 2000 : 5000;
    for (let done = 0; done < SESSIONS; done += batch) {
      const values = Array.from({ length: Math.min(batch, SESSIONS - done) }, (_, j) => ({
        id: sha256(randomBytes(16).toString('hex') + (done + j)),
        account_id: ids[(done + j) % ids.length]!.id,
        created_at: now,
        last_seen_at: now,
        expires_at: now + 12 * 3600_000,
        remember_series: null,
        ip: '127.0.0.1',
        user_agent: 'bench',
      }));
      await database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < values.length; i += 500) await trx.insertInto('sessions').values(values.slice(i, i + 500)).execute();
      });
    }
    const second = await measure('after scale');
    const r2b = second.signedIn.requests.average / second.loginPage.requests.average;
    const r3b = (second.logins['2xx'] + second.logins['3xx']) / DURATION / second.argon;
    rows.push({ figure: `${label}: signed-in ÷ login page with ${ACCOUNTS.toLocaleString('en')} accounts and ${SESSIONS.toLocaleString('en')} sessions`, value: `${r2b.toFixed(2)} (was ${r2.toFixed(2)}, ${(((r2b - r2) / r2) * 100).toFixed(0)}%)`, target: 'drop ≤ 10%', pass: r2b >= r2 * 0.9 });
    rows.push({ figure: `${label}: logins ÷ argon2id capacity at that scale`, value: `${r3b.toFixed(2)} (was ${r3.toFixed(2)}, ${(((r3b - r3) / r3) * 100).toFixed(0)}%)`, target: 'drop ≤ 10%', pass: r3b >= r3 * 0.9 });

    const rss = peakRssMb(child.pid!);
    rows.push({ figure: `${label}: peak RSS of the server`, value: `${rss.toFixed(0)} MB`, target: '< 300 MB', pass: rss < 300 });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  log('building (npm run build)…');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
  const rows: Row[] = [];
  await benchDatabase('SQLite', null, rows);
  if (process.env.BENCH_DATABASE_URL) await benchDatabase('PostgreSQL', process.env.BENCH_DATABASE_URL, rows);
  const date = new Date().toISOString().slice(0, 10);
  const header = `# Espace Pro benchmark — ${date}${QUICK ? ' (quick)' : ''}\n\nMachine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${CORES} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Load from autocannon on 127.0.0.1, ${DURATION} s per step, in the same run.\n\n`;
  const table = ['| figure | value | target | result |', '|---|---|---|---|', ...rows.map((r) => `| ${r.figure} | ${r.value} | ${r.target} | ${r.pass === null ? '—' : r.pass ? 'pass' : 'FAIL'} |`)].join('\n');
  const out = header + table + '\n';
  const file = path.join(ROOT, 'bench', 'results', `${date}${QUICK ? '-quick' : ''}.md`);
  fs.writeFileSync(file, out);
  process.stdout.write(out);
  log(`written to ${path.relative(ROOT, file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
