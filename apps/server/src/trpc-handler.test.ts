// The server's tRPC path against tRPC's own fetch adapter as the oracle: two servers over one
// database, each user on each server doing the same things, every answer compared (status,
// content type, Vary, body with ids, times, cursors and emails masked). Fixed cases cover every
// procedure, single and batched, every error kind and odd requests; generated hostile input
// covers the rest. The server's path builds no fetch Request for any of them.
//
// Over 400 lines, kept together: the fixed and generated cases compare the same two servers;
// split, each file would start its own pair.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appRouter, CLIENT_IP_HEADER, createAuth, httpContext } from '@todo/api';
import { QUERY_PATHS } from '@todo/api/testing/expected-answers';
import { PROCEDURE_PATHS, procedureInputs } from '@todo/api/testing/hostile-input';
import { fuzzRuns, fuzzSeed } from '@todo/api/testing/hostile-values';
import { createTestDatabase, createTestUser, defaultTestDriver, type TestDatabase } from '@todo/db/testing';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { toNodeHandler } from 'better-auth/node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendFetchResponse, toHeaders } from './fetch-bridge.ts';
import { readBody } from './read-body.ts';
import { type Session, signUp, TEST_SECRET } from './testing.ts';
import { createTrpcHandler } from './trpc-handler.ts';

/** tRPC's own fetch adapter behind node:http: the reference. */
function adapterHandler(createContext: ReturnType<typeof httpContext>) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const read = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, 10_000_000);
    if (read === 'aborted' || read === 'too large') return void res.destroy();
    const request = new Request(new URL(req.url ?? '/', 'http://localhost'), {
      method: req.method,
      headers: toHeaders(req),
      body: read as RequestInit['body'],
    });
    const response = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req: request,
      router: appRouter,
      createContext: () => createContext(req.headers),
      maxBatchSize: 10,
    });
    await sendFetchResponse(res, response);
  };
}

type Side = { url: string; session: Session; todoIds: string[] };
type Request = { path: string; method?: string; headers?: Record<string, string>; body?: string };

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;
const CURSOR = /"nextCursor":"[^"]*"/g;
const EMAIL = /[\w.+-]+@example\.com/g;

/** What must match between the two servers: everything but the ids, times and emails that differ by nature. */
async function answer(side: Side, request: Request) {
  const response = await fetch(side.url + request.path, {
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
  });
  const body = (await response.text())
    .replace(UUID, '<uuid>')
    .replace(TIME, '<time>')
    .replace(CURSOR, '"nextCursor":"<cursor>"')
    .replace(EMAIL, '<email>');
  // tRPC's adapter sends the JSON of an error that refuses a whole request (a batch too large,
  // bad path encoding) as text/plain; the server says what it is.
  const contentType = response.headers.get('content-type');
  return {
    status: response.status,
    contentType:
      contentType === 'text/plain;charset=UTF-8' && body.startsWith('{"error"')
        ? 'application/json'
        : contentType,
    vary: response.headers.get('vary'),
    body,
  };
}

