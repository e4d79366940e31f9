// What one signed-in account cannot do to the server through todo.changes (contract: Realtime,
// "Streams are bounded"; SECURITY.md): open more than STREAM_MAX_PER_USER streams, keep a
// stream its reader stopped reading, receive anything written after its session ended, make
// the server hold its replays in memory, or take the pool from everyone else. Readers that stop
// reading are real sockets that are paused after their request; nothing is mocked.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { testDrivers } from '@todo/db/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, type Session, signIn, signUp, startTestServer, type TestServer, trpc } from './testing.ts';
import { changesUrl, openEventStream } from './testing-sse.ts';

const DEADLINE = { timeout: 30_000, interval: 20 };
/** A description of about 10,000 characters (the most a todo takes): each event carrying it is about 10 kB. */
const LARGE = 'x'.repeat(9_990);

/** A stream whose reader reads nothing: a raw socket, paused as soon as its request is out. */
async function stalledStream(url: string, token: string, lastEventId?: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect({ host: hostname, port: Number(port) });
  await once(socket, 'connect');
  socket.write(
    [
      'GET /api/trpc/todo.changes HTTP/1.1',
      'host: x',
      'accept: text/event-stream',
      `authorization: Bearer ${token}`,
      ...(lastEventId ? [`last-event-id: ${lastEventId}`] : []),
      '',
      '',
    ].join('\r\n'),
  );
  socket.pause();
  const closed = once(socket, 'close');
  return {
    socket,
    /** Reads what the server sent until it closes the connection. */
    async readToEnd(): Promise<string> {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.resume();
      await closed;
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/**
 * `count` changes to a new todo of `userId`, each an event of about 10 kB, in one round trip.
 * Resolves with the id of the todo's first event: a replay from it carries the `count` changes.
 */
async function largeEvents(
  server: TestServer,
  userId: string,
  count: number,
  description = LARGE,
): Promise<string> {
  const [todo] = (
    await sql<{
      id: string;
    }>`insert into todos (created_by, title) values (${userId}, 'large') returning id`.execute(
      server.testDatabase.db,
    )
  ).rows;
  await sql`do $$ begin
      for i in 1..${sql.raw(String(count))} loop
        update todos set description = ${sql.lit(description)} || i where id = ${sql.lit(todo?.id)};
      end loop;
    end $$`.execute(server.testDatabase.db);
  const { rows } = await sql<{ id: string }>`select min(seq)::text as id from todo_changes
    where user_id = ${userId} and todo_id = ${todo?.id}`.execute(server.testDatabase.db);
  return rows[0]?.id ?? '0';
}

describe.each(testDrivers.filter((driver) => driver !== 'neon'))(
  'event streams are bounded on %s',
  (driver) => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer(driver, { STREAM_WRITE_TIMEOUT_MS: '500', STREAM_MAX_PER_USER: '20' });
    });
    afterAll(() => server?.stop());

    it('the 21st stream of an account gets 429 with Retry-After; other accounts and a closed slot still open', async () => {
      const owner = await signUp(server.url);
      const streams = [];
      for (let n = 0; n < 20; n++) {
        const opened = await openEventStream(changesUrl(server.url), { headers: bearer(owner.token) });
        expect(opened.status).toBe(200);
        streams.push(opened);
      }
      const refused = await fetch(changesUrl(server.url), {
        headers: { ...bearer(owner.token), accept: 'text/event-stream' },
      });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('30');
      expect(await refused.json()).toMatchObject({
        error: { data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429 } },
      });

      const other = await signUp(server.url);
      const theirs = await openEventStream(changesUrl(server.url), { headers: bearer(other.token) });
      expect(theirs.status).toBe(200);
      theirs.close();

      streams.pop()?.close();
      await vi.waitFor(async () => {
        const again = await openEventStream(changesUrl(server.url), { headers: bearer(owner.token) });
        again.close();
        expect(again.status).toBe(200);
      }, DEADLINE);
      for (const opened of streams) opened.close();
      await vi.waitFor(() => expect(server.streams.size).toBe(0), DEADLINE);
    });

    it('a reader that stops reading is cut once it has not drained for STREAM_WRITE_TIMEOUT_MS', async () => {
      const user = await signUp(server.url);
      const stalled = await stalledStream(server.url, user.token);
      await vi.waitFor(() => expect(server.streams.size).toBe(1), DEADLINE);
      await largeEvents(server, user.userId, 1_000);
      // 10 MB of events: more than the sockets hold. The server stops, waits 0.5 s, and cuts.
      await vi.waitFor(() => expect(server.streams.size).toBe(0), DEADLINE);
      const received = await stalled.readToEnd();
      expect(received.length).toBeLessThan(10_000_000);
      expect((await trpc(server.url, 'todo.counts', { headers: bearer(user.token) })).status).toBe(200);
    });
  },
);

