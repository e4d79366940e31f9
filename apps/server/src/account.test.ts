// account.export and account.import over the wire, as the CLI and a script call them: a bearer
// token, a GET for the export and a POST of the very same JSON for the import. An import may
// send up to 16 MB when signed in; everything else keeps the 1 MB limit.
import { randomUUID } from 'node:crypto';
import type { RouterOutputs } from '@todo/api';
import { defaultTestDriver } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMPORT_BODY_SIZE } from './app.ts';
import { bearer, type Session, signUp, startTestServer, type TestServer, trpc } from './testing.ts';

// The export's own types: a change to its shape breaks this file's type check, not a copy of it.
type ExportFile = RouterOutputs['account']['export'];
type Todo = ExportFile['todos'][number];
type ErrorBody = { error: { message: string; data: { code: string; zodError: unknown } } };

const data = <T>(body: unknown) => (body as { result: { data: T } }).result.data;

/** `count` todos whose JSON is about `size` bytes each, with fresh ids. */
const bigFile = (count: number, size: number) => ({
  todos: Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    title: `imported ${index}`,
    description: 'd'.repeat(Math.max(0, size - 150)),
    completed: index % 2 === 0,
    createdAt: new Date(Date.UTC(2025, 0, 1) + index * 60_000).toISOString(),
  })),
});

