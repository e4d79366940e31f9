// The servers under test, each a child process on the seeded database: the raw-SQL baseline,
// the production server compiled (project), through tsx (project-tsx) and with two workers
// (project-2w), and the production server with tRPC's public Node adapter (adapter).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Options, Target } from './options.ts';
import { freePort, type RunningProcess, startHttpServer } from './processes.ts';
import type { BenchDatabase } from './seed.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** Connections a project server process holds besides its pool: /readyz's own, the change feed's reads and live sync's LISTEN. */
const EXTRA_CONNECTIONS = 3;
/** What the benchmark itself keeps open (seeding, latency, RLS) and a margin. */
const OWN_CONNECTIONS = 10;
const processesOf = (target: Target) => (target === 'baseline' ? 0 : target === 'project-2w' ? 2 : 1);

/**
 * The pool each server gets: BENCH_POOL_MAX, or less when the servers side by side would
 * otherwise need more connections than the database allows (PostgreSQL's default is 100): then
 * every server gets the same smaller pool, so that the comparison stays fair. A server that
 * cannot connect would be measured as errors. project-2w's two workers share one pool's worth.
 */
export async function fitPool(options: Options): Promise<number> {
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

export async function startTarget(
  target: Target,
  database: BenchDatabase,
  options: Options,
  /** After tsx's loader, so they may name .ts files (not for baseline). */
  extraNodeFlags: string[] = [],
  /** Settings of the project targets beyond the benchmark's own (the siege's production limits). */
  extraEnv: Record<string, string> = {},
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
  // --max-semi-space-size=64 dist/start.js, which defaults NODE_ENV to production), minus the pnpm
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
      ...extraEnv,
    },
    port,
    readyTimeoutMs: 60_000,
  });
}
