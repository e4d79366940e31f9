/**
 * Helpers for the CLI's tests: a real server over a throwaway PGlite database, and the real
 * `todo` command run as its own process against it. Test code only; the CLI never imports it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultTestDriver } from '@todo/db/testing';
import { signUp, startTestServer } from '@todo/server/testing';
import { expect } from 'vitest';

/** The repository's root, where the README's commands run. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../bin/todo.js', import.meta.url));
/** The compiled command (build.ts), made by vitest.config.ts's globalSetup: what BIN runs here. */
export const BUILT = fileURLToPath(new URL('../dist/todo.js', import.meta.url));
export const EMAIL = 'cli-user@example.com';
export const PASSWORD = 'a password for the cli';

/** The timeout of a test that runs the command a few dozen times: each run is its own Node
 * process, seconds apiece on a busy machine. */
export const MANY_RUNS = 300_000;

export type Run = { code: number | null; stdout: string; stderr: string };

/** Whether tmux is here: the prompts are tested on a real pseudo-terminal, driven through it. */
export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * Puts a `pnpm` in `dir` (for a PATH) that is the one the repository pins: the one running the
 * tests when they run under pnpm, else the pinned version through npx, as the README says.
 */
export function pnpmIn(dir: string): string {
  const pinned = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { packageManager: string })
    .packageManager;
  const running = process.env.npm_execpath;
  const command = running?.includes('pnpm') ? `"${process.execPath}" "${running}"` : `npx -y ${pinned}`;
  writeFileSync(join(dir, 'pnpm'), `#!/bin/sh\nexec ${command} "$@"\n`, { mode: 0o755 });
  return dir;
}

/** The rows of `todo ls` output, cut at the columns of its header line. */
export const rows = (stdout: string) => {
  const lines = stdout.split('\n');
  const header = lines.find((line) => /^ID +DONE {2}DUE +PRIORITY {2}TITLE$/.test(line));
  if (!header) return [];
  const [due, priority, title] = ['DUE', 'PRIORITY', 'TITLE'].map((name) => header.indexOf(name)) as [
    number,
    number,
    number,
  ];
  return lines
    .filter((line) => /^[0-9a-f-]{8,36} {2}\[[ x]\] {3}/.test(line))
    .map((line) => ({
      id: line.slice(0, line.indexOf(' ')),
      done: line.slice(line.indexOf('[') + 1, line.indexOf(']')) === 'x',
      due: line.slice(due, priority).trim(),
      priority: line.slice(priority, title).trim(),
      title: line.slice(title),
    }));
};

/** The JSON a `--json` run printed, once it has succeeded quietly. */
export const json = (run: Run) => {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout.endsWith('\n')).toBe(true);
  return JSON.parse(run.stdout);
};

/** The wall clock of an instant in a time zone: { date: '2026-12-24', weekday: 'Thu', time: '17:00' }. */
export const wallClock = (instant: string | number, timeZone: string) => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: parts.weekday,
    time: `${parts.hour}:${parts.minute}`,
  };
};

