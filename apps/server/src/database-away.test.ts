// While the database cannot be reached, every request that needs it is 503 with Retry-After
// (SERVICE_UNAVAILABLE), never a 500: on /api/trpc single and batched, a stream that cannot open,
// a browser's cookie call, and Better Auth's own endpoints. A real PostgreSQL behind a TCP proxy
// that the test takes away (packages/db testing-fault-proxy.ts), under each driver. PGlite runs
// inside the server's process: it cannot be away, so it has no case here.
import { DATABASE_UNAVAILABLE_MESSAGE } from '@todo/api';
import { createTodoClient, errorCode } from '@todo/client';
import { createDatabase, type DatabaseConfig } from '@todo/db';
import { createTestDatabase, type FaultProxy, startFaultProxy, testDrivers } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Session, signUp, startTestServer, type TestServer, trpc } from './testing.ts';
import { changesUrl, openEventStream } from './testing-sse.ts';

/** What must never leave the server: driver and SQL text, addresses, stack lines. */
const LEAK = /ECONN|terminat|timeout exceeded|postgres|pg_|select |insert |127\.0\.0\.1|at \w+ \(/i;

type Answer = { status: number; retryAfter: string | null; body: string };
const answer = async (response: Response): Promise<Answer> => ({
  status: response.status,
  retryAfter: response.headers.get('retry-after'),
  body: await response.text(),
});

function expectAway(what: string, { status, retryAfter, body }: Answer) {
  expect({ what, status, retryAfter }).toEqual({ what, status: 503, retryAfter: '5' });
  expect(body, what).not.toMatch(LEAK);
  expect(body, what).toContain(DATABASE_UNAVAILABLE_MESSAGE);
}

const serverDrivers = testDrivers.filter((driver) => driver !== 'pglite');

describe.runIf(serverDrivers.length > 0).each(serverDrivers)('%s: the database away', (driver) => {
  let server: TestServer;
  let proxy: FaultProxy;
  let session: Session;

  beforeAll(async () => {
    const real = await createTestDatabase(driver);
    proxy = await startFaultProxy(real.url ?? '');
    const config = {
      ...(real.config as Extract<DatabaseConfig, { driver: 'pg' | 'neon' }>),
      url: proxy.through(real.url ?? ''),
      connectTimeoutMs: 1_000,
      statementTimeoutMs: 3_000,
    };
    const proxied = createDatabase(config);
    const dispose = async () => {
      await proxied.close();
      await proxy.close();
      await real.dispose();
    };
    // Production: internal errors would be hidden there too; this shows what a user would get.
    server = await startTestServer(
      driver,
      { NODE_ENV: 'production' },
      { ...proxied, url: config.url, config, dispose },
    );
    session = await signUp(server.url);
    const created = await trpc(server.url, 'todo.create', {
      mutation: true,
      input: { title: 'kept' },
      headers: bearer(session.token),
    });
    expect(created.status).toBe(200);
  });
  afterAll(() => server?.stop());

  it('refused or reset: 503 with Retry-After on every path, in the shape its clients read; then 200 again', async () => {
    await proxy.refuse();
    const list = `${server.url}/api/trpc/todo.list`;
    expectAway('a query', await answer(await fetch(list, { headers: bearer(session.token) })));
    const batch = `${server.url}/api/trpc/todo.list,todo.counts?batch=1&input=${encodeURIComponent('{"0":{},"1":{}}')}`;
    const batched = await answer(await fetch(batch, { headers: bearer(session.token) }));
    expectAway('a batch', batched);
    const calls = JSON.parse(batched.body) as { error: { data: { code: string; httpStatus: number } } }[];
    expect(calls.map((call) => call.error.data)).toEqual([
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 }),
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 }),
    ]);
    const create = await fetch(`${server.url}/api/trpc/todo.create`, {
      method: 'POST',
      headers: { ...bearer(session.token), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'while away' }),
    });
    expectAway('a mutation', await answer(create));
    // A browser: the cookie is Better Auth's to resolve, and that needs the database too.
    expectAway('a cookie query', await answer(await fetch(list, { headers: { cookie: session.cookie } })));
    const stream = await openEventStream(changesUrl(server.url), { headers: bearer(session.token) });
    expectAway('a stream', await answer(stream.response));

    const signIn = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: session.email, password: 'correct horse battery' }),
    });
    const signedIn = await answer(signIn);
    expectAway('sign-in', signedIn);
    expect(JSON.parse(signedIn.body)).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      message: DATABASE_UNAVAILABLE_MESSAGE,
    });
    const sessionCheck = await fetch(`${server.url}/api/auth/get-session`, {
      headers: { cookie: session.cookie },
    });
    expectAway('get-session', await answer(sessionCheck));

    // @todo/client reads it as a tRPC error with its code, as the web app and the CLI do.
    const client = createTodoClient({ url: server.url, token: session.token });
    const refused = await client.todo.counts.query().catch((error: unknown) => error);
    expect(errorCode(refused)).toBe('SERVICE_UNAVAILABLE');

    await proxy.restore();
    const after = await trpc(server.url, 'todo.list', { headers: bearer(session.token) });
    expect(after.status).toBe(200);
    const titles = (after.body as { result: { data: { items: { title: string }[] } } }).result.data.items;
    expect(titles.map((todo) => todo.title)).toEqual(['kept']);
  });

  it('silent until the pool’s connect timeout: 503 with Retry-After, then 200 again', async () => {
    await proxy.hang();
    const started = performance.now();
    const list = await fetch(`${server.url}/api/trpc/todo.list`, { headers: bearer(session.token) });
    expectAway('a query', await answer(list));
    expect(performance.now() - started).toBeLessThan(10_000);
    await proxy.restore();
    expect((await trpc(server.url, 'todo.counts', { headers: bearer(session.token) })).status).toBe(200);
  });
});
