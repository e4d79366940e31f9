// @todo/client's subscriptions from Node, against a real server over real sockets. (These live
// here, beside client.test.ts, because the client package cannot depend on the server package:
// the server's tests depend on the client.)

import { rmSync } from 'node:fs';
import { createTodoClient, errorCode, signIn, type TodoChange, TRPCClientError } from '@todo/client';
import { testDrivers } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, signUp, startTestServer, type TestServer } from './testing.ts';

type Event = { id: string; data: TodoChange };

/** A `todo.changes` subscription that collects its events and lets a test wait for them. */
function watch(options: { url: string; token: string }, lastEventId?: string) {
  const api = createTodoClient(options);
  const events: Event[] = [];
  const errors: unknown[] = [];
  let changed = () => {};
  const notify = () => changed();
  let started = () => {};
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  const subscription = api.todo.changes.subscribe(
    { lastEventId },
    {
      onStarted: () => started(),
      onData: ({ id, data }) => {
        events.push({ id, data });
        notify();
      },
      onError: (error) => {
        errors.push(error);
        notify();
      },
    },
  );
  /** Resolves once `count` events (or an error) have arrived. */
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (done()) resolve();
      };
      changed = check;
      check();
    });
  return {
    events,
    errors,
    ready,
    events$: (count: number) => until(() => events.length >= count || errors.length > 0),
    error$: () => until(() => errors.length > 0),
    stop: () => subscription.unsubscribe(),
  };
}

const titles = (events: Event[]) =>
  events.map(({ data }) => (data.type === 'upsert' ? `${data.type} ${data.todo.title}` : data.type));

