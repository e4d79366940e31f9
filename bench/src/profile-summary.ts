// Summarises a V8 .cpuprofile (from BENCH_PROFILE=1): where the server's CPU time went, by
// package and by function, self time and time including callees.
//   pnpm --filter @todo/bench profile:summary bench/results/profiles/CPU.….cpuprofile
import { readFileSync } from 'node:fs';

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const file = process.argv[2];
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [rows]');
  process.exit(1);
}
const rows = Number(process.argv[3] ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

// Idle samples are left out: a server waits while the other one is measured, and shares are
// of the time it was busy.
const selfMicros = new Map<number, number>();
let idleMicros = 0;
profile.samples.forEach((id, i) => {
  const micros = profile.timeDeltas[i] ?? 0;
  if (byId.get(id)?.callFrame.functionName === '(idle)') idleMicros += micros;
  else selfMicros.set(id, (selfMicros.get(id) ?? 0) + micros);
});
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

/** `better-auth`, `@trpc/server`, `node:internal`, `apps/server`… */
function area(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const pnpm = url.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pnpm) return pnpm[1]!;
  const workspace = url.match(/\/(apps|packages|bench)\/([^/]+)\//);
  return workspace ? `${workspace[1]}/${workspace[2]}` : url;
}

const label = (node: Node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${area(url)}${url ? `:${lineNumber + 1}` : ''}`;
};

const self = new Map<string, number>();
const selfByArea = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + micros);
  selfByArea.set(area(node.callFrame.url), (selfByArea.get(area(node.callFrame.url)) ?? 0) + micros);
  // Count each frame once per sample stack, however deep the recursion.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const name = label(byId.get(at)!);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
  }
}

const print = (title: string, entries: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
};
console.log(`${(total / 1e6).toFixed(1)} s busy (${(idleMicros / 1e6).toFixed(1)} s idle left out)`);
print('self time by package', selfByArea);
print('self time by function', self);
print('time including callees', inclusive);
