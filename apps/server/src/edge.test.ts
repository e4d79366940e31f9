// The HTTP edge: no request, whatever its method, bytes, size or timing, takes the server down
// or leaves it unable to answer others. One describe per class of hostile request; after each,
// /healthz must still answer on a fresh connection, nothing may reach the database, and no
// unhandled rejection may escape. Raw sockets where fetch cannot express the request.
//
// Over 400 lines, kept together: the classes of hostile request share the raw-socket helpers and
// the check that follows each; split, each file would also start its own servers.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, Socket } from 'node:net';
import type { DB } from '@todo/db';
import { defaultTestDriver, testDrivers } from '@todo/db/testing';
import { initTRPC } from '@trpc/server';
import { type Kysely, sql } from 'kysely';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import { z } from 'zod';
import { catchErrors } from './edge.ts';
import {
  bearer,
  type Session,
  signUp,
  startTestServer,
  type TestServer,
  testLogger,
  trpc,
} from './testing.ts';
import { createTrpcHandler } from './trpc-handler.ts';

/**
 * Holds one of the database's connections (PGlite: its only one) in a transaction that ran
 * `statement`, until the answer is called.
 */
async function holdConnection(db: Kysely<DB>, statement = sql`select 1`): Promise<() => Promise<void>> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let taken!: () => void;
  const isTaken = new Promise<void>((resolve) => {
    taken = resolve;
  });
  const done = db.transaction().execute(async (trx) => {
    await statement.execute(trx);
    taken();
    await gate;
  });
  await isTaken;
  return async () => {
    release();
    await done;
  };
}

/** Sends `bytes` on a fresh connection and gives back all the server writes until it closes. */
function raw(url: string, bytes: string | Buffer, { end = false } = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      // A reset after the answer (the server dropped the rest) is the server's right.
      error.code === 'ECONNRESET' ? resolve(received) : reject(error),
    );
    socket.on('close', () => resolve(received));
    socket.write(bytes);
    if (end) socket.end();
  });
}

/** Opens a connection, sends `bytes`, and lets the test decide how it ends. */
async function openWith(url: string, bytes: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  await new Promise<void>((resolve) => socket.write(bytes, () => resolve()));
  return socket;
}

const statusOf = (response: string) => Number(response.slice(9, 12));
const header = (response: string, name: string) =>
  response.match(new RegExp(`^${name}: (.*)$`, 'im'))?.[1]?.trim() ?? null;
const bodyOf = (response: string) => response.slice(response.indexOf('\r\n\r\n') + 4);

