import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { request } from 'node:http';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ServerExitedError,
  type ServerProcess,
  spawnServer,
  TEST_SECRET,
  testWebBuild,
  waitFor,
} from './testing.ts';

const PASSWORD = 'a-password-that-must-never-be-logged';

describe('the server process (src/start.ts)', () => {
  it('prints one line per configuration problem and exits 1', async () => {
    const child = await spawnServer({
      env: { NODE_ENV: 'production', PORT: 'eighty', DATABASE_URL: 'mysql://u@db/app' },
    }).then(
      () => expect.fail('the server started'),
      (error: unknown) => error,
    );
    if (!(child instanceof ServerExitedError)) throw child;
    expect(child.code).toBe(1);
    const [heading, ...problems] = child.stderr.filter(Boolean);
    expect(heading).toBe('invalid configuration:');
    expect(problems.sort()).toEqual([
      '  BETTER_AUTH_SECRET: required in production (at least 32 random characters)',
      '  DATABASE_URL: must be a postgres:// or postgresql:// URL',
      '  PORT: must be a port number from 0 to 65535',
    ]);
    expect(child.stdout.filter(Boolean)).toEqual([]);
  });

  it('src/start.ts (`pnpm start`) runs in production when NODE_ENV is not set', async () => {
    const child = await spawnServer({
      env: { PGLITE_DIR: 'memory', BETTER_AUTH_SECRET: TEST_SECRET },
    });
    try {
      expect(child.stdout.find((line) => line.startsWith('todo server on'))).toMatch(/production\)$/);
    } finally {
      await child.stop('SIGKILL');
    }
  });

  it('`--development` (`pnpm dev`) runs in development when NODE_ENV is not set', async () => {
    const child = await spawnServer({
      args: ['--development'],
      env: { PGLITE_DIR: 'memory', BETTER_AUTH_SECRET: TEST_SECRET, LOG_FORMAT: 'json' },
    });
    try {
      expect(child.stdout.find((line) => line.startsWith('todo server on'))).toMatch(/\(database: pglite\)$/);
    } finally {
      await child.stop('SIGKILL');
    }
  });

  it("Better Auth's own warnings are log lines of the same JSON shape, not coloured console text", async () => {
    const child = await spawnServer({
      // Long enough for the configuration, but one repeated character: Better Auth warns.
      env: { PGLITE_DIR: 'memory', BETTER_AUTH_SECRET: 'a'.repeat(40) },
    });
    try {
      const warning = await waitFor(
        () => child.stdout.find((text) => text.includes('low-entropy')),
        "Better Auth's warning",
      );
      expect(JSON.parse(warning)).toEqual({
        level: 'warn',
        time: expect.any(String),
        pid: expect.any(Number),
        source: 'better-auth',
        msg: expect.stringContaining('BETTER_AUTH_SECRET appears low-entropy'),
      });
      expect([...child.stdout, ...child.stderr].join('\n')).not.toContain('[Better Auth]:');
    } finally {
      await child.stop('SIGKILL');
    }
  });

  it('in a terminal, `pnpm start` prints one readable line per event, and none per file of the web build', async () => {
    const webDist = testWebBuild();
    const child = await spawnServer({
      terminal: true,
      env: { PGLITE_DIR: 'memory', BETTER_AUTH_SECRET: TEST_SECRET, WEB_DIST: webDist },
    });
    try {
      expect((await fetch(`${child.url}/app.js`)).status).toBe(200);
      expect((await fetch(`${child.url}/healthz`)).status).toBe(200);
      // The terminal ends lines with \r\n, and pino-pretty colours them.
      const lines = () => child.stdout.map((line) => stripVTControlCharacters(line).trimEnd());
      await waitFor(() => lines().find((line) => line.includes('/healthz')), 'the request line');
      expect(lines().filter((line) => line.includes('/healthz'))).toEqual([
        expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/healthz 200 [\d.]+ ms$/),
      ]);
      expect(lines().filter((line) => line.includes('/app.js'))).toEqual([]);
      expect(lines().filter((line) => line.startsWith('{'))).toEqual([]);
    } finally {
      await child.stop('SIGKILL');
      rmSync(webDist, { recursive: true, force: true });
    }
  });

  describe('running', () => {
    let webDist: string;
    let child: ServerProcess;
    let url: string;

    beforeAll(async () => {
      webDist = testWebBuild();
      child = await spawnServer({
        env: {
          NODE_ENV: 'test',
          PGLITE_DIR: 'memory',
          BETTER_AUTH_SECRET: TEST_SECRET,
          AUTH_RATE_LIMIT_PER_MINUTE: '0',
          WEB_DIST: webDist,
        },
      });
      url = child.url;
    });
    afterAll(async () => {
      await child?.stop('SIGKILL');
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
        () => (child.stdout.some((line) => line.includes('"msg":"SIGTERM: ')) ? true : undefined),
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

      const requests = child.stdout
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
        .filter((line) => line.msg === 'request');
      expect(requests).toEqual([
        expect.objectContaining({ method: 'POST', path: '/api/auth/sign-up/email', status: 200 }),
        expect.objectContaining({ method: 'GET', path: '/api/trpc/todo.list', status: 200 }),
        expect.objectContaining({ method: 'POST', path: '/api/trpc/todo.create', status: 200 }),
      ]);
      for (const line of requests) {
        expect(Object.keys(line).sort()).toEqual([
          'level',
          'method',
          'ms',
          'msg',
          'path',
          'pid',
          'reqId',
          'status',
          'time',
        ]);
        expect(line).toMatchObject({ level: 'info', pid: child.process.pid, ms: expect.any(Number) });
      }
      // Each request its own id, and the one its response named.
      expect(new Set(requests.map((line) => line.reqId)).size).toBe(3);
      expect(requests[1].reqId).toBe(list.headers.get('x-request-id'));
      const everything = [...child.stdout, ...child.stderr].join('\n');
      for (const secret of [token, PASSWORD, 'private-search-term', 'logger@example.com']) {
        expect(everything).not.toContain(secret);
      }
    });
  });
});
