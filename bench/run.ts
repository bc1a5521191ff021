/**
 * `npm run bench [-- --quick]`: every figure is a ratio of two things measured side by side in
 * this one run, so it means something on a noisy shared machine. The two sides of a ratio are
 * measured in alternating slices (A B B A …) and the figure is the median of the per-round
 * ratios, so a drift of the machine's speed during the run hits both sides alike. Targets only
 * 127.0.0.1.
 */
import { insertPasswordlessAccount, setPassword } from '../src/modules/account/account.repository.js';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import autocannon from 'autocannon';
import pg from 'pg';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { sha256 } from '../src/shared/crypto.js';
import { ARGON2_PARAMS } from '../src/shared/hasher.js';
import { probeLatency } from './probe.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const QUICK = process.argv.includes('--quick');
/** `--logins`: only the first measures (pages and sign-ins, by code and by e-mail), no flood, no scale, no SSO. */
const LOGINS_ONLY = process.argv.includes('--logins');
/** Seconds per slice, and rounds of slices per figure. */
const SLICE = QUICK ? 1 : 2;
const ROUNDS = QUICK ? 3 : 5;
const PROBE_SECONDS = QUICK ? 4 : 10;
const PROBE_RATE = 200;
const FLOOD_CONNECTIONS = 200;
const BIG_FLOOD_CONNECTIONS = 800;
const ACCOUNTS = QUICK ? 10_000 : 100_000;
const SESSIONS = QUICK ? 100_000 : 1_000_000;
const PASSWORD = 'un banc d’essai bien mesuré';
const CORES = os.availableParallelism();

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const int = (n: number) => Math.round(n).toLocaleString('en');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function cannon(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: 10, duration: SLICE, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** Runs each step once per round, forwards then backwards, and collects each step's values. */
async function interleave<K extends string>(steps: Record<K, () => Promise<number>>): Promise<Record<K, number[]>> {
  const names = Object.keys(steps) as K[];
  const values = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) values[name].push(await steps[name]());
  }
  return values;
}

interface Ratio {
  value: number;
  low: number;
  high: number;
  a: number;
  b: number;
}

/** Median of the per-round ratios a[i] ÷ b[i], with their spread and the medians of each side. */
function ratioOf(a: number[], b: number[]): Ratio {
  const ratios = a.map((x, i) => x / b[i]!);
  return { value: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios), a: median(a), b: median(b) };
}

const showRatio = (r: Ratio, unit: string) => `**${r.value.toFixed(2)}** (rounds ${r.low.toFixed(2)}–${r.high.toFixed(2)}; ${int(r.a)} ÷ ${int(r.b)} ${unit})`;