/** /healthz on a connection of its own: the server still accepts and answers. */
async function expectServing(url: string) {
  const response = await raw(url, 'GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  expect(statusOf(response), response).toBe(200);
}

/** Waits until the server holds no connection: every hostile socket has been let go. */
async function untilNoConnections(server: Server) {
  for (;;) {
    const count = await new Promise<number>((resolve, reject) =>
      server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
    );
    if (count === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Fails the test on any unhandled rejection or console.error line while it runs. */
function watchProcess() {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  let errors: MockInstance<typeof console.error>;
  beforeEach(() => {
    rejections.length = 0;
    process.on('unhandledRejection', onRejection);
    errors = vi.spyOn(console, 'error');
  });
  afterEach(() => {
    process.off('unhandledRejection', onRejection);
    const logged = errors.mock.calls.map((args) => args.join(' '));
    errors.mockRestore();
    expect(rejections).toEqual([]);
    expect(logged).toEqual([]);
  });
}

const todoCount = (server: TestServer) =>
  server.testDatabase.db
    .selectFrom('todos')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n));

describe('1. a method a path does not serve gets 405 with Allow', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(defaultTestDriver);
  });
  afterAll(() => server?.stop());
  watchProcess();

  const request = (method: string, path: string) =>
    raw(
      server.url,
      `${method} ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`,
    );

  it('a TRACE request gets 405 and the server keeps serving', async () => {
    for (const path of ['/api/trpc/todo.list', '/api/auth/sign-in/email', '/healthz', '/']) {
      const response = await request('TRACE', path);
      expect(statusOf(response), path).toBe(405);
      await expectServing(server.url);
    }
  });

  it('a method Node does not know (FOO, TRACK) gets 400 from its parser and the server keeps serving', async () => {
    for (const path of ['/api/trpc/todo.list', '/api/auth/sign-in/email', '/']) {
      expect(statusOf(await request('FOO', path)), path).toBe(400);
      expect(statusOf(await request('TRACK', path)), path).toBe(400);
      await expectServing(server.url);
    }
  });

  it('non-standard methods Node parses (PROPFIND, PURGE, SEARCH, PUT, DELETE) get 405 on every route', async () => {
    const routes: [string, string][] = [
      ['/api/trpc/todo.create', 'GET, POST'],
      ['/api/trpc/todo.create,todo.list?batch=1', 'GET, POST'],
      ['/api/auth/sign-up/email', 'GET, POST'],
      ['/healthz', 'GET, HEAD'],
      ['/readyz', 'GET, HEAD'],
      ['/', 'GET, HEAD'],
      ['/some/client/route', 'GET, HEAD'],
    ];
    for (const method of ['PROPFIND', 'PUT', 'DELETE', 'PATCH', 'MKCOL', 'PURGE', 'SEARCH']) {
      for (const [path, allow] of routes) {
        const response = await request(method, path);
        expect(statusOf(response), `${method} ${path}`).toBe(405);
        expect(header(response, 'allow'), `${method} ${path}`).toBe(allow);
      }
    }
    await expectServing(server.url);
  });

  it('a procedure called with the other method gets tRPC’s 405, naming the one it takes', async () => {
    for (const [method, path, allow] of [
      ['POST', '/api/trpc/todo.list', 'GET'],
      ['GET', '/api/trpc/todo.create', 'POST'],
    ] as const) {
      const response = await request(method, path);
      expect(statusOf(response), `${method} ${path}`).toBe(405);
      expect(header(response, 'allow'), `${method} ${path}`).toBe(allow);
    }
    await expectServing(server.url);
  });

  it('API paths answer 405 with a JSON error', async () => {
    for (const path of ['/api/trpc/todo.list', '/api/auth/get-session', '/healthz']) {
      const response = await request('TRACE', path);
      expect(header(response, 'content-type'), path).toBe('application/json');
      expect(JSON.parse(bodyOf(response)), path).toEqual({
        error: { message: 'Method not allowed', code: 'METHOD_NOT_SUPPORTED' },
      });
    }
  });

  it('tRPC refuses HEAD and OPTIONS too: tRPC answers HEAD with an empty 204 and has no CORS here', async () => {
    for (const method of ['HEAD', 'OPTIONS']) {
      const response = await fetch(`${server.url}/api/trpc/todo.list`, { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, POST');
    }
  });

  it('HEAD works where GET does: health checks and the web app', async () => {
    for (const path of ['/healthz', '/readyz', '/', '/app.js']) {
      expect((await fetch(`${server.url}${path}`, { method: 'HEAD' })).status, path).toBe(200);
    }
  });

  it('CONNECT is refused without taking the server down', async () => {
    const response = await raw(server.url, 'CONNECT /api/trpc/todo.list HTTP/1.1\r\nhost: x\r\n\r\n');
    // Node hands CONNECT to a 'connect' listener, and without one it closes the socket.
    expect(response === '' || statusOf(response) === 405 || statusOf(response) === 400, response).toBe(true);
    await expectServing(server.url);
  });

  it('an unknown /api path is 404 whatever the method', async () => {
    expect(statusOf(await request('DELETE', '/api/nothing'))).toBe(404);
  });
});

describe.each(testDrivers)('2. a body that stops half-way or a client that goes away, on %s', (driver) => {
  let server: TestServer;
  let user: Session;
  beforeAll(async () => {
    server = await startTestServer(driver);
    user = await signUp(server.url);
  });
  afterAll(() => server?.stop());
  watchProcess();

  const body = JSON.stringify({ title: 'never written' });
  const head = (path: string, framing: string, auth = true) =>
    `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${auth ? `authorization: Bearer ${user.token}\r\n` : ''}${framing}\r\n`;
  const targets = [
    ['the direct tRPC path', '/api/trpc/todo.create'],
    ['the fetch-adapter path (a batch)', '/api/trpc/todo.create?batch=1'],
    ['/api/auth', '/api/auth/sign-up/email'],
  ] as const;

  for (const [name, path] of targets) {
    for (const [framing, bytes] of [
      ['content-length', `content-length: ${body.length + 50}\r\n`],
      ['chunked', 'transfer-encoding: chunked\r\n'],
    ] as const) {
      it(`a ${framing} body that stops half-way on ${name} is dropped quietly`, async () => {
        const before = await todoCount(server);
        const partial =
          framing === 'chunked' ? `20\r\n${body.slice(0, 20).padEnd(32, ' ')}\r\n` : body.slice(0, 12);
        for (const ending of ['close', 'reset'] as const) {
          const socket = await openWith(server.url, head(path, bytes) + partial);
          if (ending === 'close') socket.end();
          else socket.resetAndDestroy();
          await untilNoConnections(server.server);
          await expectServing(server.url);
        }
        expect(await todoCount(server)).toBe(before);
      });
    }
  }

  it('a half sign-up creates no account', async () => {
    const email = `half-${Date.now()}@example.com`;
    const json = JSON.stringify({ name: 'Half', email, password: 'correct horse battery' });
    const socket = await openWith(
      server.url,
      `${head('/api/auth/sign-up/email', `content-length: ${json.length}\r\norigin: ${server.url}\r\n`, false)}${json.slice(0, -2)}`,
    );
    socket.end();
    await untilNoConnections(server.server);
    const users = await server.testDatabase.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .execute();
    expect(users).toEqual([]);
    await expectServing(server.url);
  });

  it('a client that goes away before its answer is dropped quietly', async () => {
    for (const path of [
      '/api/trpc/todo.list',
      '/api/trpc/todo.list,todo.counts?batch=1',
      '/api/auth/get-session',
      '/',
    ]) {
      const socket = await openWith(
        server.url,
        `GET ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${user.token}\r\n\r\n`,
      );
      socket.destroy();
    }
    await untilNoConnections(server.server);
    await expectServing(server.url);
    expect((await trpc(server.url, 'todo.counts', { headers: bearer(user.token) })).status).toBe(200);
  });
});

describe('2b. the tRPC handler on its own', () => {
  // A router of its own: what matters is whether a call ran, not what it does.
  const t = initTRPC.create();
  const calls: unknown[] = [];
  const router = t.router({
    record: t.procedure.input(z.object({ title: z.string() })).mutation(({ input }) => {
      calls.push(input);
      return input;
    }),
  });
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const handler = createTrpcHandler({
      router,
      endpoint: '/api/trpc',
      maxBodySize: 1_000,
      maxBatchSize: 10,
      createContext: () => ({}),
    });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    calls.length = 0;
  });
  watchProcess();

  it('TRACE gets tRPC’s 405, never a rejected `new Request`', async () => {
    const response = await raw(
      url,
      'TRACE /api/trpc/record HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n',
    );
    expect(statusOf(response)).toBe(405);
    expect(header(response, 'allow')).toBe('GET, POST');
    expect(JSON.parse(bodyOf(response))).toMatchObject({
      error: { code: -32005, data: { code: 'METHOD_NOT_SUPPORTED', httpStatus: 405 } },
    });
  });

  it('a body that stops half-way runs nothing', async () => {
    for (const path of ['/api/trpc/record', '/api/trpc/record,record?batch=1']) {
      const socket = await openWith(
        url,
        `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{"title":"ha`,
      );
      socket.end();
      await untilNoConnections(server);
    }
    expect(calls).toEqual([]);
    const whole = await fetch(`${url}/api/trpc/record`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"title":"whole"}',
    });
    expect(whole.status).toBe(200);
    expect(calls).toEqual([{ title: 'whole' }]);
  });

  it('a batch of 11 calls, or of 11 input keys, gets 400 and runs none', async () => {
    const input = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i, { title: `${i}` }]));
    for (const paths of [Array(11).fill('record'), ['record']]) {
      const response = await fetch(`${url}/api/trpc/${paths.join(',')}?batch=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 400 } },
      });
    }
    expect(calls).toEqual([]);
  });
});

describe('3. /api/auth reads its body under the same rules as /api/trpc', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(defaultTestDriver);
  });
  afterAll(() => server?.stop());

  it('an /api/auth body over 1 MB gets 413 with a JSON error', async () => {
    const response = await fetch(`${server.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({
        name: 'x'.repeat(1_100_000),
        email: 'big@example.com',
        password: 'long enough',
      }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      error: { message: 'Request body too large', code: 'PAYLOAD_TOO_LARGE' },
    });
    await expectServing(server.url);
  });

  it('an /api/auth POST whose body is not JSON gets 415', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const response = await fetch(`${server.url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': type, origin: server.url },
        body: 'email=a@example.com&password=whatever',
      });
      expect(response.status, type).toBe(415);
      expect(await response.json()).toEqual({
        error: { message: 'Request body must be application/json', code: 'UNSUPPORTED_MEDIA_TYPE' },
      });
    }
  });

  it('a bodiless POST (sign-out with a bearer) still reaches Better Auth', async () => {
    const user = await signUp(server.url);
    const response = await fetch(`${server.url}/api/auth/sign-out`, {
      method: 'POST',
      headers: bearer(user.token),
    });
    expect(response.status).toBe(200);
  });
});

describe.each(testDrivers)('4. a tRPC batch holds at most 10 calls, on %s', (driver) => {
  let server: TestServer;
  let user: Session;
  beforeAll(async () => {
    server = await startTestServer(driver);
    user = await signUp(server.url);
  });
  afterAll(() => server?.stop());
  watchProcess();

  const batch = (paths: string[], input: Record<string, unknown>) =>
    fetch(`${server.url}/api/trpc/${paths.join(',')}?batch=1`, {
      method: 'POST',
      headers: { ...bearer(user.token), 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
  const creates = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { title: `batch ${i}` }]));
  const badRequest = {
    error: {
      message: 'Batch call exceeds maximum size',
      code: -32600,
      data: expect.objectContaining({ code: 'BAD_REQUEST', httpStatus: 400 }),
    },
  };

  it('a batch of 11 calls gets 400 in tRPC’s error shape and runs none of them', async () => {
    const before = await todoCount(server);
    const response = await batch(Array(11).fill('todo.create'), creates(11));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(badRequest);
    expect(await todoCount(server)).toBe(before);

    const query = await fetch(`${server.url}/api/trpc/${Array(11).fill('todo.counts').join(',')}?batch=1`, {
      headers: bearer(user.token),
    });
    expect(query.status).toBe(400);
    await expectServing(server.url);
  });

  it('a batch whose input object has more than 10 keys gets 400 and runs none of its calls', async () => {
    const before = await todoCount(server);
    const response = await batch(['todo.create', 'todo.create'], creates(11));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(badRequest);
    const input = encodeURIComponent(JSON.stringify(creates(11)));
    const query = await fetch(`${server.url}/api/trpc/todo.counts?batch=1&input=${input}`, {
      headers: bearer(user.token),
    });
    expect(query.status).toBe(400);
    expect(await todoCount(server)).toBe(before);
  });

  it('a batch of 10 calls runs all ten', async () => {
    const before = await todoCount(server);
    const response = await batch(Array(10).fill('todo.create'), creates(10));
    expect(response.status).toBe(200);
    expect(await todoCount(server)).toBe(before + 10);
  });
});

describe('5. a slow client is cut off by the server’s timeouts', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(defaultTestDriver, {
      HTTP_HEADERS_TIMEOUT_MS: '500',
      HTTP_REQUEST_TIMEOUT_MS: '1000',
    });
  });
  afterAll(() => server?.stop());
  watchProcess();

  it('the timeouts are set, with sane defaults', async () => {
    const defaults = await startTestServer(defaultTestDriver);
    try {
      expect(defaults.server.headersTimeout).toBe(10_000);
      expect(defaults.server.requestTimeout).toBe(30_000);
      expect(defaults.server.keepAliveTimeout).toBe(5_000);
    } finally {
      await defaults.stop();
    }
  });

  it('a client that sends its headers slowly gets 408 and its socket closed', async () => {
    const socket = await openWith(server.url, 'GET /healthz HTTP/1.1\r\nhost: x\r\n');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
    });
    await new Promise((resolve) => socket.once('close', resolve));
    expect(statusOf(received), received).toBe(408);
    await expectServing(server.url);
  });

  it('a body that trickles is cut off by the request timeout, and nothing is written', async () => {
    const user = await signUp(server.url);
    const before = await todoCount(server);
    const socket = await openWith(
      server.url,
      `POST /api/trpc/todo.create HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${user.token}\r\ncontent-length: 100\r\n\r\n{"title":`,
    );
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
    });
    await new Promise((resolve) => socket.once('close', resolve));
    expect(statusOf(received), received).toBe(408);
    await expectServing(server.url);
    expect(await todoCount(server)).toBe(before);
  });

  it('a response that takes longer than the request timeout is not cut off (event streams need that)', async () => {
    const user = await signUp(server.url);
    // The embedded database's one connection, held: the request waits.
    const release = await holdConnection(server.testDatabase.db);
    const answer = trpc(server.url, 'todo.counts', { headers: bearer(user.token) });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await release();
    expect((await answer).status).toBe(200);
  });

  it('headers over 16 KB get 431', async () => {
    const response = await raw(
      server.url,
      `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\nconnection: close\r\n\r\n`,
    );
    expect(statusOf(response)).toBe(431);
    await expectServing(server.url);
  });
});

describe('6. an error that escapes a handler is a 500 for that request alone', () => {
  describe('the catchErrors wrapper, over a real server', () => {
    let server: Server;
    let url: string;
    const handlers: Record<string, (res: import('node:http').ServerResponse) => void | Promise<void>> = {
      '/throws': () => {
        throw new Error('sync failure');
      },
      '/rejects': async () => {
        await Promise.resolve();
        throw new Error('async failure');
      },
      '/after-headers': async (res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('half');
        await Promise.resolve();
        throw new Error('failure mid-answer');
      },
    };
    beforeAll(async () => {
      server = createServer(
        catchErrors((req, res) => {
          res.setHeader('x-set-before', 'dropped on 500');
          return handlers[(req.url ?? '').split('?')[0] ?? '']?.(res);
        }, testLogger()),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('a sync throw and a rejected promise are answered 500 and logged once, without query or headers', async () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        for (const path of ['/throws', '/rejects']) {
          const response = await fetch(`${url}${path}?token=query-secret`, {
            headers: { authorization: 'Bearer header-secret', cookie: 'session=cookie-secret' },
          });
          expect(response.status, path).toBe(500);
          expect(response.headers.get('x-set-before')).toBeNull();
          expect(response.headers.get('cache-control')).toBe('no-store');
          expect(await response.json()).toEqual({
            error: { message: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' },
          });
        }
        expect(errors).toHaveBeenCalledTimes(2);
        const lines = errors.mock.calls.map((args) => String(args[0]));
        for (const line of lines) expect(line).not.toMatch(/secret/);
        const [first, second] = lines.map((line) => JSON.parse(line));
        expect(first).toMatchObject({
          level: 'error',
          method: 'GET',
          path: '/throws',
          err: { message: 'sync failure' },
        });
        expect(second).toMatchObject({
          method: 'GET',
          path: '/rejects',
          err: { message: 'async failure' },
        });
      } finally {
        errors.mockRestore();
      }
    });

    it('an error after the headers went out cuts that connection, and the server keeps serving', async () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const response = await raw(url, 'GET /after-headers HTTP/1.1\r\nhost: x\r\n\r\n');
        expect(statusOf(response)).toBe(200);
        expect(errors).toHaveBeenCalledTimes(1);
        expect((await fetch(`${url}/throws`)).status).toBe(500);
      } finally {
        errors.mockRestore();
      }
    });
  });

  describe('the app', () => {
    let server: TestServer;
    const NativeRequest = globalThis.Request;
    const NativeSearchParams = globalThis.URLSearchParams;
    beforeAll(async () => {
      server = await startTestServer(defaultTestDriver);
      // A fault where none can be provoked from outside: building a fetch Request (for Better
      // Auth) or reading a query string (for tRPC's path) throws for URLs that ask for it.
      globalThis.Request = class extends NativeRequest {
        constructor(...args: ConstructorParameters<typeof NativeRequest>) {
          if (String(args[0]).includes('explode')) throw new Error('injected failure');
          super(...args);
        }
      };
      globalThis.URLSearchParams = class extends NativeSearchParams {
        constructor(...args: ConstructorParameters<typeof NativeSearchParams>) {
          if (String(args[0]).includes('explode')) throw new Error('injected failure');
          super(...args);
        }
      };
    });
    afterAll(async () => {
      globalThis.Request = NativeRequest;
      globalThis.URLSearchParams = NativeSearchParams;
      await server?.stop();
    });

    it('an error escaping Better Auth’s or tRPC’s handler answers 500, is logged once, and the server keeps serving', async () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        for (const path of ['/api/auth/get-session', '/api/trpc/todo.counts,me']) {
          const response = await fetch(`${server.url}${path}?batch=1&explode=secret-in-query`, {
            headers: { authorization: 'Bearer secret-in-header' },
          });
          expect(response.status, path).toBe(500);
          expect(await response.json()).toEqual({
            error: { message: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' },
          });
          expect(response.headers.get('cache-control')).toBe('no-store');
          await expectServing(server.url);
        }
        const lines = errors.mock.calls.map((args) => String(args[0]));
        expect(lines).toHaveLength(2);
        for (const line of lines) expect(line).not.toMatch(/secret/);
        const [auth, batch] = lines.map((line) => JSON.parse(line));
        expect(auth).toMatchObject({
          level: 'error',
          method: 'GET',
          path: '/api/auth/get-session',
          err: { message: 'injected failure' },
          reqId: expect.any(String),
        });
        expect(batch.reqId).toEqual(expect.any(String));
        expect(batch.reqId).not.toBe(auth.reqId);
      } finally {
        errors.mockRestore();
      }
    });
  });

  describe('malformed requests (clientError)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(defaultTestDriver);
    });
    afterAll(() => server?.stop());
    watchProcess();

    it('a request Node cannot parse gets 400 and the server keeps serving', async () => {
      for (const bytes of [
        'GARBAGE\r\n\r\n',
        'GET / HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n',
        'GET / HTTP/1.1\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n',
        'POST /api/trpc/todo.create HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
      ]) {
        const response = await raw(server.url, bytes);
        expect(statusOf(response), JSON.stringify(bytes)).toBe(400);
        await expectServing(server.url);
      }
    });

    it('a client error on a socket already destroyed is ignored', async () => {
      const gone = new Socket();
      gone.destroy();
      expect(() => server.server.emit('clientError', new Error('late'), gone)).not.toThrow();
      const reset = await openWith(server.url, 'GARBAGE');
      reset.resetAndDestroy();
      await untilNoConnections(server.server);
      await expectServing(server.url);
    });
  });
});

describe('7. caching and transport security headers', () => {
  let plain: TestServer;
  let secure: TestServer;
  beforeAll(async () => {
    plain = await startTestServer(defaultTestDriver);
    secure = await startTestServer(defaultTestDriver, { PUBLIC_URL: 'https://todo.example' });
  });
  afterAll(async () => {
    await plain?.stop();
    await secure?.stop();
  });

  it('API and auth answers carry Cache-Control: no-store', async () => {
    const user = await signUp(plain.url);
    const answers = [
      (await trpc(plain.url, 'todo.counts', { headers: bearer(user.token) })).response,
      (await trpc(plain.url, 'todo.counts')).response,
      await fetch(`${plain.url}/api/auth/get-session`, { headers: bearer(user.token) }),
      await fetch(`${plain.url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      }),
      await fetch(`${plain.url}/api/trpc/todo.counts`, { method: 'PUT' }),
      await fetch(`${plain.url}/api/nothing`),
      await fetch(`${plain.url}/readyz`),
    ];
    for (const response of answers)
      expect(response.headers.get('cache-control'), response.url).toBe('no-store');
  });

  it('every response carries Strict-Transport-Security when PUBLIC_URL is https, none over http', async () => {
    for (const path of [
      '/',
      '/app.js',
      '/healthz',
      '/api/trpc/todo.counts',
      '/api/auth/get-session',
      '/nope',
    ]) {
      const response = await fetch(`${secure.url}${path}`);
      expect(response.headers.get('strict-transport-security'), path).toBe(
        'max-age=31536000; includeSubDomains',
      );
      expect((await fetch(`${plain.url}${path}`)).headers.get('strict-transport-security'), path).toBeNull();
    }
    const refused = await fetch(`${secure.url}/healthz`, { method: 'DELETE' });
    expect(refused.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});

describe.each(testDrivers)('8. /readyz has its own path to the database, on %s', (driver) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(driver);
  });
  afterAll(() => server?.stop());
  watchProcess();

  it('a busy pool still reads as ready while the database answers', async () => {
    const user = await signUp(server.url);
    // Every connection of the application's pool held (PGlite: its one connection).
    const held: (() => Promise<void>)[] = [];
    const slots = driver === 'pglite' ? 1 : (server.testDatabase.config as { poolMax: number }).poolMax;
    for (let n = 0; n < slots; n++) held.push(await holdConnection(server.testDatabase.db));
    const waiting = trpc(server.url, 'todo.counts', { headers: bearer(user.token) });
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
    for (const release of held) await release();
    expect((await waiting).status).toBe(200);
  });
});

describe.each(testDrivers)(
  '9. on shutdown /readyz turns 503 first, then in-flight requests drain, on %s',
  (driver) => {
    it('readiness flips while the server still serves; the request in flight finishes; then it closes', async () => {
      const server = await startTestServer(driver, { SHUTDOWN_DELAY_MS: '5000' });
      try {
        const user = await signUp(server.url);
        const release = await holdConnection(
          server.testDatabase.db,
          sql`lock table todos in access exclusive mode`,
        );
        const inFlight = trpc(server.url, 'todo.create', {
          mutation: true,
          input: { title: 'in flight at shutdown' },
          headers: bearer(user.token),
        });
        expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
        const closed = server.close(10_000);
        const notReady = await fetch(`${server.url}/readyz`);
        expect(notReady.status).toBe(503);
        expect(await notReady.json()).toEqual({ status: 'shutting down' });
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        await release();
        expect((await inFlight).status).toBe(200);
        await closed;
        await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
        expect(await todoCount(server)).toBe(1);
      } finally {
        await server.stop();
      }
    });
  },
);
