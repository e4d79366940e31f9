// todo.create with a client-proposed id (offline creation): idempotent for the id's owner,
// TodoIdTakenError for anyone else; both as the tests' own connection and as a caller under
// row-level security (callerDatabase), the way the API runs it.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { callerDatabase, type Owner } from './caller.ts';
import type { DB } from './schema.ts';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from './testing.ts';
import { createTodo, TodoIdTakenError, updateTodo } from './todo-writes.ts';
import { getTodo, listTodos } from './todos.ts';

describe.each(testDrivers)('createTodo with a proposed id on %s', (driver) => {
  let database: TestDatabase;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
    alice = await createTestUser(database.db, 'alice');
    bob = await createTestUser(database.db, 'bob');
  });
  afterAll(() => database?.dispose());

  const rowsWithId = (id: string) =>
    database.db.selectFrom('todos').selectAll().where('id', '=', id).execute();
  const eventsOf = async (userId: string) =>
    (await database.db.selectFrom('todo_changes').select('id').where('user_id', '=', userId).execute())
      .length;

  type Run = <T>(userId: string, fn: (db: Kysely<DB>, owner: Owner) => Promise<T>) => Promise<T>;
  const runs: [string, Run][] = [
    ['directly', (userId, fn) => fn(database.db, userId)],
    [
      'as the caller under row-level security',
      (userId, fn) =>
        callerDatabase(database, { expiresInSeconds: 3600, updateAgeSeconds: 60 }).as({ userId }, fn),
    ],
  ];

  describe.each(runs)('%s', (_name, run) => {
    test('creates the todo with that id, at the end of the manual order', async () => {
      const id = randomUUID();
      const created = await run(alice, (db, owner) =>
        createTodo(db, owner, { id, title: 'Made offline', dueAt: '2026-12-24T09:00:00Z', priority: 'high' }),
      );
      expect(created).toMatchObject({
        id,
        title: 'Made offline',
        dueAt: '2026-12-24T09:00:00.000Z',
        priority: 'high',
      });
      expect(await getTodo(database.db, alice, id)).toEqual(created);
      const manual = await listTodos(database.db, alice, { order: 'manual', limit: 100 });
      expect(manual.items.at(-1)?.id).toBe(id);
    });

    test('a repeat by the owner returns the todo unchanged: no second row, no event', async () => {
      const id = randomUUID();
      const created = await run(alice, (db, owner) =>
        createTodo(db, owner, { id, title: 'First', description: 'kept' }),
      );
      const stored = await rowsWithId(id);
      const events = await eventsOf(alice);
      const repeated = await run(alice, (db, owner) =>
        createTodo(db, owner, { id, title: 'Second', description: null, priority: 'low' }),
      );
      expect(repeated).toEqual(created);
      expect(await rowsWithId(id)).toEqual(stored);
      expect(await eventsOf(alice)).toBe(events);

      // After an edit, the repeat answers with the todo as it is now.
      const edited = await updateTodo(database.db, alice, id, { completed: true });
      expect(await run(alice, (db, owner) => createTodo(db, owner, { id, title: 'First' }))).toEqual(edited);
    });

    test('another user’s id throws TodoIdTakenError and changes nothing', async () => {
      const id = randomUUID();
      await run(alice, (db, owner) => createTodo(db, owner, { id, title: 'Alice’s' }));
      const stored = await rowsWithId(id);
      const events = [await eventsOf(alice), await eventsOf(bob)];
      const bobsBefore = await listTodos(database.db, bob, { limit: 100 });
      await expect(
        run(bob, (db, owner) => createTodo(db, owner, { id, title: 'Bob’s' })),
      ).rejects.toBeInstanceOf(TodoIdTakenError);
      expect(await rowsWithId(id)).toEqual(stored);
      expect([await eventsOf(alice), await eventsOf(bob)]).toEqual(events);
      expect(await listTodos(database.db, bob, { limit: 100 })).toEqual(bobsBefore);
    });

    test('without an id, each create is a new todo with a fresh id', async () => {
      const first = await run(alice, (db, owner) => createTodo(db, owner, { title: 'Same title' }));
      const second = await run(alice, (db, owner) => createTodo(db, owner, { title: 'Same title' }));
      expect(second.id).not.toBe(first.id);
    });
  });
});
