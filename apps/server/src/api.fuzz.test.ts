// Hostile input over HTTP against the real server (PGlite in memory): the same generators as
// packages/api's createCaller run, fewer runs, plus what only HTTP can carry: broken JSON,
// wrong content types and methods, batches, unknown paths. Never a 5xx (409 only for a create
// proposing another user's id); the other user's rows unchanged. FUZZ_SEED / FUZZ_RUNS_SCALE as there.
import {
  fuzzRuns,
  fuzzSeed,
  ID_PATHS,
  PROCEDURE_PATHS,
  PROPOSED_ID_PATHS,
  procedureInputs,
  QUERY_PATHS,
} from '@todo/api/testing/hostile-input';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Session, signUp, startTestServer, type TestServer, trpc } from './testing.ts';

describe('the HTTP API under hostile input', () => {
  let server: TestServer;
  let alice: Session;
  let bob: Session;
  let bobRows: unknown[];
  const aliceIds: string[] = [];
  const cursors: string[] = [];
  const statuses = new Map<string, number>();

  const snapshot = () =>
    server.testDatabase.db
      .selectFrom('todos')
      .selectAll()
      .where('user_id', '=', bob.userId)
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    server = await startTestServer('pglite');
    alice = await signUp(server.url, { name: 'Alice' });
    bob = await signUp(server.url, { name: 'Bob' });
    for (let i = 0; i < 5; i++) {
      const made = await trpc(server.url, 'todo.create', {
        mutation: true,
        input: { title: `bob %_ ${i}`, description: 'private' },
        headers: bearer(bob.token),
      });
      expect(made.status).toBe(200);
      const own = await trpc(server.url, 'todo.create', {
        mutation: true,
        input: { title: `alice ${i}` },
        headers: bearer(alice.token),
      });
      aliceIds.push((own.body as { result: { data: { id: string } } }).result.data.id);
    }
    bobRows = await snapshot();
  });

  afterAll(async () => {
    console.log(`http fuzz statuses (seed ${fuzzSeed}): ${JSON.stringify(Object.fromEntries(statuses))}`);
    await server?.stop();
  });

  const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);

  it.each(PROCEDURE_PATHS)(
    '%s: 200, 400, 404 or 409 where valid (431 for a URL over the header limit); the other user untouched',
    async (path) => {
      const pools = {
        own: () => aliceIds,
        foreign: bobRows.map((row) => (row as { id: string }).id),
        cursors: () => cursors,
      };
      await fc.assert(
        fc.asyncProperty(procedureInputs(pools)[path], async (input) => {
          const { status, body } = await trpc(server.url, path, {
            input,
            mutation: !QUERY_PATHS.has(path),
            headers: bearer(alice.token),
          });
          count(`${path}:${status}`);
          // A query's input travels in the URL: past Node's 16 KB header limit it is 431.
          if (QUERY_PATHS.has(path) && status === 431) return;
          const valid = [200, 400];
          if (ID_PATHS.has(path)) valid.push(404);
          if (PROPOSED_ID_PATHS.has(path)) valid.push(409);
          expect(valid).toContain(status);
          // 409 only for an id that another user's todo has.
          if (status === 409) {
            expect(pools.foreign).toContain(String((input as { id?: unknown }).id).toLowerCase());
          }
          expect(typeof body).toBe('object');
          if (status === 200 && path === 'todo.create') {
            aliceIds.push((body as { result: { data: { id: string } } }).result.data.id);
          }
          if (status === 200 && path === 'todo.list') {
            const cursor = (body as { result: { data: { nextCursor: string | null } } }).result.data
              .nextCursor;
            if (cursor && cursors.length < 20) cursors.push(cursor);
          }
          if (!QUERY_PATHS.has(path)) expect(await snapshot()).toEqual(bobRows);
        }),
        { numRuns: fuzzRuns(path === 'me' || path === 'todo.counts' ? 60 : 200), seed: fuzzSeed },
      );
      expect(await snapshot()).toEqual(bobRows);
    },
    120_000,
  );

  it('malformed requests: broken JSON, wrong types and methods, batches, unknown procedures', async () => {
    const junkBody = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom(
        '',
        '{',
        '{"title":',
        'null',
        '[]',
        '"x"',
        '{"title":"a"}'.repeat(3),
        '\u0000',
        '{"__proto__":{"x":1}}',
      ),
      fc.jsonValue().map((value) => JSON.stringify(value)),
    );
    const target = fc.constantFrom(
      'todo.create',
      'todo.update',
      'todo.list',
      'todo.nope',
      'todo.create,todo.delete',
      'todo.create?batch=1',
      'todo.list?batch=1&input=%7B',
      'todo.get?input=%ZZ',
      '../healthz',
      'me?input=',
    );
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH');
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      '',
    );
    await fc.assert(
      fc.asyncProperty(target, method, contentType, junkBody, async (path, verb, type, body) => {
        const response = await fetch(`${server.url}/api/trpc/${path}`, {
          method: verb,
          headers: { ...bearer(alice.token), ...(type ? { 'content-type': type } : {}) },
          body: verb === 'GET' ? undefined : body,
        });
        await response.arrayBuffer();
        count(`raw:${response.status}`);
        expect(
          response.status,
          `${verb} ${path} (${type}) ${JSON.stringify(body).slice(0, 80)}`,
        ).toBeLessThan(500);
      }),
      { numRuns: fuzzRuns(400), seed: fuzzSeed },
    );
    expect(await snapshot()).toEqual(bobRows);
  }, 120_000);

  it('a body far over any limit is refused, not buffered into a crash', async () => {
    const response = await fetch(`${server.url}/api/trpc/todo.create`, {
      method: 'POST',
      headers: { ...bearer(alice.token), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x'.repeat(20_000_000) }),
    });
    expect(response.status).toBe(413);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