/** The date `days` after today's in a time zone, as YYYY-MM-DD. */
export const dayInZone = (days: number, timeZone: string) => {
  const [year, month, day] = wallClock(Date.now(), timeZone).date.split('-').map(Number) as [
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
};

/** What `todo show` and `whoami` print for a moment (TZ=UTC in every run). */
export const minute = (iso: string | Date) => new Date(iso).toISOString().slice(0, 16).replace('T', ' ');

/** A Todo as the API returns it, with `fields` as given. */
export const aTodo = (fields: Record<string, unknown> = {}) => ({
  id: expect.stringMatching(/^[0-9a-f-]{36}$/),
  title: expect.any(String),
  listId: expect.stringMatching(/^[0-9a-f-]{36}$/),
  createdBy: expect.stringMatching(/^[0-9a-f-]{36}$/),
  updatedBy: expect.stringMatching(/^[0-9a-f-]{36}$/),
  description: null,
  completed: false,
  dueAt: null,
  priority: 'none',
  position: expect.any(Number),
  createdAt: expect.any(String),
  updatedAt: expect.any(String),
  ...fields,
});

/**
 * A server for one test file (its settings and `extra`), with a user (EMAIL, PASSWORD) signed
 * up, and the ways to run `todo` against it: `todo` (to its end), `startTodo` (long-running), each in a config directory
 * of its own unless told.
 *
 * @example
 * const cli = await startCliServer();
 * const run = await cli.todo(['login', '--email', EMAIL], { input: PASSWORD });
 *
 * (Over 80 lines, kept together: one closure over the server and its directories, which every helper in it
 * needs; apart, each would take them as arguments.)
 */
export async function startCliServer(extra: Record<string, string> = {}) {
  // An open `todo watch` notices an ended session this soon.
  const server = await startTestServer(defaultTestDriver, { STREAM_SESSION_CHECK_MS: '200', ...extra });
  const database = server.testDatabase;
  const home = mkdtempSync(join(tmpdir(), 'todo-cli-'));
  const url = server.url;
  const { userId } = await signUp(url, { name: 'Cli User', email: EMAIL, password: PASSWORD });
  const homes: string[] = [home];

  const baseEnv = () => ({ PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: home, TODO_URL: url });

  /** Runs `todo …` as its own process, in the test's config directory, pointed at the server. */
  const todo = (
    args: string[],
    { input = '', env = {} }: { input?: string; env?: Record<string, string> } = {},
  ) =>
    new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...baseEnv(), TZ: 'UTC', ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input);
    });

  /** Starts a long-running `todo …` (watch): its output so far, a wait for a line, a signal. */
  function startTodo(args: string[], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...baseEnv(), ...env } });
    const output = { stdout: '', stderr: '' };
    let changed = () => {};
    child.stdout.on('data', (chunk) => {
      output.stdout += chunk;
      changed();
    });
    child.stderr.on('data', (chunk) => {
      output.stderr += chunk;
      changed();
    });
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    return {
      output,
      exit,
      /** Resolves with the output once `stream` holds `count` lines; rejects if it exits first. */
      lines(stream: 'stdout' | 'stderr', count: number) {
        return new Promise<string[]>((resolve, reject) => {
          const check = () => {
            const lines = output[stream].split('\n').slice(0, -1);
            if (lines.length >= count) resolve(lines);
          };
          changed = check;
          check();
          void exit.then((code) =>
            reject(new Error(`todo ${args.join(' ')} exited with ${code}: ${JSON.stringify(output)}`)),
          );
        });
      },
      interrupt() {
        child.kill('SIGINT');
        return exit;
      },
    };
  }

  /** A config directory of its own: another user, or another terminal of the same one. */
  const newHome = () => {
    const dir = mkdtempSync(join(tmpdir(), 'todo-cli-other-'));
    homes.push(dir);
    return { XDG_CONFIG_HOME: dir };
  };

  /** A config directory of its own (plus `env`), signed up there as a new user. */
  const newUser = async (name: string, email: string, password: string, env: Record<string, string> = {}) => {
    const here = { ...newHome(), ...env };
    const signup = await todo(['signup', '--name', name, '--email', email], {
      input: `${password}\n`,
      env: here,
    });
    expect(signup.code, signup.stderr).toBe(0);
    return here;
  };

  const configFile = (dir = home) => join(dir, 'todo', 'config.json');
  /** The token stored in a config directory (the test's own unless told). */
  const tokenIn = (env: { XDG_CONFIG_HOME: string } = { XDG_CONFIG_HOME: home }): string | undefined =>
    existsSync(configFile(env.XDG_CONFIG_HOME))
      ? JSON.parse(readFileSync(configFile(env.XDG_CONFIG_HOME), 'utf8')).servers[url]?.token
      : undefined;

  /** The status of a sign-in over plain HTTP, to see which password works. */
  const signInStatus = async (email: string, password: string) =>
    (
      await fetch(`${url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ email, password }),
      })
    ).status;

  return {
    database,
    server,
    url,
    home,
    userId,
    todo,
    startTodo,
    newHome,
    newUser,
    configFile,
    tokenIn,
    signInStatus,
    /** Signs the test's own config directory in as EMAIL. */
    async login() {
      const run = await todo(['login', '--email', EMAIL], { input: PASSWORD });
      expect(run.code, run.stderr).toBe(0);
    },
    async close() {
      await server.stop();
      for (const dir of homes) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type CliServer = Awaited<ReturnType<typeof startCliServer>>;
