// The benchmark's requests are the client's: what the recording fetch saw, with other values
// filled in, is byte for byte what a real server receives when the real client makes the same
// call with those values; and what autocannon and wrk send is those templates filled.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, defaultTestDriver } from '@todo/db/testing';
import { loadConfig, startServer } from '@todo/server';
import { signUp } from '@todo/server/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { autocannonDrive, createWorkload, type Drive, TITLE_PREFIX } from './load.ts';
import { runCleanups } from './processes.ts';
import type { RecordedRequest } from './recording-fetch.ts';
import type { SeededUser } from './seed.ts';
import {
  fill,
  MIX_CALLS,
  recordCall,
  recordShape,
  recordTemplate,
  SHAPE_CLIENTS,
  SHAPES,
  type Shape,
  type ShapeName,
  templateFor,
} from './shapes.ts';
import { findWrk, wrkDrive } from './wrk.ts';

/** Headers that the HTTP client adds on its own (undici, autocannon, wrk), not the tRPC client. */
const TRANSPORT_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'user-agent',
  'accept',
  'accept-language',
  'accept-encoding',
  'sec-fetch-mode',
]);

async function bodyOf(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? null : Buffer.concat(chunks).toString('utf8');
}

const asReceived = (req: IncomingMessage, body: string | null): RecordedRequest => ({
  method: req.method ?? '',
  path: req.url ?? '',
  headers: Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)])),
  body,
});

/**
 * An HTTP server that keeps each request as it arrived and answers with `answer`: a real
 * server's answer when it relays there, or a fixed tRPC success.
 */
async function startRecorder(
  answer: (req: IncomingMessage, body: string | null) => Promise<[number, string]>,
) {
  const received: RecordedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    received.push(asReceived(req, body));
    const [status, text] = await answer(req, body);
    res.writeHead(status, { 'content-type': 'application/json' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    take: () => received.splice(0),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Relays a request to `target` as it came (same method, path, headers and body). */
const relayTo =
  (target: string) =>
  (req: IncomingMessage, body: string | null): Promise<[number, string]> =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(target);
      const forward = httpRequest(
        { hostname, port, method: req.method, path: req.url, headers: req.headers },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve([res.statusCode ?? 0, text]));
        },
      );
      forward.on('error', reject);
      forward.end(body ?? undefined);
    });

/** A received request as the tRPC client made it: without the headers the transport adds. */
const withoutTransport = (request: RecordedRequest) => ({
  method: request.method,
  path: request.path,
  headers: Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name)),
  ),
  body: request.body,
});

let shapes: Record<ShapeName, Shape>;
beforeAll(async () => {
  shapes = Object.fromEntries(await Promise.all(SHAPES.map(async (name) => [name, await recordShape(name)])));
});

describe('against the real server', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: Awaited<ReturnType<typeof startRecorder>>;
  let token: string;
  let todoId: string;
  let listId: string;

  beforeAll(async () => {
    database = await createTestDatabase(defaultTestDriver);
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
      AUTH_RATE_LIMIT_PER_MINUTE: '0',
      LOG_REQUESTS: 'false',
    });
    // The server closes what it is given; the throwaway database is disposed of below instead.
    server = await startServer(config, { ...database, close: async () => {} });
    proxy = await startRecorder(relayTo(server.url));
    ({ token } = await signUp(server.url, { name: 'Bench' }));
    const api = SHAPE_CLIENTS.client({ url: server.url, token, fetch });
    todoId = (await api.todo.create.mutate({ title: 'To update' })).id;
    listId = (await api.list.create.mutate({ name: 'Shared' })).id;
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
    await database?.dispose();
  });

  // A title that every encoding escapes differently: spaces, quotes, an apostrophe, an ampersand, non-ASCII.
  const title = `It's "quoted" & spaced: ü €`;
  const cases = SHAPES.flatMap((shape) =>
    (['list', 'create', 'update'] as const).flatMap((call) =>
      (call === 'update' ? [true, false] : [false]).map((completed) => ({ shape, call, completed })),
    ),
  );

  test.each(cases)(
    '$shape $call (completed: $completed): the template filled is what the server receives',
    async ({ shape, call, completed }) => {
      const values = { token, list: listId, title, id: todoId, completed };
      await MIX_CALLS[call](SHAPE_CLIENTS[shape]({ url: proxy.url, token, fetch }), values);
      const [received, ...more] = proxy.take();
      expect(more).toEqual([]);
      expect(withoutTransport(received!)).toEqual(fill(templateFor(shapes[shape], call, completed), values));
    },
  );

  test.each(SHAPES)(
    '%s: what the recording fetch saw is what the server receives, and the server accepts it',
    async (shape) => {
      const values = { token, list: listId, title, id: todoId, completed: true };
      for (const call of Object.values(MIX_CALLS)) {
        const recorded = await recordCall(shape, call, values);
        await call(SHAPE_CLIENTS[shape]({ url: proxy.url, token, fetch }), values);
        const [received] = proxy.take();
        expect(withoutTransport(received!)).toEqual(recorded);
        const { method, path, headers, body } = recorded;
        const answer = await fetch(server.url + path, { method, headers, body });
        expect(answer.status, await answer.text()).toBe(200);
      }
    },
  );
});

