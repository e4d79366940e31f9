// todo.changes over real HTTP and real sockets: who may open a stream, what each stream carries
// (the owner's changes, in order, exactly once, across a reconnect), when it ends (its session
// ending, the server shutting down), and the same across two server processes on one
// PostgreSQL. Streams are read with plain fetch (testing-sse.ts), as any client would.
//
// Over 400 lines, kept together: the streams' tests share one server per driver and the
// two-process pair; split, each file would start its own.
import { rmSync } from 'node:fs';
import { testDrivers } from '@todo/db/testing';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bearer,
  type ServerProcess,
  type Session,
  signIn,
  signUp,
  spawnServersOnOneDatabase,
  startTestServer,
  type TestServer,
  trpc,
} from './testing.ts';
import { type ChangeEvent, changesUrl, type EventStream, openEventStream } from './testing-sse.ts';

/** A deadline for what should come at once, generous for a busy machine; never a measurement. */
const DEADLINE_MS = 15_000;
/** How long a stream is watched for events that must not come (a sentinel then proves it was live). */
const QUIET_MS = 500;

type Todo = { id: string; title: string; completed: boolean; listId: string };

/** A mutation over HTTP with a bearer token; its data, or a thrown error naming the status. */
async function mutate<T = Todo>(url: string, session: Session, path: string, input?: unknown): Promise<T> {
  const call = await trpc(url, path, { mutation: true, input, headers: bearer(session.token) });
  if (call.status !== 200) throw new Error(`${path}: ${call.status} ${JSON.stringify(call.body)}`);
  return (call.body as { result: { data: T } }).result.data;
}

/** A change without its id, for comparing what a stream carried with what was written. */
const shape = ({ change }: ChangeEvent) =>
  change.type === 'upsert'
    ? { type: 'upsert', id: change.todo.id, title: change.todo.title, completed: change.todo.completed }
    : change;

const cookieHeaders = (session: Session, url: string) => ({ cookie: session.cookie, origin: url });

/** Ids as numbers: each later than the one before. */
function expectIncreasing(events: ChangeEvent[]) {
  const ids = events.map((event) => BigInt(event.id ?? '-1'));
  for (let n = 1; n < ids.length; n++) expect(ids[n]! > ids[n - 1]!, `ids ${ids.join(', ')}`).toBe(true);
}

/** Reads a stream for QUIET_MS: nothing but tRPC's handshake and keep-alives may come. */
async function expectNoChanges(stream: EventStream) {
  const events = await stream.during(QUIET_MS);
  expect(events.filter((event) => event.event !== 'connected' && event.event !== 'ping')).toEqual([]);
}

/** Waits for the `connected` event: the stream is open and its subscription under way. */
async function connected(stream: EventStream) {
  expect(stream.status).toBe(200);
  expect((await stream.next(DEADLINE_MS))?.event).toBe('connected');
  return stream;
}

