// pnpm --filter @todo/bench sign-in-flood: what a flood of wrong sign-ins costs a signed-in user.
// One production server process (src/start.ts through tsx; DB_POOL_MAX is FLOOD_POOL_MAX, else 10)
// on a throwaway PostgreSQL database (FLOOD_DATABASE_URL or TEST_DATABASE_URL names the server); a
// victim in a process of its own calls todo.list one call after another; this process sends
// FLOOD_ATTEMPTS (400) wrong sign-ins at once, each with a forged X-Forwarded-For. Printed: the
// victim's latency before and during the flood, the flood's answers, and how often PostgreSQL
// touched the limiters' tables (pg_stat_user_tables, read once the server has exited and its
// connections have reported). FLOOD_RUNS (3) fresh servers and databases, one after another.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, sleep } from './processes.ts';

const SERVER_DIR = fileURLToPath(new URL('../../apps/server/', import.meta.url));
const ADMIN_URL = process.env.FLOOD_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const ATTEMPTS = Number(process.env.FLOOD_ATTEMPTS ?? 400);
const RUNS = Number(process.env.FLOOD_RUNS ?? 3);
const PASSWORD = 'correct horse battery';

// The victim: todo.list with a bearer, one call after another, a line per call on stdout.
const VICTIM = `
const { URL: url, TOKEN: token } = process.env;
let running = true;
process.on('SIGTERM', () => { running = false; });
while (running) {
  const began = Date.now();
  const started = performance.now();
  let status = 0;
  try {
    const response = await fetch(url + '/api/trpc/todo.list', { headers: { authorization: 'Bearer ' + token } });
    await response.arrayBuffer();
    status = response.status;
  } catch {}
  console.log(JSON.stringify({ began, ms: performance.now() - started, status }));
}
`;

type Call = { began: number; ms: number; status: number };

async function withDatabase<T>(use: (url: string) => Promise<T>): Promise<T> {
  if (!ADMIN_URL) throw new Error('set FLOOD_DATABASE_URL or TEST_DATABASE_URL to a PostgreSQL server');
  const name = `todo_flood_${randomBytes(6).toString('hex')}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await use(url.toString());
  } finally {
    await admin(`drop database if exists ${name} with (force)`);
  }
}

async function startServer(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/start.ts'], {
    cwd: SERVER_DIR,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      MIGRATE_ON_START: 'true',
      ...(process.env.FLOOD_POOL_MAX && { DB_POOL_MAX: process.env.FLOOD_POOL_MAX }),
      LOG_REQUESTS: 'false',
      BETTER_AUTH_SECRET: 'flood-secret-that-is-long-enough-0123456789',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      )
    )
      return { url, child };
    await sleep(50);
  }
}

const post = (url: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url, ...headers },
    body: JSON.stringify(body),
  });

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))] ?? NaN;

/** A signed-up victim with 50 todos, and their bearer token. */
async function signUpVictim(url: string) {
  const email = `victim-${randomBytes(4).toString('hex')}@example.com`;
  const signedUp = await post(url, '/api/auth/sign-up/email', { name: 'Victim', email, password: PASSWORD });
  const token = signedUp.headers.get('set-auth-token') ?? '';
  const authorization = { authorization: `Bearer ${token}` };
  for (let n = 0; n < 50; n++)
    await post(url, '/api/trpc/todo.create', { title: `todo ${n}` }, authorization);
  return { email, token };
}

/** ATTEMPTS wrong sign-ins for `email` at once, each with a forged X-Forwarded-For: their statuses. */
const flood = (url: string, email: string) =>
  Promise.all(
    Array.from({ length: ATTEMPTS }, (_, n) =>
      post(
        url,
        '/api/auth/sign-in/email',
        { email, password: `guess ${n}` },
        {
          'x-forwarded-for': `198.51.${n >> 8}.${n & 255}`,
        },
      ).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status;
        },
        () => 0,
      ),
    ),
  );

/** How often PostgreSQL scanned and wrote the limiters' tables, as its statistics say. */
async function limiterTables(databaseUrl: string) {
  const stats = new pg.Client({ connectionString: databaseUrl });
  await stats.connect();
  try {
    const { rows } = await stats.query<{ relname: string; scans: string; writes: string }>(
      `select relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) as scans,
              n_tup_ins + n_tup_upd + n_tup_del as writes
         from pg_stat_user_tables where relname in ('rate_limits', 'sign_in_failures') order by relname`,
    );
    return Object.fromEntries(rows.map((row) => [row.relname, { scans: +row.scans, writes: +row.writes }]));
  } finally {
    await stats.end();
  }
}

async function run(databaseUrl: string) {
  const server = await startServer(databaseUrl);
  const { email, token } = await signUpVictim(server.url);
  const victim = spawn(process.execPath, ['--input-type=module', '-e', VICTIM], {
    env: { PATH: process.env.PATH, URL: server.url, TOKEN: token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  victim.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await sleep(2_000);
  const floodBegan = Date.now();
  const statuses = await flood(server.url, email);
  const floodEnded = Date.now();
  await sleep(500);
  victim.kill('SIGTERM');
  await once(victim, 'close');
  server.child.kill('SIGTERM');
  await once(server.child, 'exit');
  // The server has exited: every one of its connections has reported its counts.
  await sleep(1_000);
  const calls = output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Call);
  const before = calls.filter((call) => call.began < floodBegan).map((call) => call.ms);
  const during = calls.filter((call) => call.began >= floodBegan && call.began < floodEnded);
  const duringMs = during.map((call) => call.ms);
  const byStatus = new Map<number, number>();
  for (const status of statuses) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  return {
    floodMs: floodEnded - floodBegan,
    answers: Object.fromEntries([...byStatus].sort()),
    victimBefore: { calls: before.length, p50: quantile(before, 0.5) },
    victimDuring: {
      calls: during.length,
      failed: during.filter((call) => call.status !== 200).length,
      p50: quantile(duringMs, 0.5),
      p90: quantile(duringMs, 0.9),
      max: Math.max(...duringMs),
    },
    limiterTables: await limiterTables(databaseUrl),
  };
}

for (let n = 1; n <= RUNS; n++) {
  const result = await withDatabase(run);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(
    [
      `run ${n}: ${ATTEMPTS} wrong sign-ins in ${result.floodMs} ms, answered ${JSON.stringify(result.answers)}`,
      `  victim before: ${result.victimBefore.calls} calls, p50 ${ms(result.victimBefore.p50)}`,
      `  victim during: ${result.victimDuring.calls} calls, ${result.victimDuring.failed} failed, p50 ${ms(result.victimDuring.p50)}, p90 ${ms(result.victimDuring.p90)}, max ${ms(result.victimDuring.max)}`,
      `  limiter tables: ${JSON.stringify(result.limiterTables)}`,
    ].join('\n'),
  );
}
