/**
 * The flood of wrong-password logins, in a process of its own so the load generator does not
 * slow down the probe that measures the login page.
 * Usage: tsx bench/flood.ts ORIGIN COOKIE TOKEN SECONDS CONNECTIONS
 */
import autocannon from 'autocannon';

const [origin, cookie, token, seconds, connections] = process.argv.slice(2);
let k = 0;
autocannon(
  {
    url: `${origin}/connexion`,
    method: 'POST',
    connections: Number(connections),
    duration: Number(seconds),
    headers: { cookie: cookie!, 'content-type': 'application/x-www-form-urlencoded' },
    requests: [
      {
        setupRequest: (req) => {
          k++;
          // Every attempt from a different forwarded address and identifier, so neither the IP
          // limit nor the per-identifier delay stops the hashing: the worst case for the queue.
          return {
            ...req,
            headers: { ...req.headers, 'x-forwarded-for': `198.18.${(k >> 8) & 255}.${k & 255}` },
            body: new URLSearchParams({ _csrf: token!, identifiant: String(10000 + (k % 80000)), mot_de_passe: 'mauvais mot de passe' }).toString(),
          };
        },
      },
    ],
  },
  (error, result) => {
    if (error) throw error;
    const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]));
    process.stdout.write(JSON.stringify({ total: result.requests.total, '4xx': result['4xx'], statuses }));
  },
);
