// The two request shapes a client can send, against a real server: every call as @todo/client
// sends it (tRPC's httpBatchLink: `?batch=1`, inputs keyed "0", several calls in one request
// when they go out together) and the same call sent singly (tRPC's httpLink, as curl does).
// They answer alike, and both are served by the server's one tRPC path: it builds no fetch
// Request for either (tRPC's fetch adapter would build one per request).
import type { AppRouter } from '@todo/api';
import { createTodoClient, errorCode, TRPCClientError } from '@todo/client';
import { testDrivers } from '@todo/db/testing';
import { createTRPCClient, httpLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Session, signUp, startTestServer, type TestServer } from './testing.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;
const CURSOR = /"nextCursor":"[^"]*"/g;
const POSITION = /"position":[\d.e+-]+/g;
const EMAIL = /[\w.+-]+@example\.com/g;

/** What a call came to, with what differs by nature (ids, times, cursors, places) masked. */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    const data = await call();
    return JSON.stringify({ data })
      .replace(UUID, '<uuid>')
      .replace(TIME, '<time>')
      .replace(CURSOR, '"nextCursor":"<cursor>"')
      .replace(POSITION, '"position":<n>')
      .replace(EMAIL, '<email>');
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = error.data as { httpStatus?: number; zodError?: unknown } | undefined;
    return JSON.stringify({
      code: errorCode(error),
      message: error.message.replace(UUID, '<uuid>'),
      status: data?.httpStatus,
      zodError: data?.zodError,
    });
  }
}

type Client = ReturnType<typeof createTodoClient>;
type Calls = [string, (api: Client, own: string[]) => Promise<unknown>][];

describe.each(testDrivers)(
  'a call batched by @todo/client and the same call sent singly, on %s',
  (driver) => {
    let server: TestServer;
    let batchedUser: Session;
    let singleUser: Session;
    let batched: Client;
    let single: Client;

    // Counts the fetch Requests built in this process while the calls run: the server's.
    let requestsBuilt = 0;
    const NativeRequest = globalThis.Request;

    beforeAll(async () => {
      server = await startTestServer(driver);
      batchedUser = await signUp(server.url, { name: 'Same Name' });
      singleUser = await signUp(server.url, { name: 'Same Name' });
      batched = createTodoClient({ url: server.url, token: batchedUser.token });
      single = createTRPCClient<AppRouter>({
        links: [httpLink({ url: `${server.url}/api/trpc`, headers: bearer(singleUser.token) })],
      }) as unknown as Client;
      globalThis.Request = class extends NativeRequest {
        constructor(...args: ConstructorParameters<typeof NativeRequest>) {
          super(...args);
          requestsBuilt++;
        }
      };
    });
    afterAll(async () => {
      globalThis.Request = NativeRequest;
      await server?.stop();
    });

    /** Each call through both clients in turn, each user on their own todos; same outcome. */
    async function expectAlike(calls: Calls, own: { batched: string[]; single: string[] }) {
      for (const [name, call] of calls) {
        const viaBatch = await outcome(() => call(batched, own.batched));
        const viaSingle = await outcome(() => call(single, own.single));
        expect(viaBatch, name).toBe(viaSingle);
      }
    }

    it('every procedure, successful and refused, answers alike, and no fetch Request is built', async () => {
      const own = { batched: [] as string[], single: [] as string[] };
      for (const [api, ids] of [
        [batched, own.batched],
        [single, own.single],
      ] as const) {
        for (const title of ['first', 'second', 'third'])
          ids.push((await api.todo.create.mutate({ title })).id);
      }
      requestsBuilt = 0;
      await expectAlike(
        [
          ['me', (api) => api.me.query()],
          ['list', (api) => api.todo.list.query({ order: 'manual' })],
          ['list, filtered and searched', (api) => api.todo.list.query({ filter: 'active', search: 'SEC' })],
          ['list, a limit out of range', (api) => api.todo.list.query({ limit: 0 })],
          ['list, a forged cursor', (api) => api.todo.list.query({ cursor: 'bm90IGEgY3Vyc29y' })],
          ['counts', (api) => api.todo.counts.query()],
          ['get', (api, ids) => api.todo.get.query({ id: ids[0] ?? '' })],
          ['get, not a uuid', (api) => api.todo.get.query({ id: 'nope' })],
          ['create', (api) => api.todo.create.mutate({ title: '  made  ', priority: 'high' })],
          ['create, empty title', (api) => api.todo.create.mutate({ title: '   ' })],
          ['update', (api, ids) => api.todo.update.mutate({ id: ids[1] ?? '', completed: true })],
          ['move', (api, ids) => api.todo.move.mutate({ id: ids[2] ?? '', afterId: null })],
          ['set all completed', (api) => api.todo.setAllCompleted.mutate({ completed: false })],
          ['delete', (api, ids) => api.todo.delete.mutate({ id: ids[0] ?? '' })],
          ['delete again', (api, ids) => api.todo.delete.mutate({ id: ids[0] ?? '' })],
          ['clear completed', (api) => api.todo.clearCompleted.mutate()],
          ['export', (api) => api.account.export.query()],
        ],
        own,
      );
      expect(requestsBuilt).toBe(0);
    });

    it('calls that go out together (one batched request) answer as the same calls one by one', async () => {
      requestsBuilt = 0;
      const together = await Promise.all([
        outcome(() => batched.todo.counts.query()),
        outcome(() => batched.me.query()),
        outcome(() => batched.todo.list.query({ limit: 0 })),
        outcome(() => batched.todo.list.query({ order: 'oldest' })),
      ]);
      const oneByOne = [
        await outcome(() => single.todo.counts.query()),
        await outcome(() => single.me.query()),
        await outcome(() => single.todo.list.query({ limit: 0 })),
        await outcome(() => single.todo.list.query({ order: 'oldest' })),
      ];
      expect(together).toEqual(oneByOne);
      expect(requestsBuilt).toBe(0);
    });
  },
);
