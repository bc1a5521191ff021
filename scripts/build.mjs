// npm run build: compiles src/ to dist/ (plain JavaScript, run with `node dist/server.js`, no tsx),
// then copies what the compiled code reads from disk beside itself. public/ (stylesheet, scripts)
// stays where it is: dist/plugins/static-files.js reads ../../public, as src/ does.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
// A clean output: a file removed from src/ must not linger in dist/.
fs.rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
// The breached-password list (src/shared/password-policy.ts reads it beside itself).
const data = path.join(dist, 'shared', 'data');
fs.mkdirSync(data, { recursive: true });
for (const name of fs.readdirSync(path.join(root, 'src', 'shared', 'data'))) {
  if (name.endsWith('.gz')) fs.copyFileSync(path.join(root, 'src', 'shared', 'data', name), path.join(data, name));
}
console.log(`Built ${path.relative(root, dist)}/: start it with \`npm run start:prod\` (node dist/server.js); operator commands with \`node dist/cli.js\`.`);
