// Helpers of the fault tests (server.faults.test.ts): a PostgreSQL cluster of their own that
// they stop and start at will, the production server as a process on it, and clients that
// record every answer (a bounded load of creates, a subscriber that reconnects as a client
// should). Needs PostgreSQL's server binaries (initdb, pg_ctl), found under
// /usr/lib/postgresql/*/bin or in PG_BIN. Test code only.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, spawnServer } from './testing.ts';
import {
  type ChangeEvent,
  changesUrl,
  type EventStream,
  openEventStream,
  StreamTimeoutError,
} from './testing-sse.ts';

export const CONNECT_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 3_000;
/**
 * The longest a request may take while the database is down or the pool is full: the
 * connect timeout plus the statement timeout, plus generous slack for a busy shared machine.
 * A correctness bound (no hang), not a benchmark.
 */
export const FAIL_FAST_BOUND_MS = CONNECT_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + 4_000;
const SECRET = 'faults-test-secret-0123456789abcdef0123456789';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions
    .map((version) => join(root, version, 'bin'))
    .find((bin) => existsSync(join(bin, 'pg_ctl')));
  if (!found) throw new Error('PostgreSQL server binaries not found: install postgresql or set PG_BIN');
  return found;
}

/** A throwaway PostgreSQL cluster. initdb and postgres refuse to run as root: as root, run them as `postgres`. */
export class TestPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'todo-faults-pg-'));
  readonly bin = postgresBin();
  port = 0;

  #run(tool: string, args: string[]) {
    const asRoot = process.getuid?.() === 0;
    const [command, commandArgs] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(this.bin, tool), ...args]]
      : [join(this.bin, tool), args];
    return execFileSync(command, commandArgs, { stdio: 'pipe', timeout: 60_000 }).toString();
  }

  async init() {
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      chownSync(this.dir, uid, gid);
    }
    this.port = await freePort();
    this.#run('initdb', [
      '-D',
      join(this.dir, 'data'),
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    await this.start();
  }

  url(database = 'postgres') {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start() {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
    this.#run('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-o',
      options,
      '-l',
      join(this.dir, 'log'),
      '-w',
      'start',
    ]);
  }

  /** `immediate` is a crash: no checkpoint, clients cut off; the next start recovers from the WAL. */
  stop(mode: 'fast' | 'immediate' = 'immediate') {
    this.#run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  async query<R extends pg.QueryResultRow>(database: string, text: string, params: unknown[] = []) {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  }

  async dispose() {
    try {
      this.stop('immediate');
    } catch {}
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export type ServerProcess = {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
};

/** The production server as its own process, on a free port, over `databaseUrl`. */
export async function startServerProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const server = await spawnServer({
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      MIGRATE_ON_START: 'true',
      BETTER_AUTH_SECRET: SECRET,
      AUTH_RATE_LIMIT_PER_MINUTE: '0',
      LOG_REQUESTS: 'false',
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      ...env,
    },
  });
  const output = () => [...server.stdout, ...server.stderr].join('\n');
  return { child: server.process, url: server.url, output, exited: server.exit };
}

export type Outcome = {
  title: string;
  started: number;
  ms: number;
  status: number | null;
  retryAfter: string | null;
  id: string | null;
  body: string;
  error: string | null;
};

/** One create over HTTP; a hang shows up as an abort after 30 s, far beyond any bound asserted. */
export async function create(url: string, token: string, title: string): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/api/trpc/todo.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ title }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = await response.text();
    const id =
      response.status === 200
        ? (JSON.parse(body) as { result: { data: { id: string } } }).result.data.id
        : null;
    return {
      title,
      started,
      ms: performance.now() - started,
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      id,
      body,
      error: null,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      title,
      started,
      ms: performance.now() - started,
      status: null,
      retryAfter: null,
      id: null,
      body: '',
      error: cause ?? (error as Error).name,
    };
  }
}

/** A bounded loopback load: `workers` concurrent loops of creates, each pausing a little between requests. */
export function startLoad(url: string, token: string, { workers = 6, pauseMs = 10 } = {}) {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let n = 0; running; n++) {
      outcomes.push(await create(url, token, `w${worker}-${n}`));
      await sleep(pauseMs);
    }
  });
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

export async function readyz(url: string) {
  const started = performance.now();
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(30_000) });
  return { status: response.status, ms: performance.now() - started };
}

export async function storedIds(postgres: TestPostgres, database: string): Promise<Set<string>> {
  const rows = await postgres.query<{ id: string }>(database, 'select id from todos');
  return new Set(rows.map((row) => row.id));
}

/**
 * A `todo.changes` subscriber that behaves as a client should: when its stream breaks (or cannot
 * open while the database is down) it reconnects with the id of the last event it received.
 */
export function subscriber(url: string, token: string) {
  const received: ChangeEvent[] = [];
  let last: string | undefined;
  let opened = 0;
  let running = true;
  let current: EventStream | null = null;
  const done = (async () => {
    while (running) {
      try {
        const stream = await openEventStream(changesUrl(url), {
          headers: { authorization: `Bearer ${token}` },
          lastEventId: last,
        });
        current = stream;
        if (stream.status === 200) {
          opened++;
          for (;;) {
            const change = await stream.nextChange(1_000).catch((error: Error) => {
              if (error instanceof StreamTimeoutError) return running ? 'idle' : null;
              return null; // the stream said why it ends (an error event)
            });
            if (change === 'idle') continue;
            if (!change) break;
            received.push(change);
            last = change.id ?? last;
          }
        } else {
          await stream.response.body?.cancel();
        }
        stream.close();
      } catch {
        // Refused or cut at the socket: try again.
      }
      if (running) await sleep(200);
    }
  })();
  return {
    received,
    /** How many streams it opened: 1 if the first one survived throughout. */
    get streams() {
      return opened;
    },
    /** The ids of the todos it received a creation (an upsert) of, with how often each came. */
    creations() {
      const counts = new Map<string, number>();
      for (const { change } of received) {
        if (change.type === 'upsert') counts.set(change.todo.id, (counts.get(change.todo.id) ?? 0) + 1);
      }
      return counts;
    },
    async stop() {
      running = false;
      current?.close();
      await done;
    },
  };
}
