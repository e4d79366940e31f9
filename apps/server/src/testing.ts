/**
 * Helpers for the server's tests: a real server on a free port over a throwaway database, and
 * plain-fetch calls to it. Test code only; nothing in the app imports this file.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase, type TestDriver } from '@todo/db/testing';
import pino from 'pino';
import type { Logger } from './logger.ts';
import { loadConfig, type RunningServer, type StartOptions, startServer } from './server.ts';

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';
export const INDEX_HTML = '<!doctype html><title>Todo (test build)</title><div id="root"></div>';

export type TestServer = RunningServer & {
  testDatabase: TestDatabase;
  webDist: string;
  /** Closes the server, then drops its database and the temporary web build. */
  stop(): Promise<void>;
};

/**
 * A logger for in-process servers: `warn` and worse go to console.error as JSON lines (where a
 * test's spy, or the reader of its output, sees them), the rest nowhere.
 *
 * @example
 * const errors = vi.spyOn(console, 'error');
 * createServer(catchErrors(handler, testLogger()));
 */
export function testLogger(): Logger {
  return pino(
    { level: 'warn', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => console.error(line.trimEnd()) },
  );
}

/** A temporary "web build" (WEB_DIST) holding only index.html (INDEX_HTML) and app.js; the caller removes it. */
export function testWebBuild(): string {
  const webDist = mkdtempSync(join(tmpdir(), 'todo-web-'));
  writeFileSync(join(webDist, 'index.html'), INDEX_HTML);
  writeFileSync(join(webDist, 'app.js'), 'console.log("todo")\n');
  return webDist;
}

/**
 * The configuration of a test's server: 127.0.0.1 and a free port, the test secret, no rate
 * limit on sign-ins and no request log; `env` adds to it or overrides it (WEB_DIST, say).
 */
export function testServerConfig(env: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    BETTER_AUTH_SECRET: TEST_SECRET,
    AUTH_RATE_LIMIT_PER_MINUTE: '0',
    LOG_REQUESTS: 'false',
    ...env,
  });
}

/**
 * Starts the whole app in-process on 127.0.0.1 and a free port, over a fresh migrated database,
 * with a temporary "web build" holding only index.html and app.js.
 */
export async function startTestServer(
  driver: TestDriver,
  env: Record<string, string> = {},
  testDatabase?: TestDatabase,
  options: StartOptions = {},
): Promise<TestServer> {
  const database = testDatabase ?? (await createTestDatabase(driver));
  const webDist = testWebBuild();
  const config = testServerConfig({ WEB_DIST: webDist, ...env });
  // The server closes what it is given; the test database's dispose() closes and drops it.
  const running = await startServer(
    config,
    { ...database, close: async () => {} },
    { logger: testLogger(), ...options },
  );
  return {
    ...running,
    testDatabase: database,
    webDist,
    async stop() {
      await running.close(1_000);
      await database.dispose();
      rmSync(webDist, { recursive: true, force: true });
    },
  };
}

export type ServerProcess = {
  process: ChildProcess;
  /** From the banner line, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Every line printed so far (a last unterminated line arrives when the stream ends). */
  stdout: string[];
  stderr: string[];
  /** The exit code once the process has exited and both streams have ended (null if killed). */
  exit: Promise<number | null>;
  /** Sends `signal` (SIGTERM by default) unless it has already exited, then waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

/**
 * Two production server processes (src/start.ts, each with its own pool) on one throwaway
 * PostgreSQL database, as two hosts behind a load balancer would be, serving a one-page web
 * build. Needs TEST_DATABASE_URL. `stop` expects both to exit 0, then removes the rest.
 *
 * @example
 * const pair = await spawnServersOnOneDatabase({ AUTH_RATE_LIMIT_PER_MINUTE: '0' });
 * const [one, two] = pair.servers;
 */
export async function spawnServersOnOneDatabase(env: Record<string, string> = {}): Promise<{
  servers: [ServerProcess, ServerProcess];
  stop(): Promise<void>;
}> {
  const database = await createTestDatabase('pg');
  const webDist = testWebBuild();
  const all = {
    NODE_ENV: 'production',
    DATABASE_URL: database.url ?? '',
    BETTER_AUTH_SECRET: TEST_SECRET,
    LOG_REQUESTS: 'false',
    WEB_DIST: webDist,
    ...env,
  };
  const servers = await Promise.all([spawnServer({ env: all }), spawnServer({ env: all })]);
  return {
    servers,
    async stop() {
      const codes = await Promise.all(servers.map((server) => server.stop()));
      await database.dispose();
      rmSync(webDist, { recursive: true, force: true });
      if (codes.some((code) => code !== 0)) throw new Error(`a server exited with ${codes.join(' and ')}`);
    },
  };
}

/** Thrown by `spawnServer` when the process exits before printing its banner. */
export class ServerExitedError extends Error {
  constructor(
    readonly code: number | null,
    readonly stdout: string[],
    readonly stderr: string[],
  ) {
    super(`server exited with ${code} before starting:\n${[...stdout, ...stderr].join('\n')}`);
  }
}

const collectLines = (stream: NodeJS.ReadableStream, lines: string[], onLine: (line: string) => void) => {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      onLine(line);
    }
  });
  stream.on('end', () => rest && lines.push(rest));
};

