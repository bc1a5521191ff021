import { spawn } from 'node:child_process';

/**
 * Sends `count` concurrent wrong-password logins from a separate process, so the flood costs
 * the server what it would cost in production and not the test's own event loop.
 */
export function floodLogins(origin: string, count: number, cookie: string, csrf: string): { done: Promise<number[]> } {
  const script = `
    const [origin, count, cookie, csrf] = process.argv.slice(1);
    const jobs = Array.from({ length: Number(count) }, (_, i) =>
      fetch(origin + '/connexion', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, identifiant: String(50000 + i), mot_de_passe: 'un mauvais mot de passe' }),
      }).then((r) => r.status, () => 0));
    Promise.all(jobs).then((s) => { process.stdout.write(JSON.stringify(s)); });
  `;
  const child = spawn(process.execPath, ['-e', script, origin, String(count), cookie, csrf], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const done = new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out));
      } catch (error) {
        reject(error);
      }
    });
  });
  return { done };
}
