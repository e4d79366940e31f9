// todo.changes as its procedure runs, driven one event at a time as the server's pump drives it,
// over a real database and a real change feed: what the stream already holds in memory when a
// member is removed from a list (a page of the log, notices from the feed) is never sent after
// the feed brings the removal. Over HTTP, a stalled socket makes the same happen at an unknown
// point; here the point is chosen. The stream's slot stands in for the server's
// (apps/server event-streams.ts), which admits it and ends it; the rest is the app's own.
import { randomBytes } from 'node:crypto';
import {
  type ChangeFeed,
  callerDatabase,
  createChangeFeed,
  type LoggedChange,
  openStreamSession,
  type TodoChange,
} from '@todo/db';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from '@todo/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appRouter } from '../root.ts';
import { type Context, createCallerFactory, type StreamSlot } from '../trpc.ts';

const policy = { expiresInSeconds: 3600, updateAgeSeconds: 60 };
const callerOf = createCallerFactory(appRouter);

describe.each(testDrivers.filter((driver) => driver !== 'neon'))(
  'todo.changes and a removal (%s)',
  (driver) => {
    let database: TestDatabase;
    let feed: ChangeFeed;

    beforeAll(async () => {
      database = await createTestDatabase(driver);
      feed = await createChangeFeed(database);
    });
    afterAll(async () => {
      await feed?.close();
      await database?.dispose();
    });

    /** A live session of `userId`'s, made as Better Auth makes one. */
    async function sessionOf(userId: string) {
      const token = randomBytes(24).toString('hex');
      await sql`insert into sessions (user_id, token, expires_at, updated_at)
      values (${userId}, ${token}, now() + interval '1 hour', now())`.execute(database.db);
      return token;
    }

    /** `userId`'s stream from `lastEventId`, read one event at a time; `stop` ends it as the server would. */
    async function openStream(userId: string, lastEventId?: string) {
      const token = await sessionOf(userId);
      const ended = new AbortController();
      const slot: StreamSlot = {
        signal: ended.signal,
        async open(sessionToken) {
          const session = await openStreamSession(database.db, sessionToken);
          if (!session) throw new Error('no session');
          return { userId: session.userId, lastId: session.lastId };
        },
      };
      const ctx: Context = {
        db: callerDatabase(database, policy),
        caller: async () => ({ sessionToken: token }),
        exposeInternalErrors: true,
        mail: null,
        live: { feed, read: (read) => read() },
        stream: slot,
      };
      const events = (await callerOf(ctx).todo.changes({ lastEventId })) as AsyncIterable<
        [string, TodoChange]
      >;
      const iterator = events[Symbol.asyncIterator]();
      return {
        async next(): Promise<TodoChange> {
          const next = await iterator.next();
          if (next.done) throw new Error('the stream ended');
          return next.value[1];
        },
        stop() {
          ended.abort();
          void iterator.return?.();
        },
      };
    }

    const as = (userId: string, statement: (owner: string) => ReturnType<typeof sql>) =>
      callerDatabase(database, policy).as({ userId }, (db) => statement(userId).execute(db));
    const headOf = async (userId: string) =>
      (
        await sql<{ seq: string }>`select coalesce(max(seq), 0)::text as seq from todo_changes
        where user_id = ${userId}`.execute(database.db)
      ).rows[0]?.seq ?? '0';
    const titleOf = (change: TodoChange) => (change.type === 'upsert' ? change.todo.title : change.type);

    it('the rest of a page read before the removal is withheld: the next event is listRemoved, then nothing of the list', async () => {
      const ann = await createTestUser(database.db, 'ann');
      const ben = await createTestUser(database.db, 'ben');
      const [list] = (
        await as(
          ann,
          (owner) => sql`insert into lists (owner_id, name) values (${owner}, 'Shared') returning id`,
        )
      ).rows as { id: string }[];
      const listId = list?.id ?? '';
      await sql`insert into list_members (list_id, user_id, role, position)
      values (${listId}, ${ben}, 'editor', 5)`.execute(database.db);
      const from = await headOf(ben);
      for (const title of ['one', 'two', 'three', 'four', 'five']) {
        await as(ann, () => sql`insert into todos (list_id, title) values (${listId}, ${title})`);
      }

      const stream = await openStream(ben, from);
      // Another subscriber of Ben's, after the stream's: the feed hands an event to both in turn.
      const heard: LoggedChange[] = [];
      const stopHearing = feed.subscribe(ben, (event) => event && heard.push(event));
      try {
        // The replay's first page holds all five; two are sent.
        expect(titleOf(await stream.next())).toBe('one');
        expect(titleOf(await stream.next())).toBe('two');

        await as(
          ann,
          (owner) => sql`delete from list_members where list_id = ${listId} and user_id <> ${owner}`,
        );
        await vi.waitFor(() => expect(heard.map((event) => event.change.type)).toContain('listRemoved'), {
          timeout: 10_000,
        });

        expect(await stream.next()).toEqual({ type: 'listRemoved', id: listId });
        await as(ann, () => sql`insert into todos (list_id, title) values (${listId}, 'after')`);
        const inbox = await as(
          ben,
          (owner) =>
            sql`insert into todos (list_id, title)
          values ((select id from lists where owner_id = ${owner} and is_inbox), 'ben’s own') returning id`,
        );
        expect(inbox.rows).toHaveLength(1);
        expect(titleOf(await stream.next())).toBe('ben’s own');
      } finally {
        stopHearing();
        stream.stop();
      }
    });

    it('events the feed brought while the reader was busy are withheld once the removal comes', async () => {
      const ann = await createTestUser(database.db, 'ann');
      const ben = await createTestUser(database.db, 'ben');
      const [list] = (
        await as(
          ann,
          (owner) => sql`insert into lists (owner_id, name) values (${owner}, 'Shared') returning id`,
        )
      ).rows as { id: string }[];
      const listId = list?.id ?? '';
      await sql`insert into list_members (list_id, user_id, role, position)
      values (${listId}, ${ben}, 'editor', 5)`.execute(database.db);
      const stream = await openStream(ben);
      const heard: LoggedChange[] = [];
      const stopHearing = feed.subscribe(ben, (event) => event && heard.push(event));
      try {
        await as(ann, () => sql`insert into todos (list_id, title) values (${listId}, 'first')`);
        expect(titleOf(await stream.next())).toBe('first');
        // Three more reach the stream from the feed while nobody asks it for an event. Only the
        // todos' events are counted: on a busy machine Ben's own event of joining the list can
        // reach the feed after this subscription.
        for (const title of ['second', 'third', 'fourth']) {
          await as(ann, () => sql`insert into todos (list_id, title) values (${listId}, ${title})`);
        }
        const todosHeard = () =>
          heard.filter(({ change }) => change.type === 'upsert').map(({ change }) => titleOf(change));
        await vi.waitFor(() => expect(todosHeard()).toEqual(['first', 'second', 'third', 'fourth']), {
          timeout: 10_000,
        });
        await as(
          ann,
          (owner) => sql`delete from list_members where list_id = ${listId} and user_id <> ${owner}`,
        );
        await vi.waitFor(() => expect(heard.map(({ change }) => change.type)).toContain('listRemoved'), {
          timeout: 10_000,
        });

        expect(await stream.next()).toEqual({ type: 'listRemoved', id: listId });
      } finally {
        stopHearing();
        stream.stop();
      }
    });
  },
);
