// The change log (migrations/0007, changes.ts) on every driver: every committed change to a
// user's todos is one event, in that user's commit order; nothing of a rollback; the log is
// the owner's alone, goes with the account, and is pruned only past its retention.
//
// Over 400 lines, kept together: one migrated database per driver for every rule of the log;
// split, each file would migrate its own.
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerDatabase, type Owner } from './caller.ts';
import { changeLogHead, changesSince, type LoggedChange, pruneChanges } from './changes.ts';
import type { DB } from './schema.ts';
import { createTestDatabase, createTestUser, queryRows, type TestDatabase, testDrivers } from './testing.ts';
import { clearCompleted, createTodo, deleteTodo, setAllCompleted, updateTodo } from './todo-writes.ts';
import { getTodo, type Todo } from './todos.ts';

const policy = { expiresInSeconds: 3600, updateAgeSeconds: 60 };

type LogRow = {
  id: string;
  seq: string;
  user_id: string;
  kind: string;
  todo_id: string | null;
  old: boolean;
};

const ascending = (ids: string[]) => ids.every((id, i) => i === 0 || BigInt(id) > BigInt(ids[i - 1] ?? 0));

describe.each(testDrivers)('the change log (%s)', (driver) => {
  let database: TestDatabase;

  const as = <T>(userId: string, fn: (db: Kysely<DB>, owner: Owner) => Promise<T>) =>
    callerDatabase(database, policy).as({ userId }, fn);
  const newUser = (name: string) => createTestUser(database.db, name);
  /** The user's whole log as they read it. */
  const eventsOf = async (userId: string): Promise<LoggedChange[]> => {
    const page = await as(userId, (db, owner) => changesSince(db, owner, '0', { rows: 10_000, bytes: 1e9 }));
    if (!page) throw new Error('the whole log of a test user is never a reset');
    return page.events;
  };
  /** Every row of the log, as the owner sees it (no row-level security for the owner). */
  const logRows = () =>
    queryRows<LogRow>(
      database.db,
      `select id::text as id, seq::text as seq, user_id::text as user_id, kind, todo_id::text as todo_id,
        created_at < clock_timestamp() - interval '30 minutes' as old
      from todo_changes order by todo_changes.id`,
    );
  const headOf = async (userId: string) => (await as(userId, changeLogHead)).lastId;
  const createTodos = async (userId: string, count: number) => {
    const todos: Todo[] = [];
    for (let i = 0; i < count; i++)
      todos.push(await as(userId, (db, o) => createTodo(db, o, { title: `t${i}` })));
    return todos;
  };

  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database?.dispose());

  describe('every committed change is an event', () => {
    it('create, update and delete are an upsert of the Todo each returned, an upsert, a delete, ids increasing', async () => {
      const alice = await newUser('alice');
      const created = await as(alice, (db, o) =>
        createTodo(db, o, { title: 'milk', description: 'two litres' }),
      );
      const renamed = await as(alice, (db, o) => updateTodo(db, o, created.id, { title: 'oat milk' }));
      const done = await as(alice, (db, o) => updateTodo(db, o, created.id, { completed: true }));
      // Several more, so that a timestamp printed differently by the trigger would show.
      const more = await createTodos(alice, 5);
      const deleted = await as(alice, (db, o) => deleteTodo(db, o, created.id));
      expect(deleted).toBe(true);

      const events = await eventsOf(alice);
      expect(events.map((event) => event.change)).toEqual([
        { type: 'upsert', todo: created },
        { type: 'upsert', todo: renamed },
        { type: 'upsert', todo: done },
        ...more.map((todo) => ({ type: 'upsert', todo })),
        { type: 'delete', id: created.id, listId: created.listId },
      ]);
      expect(ascending(events.map((event) => event.id))).toBe(true);
    });

    it('a write that changes no row is no event', async () => {
      const alice = await newUser('alice');
      const [todo] = await createTodos(alice, 1);
      if (!todo) throw new Error('no todo');
      const head = await headOf(alice);
      await as(alice, (db, o) => updateTodo(db, o, todo.id, {}));
      await as(alice, (db, o) => updateTodo(db, o, randomUUID(), { completed: true }));
      await as(alice, (db, o) => deleteTodo(db, o, randomUUID()));
      expect(await headOf(alice)).toBe(head);
    });

    it('a transaction that rolls back leaves no event and takes no number: the next commit is the next number', async () => {
      const alice = await newUser('alice');
      await createTodos(alice, 1);
      const before = await headOf(alice);
      const failure = new Error('the procedure failed after its write');
      await expect(
        as(alice, async (db, o) => {
          await createTodo(db, o, { title: 'rolled back' });
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await headOf(alice)).toBe(before);

      const after = await as(alice, (db, o) => createTodo(db, o, { title: 'committed' }));
      const events = (await as(alice, (db, o) => changesSince(db, o, before)))?.events;
      expect(events?.map((event) => event.change)).toEqual([{ type: 'upsert', todo: after }]);
      // The account's numbers have no gap: the rolled-back write's number went back with it.
      expect(events?.[0]?.id).toBe(String(BigInt(before) + 1n));
      expect((await logRows()).filter((row) => row.user_id === alice)).toHaveLength(2);
    });

    it('setAllCompleted and clearCompleted: one reset for many rows, one event for one row, none for none', async () => {
      const alice = await newUser('alice');
      const [a, b, c] = await createTodos(alice, 3);
      if (!a || !b || !c) throw new Error('no todos');
      const since = async (afterId: string) =>
        (await as(alice, (db, o) => changesSince(db, o, afterId)))?.events.map((event) => event.change);

      let head = await headOf(alice);
      expect(await as(alice, (db, o) => setAllCompleted(db, o, true))).toBe(3);
      expect(await since(head)).toEqual([{ type: 'reset', listId: a.listId }]);

      head = await headOf(alice);
      expect(await as(alice, (db, o) => setAllCompleted(db, o, true))).toBe(0);
      expect(await since(head)).toEqual([]);

      await as(alice, (db, o) => updateTodo(db, o, b.id, { completed: false }));
      head = await headOf(alice);
      expect(await as(alice, (db, o) => setAllCompleted(db, o, true))).toBe(1);
      const bNow = await as(alice, (db, o) => getTodo(db, o, b.id));
      expect(await since(head)).toEqual([{ type: 'upsert', todo: bNow }]);

      await as(alice, (db, o) => updateTodo(db, o, c.id, { completed: false }));
      head = await headOf(alice);
      expect(await as(alice, (db, o) => clearCompleted(db, o))).toBe(2);
      expect(await since(head)).toEqual([{ type: 'reset', listId: a.listId }]);

      await as(alice, (db, o) => updateTodo(db, o, c.id, { completed: true }));
      head = await headOf(alice);
      expect(await as(alice, (db, o) => clearCompleted(db, o))).toBe(1);
      expect(await since(head)).toEqual([{ type: 'delete', id: c.id, listId: c.listId }]);

      head = await headOf(alice);
      expect(await as(alice, (db, o) => clearCompleted(db, o))).toBe(0);
      expect(await as(alice, (db, o) => setAllCompleted(db, o, false))).toBe(0);
      expect(await since(head)).toEqual([]);
    });
  });

  // PGlite has one connection: its transactions run one after the other, never at once, so
  // there is no second transaction to race with.
  it.skipIf(driver === 'pglite')(
    'two concurrent transactions of one user: the one that commits first has the lower id',
    async () => {
      const alice = await newUser('alice');
      const firstWrote = deferred();
      const releaseFirst = deferred();
      const commits: string[] = [];
      const first = as(alice, async (db, o) => {
        const todo = await createTodo(db, o, { title: 'first' });
        firstWrote.resolve();
        await releaseFirst.promise;
        return todo;
      }).then((todo) => {
        commits.push('first');
        return todo;
      });
      await firstWrote.promise;
      let secondEnded = false;
      const second = as(alice, (db, o) => createTodo(db, o, { title: 'second' })).finally(() => {
        secondEnded = true;
      });
      second.then(() => commits.push('second')).catch(() => {});
      // The first stays open until the second has committed or waits for it: without the
      // per-user lock, the second would commit first, with the higher id.
      await until(async () => secondEnded || (await advisoryWaits()) > 0);
      releaseFirst.resolve();
      const [firstTodo, secondTodo] = await Promise.all([first, second]);

      expect(commits).toEqual(['first', 'second']);
      const events = await eventsOf(alice);
      expect(events.map((event) => event.change)).toEqual([
        { type: 'upsert', todo: firstTodo },
        { type: 'upsert', todo: secondTodo },
      ]);
      expect(ascending(events.map((event) => event.id))).toBe(true);
    },
  );

  it('deleting the account (as the owner, as Better Auth does) removes its todos and every event, and no one else’s', async () => {
    const alice = await newUser('alice');
    const carol = await newUser('carol');
    const bob = await newUser('bob');
    await createTodos(alice, 3); // a deletion of many rows: the reset path
    await as(alice, (db, o) => setAllCompleted(db, o, true));
    await createTodos(carol, 1); // of one row: the single-event path
    await createTodos(bob, 2);
    const others = (await logRows()).filter((row) => row.user_id !== alice && row.user_id !== carol);
    expect(others.some((row) => row.user_id === bob)).toBe(true);

    for (const gone of [alice, carol]) {
      await database.db.deleteFrom('users').where('id', '=', gone).execute();
    }

    const left = await logRows();
    expect(left.filter((row) => row.user_id === alice || row.user_id === carol)).toEqual([]);
    expect(left).toEqual(others);
    // Their todos went with their Inboxes, none left behind without an author.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from todos
      where created_by is null`.execute(database.db);
    expect(rows).toEqual([{ n: 0 }]);
    expect(await eventsOf(bob)).toHaveLength(2);
  });

  describe('row-level security on the log', () => {
    let alice: string;
    let bob: string;
    beforeAll(async () => {
      alice = await newUser('alice');
      bob = await newUser('bob');
      await createTodos(alice, 2);
      await createTodos(bob, 2);
    });

    it('a caller’s unscoped select sees only their own events', async () => {
      const seen = await as(
        alice,
        async (db) => (await sql<LogRow>`select * from todo_changes`.execute(db)).rows,
      );
      const own = (await logRows()).filter((row) => row.user_id === alice);
      expect(own).toHaveLength(2);
      expect(seen.map((row) => [String(row.id), row.user_id])).toEqual(own.map((row) => [row.id, alice]));
    });

    it('a caller cannot write an event into any log, its own or another user’s, nor change or delete one', async () => {
      const before = await logRows();
      for (const statement of [
        sql`insert into todo_changes (user_id, seq, kind) values (${bob}, 1000000, 'reset')`,
        sql`insert into todo_changes (user_id, seq, kind) values (${alice}, 1000000, 'reset')`,
        sql`update change_counters set last_seq = 0`,
        sql`update todo_changes set kind = 'reset', todo_id = null, body = null`,
        sql`update todo_changes set user_id = ${bob}`,
        sql`delete from todo_changes`,
        sql`delete from todo_changes where user_id = ${alice}`,
      ]) {
        await expect(as(alice, (db) => statement.execute(db))).rejects.toThrow(/permission denied/);
      }
      expect(await logRows()).toEqual(before);
    });

    it('each account’s events are numbered 1, 2, 3… on their own: no number says anything of another account', async () => {
      const carol = await newUser('carol');
      const dave = await newUser('dave');
      await createTodos(carol, 2);
      await createTodos(dave, 3);
      await createTodos(carol, 1);
      expect((await eventsOf(carol)).map((event) => event.id)).toEqual(['1', '2', '3']);
      expect((await eventsOf(dave)).map((event) => event.id)).toEqual(['1', '2', '3']);
      const todo = await as(bob, (db, o) => createTodo(db, o, { title: 'still writable' }));
      expect((await eventsOf(bob)).at(-1)?.change).toEqual({ type: 'upsert', todo });
    });

    it('without a user id the application role sees no event', async () => {
      const seen = await database.db.transaction().execute(async (trx) => {
        await sql`set local role todo_app`.execute(trx);
        return (await sql`select * from todo_changes`.execute(trx)).rows;
      });
      expect(seen).toEqual([]);
    });

    it('changesSince reads only the caller’s own log, whatever number it is given', async () => {
      const alicesIds = new Set((await eventsOf(alice)).map((event) => event.id));
      for (const event of await eventsOf(bob)) {
        const page = await as(alice, (db, o) => changesSince(db, o, event.id));
        // The same number in Alice's log is her own event, or none: a reset.
        if (!alicesIds.has(event.id)) expect(page).toBeNull();
        for (const own of page?.events ?? []) expect(alicesIds.has(own.id)).toBe(true);
      }
    });
  });

  describe('changesSince and changeLogHead', () => {
    it('on an empty log: head 0, and nothing after 0', async () => {
      const alice = await newUser('alice');
      expect(await as(alice, changeLogHead)).toEqual({ userId: alice, lastId: '0' });
      expect(await as(alice, (db, o) => changesSince(db, o, '0'))).toEqual({ events: [], more: false });
    });

    it('lists the events after an id a page at a time; a reset for an id the log does not hold', async () => {
      const alice = await newUser('alice');
      const todos = await createTodos(alice, 4);
      const events = await eventsOf(alice);
      const [e1, e2, e3, e4] = events.map((event) => event.id);
      if (!e1 || !e2 || !e3 || !e4) throw new Error('four events expected');
      const since = (afterId: string, page?: { rows: number; bytes: number }) =>
        as(alice, (db, o) => changesSince(db, o, afterId, page));
      const rows = (count: number) => ({ rows: count, bytes: 1e9 });

      expect(events.map((event) => event.change)).toEqual(todos.map((todo) => ({ type: 'upsert', todo })));
      expect(await as(alice, changeLogHead)).toEqual({ userId: alice, lastId: e4 });
      expect(await since(e1)).toEqual({ events: events.slice(1), more: false });
      expect(await since(e2, rows(2))).toEqual({ events: events.slice(2), more: false });
      expect(await since(e4)).toEqual({ events: [], more: false });
      expect(await since(e1, rows(3))).toEqual({ events: events.slice(1), more: false });
      expect(await since(e1, rows(2))).toEqual({ events: events.slice(1, 3), more: true });
      expect(await since('0', rows(3))).toEqual({ events: events.slice(0, 3), more: true });
      expect(await since('0', rows(4))).toEqual({ events, more: false });
      // Bytes: the first event always comes, later ones only while the page has room.
      expect(await since(e1, { rows: 100, bytes: 1 })).toEqual({ events: events.slice(1, 2), more: true });
      expect(await since('0', { rows: 100, bytes: 1 })).toEqual({ events: events.slice(0, 1), more: true });
      expect(await since(String(BigInt(e4) + 1_000n))).toBeNull();
      expect([e1, e2, e3, e4]).toEqual(['1', '2', '3', '4']);
    });

    it('pages of large events stay within the byte budget', async () => {
      const alice = await newUser('alice');
      const head = await headOf(alice);
      // Each event is about 40 kB: 10,000 four-byte characters.
      for (let i = 0; i < 8; i++) {
        await as(alice, (db, o) =>
          createTodo(db, o, { title: `large ${i}`, description: '😀'.repeat(10_000) }),
        );
      }
      let last = head;
      const pages: number[] = [];
      for (;;) {
        const page = await as(alice, (db, o) => changesSince(db, o, last, { rows: 100, bytes: 100_000 }));
        if (!page) throw new Error('no reset expected');
        pages.push(page.events.length);
        last = page.events.at(-1)?.id ?? last;
        if (!page.more) break;
      }
      // 40 kB events in 100 kB pages: three fit (the third starts at 80 kB), and all 8 arrive.
      expect(pages).toEqual([3, 3, 2]);
    });
  });

  it('pruneChanges deletes only events both past the retention time and beyond the newest N; each user keeps a gap-free suffix', async () => {
    // Events are made an hour old; nothing this file writes ages past half an hour by itself.
    const retention = { seconds: 1800, events: 3 };
    // How many of each user's 6 (or 2) events, oldest first, are made an hour old.
    const plan = { allOld: [6, 6], oldestTwoOld: [6, 2], oldestFiveOld: [6, 5], fewAllOld: [2, 2] } as const;
    const users: Record<string, string> = {};
    for (const [name, [count, old]] of Object.entries(plan)) {
      const id = await newUser(name);
      users[name] = id;
      await createTodos(id, count);
      await sql`update todo_changes set created_at = created_at - interval '1 hour'
        where id in (select id from todo_changes where user_id = ${id} order by id limit ${old})`.execute(
        database.db,
      );
    }
    const before = await logRows();

    const deleted = await pruneChanges(database.db, retention);

    const after = await logRows();
    const kept = (name: string) => after.filter((row) => row.user_id === users[name]).map((row) => row.seq);
    const had = (name: string) => before.filter((row) => row.user_id === users[name]).map((row) => row.seq);
    expect(kept('allOld')).toEqual(had('allOld').slice(3)); // only the newest 3
    expect(kept('oldestTwoOld')).toEqual(had('oldestTwoOld').slice(2)); // young ones stay beyond 3
    expect(kept('oldestFiveOld')).toEqual(had('oldestFiveOld').slice(3)); // old ones stay within 3
    expect(kept('fewAllOld')).toEqual(had('fewAllOld'));

    // Across the whole log (other tests' users too): each deleted event was old and beyond its
    // user's newest 3, and each user's remaining events are the newest of what they had.
    const gone = before.filter((row) => !after.some((left) => left.id === row.id));
    expect(deleted).toBe(gone.length);
    for (const row of gone) {
      const newer = before.filter(
        (other) => other.user_id === row.user_id && BigInt(other.seq) > BigInt(row.seq),
      );
      expect(row.old).toBe(true);
      expect(newer.length).toBeGreaterThanOrEqual(retention.events);
    }
    for (const userId of new Set(before.map((row) => row.user_id))) {
      const all = before.filter((row) => row.user_id === userId);
      const left = after.filter((row) => row.user_id === userId);
      expect(left).toEqual(all.slice(all.length - left.length));
    }

    // A reader who had seen a pruned event must reset; one at the oldest kept event goes on.
    const alice = users.allOld as string;
    const [firstPruned, , lastPruned] = had('allOld');
    const [oldestKept, ...rest] = kept('allOld');
    for (const afterId of [firstPruned, lastPruned]) {
      expect(await as(alice, (db, o) => changesSince(db, o, afterId as string))).toBeNull();
    }
    expect(
      (await as(alice, (db, o) => changesSince(db, o, oldestKept as string)))?.events.map(
        (event) => event.id,
      ),
    ).toEqual(rest);
    expect(await pruneChanges(database.db, retention)).toBe(0);
  });

  /** How many lock requests in this database wait for an advisory lock. */
  async function advisoryWaits() {
    const rows = await queryRows<{ n: number }>(
      database.db,
      `select count(*)::int as n from pg_locks
      where locktype = 'advisory' and not granted
        and database = (select oid from pg_database where datname = current_database())`,
    );
    return rows[0]?.n ?? 0;
  }
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Polls `condition` until it holds; fails after a generous deadline (never a timing claim). */
async function until(condition: () => Promise<boolean>, deadlineMs = 10_000) {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