describe.each(testDrivers)('todo.changes over HTTP (%s)', (driver) => {
  let server: TestServer;
  let url: string;
  const open: EventStream[] = [];

  /** Opens a stream and remembers it, so every test's streams are closed after it. */
  async function stream(
    headers: Record<string, string>,
    options: { lastEventId?: string; inputLastEventId?: string } = {},
  ) {
    const opened = await openEventStream(changesUrl(url, options.inputLastEventId), {
      headers,
      lastEventId: options.lastEventId,
    });
    open.push(opened);
    return opened;
  }

  beforeAll(async () => {
    // Streams check their session every 500 ms here, so a session's end shows within a second.
    server = await startTestServer(driver, { STREAM_SESSION_CHECK_MS: '500' });
    url = server.url;
  });
  afterEach(async () => {
    for (const opened of open.splice(0)) opened.close();
    // Every stream's subscription ends with its request: none is left on the feed.
    await vi.waitFor(() => expect(server.feed.size).toBe(0), { timeout: DEADLINE_MS });
  });
  afterAll(() => server?.stop());

  describe('who may open a stream', () => {
    const expectRefused = async (opened: EventStream, status: number, code: string) => {
      expect(opened.status).toBe(status);
      expect(opened.response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await opened.response.json()) as { error: { data: { code: string } } };
      expect(body.error.data.code).toBe(code);
    };

    it('no session: 401 JSON and no stream, for no credentials, a forged bearer, an expired or signed-out cookie', async () => {
      await expectRefused(await stream({}), 401, 'UNAUTHORIZED');
      await expectRefused(await stream(bearer('forged.token')), 401, 'UNAUTHORIZED');
      await expectRefused(await stream(bearer('')), 401, 'UNAUTHORIZED');

      const expired = await signUp(url);
      await sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${expired.userId}`.execute(
        server.testDatabase.db,
      );
      await expectRefused(await stream(cookieHeaders(expired, url)), 401, 'UNAUTHORIZED');
      await expectRefused(await stream(bearer(expired.token)), 401, 'UNAUTHORIZED');

      const gone = await signUp(url);
      const signOut = await fetch(`${url}/api/auth/sign-out`, {
        method: 'POST',
        headers: cookieHeaders(gone, url),
      });
      expect(signOut.status).toBe(200);
      await expectRefused(await stream(cookieHeaders(gone, url)), 401, 'UNAUTHORIZED');
      // A bad lastEventId does not tell a caller without a session anything either.
      await expectRefused(await stream({}, { lastEventId: 'x' }), 401, 'UNAUTHORIZED');
      expect(server.feed.size).toBe(0);
    });

    it('a lastEventId that is not an event id: 400 JSON, in the input or the Last-Event-ID header', async () => {
      const user = await signUp(url);
      for (const bad of ['abc', '-1', '1.5', ' 7', '1'.repeat(19), '7\n']) {
        await expectRefused(await stream(bearer(user.token), { inputLastEventId: bad }), 400, 'BAD_REQUEST');
        // HTTP trims a header's value: ' 7' arrives as '7'; a newline cannot be sent at all.
        if (bad.trim() === bad) {
          await expectRefused(await stream(bearer(user.token), { lastEventId: bad }), 400, 'BAD_REQUEST');
        }
      }
      const unknownKey = await fetch(
        `${url}/api/trpc/todo.changes?input=${encodeURIComponent(JSON.stringify({ since: '1' }))}`,
        { headers: { ...bearer(user.token), accept: 'text/event-stream' } },
      );
      expect(unknownKey.status).toBe(400);
      await unknownKey.body?.cancel();
    });

    it('a bearer token and a cookie both open a stream that carries the owner’s changes', async () => {
      const user = await signUp(url);
      const byBearer = await connected(await stream(bearer(user.token)));
      const byCookie = await connected(await stream({ cookie: user.cookie }));
      expect(byBearer.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const todo = await mutate(url, user, 'todo.create', { title: 'seen by both' });
      for (const opened of [byBearer, byCookie]) {
        const [event] = await opened.changes(1, DEADLINE_MS);
        expect(event?.change).toEqual({ type: 'upsert', todo: expect.objectContaining(todo) });
        expect(event?.id).toMatch(/^\d+$/);
      }
    });
  });

  it('live: both of A’s streams get every change in order; B’s stream, open throughout, gets none of them', async () => {
    const a = await signUp(url, { name: 'A' });
    const b = await signUp(url, { name: 'B' });
    const first = await connected(await stream(bearer(a.token)));
    const second = await connected(await stream({ cookie: a.cookie }));
    const others = await connected(await stream(bearer(b.token)));

    const one = await mutate(url, a, 'todo.create', { title: 'one' });
    const two = await mutate(url, a, 'todo.create', { title: 'two' });
    const three = await mutate(url, a, 'todo.create', { title: 'three' });
    await mutate(url, a, 'todo.update', { id: one.id, title: 'one, renamed' });
    await mutate(url, a, 'todo.delete', { id: two.id });
    expect(await mutate(url, a, 'todo.setAllCompleted', { completed: true })).toEqual({ updated: 2 });
    // One row changed by a bulk call is that row's upsert, not a reset.
    await mutate(url, a, 'todo.update', { id: three.id, completed: false });
    expect(await mutate(url, a, 'todo.setAllCompleted', { completed: true })).toEqual({ updated: 1 });

    const expected = [
      { type: 'upsert', id: one.id, title: 'one', completed: false },
      { type: 'upsert', id: two.id, title: 'two', completed: false },
      { type: 'upsert', id: three.id, title: 'three', completed: false },
      { type: 'upsert', id: one.id, title: 'one, renamed', completed: false },
      { type: 'delete', id: two.id, listId: two.listId },
      // Several todos of one list (the Inbox): that list's reset.
      { type: 'reset', listId: one.listId },
      { type: 'upsert', id: three.id, title: 'three', completed: false },
      { type: 'upsert', id: three.id, title: 'three', completed: true },
    ];
    const seen = [];
    for (const opened of [first, second]) {
      const events = await opened.changes(expected.length, DEADLINE_MS);
      expect(events.map(shape)).toEqual(expected);
      expectIncreasing(events);
      seen.push(events.map((event) => event.id));
      await expectNoChanges(opened);
    }
    expect(seen[1]).toEqual(seen[0]);

    // B's stream, open the whole time: nothing within the deadline, and its next change is B's own.
    await expectNoChanges(others);
    const own = await mutate(url, b, 'todo.create', { title: 'B’s own' });
    const [next] = await others.changes(1, DEADLINE_MS);
    expect(next && shape(next)).toEqual({ type: 'upsert', id: own.id, title: 'B’s own', completed: false });
    // B's events are numbered on their own: A's eight say nothing to B.
    expect(seen[0]).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(next?.id).toBe('1');
  });

  it('a todo too large for a NOTIFY arrives all the same, between smaller ones, in order', async () => {
    const a = await signUp(url, { name: 'A' });
    const opened = await connected(await stream(bearer(a.token)));
    const before = await mutate(url, a, 'todo.create', { title: 'small, before' });
    // 10,000 characters of four UTF-8 bytes each: the event itself cannot ride on the NOTIFY.
    const large = await mutate(url, a, 'todo.create', { title: 'large', description: '😀'.repeat(10_000) });
    const after = await mutate(url, a, 'todo.create', { title: 'small, after' });
    const events = await opened.changes(3, DEADLINE_MS);
    expect(events.map((event) => event.change)).toEqual([
      { type: 'upsert', todo: before },
      { type: 'upsert', todo: large },
      { type: 'upsert', todo: after },
    ]);
    expectIncreasing(events);
    await expectNoChanges(opened);
  });

  describe('replay after a disconnect', () => {
    it.each([
      ['the Last-Event-ID header', 'header'],
      ['the input lastEventId', 'input'],
    ] as const)('reconnecting with %s: every missed event once, in order, then live ones', async (_, how) => {
      const user = await signUp(url);
      const before = await connected(await stream(bearer(user.token)));
      const one = await mutate(url, user, 'todo.create', { title: 'one' });
      const two = await mutate(url, user, 'todo.create', { title: 'two' });
      await mutate(url, user, 'todo.update', { id: one.id, completed: true });
      // Two of the three read, then the stream is killed mid-way.
      const read = await before.changes(2, DEADLINE_MS);
      expect(read.map(shape)).toEqual([
        { type: 'upsert', id: one.id, title: 'one', completed: false },
        { type: 'upsert', id: two.id, title: 'two', completed: false },
      ]);
      before.close();
      await vi.waitFor(() => expect(server.feed.size).toBe(0), { timeout: DEADLINE_MS });

      // Written while nobody listens, with ids that have a digit more than the last one read
      // (as after the migration that renumbered every log): they must compare as numbers. The
      // account's events after the jump are 10…0, then on by one; the gap is the log's own.
      const lastRead = read.at(-1)?.id ?? '0';
      const longer = `1${'0'.repeat(lastRead.length)}`;
      await sql`update todo_changes set seq = ${longer}::bigint - 1 where user_id = ${user.userId}
        and seq = (select max(seq) from todo_changes where user_id = ${user.userId})`.execute(
        server.testDatabase.db,
      );
      await sql`update change_counters set last_seq = ${longer}::bigint - 1 where user_id = ${user.userId}`.execute(
        server.testDatabase.db,
      );
      const three = await mutate(url, user, 'todo.create', { title: 'three' });
      await mutate(url, user, 'todo.delete', { id: two.id });
      await mutate(url, user, 'todo.update', { id: three.id, title: 'three, renamed' });

      const last = read.at(-1)?.id ?? '';
      const after = await connected(
        await stream(
          bearer(user.token),
          how === 'header' ? { lastEventId: last } : { inputLastEventId: last },
        ),
      );
      const missed = await after.changes(4, DEADLINE_MS);
      expect(missed.map(shape)).toEqual([
        { type: 'upsert', id: one.id, title: 'one', completed: true },
        { type: 'upsert', id: three.id, title: 'three', completed: false },
        { type: 'delete', id: two.id, listId: two.listId },
        { type: 'upsert', id: three.id, title: 'three, renamed', completed: false },
      ]);
      expectIncreasing([...read, ...missed]);

      const four = await mutate(url, user, 'todo.create', { title: 'four' });
      const live = await after.changes(1, DEADLINE_MS);
      expect(live.map(shape)).toEqual([{ type: 'upsert', id: four.id, title: 'four', completed: false }]);
      expectIncreasing([...missed, ...live]);
      await expectNoChanges(after);
    });

    it('a lastEventId the log does not hold for this user (beyond its end): reset first; another user’s ids name nothing of theirs', async () => {
      const a = await signUp(url, { name: 'A' });
      const b = await signUp(url, { name: 'B' });
      await mutate(url, a, 'todo.create', { title: 'A’s' });
      const bStream = await connected(await stream(bearer(b.token)));
      await mutate(url, b, 'todo.create', { title: 'B’s first' });
      await mutate(url, b, 'todo.create', { title: 'B’s second' });
      const [bFirst] = await bStream.changes(2, DEADLINE_MS);

      // B's first id is a number of A's own log too: from it A gets A's later events, none.
      const fromB = await connected(await stream(bearer(a.token), { lastEventId: bFirst?.id ?? '' }));
      await expectNoChanges(fromB);
      fromB.close();

      for (const [lastEventId, how] of [
        ['99', 'header'],
        ['999999999999999999', 'input'],
      ] as const) {
        {
          const opened = await connected(
            await stream(
              bearer(a.token),
              how === 'header' ? { lastEventId } : { inputLastEventId: lastEventId },
            ),
          );
          const [reset] = await opened.changes(1, DEADLINE_MS);
          expect(reset?.change).toEqual({ type: 'reset' });
          // Nothing more: not B's second event (after B's id), nor anything else.
          await expectNoChanges(opened);
          // The reset's id is A's own head: a reconnect from it replays only A's later events.
          const own = await mutate(url, a, 'todo.create', { title: `A after a reset (${how})` });
          const resumed = await connected(await stream(bearer(a.token), { lastEventId: reset?.id ?? '' }));
          const [replayed] = await resumed.changes(1, DEADLINE_MS);
          expect(replayed && shape(replayed)).toEqual({
            type: 'upsert',
            id: own.id,
            title: own.title,
            completed: false,
          });
          await opened.changes(1, DEADLINE_MS); // the live copy of the same event
          opened.close();
          resumed.close();
        }
      }
    });
  });

  describe('a stream ends with its session', () => {
    /** The stream is over within the deadline, and said why if it said anything. */
    async function expectEnded(opened: EventStream) {
      const how = await Promise.race([
        opened.ended,
        new Promise((resolve) => setTimeout(() => resolve('still open'), DEADLINE_MS)),
      ]);
      expect(how).not.toBe('still open');
      const errors = opened.events.filter((event) => event.event === 'serialized-error');
      for (const error of errors)
        expect(JSON.parse(error.data)).toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    }

    it('sign-out with the cookie ends the cookie’s stream; another session of the same user streams on', async () => {
      const user = await signUp(url);
      const other = (await signIn(url, user.email)).headers.get('set-auth-token') ?? '';
      const byCookie = await connected(await stream({ cookie: user.cookie }));
      const byOther = await connected(await stream(bearer(other)));
      const signOut = await fetch(`${url}/api/auth/sign-out`, {
        method: 'POST',
        headers: cookieHeaders(user, url),
      });
      expect(signOut.status).toBe(200);
      await expectEnded(byCookie);

      const todo = await mutate(url, { ...user, token: other }, 'todo.create', { title: 'still live' });
      const [event] = await byOther.changes(1, DEADLINE_MS);
      expect(event && shape(event)).toEqual({
        type: 'upsert',
        id: todo.id,
        title: todo.title,
        completed: false,
      });
    });

    it('a deleted session row ends the bearer’s stream, without any write to wake it', async () => {
      const user = await signUp(url);
      const other = await signUp(url);
      const mine = await connected(await stream(bearer(user.token)));
      const theirs = await connected(await stream(bearer(other.token)));
      await sql`delete from sessions where user_id = ${user.userId}`.execute(server.testDatabase.db);
      await expectEnded(mine);
      expect(
        await Promise.race([theirs.ended, new Promise((resolve) => setTimeout(resolve, QUIET_MS, 'open'))]),
      ).toBe('open');
    });

    it('an expired session ends its stream', async () => {
      const user = await signUp(url);
      const mine = await connected(await stream({ cookie: user.cookie }));
      await sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${user.userId}`.execute(
        server.testDatabase.db,
      );
      await expectEnded(mine);
    });

    it('deleting the account ends every stream of it', async () => {
      const user = await signUp(url);
      await mutate(url, user, 'todo.create', { title: 'goes with the account' });
      const byBearer = await connected(await stream(bearer(user.token)));
      const byCookie = await connected(await stream({ cookie: user.cookie }));
      await sql`delete from users where id = ${user.userId}`.execute(server.testDatabase.db);
      await expectEnded(byBearer);
      await expectEnded(byCookie);
      // Whatever the streams said before they ended, none of it was a change.
      for (const opened of [byBearer, byCookie]) {
        expect(opened.events.filter((event) => event.event === 'message')).toEqual([]);
      }
    });
  });
});

