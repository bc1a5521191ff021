// Reads a .cpuprofile (bench/profile-pages.ts, or node --cpu-prof): self time by package or
// source file (native work charged to the nearest JavaScript caller), then the top functions.
// Run: node bench/profile-top.mjs <file.cpuprofile> [iterations, to show ms per iteration] [functions shown]
import fs from 'node:fs';

const [file, itersArg = '1', topArg = '30'] = process.argv.slice(2);
const iterations = Number(itersArg);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const where = (n) => {
  const url = n.callFrame.url;
  if (!url) return null;
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/((src|test|bench|dist)\/.*)$/.exec(url);
  return own ? own[1] : url.startsWith('node:') ? null : url;
};
const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n) ?? n.callFrame.url}:${n.callFrame.lineNumber + 1}:${n.callFrame.columnNumber + 1}`;

let busy = 0;
const byOwner = new Map();
const byFunction = new Map();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (node.callFrame.functionName === '(idle)') continue;
  busy += us;
  let cur = id;
  let owner = null;
  while (cur !== undefined && owner === null) {
    owner = where(byId.get(cur));
    cur = parent.get(cur);
  }
  owner ??= node.callFrame.functionName;
  byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
  byFunction.set(name(node), (byFunction.get(name(node)) ?? 0) + us);
}
const show = (title, map, count) => {
  console.log(`\n${title} (busy ${(busy / 1000).toFixed(0)} ms, ${(busy / 1000 / iterations).toFixed(3)} ms per iteration)`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(us / 1000 / iterations).toFixed(3).padStart(9)} ms ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${k}`);
  }
};
show('Self time by package or file (native work charged to its JavaScript caller)', byOwner, 25);
show('Self time by function', byFunction, Number(topArg));
