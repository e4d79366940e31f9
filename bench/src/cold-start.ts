// pnpm --filter @todo/bench cold-start: how long the production server takes from `node` to its
// first /readyz 200, and its resident memory at rest (5 s after that), compiled (node
// dist/start.js, what `pnpm start` runs) against the same sources through tsx. Each start is a
// fresh process on DATABASE_URL (PGlite in memory when unset); COLD_START_RUNS (5) of each,
// interleaved, medians printed. Build the server first (pnpm build).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, sleep } from './processes.ts';

const SERVER_DIR = fileURLToPath(new URL('../../apps/server/', import.meta.url));
const STARTS = {
  compiled: ['--max-semi-space-size=64', 'dist/start.js'],
  tsx: ['--max-semi-space-size=64', '--import', 'tsx', 'src/start.ts'],
} as const;
type Start = keyof typeof STARTS;
type Sample = { readyMs: number; rssMB: number };

const residentMB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

async function measure(start: Start): Promise<Sample> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, STARTS[start], {
    cwd: SERVER_DIR,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      BETTER_AUTH_SECRET: 'cold-start-secret-that-is-long-enough-0123456789',
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { PGLITE_DIR: 'memory' }),
    },
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${start}: the server exited with ${child.exitCode}`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ready) break;
      await sleep(25);
    }
    const readyMs = performance.now() - began;
    await sleep(5_000);
    return { readyMs, rssMB: residentMB(child.pid ?? 0) };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const runs = Number(process.env.COLD_START_RUNS ?? 5);
const samples: Record<Start, Sample[]> = { compiled: [], tsx: [] };
for (let run = 0; run < runs; run++) {
  for (const start of Object.keys(STARTS) as Start[]) samples[start].push(await measure(start));
}
console.log(`${runs} cold starts each, ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'PGlite in memory'}`);
for (const [start, list] of Object.entries(samples)) {
  const ready = list.map((sample) => sample.readyMs);
  const rss = list.map((sample) => sample.rssMB);
  console.log(
    `${start.padEnd(9)} ready ${(median(ready) / 1000).toFixed(2)} s (${(Math.min(...ready) / 1000).toFixed(2)}–${(Math.max(...ready) / 1000).toFixed(2)}), ` +
      `RSS at rest ${median(rss).toFixed(0)} MB (${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)})`,
  );
}
