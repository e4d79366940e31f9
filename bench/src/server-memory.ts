// A server's memory as the realtime workload reads it: after forced full GCs (gc-on-signal.ts),
// so that the figure is what the streams hold, not what V8 has not collected yet.
import { readFileSync, rmSync } from 'node:fs';
import { memoryUsageFile } from './gc-on-signal.ts';
import { type RunningProcess, sleep } from './processes.ts';

/** VmRSS of a Linux process, in bytes. */
function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1_024;
}

export type Memory = { rssBytes: number; heapUsedBytes: number; externalBytes: number };

/** The server's memory after two full GCs (gc-on-signal.ts) and a pause for them and their sweeps. */
export async function settledMemory(server: RunningProcess): Promise<Memory> {
  const file = memoryUsageFile(server.pid!);
  for (let i = 0; i < 2; i++) {
    process.kill(server.pid!, 'SIGUSR2');
    await sleep(1_500);
  }
  const usage = JSON.parse(readFileSync(file, 'utf8')) as NodeJS.MemoryUsage;
  rmSync(file, { force: true });
  return {
    rssBytes: residentBytes(server.pid!),
    heapUsedBytes: usage.heapUsed,
    externalBytes: usage.external,
  };
}
