// Drives one path many times through app.inject (SQLite in memory) and writes a CPU profile of
// those requests only (after a warm-up; the start-up and module loading are left out).
// Run: npx tsx bench/profile-pages.ts <passkey|password|login|signedin> [n] [out.cpuprofile]
// Read it with Chrome DevTools (Performance → Load profile), or `node bench/profile-top.mjs out.cpuprofile`.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { STRONG_PASSWORD } from '../test/helpers/accounts.js';
import { buildTestApp, csrfToken } from '../test/helpers/app.js';
import { passkeyOwner } from './passkey-owner.js';

const which = process.argv[2] ?? 'passkey';
const n = Number(process.argv[3] ?? 2000);
const out = process.argv[4] ?? `${which}.cpuprofile`;
const t = await buildTestApp('sqlite');
try {
  const { owner, authenticator, fresh, beforeOptions } = await passkeyOwner(t);
  const once: Record<string, () => Promise<void>> = {
    passkey: async () => {
      const browser = fresh();
      beforeOptions();
      const html = await browser.get('/connexion');
      const options = JSON.parse((await browser.post('/connexion/cle/options', { _csrf: csrfToken(html.body) })).body);
      const res = await browser.post('/connexion/cle', { _csrf: csrfToken(html.body), reponse: JSON.stringify(authenticator.assert(options)) });
      if (res.statusCode !== 303) throw new Error(String(res.statusCode));
    },
    password: async () => {
      const browser = fresh();
      const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      if (res.statusCode !== 303) throw new Error(String(res.statusCode));
    },
    login: async () => {
      const res = await t.app.inject({ url: '/connexion' });
      if (res.statusCode !== 200) throw new Error(String(res.statusCode));
    },
    signedin: async () => {
      const res = await t.app.inject({ url: '/espace-pro', headers: { cookie: owner.jar.header() } });
      if (res.statusCode !== 200) throw new Error(String(res.statusCode));
    },
  };
  for (let i = 0; i < 50; i++) await once[which]!();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const start = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await once[which]!();
  const d = process.cpuUsage(start);
  const { profile } = await session.post('Profiler.stop');
  fs.writeFileSync(out, JSON.stringify(profile));
  session.disconnect();
  console.log(`${which}: ${((d.user + d.system) / 1000 / n).toFixed(3)} ms CPU each, ${((performance.now() - t0) / n).toFixed(3)} ms wall`);
} finally {
  await t.close();
}
