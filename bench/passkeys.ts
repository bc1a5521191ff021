// Passkeys row of the benchmark: the server's CPU for a passkey sign-in against a password sign-in
// (argon2id), measured twice, one at a time so that process.cpuUsage() — every thread of the
// process, the hashing threads included — counts exactly the server's work (the software
// authenticator's signing is left out):
//   1. the check of the secret alone: argon2id verification (the app's hasher) against
//      @simplewebauthn/server's verifyAuthenticationResponse (one ES256 signature);
//   2. the whole sign-in through the real routes (app.inject, SQLite), from a browser the account
//      already knows (no new-browser notice): page, (options,) post, session, audit.
// Target (issue 21): a passkey sign-in costs at most a tenth of a password sign-in's CPU.
// Run: npx tsx bench/passkeys.ts [sign-ins of each kind, default 200]
// The figures are printed and written to bench/results/passkeys-<date>.md (the explanation is added by hand).
import fs from 'node:fs';
import path from 'node:path';
import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { STRONG_PASSWORD } from '../test/helpers/accounts.js';
import { buildTestApp, csrfToken } from '../test/helpers/app.js';
import { passkeyOwner } from './passkey-owner.js';

const rounds = Number(process.argv[2] ?? 200);
const lines: string[] = [];
const say = (line: string) => {
  console.log(line);
  lines.push(line);
};
const t = await buildTestApp('sqlite');
const cpuMs = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};
try {
  const { authenticator, fresh, beforeOptions } = await passkeyOwner(t);

  const measure = async (kind: string, once: () => Promise<number>, afterWarmUp?: () => void) => {
    for (let i = 0; i < 10; i++) await once(); // warm-up: JIT, prepared statements, hashing threads
    afterWarmUp?.();
    let total = 0;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) total += await once();
    const wall = performance.now() - started;
    say(`${kind}: ${(total / rounds).toFixed(2)} ms CPU per sign-in (${rounds} sign-ins, ${(wall / rounds).toFixed(1)} ms wall each)`);
    return total / rounds;
  };

  // 1. The check of the secret alone.
  const hash = (await t.db.selectFrom('accounts').select('password_hash').executeTakeFirstOrThrow()).password_hash!;
  const argon = await measure('argon2id verification alone', async () => {
    const start = process.cpuUsage();
    if (!(await t.hasher.verify(hash, STRONG_PASSWORD))) throw new Error('wrong password');
    return cpuMs(start);
  });
  const row = await t.db.selectFrom('passkeys').selectAll().executeTakeFirstOrThrow();
  let counter = 1000;
  const assertion = await measure('assertion verification alone (verifyAuthenticationResponse, ES256)', async () => {
    const options = await generateAuthenticationOptions({ rpID: 'localhost' });
    const response = authenticator.assert(options as never, { counter: ++counter });
    const start = process.cpuUsage();
    const result = await verifyAuthenticationResponse({
      response: response as never,
      expectedChallenge: options.challenge,
      expectedOrigin: 'http://localhost:3000',
      expectedRPID: 'localhost',
      credential: { id: row.credential_id, publicKey: isoBase64URL.toBuffer(row.public_key), counter: counter - 1 },
      requireUserVerification: true,
    });
    const used = cpuMs(start);
    if (!result.verified) throw new Error('not verified');
    return used;
  });
  say(`check of the secret: assertion ÷ argon2id = ${(assertion / argon).toFixed(3)} (target ≤ 0.1): ${assertion / argon <= 0.1 ? 'met' : 'NOT met'}`);

  // 2. The whole sign-in.
  const password = await measure('password sign-in (GET /connexion, POST /connexion: argon2id)', async () => {
    const browser = fresh();
    const start = process.cpuUsage();
    const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
    const used = cpuMs(start);
    if (res.statusCode !== 303) throw new Error(`password sign-in answered ${res.statusCode}`);
    return used;
  });

  // Where the passkey sign-in's CPU goes, request by request (the same windows as its total).
  const parts = { page: 0, options: 0, assertion: 0 };
  const passkey = await measure('passkey sign-in (GET /connexion, POST options, POST /connexion/cle: one ES256 check)', async () => {
    const browser = fresh();
    beforeOptions();
    let start = process.cpuUsage();
    const html = await browser.get('/connexion');
    const page = cpuMs(start);
    const options = JSON.parse((await browser.post('/connexion/cle/options', { _csrf: csrfToken(html.body) })).body);
    const asked = cpuMs(start) - page;
    const answer = JSON.stringify(authenticator.assert(options)); // the authenticator's work, not the server's
    start = process.cpuUsage();
    const res = await browser.post('/connexion/cle', { _csrf: csrfToken(html.body), reponse: answer });
    const posted = cpuMs(start);
    if (res.statusCode !== 303) throw new Error(`passkey sign-in answered ${res.statusCode}`);
    parts.page += page;
    parts.options += asked;
    parts.assertion += posted;
    return page + asked + posted;
  }, () => Object.assign(parts, { page: 0, options: 0, assertion: 0 }));
  const perSignIn = (ms: number) => (ms / rounds).toFixed(2);
  say(`  of which GET /connexion ${perSignIn(parts.page)} ms, POST /connexion/cle/options ${perSignIn(parts.options)} ms, POST /connexion/cle ${perSignIn(parts.assertion)} ms`);

  const ratio = passkey / password;
  say(`whole sign-in: passkey ÷ password CPU = ${ratio.toFixed(3)} (target ≤ 0.1): ${ratio <= 0.1 ? 'met' : 'NOT met'}`);
  const date = new Date().toISOString().slice(0, 10);
  const file = path.join(import.meta.dirname, 'results', `passkeys-${date}.md`);
  const header = `# Passkeys: CPU of a sign-in (bench/passkeys.ts), ${date}\n\n\`npx tsx bench/passkeys.ts ${rounds}\` on the shared 2-core machine, SQLite, Node ${process.version}:\n\n`;
  fs.writeFileSync(file, `${header}\`\`\`\n${lines.join('\n')}\n\`\`\`\n`);
  console.log(`written to ${path.relative(process.cwd(), file)}`);
} finally {
  await t.close();
}
