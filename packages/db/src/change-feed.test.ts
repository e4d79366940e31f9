// The change feed (change-feed.ts) on every driver: one LISTEN per process wakes a user's
// subscribers after that user's commits, and only then; on PostgreSQL it survives losing its
// connection. NOTIFYs reach a listener in commit order, so once a later commit's wake-up has
// arrived, any wake-up an earlier commit would have caused has arrived too: that is how these
// tests say "no wake-up" without waiting for a time.
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callerDatabase, type Owner } from './caller.ts';
import { type ChangeFeed, createChangeFeed } from './change-feed.ts';
import { CHANGES_CHANNEL, changeLogHead, changesSince, type LoggedChange } from './changes.ts';
import type { DB } from './schema.ts';
import { createTestDatabase, createTestUser, queryRows, type TestDatabase, testDrivers } from './testing.ts';
import { createTodo } from './todo-writes.ts';

const policy = { expiresInSeconds: 3600, updateAgeSeconds: 60 };
const eventually = { timeout: 10_000, interval: 10 };

/** A subscriber that counts its wake-ups. */
const counter = () => {
  const counted = { wakes: 0, wake: () => void counted.wakes++ };
  return counted;
};

describe.each(testDrivers)('the change feed (%s)', (driver) => {
  let database: TestDatabase;
  let feed: ChangeFeed;
  const errors: Error[] = [];
  let alice: string;
  let bob: string;

  const asAlice = <T>(fn: (db: Kysely<DB>, owner: Owner) => Promise<T>) =>
    callerDatabase(database, policy).as({ userId: alice }, fn, { readOnly: true });
  const write = (userId: string, title = 'a change') =>
    callerDatabase(database, policy).as({ userId }, (db, owner) => createTodo(db, owner, { title }));
  const rolledBack = (userId: string) =>
    expect(
      callerDatabase(database, policy).as({ userId }, async (db, owner) => {
        await createTodo(db, owner, { title: 'rolled back' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    alice = await createTestUser(database.db, 'alice');
    bob = await createTestUser(database.db, 'bob');
    feed = await createChangeFeed(database, {
      retryMs: 10,
      maxRetryMs: 100,
      onError: (error) => errors.push(error),
    });
  });
  afterAll(async () => {
    await feed?.close();
    await database?.dispose();
  });

  it('wakes a subscriber after their own commit, not after another user’s, nor after a rollback', async () => {
    const ofAlice = counter();
    const ofBob = counter();
    const stops = [feed.subscribe(alice, ofAlice.wake), feed.subscribe(bob, ofBob.wake)];
    try {
      await write(bob);
      await rolledBack(alice);
      await vi.waitFor(() => expect(ofBob.wakes).toBe(1), eventually);
      expect(ofAlice.wakes).toBe(0);

      await write(alice);
      await vi.waitFor(() => expect(ofAlice.wakes).toBeGreaterThan(0), eventually);
      expect({ alice: ofAlice.wakes, bob: ofBob.wakes }).toEqual({ alice: 1, bob: 1 });
    } finally {
      for (const stop of stops) stop();
    }
  });

  it('hands each event to its account’s subscribers, read from the log whatever its size, in order', async () => {
    const events: (LoggedChange | undefined)[] = [];
    const stop = feed.subscribe(alice, (event) => events.push(event));
    try {
      const { lastId: before } = await asAlice(changeLogHead);
      const small = await write(alice, 'small');
      // 10,000 four-byte characters: the todo is far over NOTIFY's 8,000 bytes.
      const large = await callerDatabase(database, policy).as({ userId: alice }, (db, owner) =>
        createTodo(db, owner, { title: 'large', description: '😀'.repeat(10_000) }),
      );
      await vi.waitFor(() => expect(events).toHaveLength(2), eventually);
      const logged = (await asAlice((db, owner) => changesSince(db, owner, before)))?.events;
      expect(events).toEqual(logged);
      expect(events.map((event) => event?.change)).toEqual([
        { type: 'upsert', todo: small },
        { type: 'upsert', todo: large },
      ]);
      // The account's own numbers: one more each time.
      expect(events.map((event) => BigInt(event?.id ?? 0))).toEqual([
        BigInt(before) + 1n,
        BigInt(before) + 2n,
      ]);
    } finally {
      stop();
    }
  });

  it('a NOTIFY names its events, each by its account and row, never the todo', async () => {
    const payloads: string[] = [];
    const unlisten = await database.listen(CHANGES_CHANNEL, (payload) => payloads.push(payload));
    try {
      await write(alice, 'my diagnosis');
      await vi.waitFor(() => expect(payloads).toHaveLength(1), eventually);
      const notice = JSON.parse(payloads[0] ?? '{}') as { events: [string, string][] };
      expect(Object.keys(notice)).toEqual(['events']);
      expect(notice.events).toEqual([[alice, expect.stringMatching(/^\d+$/)]]);
      expect(payloads[0]).not.toContain('diagnosis');
    } finally {
      await unlisten();
    }
  });

  it('stops waking a subscriber once unsubscribed; size counts open subscriptions', async () => {
    const [gone, staying, ofBob, later] = [counter(), counter(), counter(), counter()];
    const start = feed.size;
    const stopGone = feed.subscribe(alice, gone.wake);
    const stopStaying = feed.subscribe(alice, staying.wake);
    const stopBob = feed.subscribe(bob, ofBob.wake);
    expect(feed.size).toBe(start + 3);
    stopGone();
    stopGone(); // a second call changes nothing
    expect(feed.size).toBe(start + 2);

    await write(alice);
    await vi.waitFor(() => expect(staying.wakes).toBe(1), eventually);
    expect(gone.wakes).toBe(0);

    // The user's last subscriber leaves, and a new one comes.
    stopStaying();
    stopBob();
    expect(feed.size).toBe(start);
    const stopLater = feed.subscribe(alice, later.wake);
    await write(alice);
    await vi.waitFor(() => expect(later.wakes).toBe(1), eventually);
    expect({ gone: gone.wakes, staying: staying.wakes, bob: ofBob.wakes }).toEqual({
      gone: 0,
      staying: 1,
      bob: 0,
    });
    stopLater();
    expect(feed.size).toBe(start);
  });

  it('close() stops listening', async () => {
    const closing = await createChangeFeed(database);
    const deaf = counter();
    const sentinel = counter();
    closing.subscribe(alice, deaf.wake);
    const stopSentinel = feed.subscribe(alice, sentinel.wake);
    expect(closing.listening).toBe(true);

    await closing.close();
    expect(closing.listening).toBe(false);
    await write(alice);
    await vi.waitFor(() => expect(sentinel.wakes).toBe(1), eventually);
    expect(deaf.wakes).toBe(0);
    stopSentinel();
    await closing.close(); // closing twice is harmless
  });

  it('tells of each ended session by id, before any change committed after it', async () => {
    const heard: string[] = [];
    const telling = await createChangeFeed(database, { onSessionEnded: (id) => heard.push(`ended ${id}`) });
    const stop = telling.subscribe(alice, (notice) => heard.push(`change ${notice?.id}`));
    try {
      const [session] = await queryRows<{ id: string }>(
        database.db,
        `insert into sessions (user_id, token, expires_at, updated_at)
        values ('${alice}', 'a-token-never-told', now() + interval '1 hour', now()) returning id`,
      );
      await queryRows(database.db, `delete from sessions where id = '${session?.id}'`);
      const after = await write(alice, 'after the sign-out');
      await vi.waitFor(() => expect(heard).toHaveLength(2), eventually);
      const { lastId } = await asAlice(changeLogHead);
      expect(heard).toEqual([`ended ${session?.id}`, `change ${lastId}`]);
      expect(after.title).toBe('after the sign-out');
    } finally {
      stop();
      await telling.close();
    }
  });

  it.skipIf(driver === 'pglite')('a login with no grants at all may LISTEN, and hears only ids', async () => {
    // Any role that can connect may LISTEN on any channel: the payload is all it gets.
    const role = `listener_${Math.random().toString(36).slice(2, 10)}`;
    await queryRows(database.db, `create role ${role} login`);
    const url = new URL(database.url ?? '');
    url.username = role;
    const stranger = new pg.Client({ connectionString: url.toString() });
    await stranger.connect();
    const heard: string[] = [];
    try {
      await expect(stranger.query('select * from todo_changes')).rejects.toThrow(/permission denied/);
      stranger.on('notification', (message) => heard.push(message.payload ?? ''));
      await stranger.query(`listen ${CHANGES_CHANNEL}`);
      await write(alice, 'private medical note');
      await vi.waitFor(() => expect(heard).toHaveLength(1), eventually);
      expect(Object.keys(JSON.parse(heard[0] ?? '{}'))).toEqual(['events']);
      expect(heard.join('')).not.toContain('medical');
    } finally {
      await stranger.end();
      await queryRows(database.db, `drop role ${role}`);
    }
  });

  describe.skipIf(driver === 'pglite')(
    'losing its connection (PostgreSQL; PGlite lives in this process)',
    () => {
      /** Terminates this database's LISTEN backends (the feed's); returns how many. */
      const killListeners = async () =>
        (
          await queryRows<{ pid: number }>(
            database.db,
            `select pid from pg_stat_activity, pg_terminate_backend(pid) as killed
          where datname = current_database() and query ilike 'listen%' and state = 'idle' and killed`,
          )
        ).length;
      const listeners = async () =>
        (
          await queryRows<{ pid: number }>(
            database.db,
            `select pid from pg_stat_activity where datname = current_database() and query ilike 'listen%'`,
          )
        ).map((row) => row.pid);

      it('reads an event while every connection of the pool is taken (a busy process)', async () => {
        const events: (LoggedChange | undefined)[] = [];
        const stop = feed.subscribe(alice, (event) => events.push(event));
        // Every connection of the pool (10) sleeps, as under a load that queues requests.
        const sleeping = Array.from({ length: 10 }, () =>
          queryRows(database.db, 'select pg_sleep(5)').catch(() => null),
        );
        const writer = new pg.Client({ connectionString: database.url ?? '' });
        await writer.connect();
        try {
          await vi.waitFor(async () => {
            const { rows } = await writer.query(
              `select count(*)::int as n from pg_stat_activity
               where datname = current_database() and query = 'select pg_sleep(5)' and state = 'active'`,
            );
            expect(rows[0].n).toBe(10);
          }, eventually);
          // A write from outside the pool, as another process's would be.
          await writer.query(
            `insert into todos (list_id, created_by, title)
            select id, owner_id, 'while the pool is busy' from lists where owner_id = $1 and is_inbox`,
            [alice],
          );
          // Before the sleeps end: the feed did not wait for a connection of the pool.
          await vi.waitFor(() => expect(events).toHaveLength(1), { timeout: 3_000, interval: 10 });
          expect(events[0]?.change).toMatchObject({
            type: 'upsert',
            todo: { title: 'while the pool is busy' },
          });
        } finally {
          await writer.query(
            `select pg_cancel_backend(pid) from pg_stat_activity
             where datname = current_database() and query = 'select pg_sleep(5)'`,
          );
          await Promise.all(sleeping);
          await writer.end();
          stop();
        }
      });

      it('reconnects by itself, wakes every subscriber once listening again, and delivers later commits', async () => {
        const ofAlice = counter();
        const ofBob = counter();
        const stops = [feed.subscribe(alice, ofAlice.wake), feed.subscribe(bob, ofBob.wake)];
        const lostBefore = errors.length;
        const [killed] = await listeners();
        try {
          expect(await killListeners()).toBe(1);
          await vi.waitFor(async () => {
            expect(errors.length).toBeGreaterThan(lostBefore);
            expect(feed.listening).toBe(true);
            expect(await listeners()).toHaveLength(1);
            expect({ alice: ofAlice.wakes, bob: ofBob.wakes }).toEqual({ alice: 1, bob: 1 });
          }, eventually);
          expect(await listeners()).not.toContain(killed);

          await write(alice);
          await vi.waitFor(() => expect(ofAlice.wakes).toBe(2), eventually);
          expect(ofBob.wakes).toBe(1);
        } finally {
          for (const stop of stops) stop();
        }
      });

      it('keeps retrying while the database refuses connections, then reconnects and wakes its subscribers', async () => {
        const ofAlice = counter();
        const stop = feed.subscribe(alice, ofAlice.wake);
        // An administrator's connection of its own, to the server's main database (PostgreSQL
        // refuses to close the current one): the pools cannot open new connections meanwhile.
        const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await admin.connect();
        const name = new URL(database.url ?? '').pathname.slice(1);
        const allow = (allowed: boolean) =>
          admin.query(`alter database "${name}" allow_connections ${allowed}`);
        const lostBefore = errors.length;
        try {
          await allow(false);
          expect(await killListeners()).toBe(1);
          // Lost, then at least two refused attempts: it retries after failing, not only once.
          await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(lostBefore + 3), eventually);
          expect(feed.listening).toBe(false);
          expect(ofAlice.wakes).toBe(0);

          await allow(true);
          await vi.waitFor(() => {
            expect(feed.listening).toBe(true);
            expect(ofAlice.wakes).toBe(1);
          }, eventually);
          await write(alice);
          await vi.waitFor(() => expect(ofAlice.wakes).toBe(2), eventually);
        } finally {
          await allow(true);
          await admin.end();
          stop();
        }
      });
    },
  );
});