/**
 * Runs src/start.ts (or `command`) as its own process through tsx on 127.0.0.1
 * and a free port, and resolves once it prints `todo server on <url> (database: …)`. The process
 * sees only PATH, HOME, TMPDIR and `env`: never the test run's own DATABASE_URL or NODE_ENV.
 *
 * @example
 * const server = await spawnServer({ env: { NODE_ENV: 'production', PGLITE_DIR: 'memory', BETTER_AUTH_SECRET: TEST_SECRET } });
 * await fetch(`${server.url}/healthz`);
 * expect(await server.stop()).toBe(0);
 */
export async function spawnServer({
  env,
  args = [],
  terminal = false,
  command,
  startTimeoutMs = 60_000,
}: {
  env: Record<string, string>;
  /** Arguments after src/start.ts, e.g. `--development` (what `pnpm dev` passes). */
  args?: string[];
  /**
   * Gives the server a terminal for stdout and stderr, as a person's shell does: util-linux's
   * `script` runs it on a pseudo-terminal, whose output (both streams) is `stdout` here. When
   * `script` ends, the terminal closes and the server gets SIGHUP.
   */
  terminal?: boolean;
  /** Instead of src/start.ts through tsx: plain `node <args>` in `cwd` (a built or deployed server). */
  command?: { args: string[]; cwd: string };
  startTimeoutMs?: number;
}): Promise<ServerProcess> {
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR'].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  const nodeArgs = command?.args ?? ['--import', 'tsx', 'src/start.ts', ...args];
  const [file, fileArgs] = terminal
    ? [
        'script',
        [
          '--quiet',
          '--flush',
          '--return',
          '--command',
          [process.execPath, ...nodeArgs].join(' '),
          '/dev/null',
        ],
      ]
    : [process.execPath, nodeArgs];
  const child = spawn(file, fileArgs, {
    cwd: command?.cwd ?? fileURLToPath(new URL('..', import.meta.url)),
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let banner: (url: string) => void = () => {};
  const started = new Promise<string>((resolve) => {
    banner = resolve;
  });
  collectLines(child.stdout, stdout, (line) => {
    const url = /^todo server on (http:\/\/\S+)/.exec(line)?.[1];
    if (url) banner(url);
  });
  collectLines(child.stderr, stderr, () => {});
  // 'close' comes after the exit and after stdout and stderr have ended: every line is in.
  const exit = once(child, 'close').then(([code]) => code as number | null);
  let timer: NodeJS.Timeout | undefined;
  const url = await Promise.race([
    started,
    exit.then((code) => Promise.reject(new ServerExitedError(code, stdout, stderr))),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`server did not start in ${startTimeoutMs} ms:\n${stderr.join('\n')}`));
      }, startTimeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  return {
    process: child,
    url,
    stdout,
    stderr,
    exit,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
}

/**
 * `check`'s first answer other than undefined, asked every 50 ms until `timeoutMs`; then fails
 * naming `what`. For what a test cannot await directly (a log line, a process's state).
 */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1, for a process that must know its URL before it starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The repository root, where pnpm commands for the whole workspace run. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs the repository's own pnpm (the `packageManager` of the root package.json, through npx,
 * which is all a fresh machine has) and resolves with its output; a non-zero exit rejects.
 *
 * @example await pnpm(['--filter', '@todo/server', 'deploy', '--prod', dir])
 */
export async function pnpm(args: string[], cwd = REPOSITORY_ROOT): Promise<string> {
  const { packageManager } = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as {
    packageManager: string;
  };
  // Not the test run's NODE_ENV=test: builds would differ from (and miss turbo's cache of) real ones.
  const { NODE_ENV: _testMode, ...env } = process.env;
  const { stdout } = await promisify(execFile)('npx', ['-y', packageManager, ...args], {
    cwd,
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export type Session = { token: string; cookie: string; userId: string; email: string };

let counter = 0;
/** A unique email for this process, so tests never collide on the unique index. */
export const uniqueEmail = (name = 'user') => `${name}-${process.pid}-${++counter}@example.com`;

/** Signs up over HTTP and returns both credentials: the bearer token and the session cookie. */
export async function signUp(
  url: string,
  { email = uniqueEmail(), password = 'correct horse battery', name = 'Test User' } = {},
): Promise<Session> {
  const response = await fetch(`${url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ name, email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string } };
  return {
    token: response.headers.get('set-auth-token') ?? '',
    cookie: cookieHeader(response),
    userId: body.user.id,
    email,
  };
}

/**
 * Signs in over HTTP as a program does. Node's fetch sends `Sec-Fetch-Mode: cors`, which makes
 * Better Auth require an Origin, so it names the server's own (curl sends neither and needs none).
 */
export async function signIn(url: string, email: string, password = 'correct horse battery') {
  return fetch(`${url}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(url).origin },
    body: JSON.stringify({ email, password }),
  });
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a request's Cookie header. */
export function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

export type TrpcCall = { status: number; body: unknown; response: Response };

/** One tRPC call over HTTP, as any client would make it: GET for queries, POST for mutations. */
export async function trpc(
  url: string,
  path: string,
  options: { input?: unknown; mutation?: boolean; headers?: Record<string, string> } = {},
): Promise<TrpcCall> {
  const target = new URL(`${url}/api/trpc/${path}`);
  if (!options.mutation && options.input !== undefined) {
    target.searchParams.set('input', JSON.stringify(options.input));
  }
  const response = await fetch(target, {
    method: options.mutation ? 'POST' : 'GET',
    headers: options.mutation ? { 'content-type': 'application/json', ...options.headers } : options.headers,
    body: options.mutation ? JSON.stringify(options.input ?? {}) : undefined,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, body, response };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