describe('the server’s tRPC path answers exactly as tRPC’s fetch adapter', () => {
  let database: TestDatabase;
  const servers: Server[] = [];
  let reference: Side;
  let direct: Side;
  let foreignIds: string[];

  async function serve(directPath: boolean): Promise<Side> {
    const trustedOrigins: string[] = [];
    const auth = createAuth({
      db: database.db,
      secret: TEST_SECRET,
      baseURL: 'http://127.0.0.1',
      trustedOrigins,
      rateLimitPerMinute: 0,
    });
    const authHandler = toNodeHandler(auth);
    const createContext = httpContext({
      db: database.db,
      pgPool: database.pgPool,
      auth,
      exposeInternalErrors: false,
    });
    const trpc = directPath
      ? createTrpcHandler({
          router: appRouter,
          endpoint: '/api/trpc',
          maxBodySize: 100_000,
          maxBatchSize: 10,
          createContext,
        })
      : adapterHandler(createContext);
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/api/auth/')) {
        req.headers[CLIENT_IP_HEADER] = '127.0.0.1';
        return authHandler(req, res);
      }
      return trpc(req, res);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    trustedOrigins.push(url);
    const session = await signUp(url, { name: 'Same Name' });
    const todoIds: string[] = [];
    for (const title of ['first', 'second', 'third']) {
      const created = await answerRaw(url, session, 'todo.create', { title });
      todoIds.push(created.id);
    }
    return { url, session, todoIds };
  }

  async function answerRaw(url: string, session: Session, path: string, input: unknown) {
    const response = await fetch(`${url}/api/trpc/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    return ((await response.json()) as { result: { data: { id: string } } }).result.data;
  }

  beforeAll(async () => {
    database = await createTestDatabase(defaultTestDriver);
    const stranger = await createTestUser(database.db, 'Stranger');
    const rows = await database.db
      .insertInto('todos')
      .values([{ created_by: stranger, title: 'not yours' }])
      .returning('id')
      .execute();
    foreignIds = rows.map((row) => row.id);
    reference = await serve(false);
    direct = await serve(true);
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) server.close();
    await database?.dispose();
  });

  /**
   * Sends the request each side makes for `build` and expects the same answer from both;
   * answers whether the direct side built a fetch Request for it (handed it to tRPC's adapter).
   */
  async function expectSame(build: (side: Side) => Request) {
    const expected = await answer(reference, build(reference));
    const before = fetchRequestsBuilt;
    const actual = await answer(direct, build(direct));
    expect(actual, `${build(direct).method ?? 'GET'} ${build(direct).path}`).toEqual(expected);
    return { ...expected, viaAdapter: fetchRequestsBuilt > before };
  }

  // Counts the fetch Requests the servers build (the test's own fetch calls use undici's
  // internal class, not this global).
  let fetchRequestsBuilt = 0;
  const NativeRequest = globalThis.Request;
  beforeAll(() => {
    globalThis.Request = class extends NativeRequest {
      constructor(...args: ConstructorParameters<typeof NativeRequest>) {
        super(...args);
        fetchRequestsBuilt++;
      }
    };
  });
  afterAll(() => {
    globalThis.Request = NativeRequest;
  });

  const auth = (side: Side) => ({ authorization: `Bearer ${side.session.token}` });
  const json = { 'content-type': 'application/json' };
  const query =
    (path: string, input?: unknown, headers?: (side: Side) => Record<string, string>) => (side: Side) => ({
      path: `/api/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
      headers: headers ? headers(side) : auth(side),
    });
  const mutation =
    (path: string, body: string | ((side: Side) => string), headers = json) =>
    (side: Side) => ({
      path: `/api/trpc/${path}`,
      method: 'POST',
      headers: { ...auth(side), ...headers },
      body: typeof body === 'string' ? body : body(side),
    });
  const own = (side: Side, index: number) => side.todoIds[index]!;

  it('every procedure, successful, refused and not found', async () => {
    const cases: [string, (side: Side) => Request][] = [
      ['me', query('me')],
      ['list, no input', query('todo.list')],
      ['list, oldest first', query('todo.list', { order: 'oldest', limit: 2 })],
      ['list, search and filter', query('todo.list', { search: 'SEC', filter: 'active' })],
      ['list, limit 0', query('todo.list', { limit: 0 })],
      ['list, extra key', query('todo.list', { userId: 'x' })],
      ['list, forged cursor', query('todo.list', { cursor: 'bm90IGEgY3Vyc29y' })],
      ['list, input is null', query('todo.list', null)],
      ['encoded path', (side) => ({ path: '/api/trpc/todo%2Ecounts', headers: auth(side) })],
      ['trailing slash', (side) => ({ path: '/api/trpc/todo.counts/', headers: auth(side) })],
      [
        'list, empty input parameter',
        (side) => ({ path: '/api/trpc/todo.list?input=', headers: auth(side) }),
      ],
      ['counts', query('todo.counts')],
      ['get own', (side) => query('todo.get', { id: own(side, 0) })(side)],
      ['get foreign', query('todo.get', { id: foreignIds[0] })],
      ['get not a uuid', query('todo.get', { id: 'nope' })],
      ['get no input', query('todo.get')],
      ['create', mutation('todo.create', '{"title":"  made  ","description":"d"}')],
      ['create empty title', mutation('todo.create', '{"title":"   "}')],
      ['create NUL', mutation('todo.create', '{"title":"a\\u0000b"}')],
      ['create lone surrogate', mutation('todo.create', '{"title":"\\ud800"}')],
      ['create wrong type', mutation('todo.create', '{"title":5}')],
      ['create array body', mutation('todo.create', '[]')],
      ['create null body', mutation('todo.create', 'null')],
      [
        'update own',
        mutation('todo.update', (side) => JSON.stringify({ id: own(side, 1), completed: true })),
      ],
      ['update foreign', mutation('todo.update', JSON.stringify({ id: foreignIds[0], completed: true }))],
      [
        'update bad field',
        mutation('todo.update', (side) => JSON.stringify({ id: own(side, 1), completed: 'yes' })),
      ],
      ['counts after update', query('todo.counts')],
      ['clear completed', mutation('todo.clearCompleted', '{}')],
      ['set all completed', mutation('todo.setAllCompleted', '{"completed":true}')],
      ['delete own', mutation('todo.delete', (side) => JSON.stringify({ id: own(side, 2) }))],
      ['delete again', mutation('todo.delete', (side) => JSON.stringify({ id: own(side, 2) }))],
      ['delete foreign', mutation('todo.delete', JSON.stringify({ id: foreignIds[0] }))],
      ['list at the end', query('todo.list', { order: 'oldest' })],
      ['export', query('account.export')],
      [
        'import new ids',
        mutation('account.import', () =>
          JSON.stringify({ todos: [{ id: randomUUID(), title: 'imported', completed: true }] }),
        ),
      ],
      [
        'import own and foreign ids',
        mutation('account.import', (side) =>
          JSON.stringify({
            todos: [
              { id: own(side, 0), title: 'x' },
              { id: foreignIds[0], title: 'y' },
            ],
          }),
        ),
      ],
      ['import a bad file', mutation('account.import', '{"todos":[{"id":"nope","title":""}]}')],
      ['export after import', query('account.export')],
      ['no session', query('todo.list', undefined, () => ({}))],
      ['forged token', query('todo.list', undefined, () => ({ authorization: 'Bearer forged.token' }))],
      ['unknown token', query('todo.list', undefined, () => ({ authorization: 'Bearer abcdef' }))],
      ['cookie session', query('todo.counts', undefined, (side) => ({ cookie: side.session.cookie }))],
      [
        'mutation, no session',
        (side) => ({ ...mutation('todo.create', '{"title":"x"}')(side), headers: json }),
      ],
    ];
    for (const [name, build] of cases) {
      const { status, viaAdapter } = await expectSame(build);
      expect(status, name).toBeLessThan(500);
      expect(viaAdapter, name).toBe(false);
    }
  });

  it('batches, as @todo/client sends them, and odd ones', async () => {
    const batch =
      (paths: string[], input?: unknown, method = 'GET', contentType = json) =>
      (side: Side): Request => {
        const text = input === undefined ? undefined : JSON.stringify(input);
        const url = `/api/trpc/${paths.join(',')}?batch=1`;
        return method === 'GET'
          ? {
              path: `${url}${text === undefined ? '' : `&input=${encodeURIComponent(text)}`}`,
              headers: auth(side),
            }
          : { path: url, method, headers: { ...auth(side), ...contentType }, body: text };
      };
    const cases: [string, (side: Side) => Request][] = [
      ['one query, as the client sends it', batch(['todo.list'], { 0: { limit: 50 } })],
      ['three queries', batch(['todo.counts', 'me', 'todo.list'], { 2: { order: 'oldest' } })],
      ['a query twice, one refused', batch(['todo.list', 'todo.list'], { 0: {}, 1: { limit: 0 } })],
      ['unknown and known', batch(['todo.nope', 'todo.counts'])],
      ['no input at all', batch(['todo.counts', 'todo.counts'])],
      ['input not an object', batch(['todo.counts'], [1])],
      ['input null', batch(['todo.counts'], null)],
      ['11 calls', batch(Array(11).fill('todo.counts'))],
      ['a query and a mutation', batch(['todo.counts', 'todo.create'], { 1: { title: 'x' } }, 'POST')],
      ['mutations', batch(['todo.create', 'todo.create'], { 0: { title: 'a' }, 1: { title: ' ' } }, 'POST')],
      ['a mutation by GET', batch(['todo.create'], { 0: { title: 'x' } })],
      ['queries by POST', batch(['todo.counts', 'me'], {}, 'POST')],
      ['a subscription in a batch', batch(['todo.changes'])],
      [
        'bad JSON in a batch',
        (side) => ({ path: '/api/trpc/todo.get?batch=1&input={', headers: auth(side) }),
      ],
      ['no session', (side) => ({ ...batch(['todo.counts', 'me'])(side), headers: {} })],
      ['a query by POST', mutation('todo.counts', '{}')],
      ['a mutation by GET', (side) => ({ path: '/api/trpc/todo.create', headers: auth(side) })],
      ['bad JSON', (side) => ({ path: '/api/trpc/todo.list?input={', headers: auth(side) })],
      ['bad JSON, no session', (_side) => ({ path: '/api/trpc/todo.list?input={' })],
      ['half a body', mutation('todo.create', '{"title":')],
      ['a byte order mark', mutation('todo.create', '\uFEFF{"title":"bom"}')],
      ['text/plain', mutation('todo.create', '{"title":"x"}', { 'content-type': 'text/plain' })],
      [
        'no content type',
        (side) => ({ ...mutation('todo.create', '{"title":"x"}')(side), headers: auth(side) }),
      ],
      [
        'a form by GET',
        (side) => ({
          path: '/api/trpc/todo.counts',
          headers: { ...auth(side), 'content-type': 'multipart/form-data; boundary=x' },
        }),
      ],
      ['unknown', (side) => ({ path: '/api/trpc/todo.nope', headers: auth(side) })],
      ['bad encoding', (side) => ({ path: '/api/trpc/%E0%A4%A', headers: auth(side) })],
      ['no path', (side) => ({ path: '/api/trpc/', headers: auth(side) })],
      ['a router', (side) => ({ path: '/api/trpc/todo', headers: auth(side) })],
      ['a prototype key', (side) => ({ path: '/api/trpc/constructor', headers: auth(side) })],
      [
        'PUT',
        (side) => ({ path: '/api/trpc/todo.counts', method: 'PUT', headers: { ...auth(side), ...json } }),
      ],
      ['HEAD', (side) => ({ path: '/api/trpc/todo.counts', method: 'HEAD', headers: auth(side) })],
    ];
    for (const [name, build] of cases) {
      const { status, viaAdapter } = await expectSame(build);
      expect(status, name).toBeLessThan(500);
      expect(viaAdapter, name).toBe(false);
    }
  });

  it('refuses what tRPC’s adapter would serve otherwise: streamed batches, more input keys than calls, oversized bodies', async () => {
    const keys = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i, {}]));
    const manyKeys = await answer(direct, {
      path: `/api/trpc/todo.counts?batch=1&input=${encodeURIComponent(JSON.stringify(keys))}`,
      headers: auth(direct),
    });
    expect(manyKeys.status).toBe(400);
    expect(JSON.parse(manyKeys.body)).toMatchObject({
      error: { message: 'Batch call exceeds maximum size' },
    });
    const answers = [
      await answer(direct, {
        path: '/api/trpc/todo.counts?batch=1',
        headers: { ...auth(direct), 'trpc-accept': 'application/jsonl' },
      }),
      await answer(direct, {
        path: '/api/trpc/todo.counts',
        headers: { ...auth(direct), accept: 'text/html, application/jsonl' },
      }),
    ];
    for (const { status, body } of answers) {
      expect(status).toBe(415);
      expect(JSON.parse(body)).toMatchObject({
        error: { message: 'Streamed (jsonl) answers are not served: use httpBatchLink or httpLink' },
      });
    }
    const large = await answer(
      direct,
      mutation('todo.create', JSON.stringify({ title: 'x'.repeat(200_000) }))(direct),
    );
    expect(large.status).toBe(413);
    expect(JSON.parse(large.body)).toMatchObject({
      error: { data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 } },
    });
    const counts = await answer(direct, query('todo.counts')(direct));
    expect(counts.status).toBe(200);
  });

  it('takes a POST with no body as a call with no input, where tRPC’s adapter answers bad JSON', async () => {
    const bare = (side: Side) => answer(side, mutation('todo.clearCompleted', '')(side));
    expect((await bare(reference)).status).toBe(400);
    // The same as `{}` (an empty input) through the adapter; both sides clear, and stay alike.
    const viaAdapter = await answer(reference, mutation('todo.clearCompleted', '{}')(reference));
    const cleared = await bare(direct);
    expect(cleared.status).toBe(200);
    expect(cleared).toEqual(viaAdapter);
    // A procedure that needs input says which, as for a GET without one.
    const create = await answer(direct, mutation('todo.create', '')(direct));
    expect(create.status).toBe(400);
    expect(JSON.parse(create.body)).toMatchObject({ error: { data: { code: 'BAD_REQUEST' } } });
    expect(create.body).not.toContain('JSON');
  });

  // An import's answer depends on which side imported an id first; the fixed cases cover it.
  it.each(PROCEDURE_PATHS.filter((path) => path !== 'account.import'))(
    '%s: generated hostile input gets the same answer from both',
    async (path) => {
      // Ids that mean the same on both sides: another user's, or none at all.
      const pools = { own: () => [], foreign: foreignIds, cursors: () => [] };
      await fc.assert(
        fc.asyncProperty(procedureInputs(pools)[path], async (input) => {
          // No input at all is no body, where the two differ on purpose (the test above).
          fc.pre(input !== undefined || QUERY_PATHS.has(path));
          // A todo made with an id of its own: the first side takes the id, in the database both
          // share, and the second is refused it; later properties may generate that id again. The
          // fixed cases cover ids chosen by the client.
          fc.pre(!(path === 'todo.create' && typeof input === 'object' && input !== null && 'id' in input));
          const body = JSON.stringify(input);
          // Past the direct path's body limit it answers 413 (tested above); the adapter has none.
          fc.pre(QUERY_PATHS.has(path) || Buffer.byteLength(body) <= 100_000);
          const build = QUERY_PATHS.has(path) ? query(path, input) : mutation(path, body);
          const { status } = await expectSame(build);
          expect(status).toBeLessThan(500);
        }),
        { numRuns: fuzzRuns(60), seed: fuzzSeed },
      );
    },
    120_000,
  );
});
