// A todo's position (its key in its owner's manual order) on every driver: returned by every
// read and write, counted per owner (no global sequence, so it says nothing about other
// accounts), and carried by the change log's upserts exactly as todo.get reads it.
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { callerDatabase, type Owner } from './caller.ts';
import { changeLogHead, changesSince } from './changes.ts';
import { MIGRATIONS_DIR, migrate } from './migrate.ts';
import type { DB } from './schema.ts';
import { createTestDatabase, createTestUser, queryRows, type TestDatabase, testDrivers } from './testing.ts';
import { importTodos } from './todo-import.ts';
import { moveTodo } from './todo-move.ts';
import { createTodo, updateTodo } from './todo-writes.ts';
import { getTodo, listAllTodos, listTodos, TODO_ORDERS, type Todo } from './todos.ts';

const policy = { expiresInSeconds: 3600, updateAgeSeconds: 60 };

describe.each(testDrivers)('positions on %s', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database?.dispose());

  const as = <T>(userId: string, fn: (db: Kysely<DB>, owner: Owner) => Promise<T>) =>
    callerDatabase(database, policy).as({ userId }, fn);
  const stored = async (id: string) =>
    (
      await queryRows<{ position: number }>(
        database.db,
        `select position::float8 as position from todos where id = '${id}'`,
      )
    )[0]?.position;
  const positionsOf = async (owner: string) =>
    (await listAllTodos(database.db, owner)).map((todo) => [todo.title, todo.position]);

  test('create, get, update, move, list in every order and listAll return the position', async () => {
    const owner = await createTestUser(database.db, 'keys');
    const a = await createTodo(database.db, owner, { title: 'a' });
    const b = await createTodo(database.db, owner, { title: 'b' });
    expect(a.position).toBe(await stored(a.id));
    expect(b.position).toBe(await stored(b.id));

    const moved = await moveTodo(database.db, owner, b.id, null);
    expect(moved?.position).toBe(await stored(b.id));
    expect(moved?.position).toBeLessThan(a.position);
    const updated = await updateTodo(database.db, owner, a.id, { title: 'A', priority: 'high' });
    expect(updated?.position).toBe(a.position);

    expect(await getTodo(database.db, owner, b.id)).toEqual(moved);
    for (const order of TODO_ORDERS) {
      const { items } = await listTodos(database.db, owner, { order });
      expect(
        items.find((todo) => todo.id === b.id),
        order,
      ).toEqual(moved);
      expect(
        items.find((todo) => todo.id === a.id),
        order,
      ).toEqual(updated);
    }
    expect(await listAllTodos(database.db, owner)).toEqual([moved, updated]);
  });

  test("a new todo goes above every other of its owner's; each owner's positions start at 1", async () => {
    const first = await createTestUser(database.db, 'first');
    const second = await createTestUser(database.db, 'second');
    const a = await createTodo(database.db, first, { title: 'a' });
    const b = await createTodo(database.db, first, { title: 'b' });
    // Another user's todos are another order: it starts at 1, and takes nothing from the first's.
    const theirs = await createTodo(database.db, second, { title: 'theirs' });
    const c = await createTodo(database.db, first, { title: 'c' });
    expect([a.position, b.position, theirs.position, c.position]).toEqual([1, 2, 1, 3]);

    // c to the top (one below a), then a to the end (one above the largest).
    await moveTodo(database.db, first, c.id, null);
    await moveTodo(database.db, first, a.id, b.id);
    expect(await positionsOf(first)).toEqual([
      ['c', 0],
      ['b', 2],
      ['a', 3],
    ]);
    const d = await createTodo(database.db, first, { title: 'd' });
    expect(d.position).toBe(4);
    // As the API's role, under row-level security, it is the same rule.
    const e = await as(first, (db, owner) => createTodo(db, owner, { title: 'e' }));
    expect(e.position).toBe(5);
    expect(await positionsOf(second)).toEqual([['theirs', 1]]);
  });

  test('an import numbers its todos one after another, after those already there', async () => {
    const owner = await createTestUser(database.db, 'importer');
    await createTodo(database.db, owner, { title: 'mine' });
    const file = ['z', 'y', 'x'].map((title) => ({
      id: crypto.randomUUID(),
      title,
      description: null,
      completed: false,
      dueAt: null,
      priority: 'none' as const,
      createdAt: null,
    }));
    await as(owner, (db, caller) => importTodos(db, caller, file));
    expect(await positionsOf(owner)).toEqual([
      ['mine', 1],
      ['z', 2],
      ['y', 3],
      ['x', 4],
    ]);
  });

  test('an upsert event holds the todo as todo.get reads it, so a move says where the todo went', async () => {
    const alice = await createTestUser(database.db, 'alice');
    const left = await as(alice, (db, owner) => createTodo(db, owner, { title: 'left' }));
    const right = await as(alice, (db, owner) => createTodo(db, owner, { title: 'right' }));
    const { lastId } = await as(alice, changeLogHead);

    // Each write's answer, checked against todo.get right after it: what its event must hold.
    const expected: Todo[] = [];
    const write = async (fn: (db: Kysely<DB>, owner: Owner) => Promise<Todo | undefined>) => {
      const todo = await as(alice, fn);
      if (!todo) throw new Error('nothing written');
      expect(await as(alice, (db, owner) => getTodo(db, owner, todo.id))).toEqual(todo);
      expected.push(todo);
      return todo;
    };
    const toTop = await write((db, owner) => moveTodo(db, owner, right.id, null));
    const toEnd = await write((db, owner) => moveTodo(db, owner, right.id, left.id));
    await write((db, owner) => updateTodo(db, owner, left.id, { completed: true }));
    // Each new todo goes right after `left`, halving the gap there: positions with many digits.
    let last = toEnd;
    for (let index = 0; index < 45; index += 1) {
      const todo = await write((db, owner) => createTodo(db, owner, { title: `n${index}` }));
      last = await write((db, owner) => moveTodo(db, owner, todo.id, left.id));
    }

    const events = (await as(alice, (db, owner) => changesSince(db, owner, lastId)))?.events;
    expect(events?.map((event) => event.change)).toEqual(expected.map((todo) => ({ type: 'upsert', todo })));
    expect([toTop.position, toEnd.position]).toEqual([0, 2]);
    expect(last.position).toBe(1 + 2 ** -45);
  });

  test.skipIf(driver === 'pglite')(
    'two creates of one user at once wait for each other and take the next positions',
    async () => {
      // As the API's role (the lock its statements take), and as the owner without a caller.
      const ways = [
        (owner: string, fn: (db: Kysely<DB>, owner: Owner) => Promise<unknown>) => as(owner, fn),
        (owner: string, fn: (db: Kysely<DB>, owner: Owner) => Promise<unknown>) =>
          database.db.transaction().execute((trx) => fn(trx, owner)),
      ];
      for (const run of ways) {
        const owner = await createTestUser(database.db, 'racer');
        let release!: () => void;
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let created!: () => void;
        const firstCreated = new Promise<void>((resolve) => {
          created = resolve;
        });
        const one = run(owner, async (db, caller) => {
          await createTodo(db, caller, { title: 'first' });
          created();
          await held;
        });
        await firstCreated;
        const two = run(owner, (db, caller) => createTodo(db, caller, { title: 'second' }));
        // Give the second create time to reach the lock (it must wait there, not fail).
        await new Promise((resolve) => setTimeout(resolve, 200));
        release();
        await Promise.all([one, two]);
        expect(await positionsOf(owner)).toEqual([
          ['first', 1],
          ['second', 2],
        ]);
      }
    },
  );
});

