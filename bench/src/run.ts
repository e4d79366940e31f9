// pnpm bench: seeds a throwaway database, starts the servers (the raw-SQL baseline, the
// production server compiled (project), through tsx (project-tsx) and with two workers
// (project-2w), and the production server with tRPC's public Node adapter in place of its
// direct path; BENCH_TARGETS picks some), checks one request of each kind on each, warms them up, then measures the
// mixed workload in interleaved rounds with autocannon and, when it is on PATH, wrk. Then one
// user's list latency, the realtime workload on two fresh project servers (realtime.ts;
// BENCH_REALTIME=0 skips it, BENCH_STREAMS sets its streams, 2,000 by default) and row-level
// security's cost. Prints a table per load generator and the ratios side by side, and writes
// JSON to bench/results/. Everything it starts it stops, on success, failure or Ctrl-C.
// BENCH_ONLY=latency measures one user's list latency alone: no mix, realtime or RLS.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type LatencyCase, type ListOrder, measureListLatency } from './latency.ts';
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
import {
  freePort,
  onCleanup,
  type RunningProcess,
  runCleanups,
  sleep,
  startHttpServer,
  withTimeout,
} from './processes.ts';
import { benchRealtime, type RealtimeResult } from './realtime.ts';
import { latencyTable, loadTable, ratioTable, realtimeSummary, realtimeTable } from './report.ts';
import { measureRlsCost, type RlsCost } from './rls.ts';
import { type BenchDatabase, createBenchDatabase } from './seed.ts';
import { findWrk, wrkDrive } from './wrk.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

// project: the compiled build (node dist/start.js), what `pnpm start` runs; project-tsx: the
// same sources through tsx, as `pnpm start` ran before the build existed; project-2w: the
// compiled build with WEB_CONCURRENCY=2 (two workers, each with its own pool of BENCH_POOL_MAX).
const TARGETS = ['baseline', 'project', 'project-tsx', 'project-2w', 'adapter'] as const;
type Target = (typeof TARGETS)[number];
type Generator = 'autocannon' | 'wrk';

function readOptions() {
  const targets = (process.env.BENCH_TARGETS ?? TARGETS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of targets) {
    if (!TARGETS.includes(name as Target)) throw new Error(`BENCH_TARGETS: unknown target "${name}"`);
  }
  const only = process.env.BENCH_ONLY || undefined;
  if (only !== undefined && only !== 'latency')
    throw new Error(`BENCH_ONLY: only "latency" is known, got "${only}"`);
  return {
    latencyOnly: only === 'latency',
    adminUrl:
      process.env.BENCH_DATABASE_URL ??
      process.env.TEST_DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/postgres',
    targets: targets as Target[],
    connections: envInt('BENCH_CONNECTIONS', 100, 1, 10_000),
    seconds: envInt('BENCH_DURATION', 20, 1, 3_600),
    rounds: envInt('BENCH_ROUNDS', 4, 1, 100),
    warmupSeconds: envInt('BENCH_WARMUP', 5, 0, 600),
    latencySeconds: envInt('BENCH_LATENCY_DURATION', 3, 0, 600),
    rlsIterations: envInt('BENCH_RLS_ITERATIONS', 2_000, 0, 1_000_000),
    // 20, as in the independent wrk run that this benchmark's results are compared with.
    poolMax: envInt('BENCH_POOL_MAX', 20, 1, 1_000),
    users: envInt('BENCH_USERS', 1_000, 1, 1_000_000),
    todosPerUser: envInt('BENCH_TODOS_PER_USER', 50, 2, 10_000),
    deepTodos: envInt('BENCH_DEEP_TODOS', 100_000, 200, 10_000_000),
    profile: process.env.BENCH_PROFILE === '1',
    realtime: process.env.BENCH_REALTIME !== '0' && only !== 'latency',
    streams: envInt('BENCH_STREAMS', 2_000, 2, 1_000_000),
  };
}
type Options = ReturnType<typeof readOptions>;

/** Connections a project server process holds besides its pool: /readyz's own and live sync's LISTEN. */
const EXTRA_CONNECTIONS = 2;
/** What the benchmark itself keeps open (seeding, latency, RLS) and a margin. */
const OWN_CONNECTIONS = 10;
const processesOf = (target: Target) => (target === 'baseline' ? 0 : target === 'project-2w' ? 2 : 1);

/**
 * The pool each server gets: BENCH_POOL_MAX, or less when the servers side by side would
 * otherwise need more connections than the database allows (PostgreSQL's default is 100): then
 * every server gets the same smaller pool, so that the comparison stays fair. A server that
 * cannot connect would be measured as errors. project-2w's two workers share one pool's worth.
 */
