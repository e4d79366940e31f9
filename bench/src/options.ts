// What one `pnpm bench` run measures, read once from the environment (BENCH_*), so that the
// rest of the benchmark receives it as arguments. Bad values stop the run with one clear line.

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/**
 * The server's STREAM_MAX_PER_USER by default (apps/server/src/config.ts): one stream more for
 * an account is answered 429, so the benchmark would measure refusals instead of events.
 */
export const SERVER_STREAMS_PER_USER = 20;

/**
 * BENCH_STREAMS_PER_USER streams for each of the first BENCH_STREAMS / BENCH_STREAMS_PER_USER
 * seeded users (CONTRACT.md's workload: 2,000 streams, two per user). Checked before the run, so
 * that a bad value does not wait for the mix to end.
 */
function readStreams(users: number) {
  if (Number(process.env.BENCH_STREAMS_PER_USER) > SERVER_STREAMS_PER_USER) {
    throw new Error(
      `BENCH_STREAMS_PER_USER must be at most ${SERVER_STREAMS_PER_USER}, got ${process.env.BENCH_STREAMS_PER_USER}: ` +
        `the server holds ${SERVER_STREAMS_PER_USER} streams per account (STREAM_MAX_PER_USER) and answers 429 past it`,
    );
  }
  const perUser = envInt('BENCH_STREAMS_PER_USER', 2, 2, SERVER_STREAMS_PER_USER);
  const streams = envInt('BENCH_STREAMS', 2_000, perUser, 1_000_000);
  if (streams % perUser !== 0 || streams > perUser * users) {
    throw new Error(
      `BENCH_STREAMS must be a multiple of BENCH_STREAMS_PER_USER (${perUser}) up to ${perUser * users} ` +
        `(${perUser} for each of BENCH_USERS ${users}), got ${streams}`,
    );
  }
  return { streams, streamsPerUser: perUser };
}

// project: the compiled build (node dist/start.js), what `pnpm start` runs; project-tsx: the
// same sources through tsx, as `pnpm start` ran before the build existed; project-2w: the
// compiled build with WEB_CONCURRENCY=2 (two workers, each with its own pool of BENCH_POOL_MAX).
export const TARGETS = ['baseline', 'project', 'project-tsx', 'project-2w', 'adapter'] as const;
export type Target = (typeof TARGETS)[number];
export type Generator = 'autocannon' | 'wrk';

export function readOptions() {
  const targets = (process.env.BENCH_TARGETS ?? TARGETS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of targets) {
    if (!TARGETS.includes(name as Target)) throw new Error(`BENCH_TARGETS: unknown target "${name}"`);
  }
  const only = process.env.BENCH_ONLY || undefined;
  if (only !== undefined && only !== 'latency' && only !== 'siege')
    throw new Error(`BENCH_ONLY: "latency" or "siege", got "${only}"`);
  const users = envInt('BENCH_USERS', 1_000, 1, 1_000_000);
  const realtime = process.env.BENCH_REALTIME !== '0' && only === undefined;
  return {
    latencyOnly: only === 'latency',
    /** BENCH_ONLY=siege: the floods of siege.ts, nothing else. */
    siegeOnly: only === 'siege',
    siegeSeconds: envInt('BENCH_SIEGE_SECONDS', 15, 1, 600),
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
    users,
    todosPerUser: envInt('BENCH_TODOS_PER_USER', 50, 2, 10_000),
    deepTodos: envInt('BENCH_DEEP_TODOS', 100_000, 200, 10_000_000),
    // The mix's users share lists, this many to a list (their todos all in it; they write as editors).
    listMembers: envInt('BENCH_LIST_MEMBERS', 5, 1, 50),
    profile: process.env.BENCH_PROFILE === '1',
    realtime,
    // Unchecked when the realtime workload does not run: then no stream opens.
    ...(realtime ? readStreams(users) : { streams: 0, streamsPerUser: 0 }),
  };
}
export type Options = ReturnType<typeof readOptions>;
