// The todos of every list a person is a member of, at once (`listTodos` with `allLists`): what
// the web's Today and Upcoming views read. Their own lists and the lists shared with them, none
// of anyone else's, even when the app's own membership condition is not what stops it.
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerDatabase } from './caller.ts';
import type { DB } from './schema.ts';
import { createTestDatabase, createTestUser, queryRows, type TestDatabase, testDrivers } from './testing.ts';
import { InvalidCursorError, type ListTodosOptions, listTodos, type Todo } from './todos.ts';

const DAY = '2026-12-07T';

describe.each(testDrivers)('todos across lists (%s)', (driver) => {
  let database: TestDatabase;
  const ada = randomUUID();
  const grace = randomUUID();
  const stranger = randomUUID();
  let adaInbox: string;
  let work: string;
  let graceShared: string;
  let graceOwn: string;

  const as = <T>(userId: string, fn: (db: Kysely<DB>, owner: string) => Promise<T>) =>
    callerDatabase(database, { expiresInSeconds: 3600, updateAgeSeconds: 60 }).as({ userId }, (db, owner) =>
      fn(db, owner as string),
    );
  const read = (userId: string, options: ListTodosOptions) =>
    as(userId, (db, owner) => listTodos(db, owner, { allLists: true, ...options }));
  const titles = (todos: Todo[]) => todos.map((todo) => todo.title);

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    for (const [id, name] of [
      [ada, 'ada'],
      [grace, 'grace'],
      [stranger, 'stranger'],
    ] as const) {
      await createTestUser(database.db, name, { id });
    }
    const inboxOf = async (id: string) =>
      (
        await queryRows<{ id: string }>(
          database.db,
          `select id from lists where owner_id = '${id}' and is_inbox`,
        )
      )[0]?.id ?? '';
    adaInbox = await inboxOf(ada);
    const strangerInbox = await inboxOf(stranger);
    const list = async (owner: string, name: string) =>
      (
        await queryRows<{ id: string }>(
          database.db,
          `insert into lists (owner_id, name) values ('${owner}', '${name}') returning id`,
        )
      )[0]?.id ?? '';
    work = await list(ada, 'Work');
    graceShared = await list(grace, 'Shared with Ada');
    graceOwn = await list(grace, 'Grace only');
    await sql`insert into list_members (list_id, user_id, role, position) values
      (${graceShared}, ${ada}, 'viewer', 10)`.execute(database.db);
    // Positions repeat across lists (each list counts from 1): ties the order must break.
    const todo = (
      list_id: string,
      title: string,
      due: string | null,
      position: number,
      completed = false,
    ) => ({
      list_id,
      title,
      due_at: due,
      position,
      completed,
      created_by: ada,
    });
    await database.db
      .insertInto('todos')
      .values([
        todo(adaInbox, 'overdue inbox', '2026-12-05T09:00:00Z', 1),
        todo(adaInbox, 'done yesterday', '2026-12-06T09:00:00Z', 2, true),
        todo(adaInbox, 'today inbox', `${DAY}09:00:00Z`, 3),
        todo(adaInbox, 'no date', null, 4),
        todo(work, 'today work', `${DAY}09:00:00Z`, 3),
        todo(work, 'next week', '2026-12-12T10:00:00Z', 1),
        todo(graceShared, 'today shared', `${DAY}09:00:00Z`, 3),
        todo(graceShared, 'in a month', '2027-01-07T10:00:00Z', 1),
        todo(graceOwn, 'grace private', `${DAY}09:00:00Z`, 3),
        todo(strangerInbox, 'stranger today', `${DAY}09:00:00Z`, 3),
      ])
      .execute();
  });
  afterAll(() => database?.dispose());

  it('reads every list of the caller’s, shared ones too, in the due order, and no one else’s', async () => {
    const page = await read(ada, { order: 'due', dueBefore: '2026-12-08T00:00:00Z' });
    expect(titles(page.items).slice(0, 2)).toEqual(['overdue inbox', 'done yesterday']);
    // Three due at the same instant, each third in its own list: one order, by id.
    const sameInstant = page.items.slice(2);
    expect(new Set(titles(sameInstant))).toEqual(new Set(['today inbox', 'today work', 'today shared']));
    expect(sameInstant.map((todo) => todo.id)).toEqual(sameInstant.map((todo) => todo.id).sort());
    expect(page.nextCursor).toBeNull();

    // What Today reads: active, due before the end of today.
    const active = await read(ada, { order: 'due', filter: 'active', dueBefore: '2026-12-08T00:00:00Z' });
    expect(titles(active.items)).not.toContain('done yesterday');
    // What Upcoming reads: the next days.
    const upcoming = await read(ada, {
      order: 'due',
      dueAfter: '2026-12-08T00:00:00Z',
      dueBefore: '2026-12-15T00:00:00Z',
    });
    expect(titles(upcoming.items)).toEqual(['next week']);

    const graces = titles((await read(grace, { order: 'due' })).items);
    expect(new Set(graces.slice(0, 2))).toEqual(new Set(['today shared', 'grace private']));
    expect(graces.slice(2)).toEqual(['in a month']);
    expect(titles((await read(stranger, { order: 'due' })).items)).toEqual(['stranger today']);
  });

  it('pages through ties across lists without gaps or repeats, in every order', async () => {
    for (const order of ['due', 'manual', 'priority', 'newest', 'oldest'] as const) {
      const everything = (await read(ada, { order, limit: 100 })).items.map((todo) => todo.id);
      // Ada's Inbox (4), Work (2) and the list shared with her (2).
      expect(everything, order).toHaveLength(8);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof read>> = await read(ada, { order, limit: 2, cursor });
        paged.push(...page.items.map((todo) => todo.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged, order).toEqual(everything);
    }
  });

  it('a cursor of one list is not a cursor of every list, nor the reverse', async () => {
    const across = (await read(ada, { order: 'due', limit: 1 })).nextCursor;
    const single = (
      await as(ada, (db, owner) => listTodos(db, owner, { listId: work, order: 'due', limit: 1 }))
    ).nextCursor;
    expect(across).not.toBeNull();
    expect(single).not.toBeNull();
    await expect(
      as(ada, (db, owner) => listTodos(db, owner, { listId: work, order: 'due', cursor: across })),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(read(ada, { order: 'due', cursor: single })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('row-level security alone keeps other people’s lists out', async () => {
    // The app's condition names Grace's lists, but the session is the stranger's: the database
    // itself shows none of Grace's todos.
    const page = await as(stranger, (db) => listTodos(db, grace, { allLists: true, order: 'due' }));
    expect(page.items).toEqual([]);
    // And Ada's session, with Grace's lists named, sees only the one shared with her.
    const shared = await as(ada, (db) => listTodos(db, grace, { allLists: true, order: 'due' }));
    expect(titles(shared.items)).toEqual(['today shared', 'in a month']);
  });
});
