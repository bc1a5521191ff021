import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');
const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Our own stylesheet and scripts, read once at start and served from memory with an ETag. */
export async function staticFiles(app: FastifyInstance) {
  const files = new Map<string, { body: Buffer; type: string; etag: string }>();
  for (const name of fs.existsSync(PUBLIC_DIR) ? fs.readdirSync(PUBLIC_DIR) : []) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    const body = fs.readFileSync(path.join(PUBLIC_DIR, name));
    files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
  }
  // Passkeys: @simplewebauthn/browser's own bundle (a dependency, not a copy in public/), served
  // from our origin like every script (CSP script-src 'self', no CDN).
  // (its package exports no subpath: the bundle is found next to its CommonJS entry, script/index.js)
  const webauthnEntry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  const webauthn = fs.readFileSync(path.resolve(path.dirname(webauthnEntry), '../dist/bundle/index.umd.min.js'));
  files.set('webauthn.js', { body: webauthn, type: TYPES['.js']!, etag: `"${createHash('sha256').update(webauthn).digest('base64url').slice(0, 16)}"` });
  // The brand colour from BRAND_COLOR, as custom properties (no inline style: the CSP forbids it).
  const { brandColor, brandLogo } = app.deps.config;
  const brandCss = Buffer.from(`:root{--brand:${brandColor};--brand-dark:${shade(brandColor, 0.75)};--brand-tint:${tint(brandColor, 0.9)}}\n`);
  files.set('brand.css', { body: brandCss, type: TYPES['.css']!, etag: `"${createHash('sha256').update(brandCss).digest('base64url').slice(0, 16)}"` });
  // BRAND_LOGO_URL naming a file under DATA_DIR: served as /static/logo.<ext>.
  if (brandLogo?.kind === 'file') {
    const body = fs.readFileSync(brandLogo.file);
    const type = brandLogo.ext === 'svg' ? 'image/svg+xml' : brandLogo.ext === 'png' ? 'image/png' : brandLogo.ext === 'webp' ? 'image/webp' : 'image/jpeg';
    files.set(`logo.${brandLogo.ext}`, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
  }
  app.get<{ Params: { name: string } }>('/static/:name', async (request, reply) => {
    const file = files.get(request.params.name);
    if (!file) return reply.callNotFound();
    reply.header('cache-control', 'public, max-age=3600').header('etag', file.etag).type(file.type);
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.send(file.body);
  });
}

/** #rrggbb multiplied towards black (factor < 1): darker, so white text on it stays AA. */
function shade(hex: string, factor: number): string {
  return '#' + [1, 3, 5].map((i) => Math.round(parseInt(hex.slice(i, i + 2), 16) * factor).toString(16).padStart(2, '0')).join('');
}

/** #rrggbb mixed with white (amount of white from 0 to 1): a light background for dark text. */
function tint(hex: string, white: number): string {
  return '#' + [1, 3, 5].map((i) => Math.round(parseInt(hex.slice(i, i + 2), 16) * (1 - white) + 255 * white).toString(16).padStart(2, '0')).join('');
}