describe.each(testDrivers.filter((driver) => driver !== 'neon'))('migration 0011 on %s', (driver) => {
  let database: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    database = await createTestDatabase(driver, { migrated: false });
    dir = await mkdtemp(join(tmpdir(), 'todo-migrations-'));
    for (const file of await readdir(MIGRATIONS_DIR)) {
      if (file < '0011') await copyFile(join(MIGRATIONS_DIR, file), join(dir, file));
    }
    await migrate(database.scripts, dir);
  });
  afterAll(async () => {
    await database?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("numbers each owner's todos 1, 2, 3… in their order, without touching updated_at or anyone's log", async () => {
    // As the schema stood before 0011 (todos of an owner, one sequence's positions): plain SQL,
    // since today's query functions speak of lists.
    const alice = await createTestUser(database.db, 'alice');
    const bob = await createTestUser(database.db, 'bob');
    // Interleaved, as two accounts write: each takes values of the one sequence of 0008.
    for (const title of ['a1', 'b1', 'a2', 'b2', 'a3']) {
      await sql`insert into todos (user_id, title) values (${title.startsWith('a') ? alice : bob}, ${title})`.execute(
        database.db,
      );
    }
    await sql`update todos set position = (select min(position) - 0.5 from todos) where title = 'a2'`.execute(
      database.db,
    );
    const times = () => queryRows(database.db, 'select id, updated_at::text from todos order by id');
    const timesBefore = await times();
    const events = await queryRows(database.db, 'select count(*)::int as n from todo_changes');

    for (const file of await readdir(MIGRATIONS_DIR)) {
      if (file >= '0011' && file < '0015') await copyFile(join(MIGRATIONS_DIR, file), join(dir, file));
    }
    await migrate(database.scripts, dir);

    const rows = await queryRows<{ title: string; position: number }>(
      database.db,
      `select title, position::float8 as position from todos order by user_id = '${alice}' desc, position`,
    );
    expect(rows).toEqual([
      { title: 'a2', position: 1 },
      { title: 'a1', position: 2 },
      { title: 'a3', position: 3 },
      { title: 'b1', position: 1 },
      { title: 'b2', position: 2 },
    ]);
    expect(await times()).toEqual(timesBefore);
    expect(await queryRows(database.db, 'select count(*)::int as n from todo_changes')).toEqual(events);
    const [added] = await queryRows<{ position: number }>(
      database.db,
      `insert into todos (user_id, title) values ('${bob}', 'b3') returning position::float8 as position`,
    );
    expect(added?.position).toBe(3);
  });
});
