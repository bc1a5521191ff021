// A professional shop relying on Espace Pro for sign-in (OpenID Connect, openid-client v6).
// Start: CLIENT_ID=… CLIENT_SECRET=… npx tsx examples/shop/shop.ts   (see src/modules/sso/README.md)
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import * as oidc from 'openid-client';

const ISSUER = process.env.ISSUER ?? 'http://localhost:3000/oidc';
const SHOP = process.env.SHOP_URL ?? 'http://localhost:8081';
const config = await oidc.discovery(new URL(ISSUER), process.env.CLIENT_ID!, undefined, oidc.ClientSecretBasic(process.env.CLIENT_SECRET!), {
  execute: ISSUER.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
});
// Shop sessions, in memory for the example: id → pending login or signed-in customer.
const sessions = new Map<string, { verifier?: string; state?: string; nonce?: string; claims?: Record<string, unknown>; idToken?: string }>();
const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

http.createServer(async (req, res) => {
  const url = new URL(req.url!, SHOP);
  const sid = /shop_sid=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
  const session = sid ? sessions.get(sid) : undefined;
  const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><meta charset="utf-8"><title>Boutique pro</title>${body}`);
  const go = (to: string, cookie?: string) => res.writeHead(303, { location: to, ...(cookie ? { 'set-cookie': cookie } : {}) }).end();
  try {
    if (url.pathname === '/login') {
      const id = randomBytes(16).toString('base64url');
      const pending = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
      sessions.set(id, pending);
      const to = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${SHOP}/callback`, scope: 'openid profile email customer', state: pending.state, nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier), code_challenge_method: 'S256',
      });
      return go(to.href, `shop_sid=${id}; Path=/; HttpOnly; SameSite=Lax`);
    }
    if (url.pathname === '/callback' && session?.verifier) {
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: session.verifier, expectedState: session.state, expectedNonce: session.nonce });
      sessions.set(sid!, { claims: tokens.claims(), idToken: tokens.id_token });
      return go('/');
    }
    if (url.pathname === '/logout' && session?.idToken) {
      sessions.delete(sid!);
      return go(oidc.buildEndSessionUrl(config, { id_token_hint: session.idToken, post_logout_redirect_uri: `${SHOP}/` }).href);
    }
    const c = session?.claims;
    // The person (name, e-mail), the company chosen at Espace Pro and the role there: the shop decides
    // what the role allows (Acheteur orders, Consultation only sees).
    const ROLES: Record<string, string> = { admin: 'Administrateur', buyer: 'Acheteur', viewer: 'Consultation' };
    if (c) {
      const who = c.name ?? c.email;
      const canOrder = c.role === 'admin' || c.role === 'buyer';
      return html(
        `<h1>Prix pro pour ${esc(c.company)} (${esc(c.customer_code)})</h1>` +
          `<p>Bonjour ${esc(who)} — ${esc(ROLES[String(c.role)] ?? c.role)}</p>` +
          `<p>${canOrder ? '<button>Commander</button>' : 'Votre rôle permet de consulter les prix, pas de commander.'}</p>` +
          `<p><a href="/logout">Se déconnecter</a></p>`,
      );
    }
    return html('<h1>Boutique pro</h1><p><a href="/login">Se connecter avec Mon Espace Pro</a></p>');
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`Connexion impossible : ${(error as Error).message}`);
  }
}).listen(Number(new URL(SHOP).port || 80), () => console.log(`Boutique pro on ${SHOP}`));