/** Peak resident memory of a process, from the kernel's own high-water mark. */
function peakRssMb(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** Raw argon2id capacity: as many parallel hashes as cores, same parameters, for `seconds`. */
async function argonCapacity(seconds: number): Promise<number> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CORES }, async () => {
      while (performance.now() < end) {
        await hash(PASSWORD, { algorithm: 2 as never, ...ARGON2_PARAMS });
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

/** Starts a process that prints its address, or the built server and waits until it answers. */
async function startProcess(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; origin: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', TRUST_PROXY: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${origin}/connexion`).then((r) => r.status < 500, () => false)) return { child, origin };
    await sleep(100);
  }
  throw new Error(`${args.join(' ')} did not start`);
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
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

/** A real customer's login during the flood: a full hash queue answers 429, and they try again. */
async function timedLogin(origin: string, code: string): Promise<{ ms: number; tries: number }> {
  const t0 = performance.now();
  for (let tries = 1; ; tries++) {
    try {
      await signedInCookie(origin, code);
      return { ms: performance.now() - t0, tries };
    } catch (error) {
      if (!String(error).includes('429') || performance.now() - t0 > 30_000) throw error;
      await sleep(200);
    }
  }
}

interface Row {
  figure: string;
  value: string;
  target: string;
  pass: boolean | null;
}

/** A PostgreSQL schema of the bench's own, dropped at the end; its URL selects it for every connection. */
async function benchSchema(databaseUrl: string) {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

async function benchDatabase(label: string, baseUrl: string | null, bareOrigin: string, rows: Row[]) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'espace-pro-bench-'));
  const schema = baseUrl ? await benchSchema(baseUrl) : null;
  const databaseUrl = schema?.url ?? null;
  const env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '' };
  const database = openDatabase({ databaseUrl, sqliteFile: path.join(dataDir, 'espace-pro.sqlite') });
  await migrateToLatest(database.db);
  const passwordHash = await hash(PASSWORD, { algorithm: 2 as never, ...ARGON2_PARAMS });
  const now = Date.now();
  for (let i = 0; i < 20; i++) {
    const { accountId } = await insertPasswordlessAccount(database.db, { code: String(90000 + i), email: `bench${i}@x.fr`, company: `Banc ${i}`, now });
    await setPassword(database.db, accountId, passwordHash, now);
  }
  const { child, origin } = await startProcess(['dist/server.js'], env);
  try {
    const sessionCookie = await signedInCookie(origin, '90000');
    const { cookie, token } = await loginForm(origin);
    let n = 0;
    const successfulLogins = async (identifier: (i: number) => string) => {
      const r = await cannon({
        url: `${origin}/connexion`,
        method: 'POST',
        connections: CORES * 4,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        requests: [{ setupRequest: (req) => ({ ...req, body: new URLSearchParams({ _csrf: token, identifiant: identifier(n++ % 20), mot_de_passe: PASSWORD }).toString() }) }],
      });
      return r['3xx'] / (r.duration || SLICE);
    };
    const steps = {
      bare: async () => (await cannon({ url: bareOrigin })).requests.average,
      login: async () => (await cannon({ url: `${origin}/connexion` })).requests.average,
      signedIn: async () => (await cannon({ url: `${origin}/espace-pro`, headers: { cookie: sessionCookie } })).requests.average,
      logins: () => successfulLogins((i) => String(90000 + i)),
      // Company accounts: the same people signing in with their e-mail instead of the code (S47).
      emailLogins: () => successfulLogins((i) => `bench${i}@x.fr`),
      argon: () => argonCapacity(SLICE),
    };
    const measure = async (phase: string) => {
      log(`[${label}] ${phase}: login page, signed-in page and bare Fastify, ${ROUNDS} rounds of ${SLICE} s`);
      const pages = await interleave({ bare: steps.bare, login: steps.login, signedIn: steps.signedIn });
      log(`[${label}] ${phase}: successful logins and raw argon2id, ${ROUNDS} rounds of ${SLICE} s`);
      const hashing = await interleave({ logins: steps.logins, emailLogins: steps.emailLogins, argon: steps.argon });
      return {
        loginVsBare: ratioOf(pages.login, pages.bare),
        signedVsLogin: ratioOf(pages.signedIn, pages.login),
        loginsVsArgon: ratioOf(hashing.logins, hashing.argon),
        emailVsCode: ratioOf(hashing.emailLogins, hashing.logins),
      };
    };

    log(`[${label}] warming up`);
    for (const step of Object.values(steps)) await step();

    const first = await measure('empty database');
    rows.push({ figure: `${label}: login page ÷ bare Fastify (req/s)`, value: showRatio(first.loginVsBare, 'req/s'), target: '≥ 0.5', pass: first.loginVsBare.value >= 0.5 });
    rows.push({ figure: `${label}: signed-in page ÷ login page (req/s)`, value: showRatio(first.signedVsLogin, 'req/s'), target: '≥ 0.7', pass: first.signedVsLogin.value >= 0.7 });
    rows.push({ figure: `${label}: successful logins ÷ raw argon2id hashes on ${CORES} cores (per s)`, value: showRatio(first.loginsVsArgon, '/s'), target: '≥ 0.85', pass: first.loginsVsArgon.value >= 0.85 });
    rows.push({ figure: `${label}: sign-ins by e-mail ÷ sign-ins by code (per s)`, value: showRatio(first.emailVsCode, '/s'), target: '≥ 0.95', pass: first.emailVsCode.value >= 0.95 });
    if (LOGINS_ONLY) return;

    const calm = await probeLatency(`${origin}/connexion`, { seconds: PROBE_SECONDS, ratePerSecond: PROBE_RATE });
    /** The login page's latency while `connections` flood it with wrong passwords; customers sign in meanwhile. */
    const underFlood = async (connections: number, customers: string[]) => {
      log(`[${label}] flood: login page p99 at ${PROBE_RATE} req/s during ${connections} connections of wrong-password logins`);
      const floodSeconds = PROBE_SECONDS + 4;
      const floodChild = spawn(process.execPath, ['--import', 'tsx', 'bench/flood.ts', origin, cookie, token, String(floodSeconds), String(connections)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let floodOut = '';
      floodChild.stdout!.on('data', (d) => (floodOut += d));
      const floodRun = new Promise<{ total: number; statuses: Record<string, number> }>((resolve) => floodChild.once('exit', () => resolve(JSON.parse(floodOut || '{"total":0,"statuses":{}}'))));
      await sleep(1500);
      // Real customers sign in while the probe runs, spread over it.
      const legit = (async () => {
        const times = [];
        for (const code of customers) {
          await sleep((PROBE_SECONDS * 1000) / (customers.length + 1) - (times.at(-1)?.ms ?? 0));
          times.push(await timedLogin(origin, code));
        }
        return times;
      })();
      const stormy = await probeLatency(`${origin}/connexion`, { seconds: PROBE_SECONDS, ratePerSecond: PROBE_RATE });
      const logins = await legit;
      const flood = await floodRun;
      const ratio = stormy.p99 / calm.p99;
      const statuses = Object.entries(flood.statuses).map(([s, c]) => `${int(c)} × ${s}`).join(', ');
      return {
        ratio,
        value: `**${ratio.toFixed(1)}×** (${stormy.p99.toFixed(2)} ÷ ${calm.p99.toFixed(2)} ms; p50 ${stormy.p50.toFixed(2)} vs ${calm.p50.toFixed(2)} ms; ${stormy.errors + calm.errors} errors. Flood from another process: ${int(flood.total / floodSeconds)} attempts/s answered ${statuses})`,
        ok: stormy.errors === 0,
        logins: logins.map((l) => `${int(l.ms)} ms${l.tries > 1 ? ` (${l.tries} tries)` : ''}`).join(', then '),
      };
    };
    const flood = await underFlood(FLOOD_CONNECTIONS, ['90001', '90002']);
    rows.push({ figure: `${label}: login page p99 during the flood ÷ without (ms)`, value: flood.value, target: '≤ 3×', pass: flood.ratio <= 3 && flood.ok });
    rows.push({ figure: `${label}: a legitimate login during the flood`, value: flood.logins, target: 'signed in', pass: true });
    // More connections than the 256 attempts the hashing queue holds: the rest are refused (429).
    const big = await underFlood(BIG_FLOOD_CONNECTIONS, ['90003']);
    rows.push({ figure: `${label}: the same with ${BIG_FLOOD_CONNECTIONS} connections, beyond the hashing queue`, value: `${big.value}; a legitimate login: ${big.logins}`, target: '—', pass: null });

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
    const ids = await database.db.selectFrom('memberships').select(['account_id as id', 'company_id']).limit(1000).execute();
    const batch = databaseUrl ? 2000 : 5000;
    for (let done = 0; done < SESSIONS; done += batch) {
      const values = Array.from({ length: Math.min(batch, SESSIONS - done) }, (_, j) => ({
        id: sha256(randomBytes(16).toString('hex') + (done + j)),
        account_id: ids[(done + j) % ids.length]!.id,
        company_id: ids[(done + j) % ids.length]!.company_id,
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
      if ((done / batch) % 50 === 0) log(`  ${int(done)} / ${int(SESSIONS)}`);
    }
    const second = await measure('after scale');
    const drop = (before: Ratio, after: Ratio) => (before.value - after.value) / before.value;
    const scaleRow = (figure: string, before: Ratio, after: Ratio) =>
      rows.push({ figure, value: `${after.value.toFixed(2)} (was ${before.value.toFixed(2)}: ${drop(before, after) > 0 ? '−' : '+'}${Math.abs(drop(before, after) * 100).toFixed(0)} %)`, target: 'drop ≤ 10 %', pass: drop(before, after) <= 0.1 });
    scaleRow(`${label}: signed-in ÷ login page with ${ACCOUNTS.toLocaleString('en')} accounts and ${SESSIONS.toLocaleString('en')} sessions`, first.signedVsLogin, second.signedVsLogin);
    scaleRow(`${label}: logins ÷ argon2id capacity at that scale`, first.loginsVsArgon, second.loginsVsArgon);

    const rss = peakRssMb(child.pid!);
    rows.push({ figure: `${label}: peak RSS of the server over the whole run`, value: `${rss.toFixed(0)} MB`, target: '< 300 MB', pass: rss < 300 });
  } finally {
    await stop(child);
    await database.close();
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The single sign-on row: full authorize → token → userinfo round trips per second for a customer
 * already signed in, against password sign-ins (argon2id) in the same run and against Keycloak's
 * published sizing (about 120 token requests per second per vCPU). bench/sso.ts measures both.
 */
function benchSso(rows: Row[]) {
  log('[SQLite] single sign-on: authorize → token → userinfo for a signed-in customer, against password sign-ins');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/sso.ts', QUICK ? '100' : '300', '4'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
  const out = run.stdout ?? '';
  const rate = /: ([0-9.]+)\/s, ([0-9.]+) ms each/.exec(out);
  const ratio = /password sign-ins = ([0-9.]+)/.exec(out);
  const keycloak = /= ([0-9.]+) \(the shop runs/.exec(out);
  if (run.status !== 0 || !rate || !ratio || !keycloak) {
    rows.push({ figure: 'SQLite: single sign-on round trips', value: `not measured (${(run.stderr ?? '').split('\n')[0]})`, target: '—', pass: false });
    return;
  }
  rows.push({ figure: 'SQLite: single sign-on round trips per second (authorize → token → userinfo, signed in, shop in the same process)', value: `${rate[1]}/s (${rate[2]} ms each)`, target: '—', pass: null });
  rows.push({ figure: 'SQLite: single sign-on round trips ÷ password sign-ins (argon2id), same run', value: `**${ratio[1]}×**`, target: '> 1', pass: Number(ratio[1]) > 1 });
  rows.push({ figure: 'SQLite: round trips per vCPU ÷ Keycloak’s published ~120 token requests/s per vCPU', value: `${keycloak[1]}`, target: '—', pass: null });
}

async function main() {
  log('building (npm run build)…');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
  // The reference: Fastify answering "hello", in a process of its own as the real server is.
  const bare = await startProcess(['--import', 'tsx', 'bench/hello.ts']);
  const rows: Row[] = [];
  try {
    await benchDatabase('SQLite', null, bare.origin, rows);
    if (process.env.BENCH_DATABASE_URL) await benchDatabase('PostgreSQL', process.env.BENCH_DATABASE_URL, bare.origin, rows);
  } finally {
    await stop(bare.child);
  }
  if (!LOGINS_ONLY) benchSso(rows);
  const date = new Date().toISOString().slice(0, 10);
  const header = `# Espace Pro benchmark — ${date}${QUICK ? ' (quick)' : ''}\n\nMachine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${CORES} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Load from autocannon on 127.0.0.1. Each ratio is the median of ${ROUNDS} rounds of ${SLICE}-second slices taken in turn (A B, then B A…); the spread of the rounds is shown.\n\n`;
  const table = ['| figure | value | target | result |', '|---|---|---|---|', ...rows.map((r) => `| ${r.figure} | ${r.value} | ${r.target} | ${r.pass === null ? '—' : r.pass ? 'pass' : 'FAIL'} |`)].join('\n');
  const out = `${header}${table}\n`;
  const file = path.join(ROOT, 'bench', 'results', `${date}${QUICK ? '-quick' : ''}${LOGINS_ONLY ? '-logins' : ''}.md`);
  fs.writeFileSync(file, out);
  process.stdout.write(out);
  log(`written to ${path.relative(ROOT, file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
