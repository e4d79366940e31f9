// The mixed workload of CONTRACT.md "Performance" on every target, in both request shapes
// (shapes.ts): the servers start side by side, each is checked with one call of each kind in each
// shape, warmed up, and then measured in interleaved rounds by each load generator. One user's
// list latency follows, on the same servers.
import { type LatencyCase, measureLatencies } from './latency.ts';
import {
  autocannonDrive,
  createWorkload,
  type Drive,
  type LoadResult,
  measureRound,
  type Round,
  summarize,
} from './load.ts';
import type { Generator, Options, Target } from './options.ts';
import type { RunningProcess } from './processes.ts';
import type { BenchDatabase } from './seed.ts';
import { fill, SHAPE_CLIENTS, SHAPES, type Shape, type ShapeName } from './shapes.ts';
import { startTarget } from './targets.ts';
import { findWrk, wrkDrive } from './wrk.ts';

export type MixResults = Partial<Record<Generator, Partial<Record<Target, LoadResult>>>>;
export type MixByShape = Partial<Record<ShapeName, MixResults>>;

/**
 * Before any load, each shape's client must get sensible answers from `url` (a target that
 * answered a shape wrongly would otherwise be measured on errors), and each shape's requests
 * as the load generators send them must answer 200.
 */
async function smokeTest(url: string, database: BenchDatabase, shapes: Shape[]) {
  const user = database.users[0]!;
  const todo = user.todos[0]!;
  for (const shape of shapes) {
    const api = SHAPE_CLIENTS[shape.name]({ url, token: user.token, fetch });
    const what = `${shape.name} shape at ${url}`;
    const page = await api.todo.list.query({ listId: user.listId, limit: 50 });
    if (!Array.isArray(page?.items)) throw new Error(`${what}: todo.list answered ${JSON.stringify(page)}`);
    const created = await api.todo.create.mutate({ listId: user.listId, title: 'Smoke test' });
    if (created?.title !== 'Smoke test')
      throw new Error(`${what}: todo.create answered ${JSON.stringify(created)}`);
    const updated = await api.todo.update.mutate({ id: todo.id, completed: todo.completed });
    if (updated?.id !== todo.id) throw new Error(`${what}: todo.update answered ${JSON.stringify(updated)}`);
    const requests = [
      fill(shape.list, { token: user.token, list: user.listId }),
      fill(shape.create, { token: user.token, list: user.listId, title: 'Smoke test' }),
      fill(shape.update[todo.completed ? 'completed' : 'active'], { token: user.token, id: todo.id }),
    ];
    for (const { method, path, headers, body } of requests) {
      const response = await fetch(url + path, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      if (response.status !== 200)
        throw new Error(`${what}: ${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    }
  }
}

type Drives = Map<Generator, Map<ShapeName, Drive>>;

function createDrives(database: BenchDatabase, shapes: Shape[]): Drives {
  const drives: Drives = new Map([
    [
      'autocannon',
      new Map(shapes.map((shape) => [shape.name, autocannonDrive(createWorkload(database.users, shape))])),
    ],
  ]);
  const wrk = findWrk();
  if (wrk)
    drives.set('wrk', new Map(shapes.map((shape) => [shape.name, wrkDrive(wrk, database.users, shape)])));
  else console.log('wrk is not on PATH: SKIPPING wrk, measuring with autocannon only (apt-get install wrk)');
  return drives;
}

/**
 * Takes turns: `rounds` stretches per server, generator and shape, in the order A B C, C B A,
 * C B A, A B C …, each generator and shape in turn within a round, so that a neighbour's load on
 * this shared machine, or the database growing, weighs on every server, generator and shape
 * alike instead of on whichever went last.
 */
async function measureMix(servers: Map<Target, RunningProcess>, drives: Drives, options: Options) {
  const rounds = Math.min(options.rounds, options.seconds);
  const roundSeconds = Math.floor(options.seconds / rounds);
  console.log(
    `measuring ${options.connections} connections, ${rounds} rounds of ${roundSeconds} s per server, generator (${[...drives.keys()].join(', ')}) and shape (${SHAPES.join(', ')}), taking turns`,
  );
  const measured = new Map<string, Round[]>();
  const key = (shape: ShapeName, generator: Generator, target: Target) => `${shape} ${generator} ${target}`;
  for (let round = 0; round < rounds; round++) {
    const order = Math.floor((round + 1) / 2) % 2 === 0 ? options.targets : [...options.targets].reverse();
    for (const [generator, byShape] of drives) {
      for (const [shape, drive] of byShape) {
        for (const target of order) {
          const result = await measureRound(servers.get(target)!, drive, options.connections, roundSeconds);
          const name = key(shape, generator, target);
          measured.set(name, [...(measured.get(name) ?? []), result]);
          console.log(
            `  round ${round + 1} ${name}: ${Math.round(result.requests / result.durationSeconds)} req/s` +
              (result.errors > 0 ? `, ${result.errors} errors` : ''),
          );
        }
      }
    }
  }
  const load: MixByShape = {};
  for (const shape of SHAPES) {
    for (const generator of drives.keys()) {
      const byTarget = options.targets.map((target) => [
        target,
        summarize(measured.get(key(shape, generator, target)) ?? []),
      ]);
      load[shape] = { ...load[shape], [generator]: Object.fromEntries(byTarget) };
    }
  }
  return load;
}

/**
 * Starts every target side by side (an idle one costs nothing), checks and warms each, measures
 * the mix in both shapes (not for BENCH_ONLY=latency) and one user's list latency, and stops them.
 */
export async function benchServers(
  database: BenchDatabase,
  options: Options,
  shapes: Shape[],
): Promise<{ load: MixByShape; latency: Partial<Record<Target, LatencyCase[]>> }> {
  const servers = new Map<Target, RunningProcess>();
  for (const target of options.targets) {
    console.log(`starting ${target}`);
    const server = await startTarget(target, database, options);
    servers.set(target, server);
    await smokeTest(server.url, database, shapes);
  }
  let load: MixByShape = {};
  if (!options.latencyOnly) {
    const drives = createDrives(database, shapes);
    // Both shapes, since they take different paths through the server.
    for (const [target, server] of options.warmupSeconds > 0 ? servers : []) {
      for (const [shape, warm] of drives.get('autocannon')!) {
        console.log(`warming up ${target} for ${options.warmupSeconds} s in the ${shape} shape`);
        await warm({ url: server.url, connections: options.connections, seconds: options.warmupSeconds });
      }
    }
    load = await measureMix(servers, drives, options);
  }
  const latency = await measureLatencies(servers, database, options);
  for (const server of servers.values()) await server.stop();
  return { load, latency };
}