describe.each(testDrivers.filter((driver) => driver !== 'neon'))(
  'a stalled stream and its session on %s',
  (driver) => {
    let server: TestServer;

    beforeAll(async () => {
      // No write timeout or session timer to end the stream: only the sign-out may.
      server = await startTestServer(driver, {
        STREAM_WRITE_TIMEOUT_MS: '600000',
        STREAM_SESSION_CHECK_MS: '60000',
      });
    });
    afterAll(() => server?.stop());

    it('receives nothing written after its session ended, however long it stalled', async () => {
      const streamSession = await signUp(server.url);
      const writer: Session = {
        ...streamSession,
        token: (await signIn(server.url, streamSession.email)).headers.get('set-auth-token') ?? '',
      };
      const stalled = await stalledStream(server.url, streamSession.token);
      await vi.waitFor(() => expect(server.streams.size).toBe(1), DEADLINE);
      await largeEvents(server, streamSession.userId, 1_000);
      await vi.waitFor(() => expect(server.streams.stats().blocked).toBe(1), DEADLINE);

      const signOut = await fetch(`${server.url}/api/auth/sign-out`, {
        method: 'POST',
        headers: bearer(streamSession.token),
      });
      expect(signOut.status).toBe(200);
      const after = await trpc(server.url, 'todo.create', {
        mutation: true,
        input: { title: 'written after the sign-out' },
        headers: bearer(writer.token),
      });
      expect(after.status).toBe(200);

      const received = await stalled.readToEnd();
      expect(received).toContain('"type":"upsert"');
      expect(received).not.toContain('written after the sign-out');
      expect(server.streams.size).toBe(0);
    });
  },
);

describe.each(testDrivers.filter((driver) => driver !== 'neon'))(
  'replays of stalled streams on %s',
  (driver) => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer(driver, {
        STREAM_MAX_PER_USER: '100',
        STREAM_WRITE_TIMEOUT_MS: '600000',
      });
    });
    afterAll(() => server?.stop());

    // 100 streams on PostgreSQL; on PGlite, which runs every read in this one thread, 25 fill
    // their sockets (some 4 MB each) in the time 100 take on PostgreSQL. The server's code is
    // the same; the bound is per stream.
    const count = driver === 'pglite' ? 25 : 100;

    it(`${count} stalled streams of one account replaying 1,000 large events keep the heap bounded`, async () => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const user = await signUp(server.url);
      const from = await largeEvents(server, user.userId, 1_000);
      gc();
      const before = process.memoryUsage().heapUsed;

      const streams = await Promise.all(
        Array.from({ length: count }, () => stalledStream(server.url, user.token, from)),
      );
      await vi.waitFor(() => expect(server.streams.size).toBe(count), DEADLINE);
      // Every one replays until its socket is full, then waits. The heap is sampled meanwhile:
      // its peak is what matters, and a busy machine may take long to fill all the sockets, so
      // the samples stop after 45 s or once all of them wait. (Reading its replay whole, each would
      // hold its 10 MB from its first read on.)
      let most = 0;
      const until = Date.now() + 45_000;
      do {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        gc();
        most = Math.max(most, process.memoryUsage().heapUsed - before);
      } while (server.streams.stats().blocked < count && Date.now() < until);
      // Each stream holds at most a page of its log (128 kB) and what Node buffers past a full
      // socket: far below the 10 MB of events each would hold if it read its replay whole.
      expect(most / count).toBeLessThan(640_000);

      for (const stream of streams) stream.socket.destroy();
      await vi.waitFor(() => expect(server.streams.size).toBe(0), DEADLINE);
    }, 120_000);
  },
);

describe.skipIf(!process.env.TEST_DATABASE_URL)('replays and the pool on pg', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Four connections: the streams may take two, however many of them replay.
    server = await startTestServer('pg', { DB_POOL_MAX: '4', STREAM_MAX_PER_USER: '100' });
  });
  afterAll(() => server?.stop());

  it('never take more than half the pool, and another account’s calls go on', async () => {
    const user = await signUp(server.url);
    const other = await signUp(server.url);
    // 500 events of 4 kB: 2 MB for each of 20 replays, enough for their reads to overlap.
    const from = await largeEvents(server, user.userId, 500, 'x'.repeat(4_000));

    // Another connection watches what the server's connections run, as often as it can. It
    // counts the streams' reads (a replay page, a stream's head), not the change feed's read of
    // the rows a NOTIFY names (`id = any(...)`): the feed reads for all of this process's streams
    // at once, outside their share, and the 500 writes' last notices may still be arriving.
    const watcher = new pg.Client({ connectionString: server.testDatabase.url ?? '' });
    await watcher.connect();
    let most = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const { rows } = await watcher.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()
            and state = 'active' and query like '%from todo_changes%'
            and query not like '%id = any(%'`,
        );
        most = Math.max(most, rows[0]?.n ?? 0);
      }
    })();

    // 20 readers that do read: their replays run as fast as the database answers.
    const streams = await Promise.all(
      Array.from({ length: 20 }, () =>
        openEventStream(changesUrl(server.url), { headers: bearer(user.token), lastEventId: from }),
      ),
    );
    const victim: number[] = [];
    for (let n = 0; n < 20; n++) {
      victim.push((await trpc(server.url, 'todo.list', { headers: bearer(other.token) })).status);
    }
    await Promise.all(streams.map((stream) => stream.changes(500, 100_000)));
    watching = false;
    await watch;
    await watcher.end();
    for (const stream of streams) stream.close();

    expect(victim.every((status) => status === 200)).toBe(true);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
  }, 120_000);
});
