// pnpm bench: records the request shapes from the clients (shapes.ts), seeds a throwaway
// database, starts the servers (targets.ts; BENCH_TARGETS picks some), checks one request of each
// kind in each shape on each, warms them up, then measures the mixed workload in both shapes in
// interleaved rounds with autocannon and, when it is on PATH, wrk (mix.ts). Then one
// user's list latency, the realtime workload on two fresh project servers (realtime.ts;
// BENCH_REALTIME=0 skips it, BENCH_STREAMS sets its streams, 2,000 by default, and
// BENCH_STREAMS_PER_USER how many of them each user holds, 2 by default) with three
// browser tabs of one user on a third (tabs.ts, when Chromium is there), and row-level
// security's cost. Prints a table per load generator and the ratios side by side, and writes
// JSON to bench/results/. Everything it starts it stops, on success, failure or Ctrl-C.
// BENCH_ONLY=latency measures one user's list latency alone: no mix, realtime or RLS.
// BENCH_ONLY=siege measures what a flood from one client costs another (siege.ts).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { findChromium } from '@todo/server/testing-chromium';
import { benchServers } from './mix.ts';
import { type Options, readOptions } from './options.ts';
import { onCleanup, runCleanups, withTimeout } from './processes.ts';
import { benchRealtime } from './realtime.ts';
import { printResults, type Results } from './report.ts';
import { measureRlsCost } from './rls.ts';
import { type BenchDatabase, createBenchDatabase, ensurePostgres } from './seed.ts';
import { describeTemplate, recordShape, SHAPES, type Shape, templateFor } from './shapes.ts';
import { benchSiege } from './siege.ts';
import { benchTabs, type TabsResult } from './tabs.ts';
import { fitPool, RESULTS_DIR, startTarget } from './targets.ts';

function describeRun(options: Options) {
  return (
    (options.latencyOnly
      ? `pnpm bench, list latency only: ${options.todosPerUser} and ${options.deepTodos.toLocaleString('en-US')} todos, ${options.latencySeconds} s per case, `
      : `pnpm bench: ${options.users} users × ${options.todosPerUser} todos, ${options.connections} connections, ` +
        `${options.warmupSeconds} s warm-up + ${options.seconds} s measured per server, `) +
    `pool ${options.poolMax}, ${cpus().length} CPUs, Node ${process.version}`
  );
}

/** Three browser tabs of one user on a fresh project server, or null (said so) without Chromium. */
async function measureTabs(database: BenchDatabase, options: Options): Promise<TabsResult | null> {
  const chromium = findChromium(process.env, existsSync);
  if (!chromium.found) {
    console.log(`realtime, three tabs: SKIPPED (${chromium.message})`);
    return null;
  }
  console.log('realtime: three tabs of one user in Chromium, writes from another client');
  const server = await startTarget('project', database, options);
  try {
    return await benchTabs(server, chromium.path);
  } finally {
    await server.stop();
  }
}

async function measure(database: BenchDatabase, options: Options, shapes: Shape[]): Promise<Results> {
  const { load, latency } = await benchServers(database, options, shapes);
  let realtime: Results['realtime'] = null;
  if (options.realtime) {
    // The servers get a forced full GC on SIGUSR2, so that memory is read after one.
    const gcFlags = ['--expose-gc', '--import', new URL('./gc-on-signal.ts', import.meta.url).href];
    // All its streams come from this one address: MAX_CONNECTIONS_PER_IP (256 by default) would
    // refuse most of the 2,000, which stand for as many devices.
    const manyClients = { MAX_CONNECTIONS_PER_IP: String(options.streams + options.connections + 100) };
    const startServer = () => startTarget('project', database, options, gcFlags, manyClients);
    realtime = await benchRealtime(database.users, startServer, {
      // The web app's requests: @todo/client's link.
      shape: shapes.find((shape) => shape.name === 'client')!,
      streams: options.streams,
      streamsPerUser: options.streamsPerUser,
      connections: options.connections,
      seconds: options.seconds,
      rounds: options.rounds,
      warmupSeconds: options.warmupSeconds,
    });
  } else if (!options.latencyOnly) {
    console.log('realtime: SKIPPED (BENCH_REALTIME=0)');
  }
  const tabs = options.realtime ? await measureTabs(database, options) : null;
  let rls: Results['rls'] = null;
  if (options.rlsIterations > 0 && !options.latencyOnly) {
    console.log('measuring row-level security’s cost in PostgreSQL');
    rls = await withTimeout(
      'measuring RLS',
      180_000,
      measureRlsCost(database.url, database.users, {
        iterations: options.rlsIterations,
        deep: database.deepUser,
        oneMember: database.shallowUser,
        depth: options.deepTodos - 1_000,
      }),
    );
  }
  return { shapes, load, latency, realtime, tabs, rls };
}

/** The JSON results: the settings, each shape's requests as measured, then what was measured. */
function writeResults(started: Date, options: Options, { shapes, ...measured }: Results) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}bench-${started.toISOString().replaceAll(':', '-')}.json`;
  const { adminUrl: _, ...settings } = options;
  const calls = ['list', 'create', 'update'] as const;
  const requests = Object.fromEntries(
    shapes.map((shape) => [
      shape.name,
      Object.fromEntries(calls.map((call) => [call, describeTemplate(templateFor(shape, call, true))])),
    ]),
  );
  const { load, latency, rls, realtime, tabs } = measured;
  const json = {
    started,
    node: process.version,
    cpus: cpus().length,
    settings,
    requests,
    load,
    latency,
    rls,
    realtime,
    tabs,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nwritten to bench/results/${file.slice(RESULTS_DIR.length)}`);
}

/** BENCH_ONLY=siege: seeds, runs siege.ts's floods against the compiled server, writes JSON. */
async function siege(options: Options, started: Date) {
  console.log(
    `pnpm bench, siege: ${options.siegeSeconds} s per phase, ${cpus().length} CPUs, Node ${process.version}`,
  );
  await ensurePostgres(options.adminUrl);
  const database = await withTimeout('seeding', 300_000, createBenchDatabase(options));
  onCleanup(database.drop);
  const phases = await benchSiege(database, options);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}siege-${started.toISOString().replaceAll(':', '-')}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ started, node: process.version, cpus: cpus().length, phases }, null, 2)}\n`,
  );
  console.log(`\nwritten to bench/results/${file.slice(RESULTS_DIR.length)}`);
}

async function main() {
  const options = readOptions();
  const started = new Date();
  if (options.siegeOnly) return siege(options, started);
  console.log(describeRun(options));
  // From the clients as they are at this moment: a change to @todo/client's link shows here.
  const shapes = await Promise.all(SHAPES.map(recordShape));
  await ensurePostgres(options.adminUrl);
  if (!options.latencyOnly) options.poolMax = await fitPool(options);

  console.log('seeding');
  const seedStarted = performance.now();
  const database = await withTimeout('seeding', 300_000, createBenchDatabase(options));
  onCleanup(database.drop);
  console.log(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const results = await measure(database, options, shapes);
  printResults(results, options);

  writeResults(started, options, results);
}

// A package manager passes Ctrl-C on as well, so the signal may come twice: the handler
// stays installed (a second signal would otherwise kill the process mid-cleanup, leaving
// the servers and the database behind); cleanups are bounded, so this always ends.
let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    console.error(`\n${signal}: stopping everything the benchmark started`);
    runCleanups().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  if (!exiting) await runCleanups();
}
