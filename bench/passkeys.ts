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
import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { seedAccount, STRONG_PASSWORD } from '../test/helpers/accounts.js';
import { Browser, buildTestApp, csrfToken } from '../test/helpers/app.js';
import { SoftAuthenticator } from '../test/helpers/webauthn.js';

const rounds = Number(process.argv[2] ?? 200);
const t = await buildTestApp('sqlite');
const cpuMs = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};
try {
  await seedAccount(t);
  // One passkey, added as the page does.
  const owner = new Browser(t.app);
  await owner.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
  const authenticator = new SoftAuthenticator();
  const page = await owner.get('/espace-pro/cles');
  const creation = JSON.parse((await owner.post('/espace-pro/cles/options', { _csrf: csrfToken(page.body) })).body);
  await owner.post('/espace-pro/cles', { _csrf: csrfToken(page.body), reponse: JSON.stringify(authenticator.register(creation)) });

  // The browser is one the account knows (its cookie), as for a customer on their own computer.
  const knownBrowser = owner.jar.get('__Host-ep_browser')!;
  const fresh = () => {
    const browser = new Browser(t.app);
    browser.jar.cookies.set('__Host-ep_browser', knownBrowser);
    return browser;
  };

  const measure = async (kind: string, once: () => Promise<number>) => {
    for (let i = 0; i < 10; i++) await once(); // warm-up: JIT, prepared statements, hashing threads
    let total = 0;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) total += await once();
    const wall = performance.now() - started;
    console.log(`${kind}: ${(total / rounds).toFixed(2)} ms CPU per sign-in (${rounds} sign-ins, ${(wall / rounds).toFixed(1)} ms wall each)`);
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
  console.log(`check of the secret: assertion ÷ argon2id = ${(assertion / argon).toFixed(3)} (target ≤ 0.1): ${assertion / argon <= 0.1 ? 'met' : 'NOT met'}`);

  // 2. The whole sign-in.
  const password = await measure('password sign-in (GET /connexion, POST /connexion: argon2id)', async () => {
    const browser = fresh();
    const start = process.cpuUsage();
    const res = await browser.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
    const used = cpuMs(start);
    if (res.statusCode !== 303) throw new Error(`password sign-in answered ${res.statusCode}`);
    return used;
  });

  const passkey = await measure('passkey sign-in (GET /connexion, POST options, POST /connexion/cle: one ES256 check)', async () => {
    const browser = fresh();
    let start = process.cpuUsage();
    const html = await browser.get('/connexion');
    const options = JSON.parse((await browser.post('/connexion/cle/options', { _csrf: csrfToken(html.body) })).body);
    let used = cpuMs(start);
    const answer = JSON.stringify(authenticator.assert(options)); // the authenticator's work, not the server's
    start = process.cpuUsage();
    const res = await browser.post('/connexion/cle', { _csrf: csrfToken(html.body), reponse: answer });
    used += cpuMs(start);
    if (res.statusCode !== 303) throw new Error(`passkey sign-in answered ${res.statusCode}`);
    return used;
  });

  const ratio = passkey / password;
  console.log(`whole sign-in: passkey ÷ password CPU = ${ratio.toFixed(3)} (target ≤ 0.1): ${ratio <= 0.1 ? 'met' : 'NOT met'}`);
} finally {
  await t.close();
}
