// The mixed workload of CONTRACT.md "Performance" on every target: the servers start side by
// side, each is checked with one request of each kind, warmed up, and then measured in
// interleaved rounds by each load generator. One user's list latency follows, on the same servers.
import { type LatencyCase, measureLatencies } from './latency.ts';
import {
  autocannonDrive,
  createWorkload,
  type Drive,
  type LoadResult,
  listPath,
  measureRound,
  type Round,
  summarize,
} from './load.ts';
import type { Generator, Options, Target } from './options.ts';
import type { RunningProcess } from './processes.ts';
import type { BenchDatabase } from './seed.ts';
import { startTarget } from './targets.ts';
import { findWrk, wrkDrive } from './wrk.ts';

export type MixResults = Partial<Record<Generator, Partial<Record<Target, LoadResult>>>>;

/** One request of each kind must succeed before any load: a wrong URL would otherwise measure 404s. */
async function smokeTest(url: string, database: BenchDatabase) {
  const user = database.users[0]!;
  const todo = user.todos[0]!;
  const headers = { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' };
  const checks: [string, RequestInit & { path: string }][] = [
    ['todo.list', { path: listPath({ limit: 50 }), headers }],
    [
      'todo.create',
      { path: '/api/trpc/todo.create', method: 'POST', headers, body: '{"title":"Smoke test"}' },
    ],
    [
      'todo.update',
      {
        path: '/api/trpc/todo.update',
        method: 'POST',
        headers,
        body: JSON.stringify({ id: todo.id, completed: todo.completed }),
      },
    ],
  ];
  for (const [name, { path, ...init }] of checks) {
    const response = await fetch(url + path, { ...init, signal: AbortSignal.timeout(10_000) });
    const body = await response.text();
    if (response.status !== 200 || !body.startsWith('{"result":')) {
      throw new Error(`${name} answered ${response.status}: ${body.slice(0, 500)}`);
    }
  }
}

/**
 * Takes turns: `rounds` stretches per server and generator, in the order A B C, C B A, C B A,
 * A B C …, each generator in turn within a round, so that a neighbour's load on this shared
 * machine, or the database growing, weighs on every server and generator alike instead of on
 * whichever went last.
 */
async function measureMix(
  servers: Map<Target, RunningProcess>,
  drives: Map<Generator, Drive>,
  options: Options,
) {
  const rounds = Math.min(options.rounds, options.seconds);
  const roundSeconds = Math.floor(options.seconds / rounds);
  console.log(
    `measuring ${options.connections} connections, ${rounds} rounds of ${roundSeconds} s per server and generator (${[...drives.keys()].join(', ')}), taking turns`,
  );
  const measured = new Map<Generator, Map<Target, Round[]>>(
    [...drives.keys()].map((generator) => [
      generator,
      new Map(options.targets.map((target) => [target, []])),
    ]),
  );
  for (let round = 0; round < rounds; round++) {
    const order = Math.floor((round + 1) / 2) % 2 === 0 ? options.targets : [...options.targets].reverse();
    for (const [generator, drive] of drives) {
      for (const target of order) {
        const result = await measureRound(servers.get(target)!, drive, options.connections, roundSeconds);
        measured.get(generator)!.get(target)!.push(result);
        console.log(
          `  round ${round + 1} ${generator} ${target}: ${Math.round(result.requests / result.durationSeconds)} req/s` +
            (result.errors > 0 ? `, ${result.errors} errors` : ''),
        );
      }
    }
  }
  const load: MixResults = {};
  for (const [generator, byTarget] of measured) {
    load[generator] = Object.fromEntries(
      [...byTarget].map(([target, results]) => [target, summarize(results)]),
    );
  }
  return load;
}

/**
 * Starts every target side by side (an idle one costs nothing), checks and warms each, measures
 * the mix (not for BENCH_ONLY=latency) and one user's list latency, and stops them.
 */
export async function benchServers(
  database: BenchDatabase,
  options: Options,
): Promise<{ load: MixResults; latency: Partial<Record<Target, LatencyCase[]>> }> {
  const servers = new Map<Target, RunningProcess>();
  for (const target of options.targets) {
    console.log(`starting ${target}`);
    const server = await startTarget(target, database, options);
    servers.set(target, server);
    await smokeTest(server.url, database);
  }
  let load: MixResults = {};
  if (!options.latencyOnly) {
    const drives = new Map<Generator, Drive>([
      ['autocannon', autocannonDrive(createWorkload(database.users))],
    ]);
    const wrk = findWrk();
    if (wrk) drives.set('wrk', wrkDrive(wrk, database.users));
    else
      console.log('wrk is not on PATH: SKIPPING wrk, measuring with autocannon only (apt-get install wrk)');
    const warm = drives.get('autocannon')!;
    for (const [target, server] of options.warmupSeconds > 0 ? servers : []) {
      console.log(`warming up ${target} for ${options.warmupSeconds} s`);
      await warm({ url: server.url, connections: options.connections, seconds: options.warmupSeconds });
    }
    load = await measureMix(servers, drives, options);
  }
  const latency = await measureLatencies(servers, database, options);
  for (const server of servers.values()) await server.stop();
  return { load, latency };
}
