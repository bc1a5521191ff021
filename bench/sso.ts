// SSO row of the benchmark: full authorize → token → userinfo round trips per second for a customer
// already signed in (no password typed), on one process, SQLite, openid-client as the shop.
// Run: npx tsx bench/sso.ts [round trips, default 300] [concurrency, default 4]
import os from 'node:os';
import * as oidc from 'openid-client';
import { finishAuthorization, signIn, signInThroughShop, startSso, WebBrowser } from '../test/sso/support.js';

const total = Number(process.argv[2] ?? 300);
const concurrency = Number(process.argv[3] ?? 4);
const s = await startSso('sqlite');
try {
  const browsers = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const b = new WebBrowser();
      await signInThroughShop(s, b);
      return b;
    }),
  );
  let left = total;
  const started = performance.now();
  await Promise.all(
    browsers.map(async (b) => {
      while (left-- > 0) {
        const { callbackUrl, pending, askedPassword } = await signInThroughShop(s, b);
        if (askedPassword) throw new Error('password asked: not single sign-on');
        const tokens = await finishAuthorization(s, callbackUrl, pending);
        await oidc.fetchUserInfo(s.config, tokens.access_token, tokens.claims()!.sub);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const ssoRate = total / seconds;
  console.log(`${total} SSO round trips (authorize → code → token → userinfo), concurrency ${concurrency}: ${ssoRate.toFixed(1)}/s, ${((seconds / total) * 1000).toFixed(1)} ms each`);

  // Against, in the same run: password sign-ins (argon2id) on our login page, same concurrency.
  const logins = Math.max(20, Math.round(total / 5));
  let loginsLeft = logins;
  const t0 = performance.now();
  await Promise.all(
    browsers.map(async () => {
      while (loginsLeft-- > 0) {
        const res = await signIn(new WebBrowser(), `${s.origin}/connexion`);
        if (res.status !== 303) throw new Error(`login answered ${res.status}`);
      }
    }),
  );
  const loginRate = logins / ((performance.now() - t0) / 1000);
  const cpus = os.availableParallelism();
  console.log(`${logins} password sign-ins: ${loginRate.toFixed(1)}/s; SSO round trips ÷ password sign-ins = ${(ssoRate / loginRate).toFixed(1)}`);
  console.log(`per vCPU (${cpus}): ${(ssoRate / cpus).toFixed(1)} round trips/s, each with one token request; ÷ Keycloak's published ~120 token requests/s per vCPU = ${(ssoRate / cpus / 120).toFixed(2)} (the shop runs in this process too)`);
} finally {
  await s.close();
}
