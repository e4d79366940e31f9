// Hostile input over HTTP against the real server (PGlite in memory): the same generators as
// packages/api's createCaller run, fewer runs, plus what only HTTP can carry: broken JSON,
// wrong content types and methods, batches, unknown paths. Never a 5xx: each procedure answers
// 200 or the refusals it may give (REFUSALS; 409 only for a create proposing another user's id);
// the other user's todos, lists, members and invites unchanged. Alice owns lists, views one of
// Bob's and is no member of his Inbox. FUZZ_SEED / FUZZ_RUNS_SCALE as there.
import { QUERY_PATHS, REFUSAL_STATUS, REFUSALS } from '@todo/api/testing/expected-answers';
import { PROCEDURE_PATHS, procedureInputs } from '@todo/api/testing/hostile-input';
import { fuzzRuns, fuzzSeed } from '@todo/api/testing/hostile-values';
import { othersPrint, othersRows } from '@todo/api/testing/others-rows';
import { defaultTestDriver } from '@todo/db/testing';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Session, signUp, startTestServer, type TestServer, trpc } from './testing.ts';

describe('the HTTP API under hostile input', () => {
  let server: TestServer;
  let alice: Session;
  let bob: Session;
  let bobRows: Awaited<ReturnType<typeof snapshot>>;
  const aliceIds: string[] = [];
  const aliceLists: string[] = [];
  const lists = { own: () => aliceLists, foreign: [] as string[], viewing: [] as string[] };
  const cursors: string[] = [];
  const statuses = new Map<string, number>();

  /** Everything of Bob's (othersRows), and its md5 (othersPrint), read from the server's database. */
  const snapshot = () => othersRows(server.testDatabase.db, bob.userId, alice.userId);
  const print = () => othersPrint(server.testDatabase.db, bob.userId, alice.userId);
  let bobPrint: string | undefined;
  const data = <T>(reply: { body: unknown }) => (reply.body as { result: { data: T } }).result.data;

  beforeAll(async () => {
    server = await startTestServer(defaultTestDriver);
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
    const as = (who: Session, path: string, input?: unknown, mutation = true) =>
      trpc(server.url, path, { mutation, input, headers: bearer(who.token) });
    for (const name of ['Work', 'Home'])
      aliceLists.push(data<{ id: string }>(await as(alice, 'list.create', { name })).id);
    const viewing = data<{ id: string }>(await as(bob, 'list.create', { name: 'Shared' }));
    await as(bob, 'todo.create', { listId: viewing.id, title: 'shared with alice' });
    // Alice views it (set up in the database: accepting invites is the createCaller fuzz's and list.test.ts's).
    await sql`insert into list_members (list_id, user_id, role, position)
      values (${viewing.id}, ${alice.userId}, 'viewer', 100)`.execute(server.testDatabase.db);
    const all = data<{ lists: { id: string; isInbox: boolean; owner: { id: string } }[] }>(
      await as(bob, 'list.all', undefined, false),
    );
    lists.foreign = all.lists.filter((list) => list.isInbox).map((list) => list.id);
    lists.viewing = [viewing.id];
    bobRows = await snapshot();
    bobPrint = await print();
  });

  afterAll(async () => {
    console.log(`http fuzz statuses (seed ${fuzzSeed}): ${JSON.stringify(Object.fromEntries(statuses))}`);
    await server?.stop();
  });

  const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);

  it.each(PROCEDURE_PATHS)(
    '%s: 200, 400 or the refusals it may give (431 for a URL over the header limit); the other user untouched',
    async (path) => {
      const pools = {
        own: () => aliceIds,
        foreign: bobRows.todos.filter((row) => !lists.viewing.includes(row.list_id)).map((row) => row.id),
        cursors: () => cursors,
        lists,
        users: [alice.userId, bob.userId],
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
          expect([200, 400, ...REFUSALS[path].map((code) => REFUSAL_STATUS[code])]).toContain(status);
          // 409 only for an id that another user's todo has.
          if (status === 409) {
            expect(pools.foreign).toContain(String((input as { id?: unknown }).id).toLowerCase());
          }
          expect(typeof body).toBe('object');
          if (status === 200 && path === 'list.create' && aliceLists.length < 100) {
            aliceLists.push((body as { result: { data: { id: string } } }).result.data.id);
          }
          if (status === 200 && path === 'todo.create') {
            aliceIds.push((body as { result: { data: { id: string } } }).result.data.id);
          }
          if (status === 200 && path === 'todo.list') {
            const cursor = (body as { result: { data: { nextCursor: string | null } } }).result.data
              .nextCursor;
            if (cursor && cursors.length < 20) cursors.push(cursor);
          }
          if (!QUERY_PATHS.has(path)) expect(await print()).toBe(bobPrint);
        }),
        {
          numRuns: fuzzRuns(
            path === 'me' || path === 'todo.counts' ? 60 : path.startsWith('todo.') ? 200 : 100,
          ),
          seed: fuzzSeed,
        },
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
