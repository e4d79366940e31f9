// Child processes the benchmark starts, and the guarantee that it stops every one of them:
// each runs in its own process group (so a tsx wrapper and its node child go together),
// is registered for cleanup before anything can fail, and is killed in `finally` and on signals.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

type Cleanup = () => Promise<void>;
const cleanups: Cleanup[] = [];
let stopping = false;

/** Registers `fn` to run (last in, first out) when the benchmark ends, however it ends. */
export function onCleanup(fn: Cleanup): void {
  if (stopping) {
    fn().catch(() => {});
    return;
  }
  cleanups.push(fn);
}

/** Runs every registered cleanup once; safe to call from `finally` and a signal handler alike. */
export async function runCleanups(): Promise<void> {
  stopping = true;
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    await fn().catch((error: unknown) => console.error(`cleanup failed: ${String(error)}`));
  }
}

// The tests' toolkit has it (apps/server/src/testing.ts); the benchmark starts servers alike.
export { freePort } from '@todo/server/testing';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects after `ms` with a message naming what took too long. */
export async function withTimeout<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export type RunningProcess = {
  name: string;
  url: string;
  /** The server's own process (node itself: tsx runs in it as a loader). */
  pid: number | undefined;
  /** CPU seconds (user + system) the server process has used so far; null off Linux. */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
};

/** From /proc/<pid>/stat: utime and stime, in clock ticks (100 per second on Linux). */
function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by each local PostgreSQL process (the postmaster and its backends),
 * which share the machine's cores with the server under test; null off Linux.
 */
export function databaseCpuSeconds(): Map<number, number> | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const seconds = new Map<number, number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const used = processCpuSeconds(pid);
    if (used !== null) seconds.set(pid, used);
  }
  return seconds;
}

/**
 * The database's CPU between two readings: what each process used since the first (all of it
 * for one that started since). A process that ended in between is missed, so the benchmark
 * keeps its pools' connections open; null when no PostgreSQL runs here (a remote database).
 */
export function databaseCpuBetween(
  before: Map<number, number> | null,
  after: Map<number, number> | null,
): number | null {
  if (!before || !after || after.size === 0) return null;
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Starts an HTTP server as a child process and waits until `GET <url>/readyz` answers 200.
 * Its stdout is discarded (request logs); the tail of stderr is kept to explain a failure.
 */
export async function startHttpServer(options: {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  port: number;
  readyTimeoutMs: number;
}): Promise<RunningProcess> {
  if (stopping) throw new Error(`not starting ${options.name}: the benchmark is stopping`);
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      killGroup(child, 'SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        killGroup(child, 'SIGKILL');
        await Promise.race([exited, sleep(2_000)]);
      }
    })();
    return stopped;
  };
  onCleanup(stop);

  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + options.readyTimeoutMs;
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${options.name} exited before it was ready:\n${stderr}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} not ready after ${options.readyTimeoutMs / 1000} s:\n${stderr}`);
    }
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  return { name: options.name, url, pid: child.pid, cpuSeconds: () => processCpuSeconds(child.pid), stop };
}
