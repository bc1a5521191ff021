import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A real Espace Pro process (`src/server.ts`), as an operator runs it. */
export class Instance {
  readonly origin: string;
  private child: ChildProcess;
  readonly output: string[] = [];
  exited: Promise<number | null>;

  constructor(
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.origin = `http://127.0.0.1:${port}`;
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d) => this.output.push(String(d)));
    this.child.stderr!.on('data', (d) => this.output.push(String(d)));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Waits until the instance answers HTTP. */
  async ready(timeoutMs = 30_000): Promise<this> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ok = await fetch(`${this.origin}/healthz`).then(
        (r) => r.status < 500,
        () => false,
      );
      if (ok) return this;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`instance on ${this.port} did not start:\n${this.output.join('')}`);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null) this.child.kill(signal);
  }

  async stop(): Promise<void> {
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A minimal browser over real HTTP: a cookie jar, no redirects followed, CSRF tokens read from pages. */
export class HttpBrowser {
  readonly cookies = new Map<string, string>();

  private store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a.trim()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string): Promise<{ status: number; body: string; location: string | null }> {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: this.header() } });
    this.store(response);
    return { status: response.status, body: await response.text(), location: response.headers.get('location') };
  }

  async post(url: string, form: Record<string, string>): Promise<{ status: number; body: string; location: string | null }> {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    this.store(response);
    return { status: response.status, body: await response.text(), location: response.headers.get('location') };
  }

  async submit(pageUrl: string, actionUrl: string, form: Record<string, string>) {
    const page = await this.get(pageUrl);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (!token) throw new Error(`no CSRF token on ${pageUrl} (${page.status})`);
    return this.post(actionUrl, { _csrf: token, ...form });
  }
}
