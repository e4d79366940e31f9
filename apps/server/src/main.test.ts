import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from './testing.ts';

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const PASSWORD = 'a-password-that-must-never-be-logged';

type Child = { process: ChildProcess; stdout: string[]; stderr: string[]; exit: Promise<number | null> };

/** Runs src/main.ts as its own process (through tsx, as `pnpm start` does), collecting its output. */
function runMain(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (stream: NodeJS.ReadableStream, lines: string[]) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
    stream.on('end', () => rest && lines.push(rest));
  };
  if (child.stdout) collect(child.stdout, stdout);
  if (child.stderr) collect(child.stderr, stderr);
  // 'close' comes after the exit and after stdout and stderr have ended: every line is in.
  const exit = once(child, 'close').then(([code]) => code as number | null);
  return { process: child, stdout, stderr, exit };
}

async function waitFor<T>(check: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the server process (src/main.ts)', () => {
  it('prints one line per configuration problem and exits 1', async () => {
    const child = runMain({ NODE_ENV: 'production', PORT: 'eighty', DATABASE_URL: 'mysql://u@db/app' });
    expect(await child.exit).toBe(1);
    const [heading, ...problems] = child.stderr.filter(Boolean);
    expect(heading).toBe('invalid configuration:');
    expect(problems.sort()).toEqual([
      '  BETTER_AUTH_SECRET: required in production (at least 32 random characters)',
      '  DATABASE_URL: must be a postgres:// or postgresql:// URL',
      '  PORT: must be a port number from 0 to 65535',
    ]);
    expect(child.stdout.filter(Boolean)).toEqual([]);
  });

  describe('running', () => {
    let webDist: string;
    let child: Child;
    let url: string;

    beforeAll(async () => {
      webDist = mkdtempSync(join(tmpdir(), 'todo-web-'));
      writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>t</title>');
      child = runMain({
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        PGLITE_DIR: 'memory',
        BETTER_AUTH_SECRET: TEST_SECRET,
        AUTH_RATE_LIMIT_PER_MINUTE: '0',
        WEB_DIST: webDist,
      });
      url = await waitFor(
        () => child.stdout.map((line) => /^todo server on (http:\/\/\S+)/.exec(line)?.[1]).find(Boolean),
        `the server to start (stderr: ${child.stderr.join('\n')})`,
      );
    });
    afterAll(async () => {
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
      rmSync(webDist, { recursive: true, force: true });
    });

    it('logs one JSON line per request without tokens, passwords or query strings; SIGTERM finishes the request in flight, then exits 0', async () => {
      const signUp = await fetch(`${url}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ name: 'Logger', email: 'logger@example.com', password: PASSWORD }),
      });
      expect(signUp.status).toBe(200);
      const token = signUp.headers.get('set-auth-token') ?? '';
      const search = encodeURIComponent(JSON.stringify({ search: 'private-search-term' }));
      const list = await fetch(`${url}/api/trpc/todo.list?input=${search}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(list.status).toBe(200);

      // A request whose body is still arriving when SIGTERM comes.
      const body = JSON.stringify({ title: 'finished after SIGTERM' });
      const req = request(`${url}/api/trpc/todo.create`, {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      });
      const response = once(req, 'response');
      req.write(body.slice(0, 10));
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.process.kill('SIGTERM');
      await waitFor(
        () => (child.stdout.some((line) => line.startsWith('SIGTERM')) ? true : undefined),
        'SIGTERM',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(child.process.exitCode).toBeNull();
      req.end(body.slice(10));

      const [res] = (await response) as [import('node:http').IncomingMessage];
      let text = '';
      for await (const chunk of res) text += chunk;
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(text)).toMatchObject({ result: { data: { title: 'finished after SIGTERM' } } });
      expect(await child.exit).toBe(0);

      const requests = child.stdout.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
      expect(requests).toEqual([
        expect.objectContaining({ method: 'POST', path: '/api/auth/sign-up/email', status: 200 }),
        expect.objectContaining({ method: 'GET', path: '/api/trpc/todo.list', status: 200 }),
        expect.objectContaining({ method: 'POST', path: '/api/trpc/todo.create', status: 200 }),
      ]);
      for (const line of requests) {
        expect(Object.keys(line).sort()).toEqual(['method', 'ms', 'path', 'status', 'time']);
        expect(line.ms).toEqual(expect.any(Number));
      }
      const everything = [...child.stdout, ...child.stderr].join('\n');
      for (const secret of [token, PASSWORD, 'private-search-term', 'logger@example.com']) {
        expect(everything).not.toContain(secret);
      }
    });
  });
});
