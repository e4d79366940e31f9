import {
  createTodoClient,
  errorCode,
  type RouterOutputs,
  signIn,
  signOut,
  TodoAuthError,
  TRPCClientError,
} from '@todo/client';
import { testDrivers } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type Session, signUp, startTestServer, type TestServer } from './testing.ts';

type Todo = RouterOutputs['todo']['get'];

describe.each(testDrivers)('@todo/client against a running server on %s', (driver) => {
  let server: TestServer;
  let user: Session;

  beforeAll(async () => {
    server = await startTestServer(driver);
    user = await signUp(server.url, { name: 'Client' });
  });
  afterAll(() => server?.stop());

  it('signs in with a bearer token and does a typed create, list, update, delete round trip', async () => {
    const { token, user: signedIn } = await signIn({
      url: `${server.url}/`,
      email: user.email,
      password: 'correct horse battery',
    });
    expect(signedIn).toEqual({ id: user.userId, email: user.email, name: 'Client' });
    const api = createTodoClient({ url: server.url, token });

    const me = await api.me.query();
    expect(me.id).toBe(user.userId);

    const created = await api.todo.create.mutate({ title: '  Ship the client  ', description: 'with types' });
    expectTypeOf(created).toEqualTypeOf<Todo>();
    expectTypeOf(created.description).toEqualTypeOf<string | null>();
    expect(created).toMatchObject({ title: 'Ship the client', description: 'with types', completed: false });
    expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);

    const page = await api.todo.list.query({ filter: 'active', search: 'ship' });
    expectTypeOf(page.nextCursor).toEqualTypeOf<string | null>();
    expect(page.items.map((todo) => todo.id)).toEqual([created.id]);

    const updated = await api.todo.update.mutate({ id: created.id, completed: true, description: null });
    expect(updated).toMatchObject({ id: created.id, completed: true, description: null });
    expect(await api.todo.counts.query()).toEqual({ all: 1, active: 0, completed: 1 });

    // Two calls in the same tick go out as one batched request.
    const [fetched, counts] = await Promise.all([
      api.todo.get.query({ id: created.id }),
      api.todo.counts.query(),
    ]);
    expect(fetched).toEqual(updated);
    expect(counts.completed).toBe(1);

    expect(await api.todo.delete.mutate({ id: created.id })).toEqual({ id: created.id });
    const gone = await api.todo.get.query({ id: created.id }).catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(TRPCClientError);
    expect(errorCode(gone)).toBe('NOT_FOUND');

    await signOut({ url: server.url, token });
    expect(errorCode(await api.me.query().catch((error: unknown) => error))).toBe('UNAUTHORIZED');
  });

  it('reports invalid input with per-field messages, and works with custom headers and fetch', async () => {
    const seen: string[] = [];
    const api = createTodoClient({
      url: server.url,
      headers: { authorization: `Bearer ${user.token}` },
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    const error = await api.todo.create.mutate({ title: '' }).catch((reason: unknown) => reason);
    expect(errorCode(error)).toBe('BAD_REQUEST');
    expect((error as TRPCClientError<never>).data).toMatchObject({
      zodError: { fieldErrors: { title: ['must not be empty'] } },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('/api/trpc/todo.create');
  });

  it('says why sign-in failed, and fails plainly when the server cannot be reached', async () => {
    const refused = await signIn({ url: server.url, email: user.email, password: 'wrong password' }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(TodoAuthError);
    expect(refused).toMatchObject({ status: 401, code: 'INVALID_EMAIL_OR_PASSWORD' });

    const nowhere = createTodoClient({ url: 'http://127.0.0.1:9', token: 'x' });
    const error = await nowhere.todo.counts.query().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(errorCode(error)).toBeUndefined();
  });
});