describe.each(testDrivers)('@todo/client subscriptions against a running server on %s', (driver) => {
  let server: TestServer;
  let user: Session;
  let other: Session;

  beforeAll(async () => {
    server = await startTestServer(driver, { STREAM_SESSION_CHECK_MS: '200' });
    user = await signUp(server.url, { name: 'Watcher' });
    other = await signUp(server.url, { name: 'Someone else' });
  });
  afterAll(() => server?.stop());

  // First in the file: the log is empty, so these ids go from one digit to two.
  it('sends and replays events in id order as the ids gain a digit', async () => {
    const writer = createTodoClient({ url: server.url, token: user.token });
    const stream = watch({ url: server.url, token: user.token });
    await stream.ready;
    const names = Array.from({ length: 12 }, (_, index) => `Todo ${index + 1}`);
    for (const title of names) await writer.todo.create.mutate({ title });
    await stream.events$(12);
    stream.stop();
    expect(stream.errors).toEqual([]);
    expect(titles(stream.events)).toEqual(names.map((title) => `upsert ${title}`));
    expect(stream.events.map(({ id }) => id)).toEqual(names.map((_, index) => String(index + 1)));

    const replay = watch({ url: server.url, token: user.token }, '8');
    await replay.events$(4);
    replay.stop();
    expect(titles(replay.events)).toEqual(names.slice(8).map((title) => `upsert ${title}`));
  });

  it('receives, with a bearer token, the changes another client makes, and nothing of another user', async () => {
    const { token: secondToken } = await signIn({
      url: server.url,
      email: user.email,
      password: 'correct horse battery',
    });
    const writer = createTodoClient({ url: server.url, token: secondToken });
    const stream = watch({ url: server.url, token: user.token });
    const otherStream = watch({ url: server.url, token: other.token });
    await Promise.all([stream.ready, otherStream.ready]);

    const created = await writer.todo.create.mutate({ title: 'Buy milk' });
    await writer.todo.update.mutate({ id: created.id, completed: true });
    await writer.todo.delete.mutate({ id: created.id });
    await stream.events$(3);
    expect(stream.errors).toEqual([]);
    expect(stream.events.map(({ data }) => data)).toEqual([
      { type: 'upsert', todo: created },
      { type: 'upsert', todo: { ...created, completed: true, updatedAt: expect.any(String) } },
      { type: 'delete', id: created.id, listId: created.listId },
    ]);
    const ids = stream.events.map(({ id }) => BigInt(id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));

    // The other user's stream carries its own change first: nothing of the first user's came before it.
    await createTodoClient({ url: server.url, token: other.token }).todo.create.mutate({ title: 'Mine' });
    await otherStream.events$(1);
    expect(titles(otherStream.events)).toEqual(['upsert Mine']);
    stream.stop();
    otherStream.stop();
  });

  it('carries each todo as todo.get answers it, so a move says where the todo went', async () => {
    const api = createTodoClient({ url: server.url, token: user.token });
    const first = await api.todo.create.mutate({ title: 'First' });
    const second = await api.todo.create.mutate({ title: 'Second' });
    const stream = watch({ url: server.url, token: user.token });
    await stream.ready;
    const toTop = await api.todo.move.mutate({ id: second.id, afterId: null });
    const read = await api.todo.get.query({ id: second.id });
    const renamed = await api.todo.update.mutate({ id: first.id, title: 'Renamed' });
    await stream.events$(2);
    stream.stop();
    expect(stream.errors).toEqual([]);
    expect(read).toEqual(toTop);
    expect(toTop.position).toBeLessThan(first.position);
    expect(stream.events.map(({ data }) => data)).toEqual([
      { type: 'upsert', todo: read },
      { type: 'upsert', todo: renamed },
    ]);
  });

  it('replays from lastEventId what happened while it was away', async () => {
    const writer = createTodoClient({ url: server.url, token: user.token });
    const first = watch({ url: server.url, token: user.token });
    await first.ready;
    await writer.todo.create.mutate({ title: 'Seen live' });
    await first.events$(1);
    first.stop();
    const lastSeen = first.events.at(-1)?.id;

    await writer.todo.create.mutate({ title: 'Missed one' });
    await writer.todo.create.mutate({ title: 'Missed two' });
    const again = watch({ url: server.url, token: user.token }, lastSeen);
    await again.events$(2);
    expect(titles(again.events)).toEqual(['upsert Missed one', 'upsert Missed two']);
    again.stop();
  });

  it('reconnects by itself when the server restarts, and misses nothing', async () => {
    const writer = createTodoClient({ url: server.url, token: user.token });
    const stream = watch({ url: server.url, token: user.token });
    await stream.ready;
    await writer.todo.create.mutate({ title: 'Before the restart' });
    await stream.events$(1);

    // Closing cuts the open event stream; a new server comes up on the same port and database.
    const port = new URL(server.url).port;
    await server.close(1_000);
    rmSync(server.webDist, { recursive: true, force: true });
    server = await startTestServer(
      driver,
      { PORT: port, STREAM_SESSION_CHECK_MS: '200' },
      server.testDatabase,
    );
    await writer.todo.create.mutate({ title: 'After the restart' });
    await stream.events$(2);
    expect(stream.errors).toEqual([]);
    expect(titles(stream.events)).toEqual(['upsert Before the restart', 'upsert After the restart']);
    stream.stop();
  });

  it('refuses a bad token with UNAUTHORIZED, once, without retrying', async () => {
    const stream = watch({ url: server.url, token: 'not-a-session-token' });
    await stream.error$();
    expect(stream.errors).toHaveLength(1);
    expect(stream.errors[0]).toBeInstanceOf(TRPCClientError);
    expect(errorCode(stream.errors[0])).toBe('UNAUTHORIZED');
    expect((stream.errors[0] as Error).message).toBe('Sign in to continue'); // the server's own answer
    expect(stream.events).toEqual([]);
  });

  it('ends with UNAUTHORIZED when the session is signed out while the stream is open', async () => {
    const { token } = await signIn({ url: server.url, email: user.email, password: 'correct horse battery' });
    const stream = watch({ url: server.url, token });
    await stream.ready;
    await fetch(`${server.url}/api/auth/sign-out`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    await stream.error$();
    expect(errorCode(stream.errors[0])).toBe('UNAUTHORIZED');
  });
});