test('a value the client writes into the URL is filled in as the client writes it', async () => {
  const search = (api: Parameters<typeof MIX_CALLS.list>[0], values: { title: string }) =>
    api.todo.list.query({ search: values.title, limit: 50 });
  for (const shape of SHAPES) {
    const template = await recordTemplate(shape, search);
    for (const title of [`It's "quoted" & spaced: ü € 100%`, "(*)!~'", 'plain']) {
      const values = { token: 'abc', list: randomUUID(), title, id: randomUUID(), completed: false };
      expect(fill(template, values)).toEqual(await recordCall(shape, search, values));
    }
  }
});

describe('the load generators send the templates filled', () => {
  const users: SeededUser[] = Array.from({ length: 3 }, () => ({
    id: randomUUID(),
    token: randomBytes(16).toString('hex'),
    listId: randomUUID(),
    todos: Array.from({ length: 3 }, () => ({ id: randomUUID(), completed: false })),
  }));
  // A tRPC success in the shape the request asked for.
  const success = async (req: IncomingMessage): Promise<[number, string]> => [
    200,
    new URL(req.url ?? '/', 'http://stub').searchParams.get('batch') === '1'
      ? '[{"result":{"data":null}}]'
      : '{"result":{"data":null}}',
  ];
  afterAll(runCleanups);

  /** The template and values that `received` must be: found from its user, todo and title number. */
  function expected(shape: Shape, received: RecordedRequest) {
    const text = `${received.path} ${received.body ?? ''}`;
    const user = users.find((candidate) => received.headers.authorization?.includes(candidate.token));
    const number = /Benchmark todo (\d+)/.exec(text)?.[1];
    const todo = user?.todos.find((candidate) => text.includes(candidate.id));
    const values = {
      token: user?.token,
      list: user?.listId,
      title: number && `${TITLE_PREFIX}${number}`,
      id: todo?.id,
    };
    const candidates = [shape.list, shape.create, shape.update.completed, shape.update.active];
    // Each template that these values fill (one without an id or title found has no slot for it).
    return candidates.flatMap((template) => {
      try {
        return [fill(template, values as Record<string, string>)];
      } catch {
        return [];
      }
    });
  }

  async function sent(shape: Shape, drive: Drive) {
    // A stub of its own: a request still in flight from another test's drive is not this one's.
    const stub = await startRecorder(success);
    // Enough requests to see every kind: a busy machine may send only a few in a second, so the
    // drive runs again until it has (a count, not a speed, is what this test checks).
    const received: RecordedRequest[] = [];
    for (let round = 0; round < 20 && received.length <= 20; round++) {
      await drive({ url: stub.url, connections: 2, seconds: 1 });
      received.push(...stub.take());
    }
    await stub.close();
    expect(received.length).toBeGreaterThan(20);
    for (const request of received)
      expect(expected(shape, request)).toContainEqual(withoutTransport(request));
    return new Set(received.map((request) => `${request.method} ${request.path.split('?')[0]}`));
  }

  test.each(SHAPES)('autocannon, %s shape', async (name) => {
    const kinds = await sent(shapes[name], autocannonDrive(createWorkload(users, shapes[name])));
    expect(kinds.size).toBe(3);
  });

  const wrk = findWrk();
  test.skipIf(wrk === null).each(SHAPES)('wrk, %s shape', async (name) => {
    const kinds = await sent(shapes[name], wrkDrive(wrk!, users, shapes[name]));
    expect(kinds.size).toBe(3);
  });
});