// The default session check (30 s) here: a stream that lingered until its next check would
// miss every deadline below.
describe.each(testDrivers.filter((driver) => driver !== 'neon'))('streams that end (%s)', (driver) => {
  let server: TestServer;
  let user: Session;
  beforeAll(async () => {
    server = await startTestServer(driver);
    user = await signUp(server.url);
  });
  afterAll(async () => {
    await server?.testDatabase.dispose();
    if (server) rmSync(server.webDist, { recursive: true, force: true });
  });

  it('a client that leaves at once, while its stream’s first read is under way, leaves no subscription behind', async () => {
    for (let n = 0; n < 10; n++) {
      const opened = await connected(
        await openEventStream(changesUrl(server.url), { headers: bearer(user.token) }),
      );
      opened.close();
    }
    await vi.waitFor(() => expect(server.feed.size).toBe(0), { timeout: DEADLINE_MS });
  });

  it('close() cuts open streams at once, without waiting for its grace period', async () => {
    const streams = await Promise.all([
      openEventStream(changesUrl(server.url), { headers: bearer(user.token) }),
      openEventStream(changesUrl(server.url), { headers: { cookie: user.cookie } }),
    ]);
    for (const opened of streams) await connected(opened);
    expect(server.feed.size).toBe(2);
    // An hour of grace: a close that waited for it would miss the deadline below by far.
    const closed = server.close(3_600_000);
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise((resolve) => setTimeout(resolve, DEADLINE_MS, 'still closing')),
    ]);
    expect(outcome).toBe('closed');
    for (const opened of streams) expect(await opened.ended).toBe('error');
    await vi.waitFor(() => expect(server.feed.size).toBe(0), { timeout: DEADLINE_MS });
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('two server processes on one PostgreSQL', () => {
  let pair: Awaited<ReturnType<typeof spawnServersOnOneDatabase>>;
  const servers: ServerProcess[] = [];
  const streams: EventStream[] = [];

  beforeAll(async () => {
    pair = await spawnServersOnOneDatabase({ AUTH_RATE_LIMIT_PER_MINUTE: '0' });
    servers.push(...pair.servers);
  });
  afterAll(async () => {
    for (const opened of streams) opened.close();
    await pair?.stop();
  });

  it('a write through one process reaches the owner’s stream on the other, and no one else’s', async () => {
    const [one, two] = servers as [ServerProcess, ServerProcess];
    expect(one.process.pid).not.toBe(two.process.pid);
    const a = await signUp(one.url, { name: 'A' });
    const b = await signUp(one.url, { name: 'B' });
    const open = async (base: string, session: Session) => {
      const opened = await openEventStream(changesUrl(base), { headers: bearer(session.token) });
      streams.push(opened);
      return connected(opened);
    };
    const aOnTwo = await open(two.url, a);
    const aOnOne = await open(one.url, a);
    const bOnTwo = await open(two.url, b);

    const todo = await mutate(one.url, a, 'todo.create', { title: 'from process one' });
    await mutate(one.url, a, 'todo.update', { id: todo.id, completed: true });
    const expected = [
      { type: 'upsert', id: todo.id, title: todo.title, completed: false },
      { type: 'upsert', id: todo.id, title: todo.title, completed: true },
    ];
    const onTwo = await aOnTwo.changes(2, DEADLINE_MS);
    expect(onTwo.map(shape)).toEqual(expected);
    expect((await aOnOne.changes(2, DEADLINE_MS)).map(shape)).toEqual(expected);

    // The other way round: written through two, seen on one.
    const back = await mutate(two.url, a, 'todo.create', { title: 'from process two' });
    expect((await aOnOne.changes(1, DEADLINE_MS)).map(shape)).toEqual([
      { type: 'upsert', id: back.id, title: back.title, completed: false },
    ]);
    await aOnTwo.changes(1, DEADLINE_MS);

    // B on process two: nothing of A's, and its next change is its own, written through one.
    await expectNoChanges(bOnTwo);
    const own = await mutate(one.url, b, 'todo.create', { title: 'B’s own' });
    expect((await bOnTwo.changes(1, DEADLINE_MS)).map(shape)).toEqual([
      { type: 'upsert', id: own.id, title: own.title, completed: false },
    ]);
  });
});