async function fitPool(options: Options): Promise<number> {
  const client = new pg.Client(options.adminUrl);
  await client.connect();
  const max = Number(
    (await client.query<{ max_connections: string }>('show max_connections')).rows[0]?.max_connections,
  );
  await client.end();
  const extra = options.targets.reduce((sum, target) => sum + EXTRA_CONNECTIONS * processesOf(target), 0);
  const fits = Math.floor((max - OWN_CONNECTIONS - extra) / options.targets.length);
  if (fits >= options.poolMax) return options.poolMax;
  if (process.env.BENCH_POOL_MAX || fits < 1) {
    throw new Error(
      `${options.targets.length} servers with pools of ${options.poolMax} need more than the database's max_connections (${max}): lower BENCH_POOL_MAX or name fewer BENCH_TARGETS`,
    );
  }
  console.log(
    `pool ${fits} per server instead of ${options.poolMax}: ${options.targets.length} servers side by side within max_connections ${max}`,
  );
  return fits;
}

/** The local PostgreSQL, started (and later stopped) the way .ci/run does when it is down. */
async function ensurePostgres(adminUrl: string) {
  const reachable = async () => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  };
  if (await reachable()) return;
  const host = new URL(adminUrl).hostname;
  if (!['127.0.0.1', 'localhost'].includes(host)) throw new Error(`PostgreSQL at ${host} is not reachable`);
  let version: string;
  try {
    version = execFileSync('ls', ['/etc/postgresql'], { encoding: 'utf8' }).trim().split('\n')[0]!;
    console.log(`starting the local PostgreSQL ${version} cluster`);
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
      stdio: 'inherit',
    });
  } catch {
    throw new Error(`PostgreSQL is not reachable at ${adminUrl}; start it or set BENCH_DATABASE_URL`);
  }
  onCleanup(async () => {
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'stop'], {
      stdio: 'inherit',
    });
  });
  for (let i = 0; i < 30 && !(await reachable()); i++) await sleep(1_000);
}

