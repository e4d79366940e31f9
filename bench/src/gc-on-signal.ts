// Loaded into the realtime benchmark's servers only (node --expose-gc --import <this file>):
// SIGUSR2 runs a full garbage collection, so that their memory is read after one, not
// whenever V8 last chose to collect, and writes process.memoryUsage() then to
// memoryUsageFile(pid), for the benchmark to read the heap's share of the RSS.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const memoryUsageFile = (pid: number) => join(tmpdir(), `todo-bench-memory-${pid}.json`);

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  writeFileSync(memoryUsageFile(process.pid), JSON.stringify(process.memoryUsage()));
});