/** POSTs a body as it is, for sizes where JSON.stringify in the trpc() helper would be wasteful. */
async function postImport(server: TestServer, body: string, headers: Record<string, string>) {
  const response = await fetch(`${server.url}/api/trpc/account.import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('account export and import over HTTP', () => {
  let server: TestServer;
  let other: TestServer;
  let alice: Session;
  let bob: Session;

  beforeAll(async () => {
    [server, other] = await Promise.all([
      startTestServer(defaultTestDriver),
      startTestServer(defaultTestDriver),
    ]);
    [alice, bob] = [await signUp(server.url, { name: 'Alice' }), await signUp(server.url, { name: 'Bob' })];
    for (const title of ['first', 'second', 'third']) {
      const made = await trpc(server.url, 'todo.create', {
        mutation: true,
        input: {
          title,
          description: `${title} of three`,
          ...(title === 'second' && { dueAt: '2026-12-24T17:00:00.000Z', priority: 'high' }),
        },
        headers: bearer(alice.token),
      });
      expect(made.status).toBe(200);
    }
  }, 60_000);
  afterAll(() => Promise.all([server?.stop(), other?.stop()]));

  it('exports, and imports the same file elsewhere; ids that exist are skipped, never changed', async () => {
    const exported = await trpc(server.url, 'account.export', { headers: bearer(alice.token) });
    expect(exported.status).toBe(200);
    expect(exported.response.headers.get('cache-control')).not.toMatch(/public|max-age=[1-9]/);
    const file = data<ExportFile>(exported.body);
    expect(file.user).toMatchObject({ id: alice.userId, email: alice.email });
    // In the owner's manual order, with due dates and priorities.
    expect(file.todos.map((todo) => todo.title)).toEqual(['first', 'second', 'third']);
    expect(file.todos[1]).toMatchObject({ dueAt: '2026-12-24T17:00:00.000Z', priority: 'high' });

    // Bob, same server: every id is Alice's, so nothing is added and her todos stay hers.
    const aliceRows = await server.testDatabase.db.selectFrom('todos').selectAll().orderBy('id').execute();
    const intoBob = await trpc(server.url, 'account.import', {
      mutation: true,
      input: { ...file, todos: file.todos.map((todo) => ({ ...todo, title: 'taken over' })) },
      headers: bearer(bob.token),
    });
    expect(intoBob.status).toBe(200);
    expect(data(intoBob.body)).toEqual({ added: 0, skipped: 3 });
    expect(await server.testDatabase.db.selectFrom('todos').selectAll().orderBy('id').execute()).toEqual(
      aliceRows,
    );

    // Alice on another server: all of it arrives as it was.
    const there = await signUp(other.url, { name: 'Alice', email: alice.email });
    const imported = await trpc(other.url, 'account.import', {
      mutation: true,
      input: file,
      headers: bearer(there.token),
    });
    expect(imported.status).toBe(200);
    expect(data(imported.body)).toEqual({ added: 3, skipped: 0 });
    const copy = data<ExportFile>(
      (await trpc(other.url, 'account.export', { headers: bearer(there.token) })).body,
    );
    const strip = ({ id, title, description, completed, dueAt, priority, createdAt }: Todo) => ({
      id,
      title,
      description,
      completed,
      dueAt,
      priority,
      createdAt,
    });
    expect(copy.todos.map(strip)).toEqual(file.todos.map(strip));

    const again = await trpc(other.url, 'account.import', {
      mutation: true,
      input: file,
      headers: bearer(there.token),
    });
    expect(data(again.body)).toEqual({ added: 0, skipped: 3 });
  });

  it('a bad file gets 400 naming the todo and the field, and nothing is added', async () => {
    const { todos: before } = data<ExportFile>(
      (await trpc(server.url, 'account.export', { headers: bearer(alice.token) })).body,
    );
    const refused = await trpc(server.url, 'account.import', {
      mutation: true,
      input: {
        todos: [
          { id: randomUUID(), title: 'fine' },
          { id: 'not-a-uuid', title: 'x'.repeat(501) },
        ],
      },
      headers: bearer(alice.token),
    });
    expect(refused.status).toBe(400);
    const { error } = refused.body as ErrorBody;
    expect(error.data.code).toBe('BAD_REQUEST');
    expect(error.message).toBe(
      'todos.1.id: must be a todo id (uuid); todos.1.title: must be at most 500 characters',
    );
    expect(error.data.zodError).toEqual({
      formErrors: [],
      fieldErrors: { todos: ['must be a todo id (uuid)', 'must be at most 500 characters'] },
    });
    const { todos: after } = data<ExportFile>(
      (await trpc(server.url, 'account.export', { headers: bearer(alice.token) })).body,
    );
    expect(after).toEqual(before);
  });

  it('without a session both are 401', async () => {
    expect((await trpc(server.url, 'account.export')).status).toBe(401);
    const anonymous = await trpc(server.url, 'account.import', { mutation: true, input: { todos: [] } });
    expect(anonymous.status).toBe(401);
  });

  it('a signed-in import may be larger than 1 MB: 10,000 todos of 1 KB each arrive', async () => {
    const carol = await signUp(server.url, { name: 'Carol' });
    const body = JSON.stringify(bigFile(10_000, 1_000));
    expect(body.length).toBeGreaterThan(9_000_000);
    const imported = await postImport(server, body, bearer(carol.token));
    expect(imported.status).toBe(200);
    expect(data(imported.body)).toEqual({ added: 10_000, skipped: 0 });
    const counts = await trpc(server.url, 'todo.counts', { headers: bearer(carol.token) });
    expect(data(counts.body)).toEqual({ all: 10_000, active: 5_000, completed: 5_000 });
  }, 60_000);

  it('past the limits: 413 with a tRPC error, and nothing added', async () => {
    const dave = await signUp(server.url, { name: 'Dave' });
    const overOneMegabyte = JSON.stringify(bigFile(2_000, 1_000));
    // Without a session the 1 MB limit stands, so a stranger cannot make the server buffer
    // more; the answer is 401, since tRPC checks the session before it reads the (cut) input.
    expect((await postImport(server, overOneMegabyte, {})).status).toBe(401);
    expect((await postImport(server, overOneMegabyte, bearer('forged.token'))).status).toBe(401);
    // Other procedures keep 1 MB too, signed in or not; so does a batch holding an import.
    const batch = await fetch(`${server.url}/api/trpc/account.import?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(dave.token) },
      body: JSON.stringify({ 0: JSON.parse(overOneMegabyte) }),
    });
    expect(batch.status).toBe(413);
    expect(await batch.json()).toMatchObject([
      { error: { message: 'Request body too large: the limit is 1,000,000 bytes' } },
    ]);

    const overLimit = JSON.stringify(bigFile(10_000, Math.ceil(MAX_IMPORT_BODY_SIZE / 10_000) + 100));
    expect(overLimit.length).toBeGreaterThan(MAX_IMPORT_BODY_SIZE);
    const tooLarge = await postImport(server, overLimit, bearer(dave.token));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toEqual({
      error: {
        message: 'Request body too large: the limit is 16,000,000 bytes',
        code: -32013,
        data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, path: 'account.import', zodError: null },
      },
    });
    const counts = await trpc(server.url, 'todo.counts', { headers: bearer(dave.token) });
    expect(data(counts.body)).toEqual({ all: 0, active: 0, completed: 0 });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