async function startTarget(
  target: Target,
  database: BenchDatabase,
  options: Options,
  /** After tsx's loader, so they may name .ts files (not for baseline). */
  extraNodeFlags: string[] = [],
): Promise<RunningProcess> {
  const port = await freePort();
  const common = {
    DATABASE_URL: database.url,
    // project-2w: each of the two workers gets half, so that the host holds one pool's worth.
    DB_POOL_MAX: String(target === 'project-2w' ? Math.ceil(options.poolMax / 2) : options.poolMax),
    // Each server idles while the other is measured: its connections must outlast that.
    DB_IDLE_TIMEOUT_MS: '600000',
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  // One folder per server; the largest profile in it is the main thread's.
  const profileDir = `${RESULTS_DIR}profiles/${target}`;
  if (options.profile) mkdirSync(profileDir, { recursive: true });
  // The young generation `pnpm start` gives the server (apps/server/package.json, decision 9),
  // for both servers alike.
  const nodeFlags = ['--max-semi-space-size=64'];
  if (options.profile) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  if (target === 'baseline') {
    return startHttpServer({
      name: 'baseline',
      command: process.execPath,
      args: [...nodeFlags, '--import', 'tsx', 'baseline/server.ts'],
      cwd: fileURLToPath(new URL('../', import.meta.url)),
      env: common,
      port,
      readyTimeoutMs: 30_000,
    });
  }
  // The project targets run what `pnpm --filter @todo/server start` runs (node
  // --max-semi-space-size=64 dist/start.js, main.ts with NODE_ENV=production), minus the pnpm
  // wrapper, so that BENCH_PROFILE can hand node its --cpu-prof flags; project-tsx runs the
  // sources through tsx instead (src/start.ts). adapter: the same server and settings, tRPC
  // through its public Node adapter. Extra flags may --import a .ts file (the realtime
  // benchmark's gc-on-signal.ts): then tsx's loader comes first, for that file only.
  const compiled = target === 'project' || target === 'project-2w';
  if (compiled && !existsSync(`${ROOT}apps/server/dist/start.js`)) {
    throw new Error(
      `${target} runs the compiled server: build it first (pnpm build, or pnpm bench from the root)`,
    );
  }
  const tsxFor = (flags: string[]) => (flags.length > 0 ? ['--import', 'tsx', ...flags] : []);
  const { cwd, args } = compiled
    ? { cwd: `${ROOT}apps/server`, args: [...tsxFor(extraNodeFlags), 'dist/start.js'] }
    : target === 'project-tsx'
      ? { cwd: `${ROOT}apps/server`, args: ['--import', 'tsx', ...extraNodeFlags, 'src/start.ts'] }
      : { cwd: `${ROOT}bench`, args: ['--import', 'tsx', ...extraNodeFlags, 'src/adapter-server.ts'] };
  return startHttpServer({
    name: target,
    command: process.execPath,
    args: [...nodeFlags, ...args],
    cwd,
    env: {
      ...common,
      ...(target === 'project-2w' && { WEB_CONCURRENCY: '2' }),
      NODE_ENV: 'production',
      BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      AUTH_RATE_LIMIT_PER_MINUTE: '0',
      MIGRATE_ON_START: 'false',
    },
    port,
    readyTimeoutMs: 60_000,
  });
}

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
 * The servers run side by side (an idle one costs nothing) and take the load in turns:
 * `rounds` stretches each, in the order A B C, C B A, C B A, A B C …, each generator in turn
 * within a round, so that a neighbour's load on this shared machine, or the database growing,
 * weighs on every server and generator alike instead of on whichever went last.
 */
async function benchTargets(database: BenchDatabase, options: Options) {
  const servers = new Map<Target, RunningProcess>();
  for (const target of options.targets) {
    console.log(`starting ${target}`);
    const server = await startTarget(target, database, options);
    servers.set(target, server);
    await smokeTest(server.url, database);
  }
  const drives = new Map<Generator, Drive>([['autocannon', autocannonDrive(createWorkload(database.users))]]);
  const wrk = findWrk();
  if (wrk) drives.set('wrk', wrkDrive(wrk, database.users));
  else console.log('wrk is not on PATH: SKIPPING wrk, measuring with autocannon only (apt-get install wrk)');

  if (options.warmupSeconds > 0 && !options.latencyOnly) {
    const warm = drives.get('autocannon')!;
    for (const [target, server] of servers) {
      console.log(`warming up ${target} for ${options.warmupSeconds} s`);
      await warm({ url: server.url, connections: options.connections, seconds: options.warmupSeconds });
    }
  }
  const rounds = options.latencyOnly ? 0 : Math.min(options.rounds, options.seconds);
  const roundSeconds = Math.floor(options.seconds / rounds);
  if (rounds > 0)
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
  const load: Partial<Record<Generator, Partial<Record<Target, LoadResult>>>> = {};
  for (const [generator, byTarget] of rounds > 0 ? measured : []) {
    load[generator] = Object.fromEntries(
      [...byTarget].map(([target, results]) => [target, summarize(results)]),
    );
  }

  const latency: Partial<Record<Target, LatencyCase[]>> = {};
  if (options.latencySeconds > 0) {
    const { shallowUser, deepUser } = database;
    const half = Math.floor(options.todosPerUser / 2);
    const deep = options.deepTodos.toLocaleString('en-US');
    const casesIn = (order: ListOrder) => {
      const named = (name: string) => `${order ?? 'newest'}, ${name}`;
      return [
        {
          name: named(`${options.todosPerUser} todos, first page`),
          token: shallowUser.token,
          depth: 0,
          order,
        },
        {
          name: named(`${options.todosPerUser} todos, after row ${half}`),
          token: shallowUser.token,
          depth: half,
          order,
        },
        { name: named(`${deep} todos, first page`), token: deepUser.token, depth: 0, order },
        {
          name: named(`${deep} todos, after row ${(options.deepTodos - 1_000).toLocaleString('en-US')}`),
          token: deepUser.token,
          depth: options.deepTodos - 1_000,
          order,
        },
      ];
    };
    for (const [target, server] of servers) {
      console.log(`measuring one user’s list latency on ${target}`);
      // The baseline server answers in newest order only (it reads no `order`).
      const orders: ListOrder[] = target === 'baseline' ? [undefined] : [undefined, 'manual', 'due'];
      latency[target] = await measureListLatency({
        url: server.url,
        seconds: options.latencySeconds,
        cases: orders.flatMap(casesIn),
      });
    }
  }
  for (const server of servers.values()) await server.stop();
  return { load, latency };
}

const ratio = (a: LoadResult, b: LoadResult) => `${(a.requestsPerSecond / b.requestsPerSecond).toFixed(2)}×`;

async function main() {
  const options = readOptions();
  const started = new Date();
  console.log(
    (options.latencyOnly
      ? `pnpm bench, list latency only: ${options.todosPerUser} and ${options.deepTodos.toLocaleString('en-US')} todos, ${options.latencySeconds} s per case, `
      : `pnpm bench: ${options.users} users × ${options.todosPerUser} todos, ${options.connections} connections, ` +
        `${options.warmupSeconds} s warm-up + ${options.seconds} s measured per server, `) +
      `pool ${options.poolMax}, ${cpus().length} CPUs, Node ${process.version}`,
  );
  await ensurePostgres(options.adminUrl);
  if (!options.latencyOnly) options.poolMax = await fitPool(options);

  console.log('seeding');
  const seedStarted = performance.now();
  const database = await withTimeout('seeding', 300_000, createBenchDatabase(options));
  onCleanup(database.drop);
  console.log(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const { load, latency } = await benchTargets(database, options);
  let realtime: RealtimeResult | null = null;
  if (options.realtime) {
    // The servers get a forced full GC on SIGUSR2, so that memory is read after one.
    const gcFlags = ['--expose-gc', '--import', new URL('./gc-on-signal.ts', import.meta.url).href];
    realtime = await benchRealtime(database.users, () => startTarget('project', database, options, gcFlags), {
      streams: options.streams,
      connections: options.connections,
      seconds: options.seconds,
      rounds: options.rounds,
      warmupSeconds: options.warmupSeconds,
    });
  } else if (!options.latencyOnly) {
    console.log('realtime: SKIPPED (BENCH_REALTIME=0)');
  }
  let rls: RlsCost | null = null;
  if (options.rlsIterations > 0 && !options.latencyOnly) {
    console.log('measuring row-level security’s cost in PostgreSQL');
    rls = await withTimeout(
      'measuring RLS',
      120_000,
      measureRlsCost(
        database.url,
        database.users.map((user) => user.id),
        { iterations: options.rlsIterations },
      ),
    );
  }

  if (options.latencyOnly) console.log('\nBENCH_ONLY=latency: no mixed workload, realtime or RLS measured');
  else {
    console.log(
      `\nMixed workload: 80% todo.list, 10% todo.create, 10% todo.update; ${options.connections} connections, ` +
        `${options.seconds} s per server and generator in turns, pool ${options.poolMax}` +
        (options.targets.includes('adapter')
          ? '. adapter = the production server with tRPC’s public Node adapter instead of its direct path'
          : ''),
    );
    for (const [generator, results] of Object.entries(load)) {
      console.log(`\n${generator}${generator === 'wrk' ? ' (1 thread)' : ''}`);
      console.log(loadTable(results));
    }
    if (!load.wrk) console.log('\nwrk: SKIPPED (not on PATH; apt-get install wrk)');
    console.log('\nRatios, generators side by side');
    console.log(ratioTable(load));
  }
  if (Object.values(latency).some((cases) => cases.length > 0)) {
    console.log('\nOne user’s todo.list (limit 50) in newest, manual and due order, one connection');
    console.log(latencyTable(latency));
  }

  if (realtime) {
    console.log(
      `\nRealtime: ${realtime.streams.toLocaleString('en-US')} todo.changes streams (two per user, ${realtime.users.toLocaleString('en-US')} users) ` +
        `while the mix runs on process 1; ${options.connections} connections, ${options.seconds} s per case in turns. ` +
        'event = from a write’s answer to its event at the owner’s other stream',
    );
    console.log(realtimeTable(realtime));
    console.log(realtimeSummary(realtime));
  }
  const changeLogCost = Object.entries(load)
    .filter(([, results]) => results.project && results.baseline)
    .map(([generator, results]) => `${ratio(results.project!, results.baseline!)} (${generator})`);
  if (changeLogCost.length > 0) {
    console.log(
      `\nThe plain mix with the change log’s triggers in place: project ÷ baseline throughput ${changeLogCost.join(', ')}`,
    );
  }

  if (rls) {
    const extra = rls.withRlsMicros - rls.withoutRlsMicros;
    console.log(
      `\nRow-level security, inside PostgreSQL (todo.list's statement, ${rls.iterations} runs, median of ${rls.turns} turns each): ` +
        `${rls.withRlsMicros.toFixed(1)} µs with, ${rls.withoutRlsMicros.toFixed(1)} µs without, ` +
        `${extra >= 0 ? '+' : ''}${extra.toFixed(1)} µs (${((100 * extra) / rls.withoutRlsMicros).toFixed(0)}%)`,
    );
  }

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}bench-${started.toISOString().replaceAll(':', '-')}.json`;
  const { adminUrl: _, ...settings } = options;
  writeFileSync(
    file,
    `${JSON.stringify({ started, node: process.version, cpus: cpus().length, settings, load, latency, rls, realtime }, null, 2)}\n`,
  );
  console.log(`\nwritten to ${file.slice(ROOT.length)}`);
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
