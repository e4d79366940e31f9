import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MIGRATIONS_DIR, migrate } from './migrate.ts';
import { createTestDatabase, createTestUser, queryRows, type TestDatabase, testDrivers } from './testing.ts';
import { importTodos } from './todo-import.ts';
import { moveTodo } from './todo-move.ts';
import { createTodo, updateTodo } from './todo-writes.ts';
import {
  getTodo,
  InvalidCursorError,
  type ListTodosOptions,
  listAllTodos,
  listTodos,
  type Todo,
} from './todos.ts';

type Db = TestDatabase['db'];

async function allPages(db: Db, owner: string, options: ListTodosOptions): Promise<Todo[][]> {
  const pages: Todo[][] = [];
  let cursor: string | null = null;
  do {
    const page = await listTodos(db, owner, { ...options, cursor });
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return pages;
}

const titles = (todos: Todo[]) => todos.map((todo) => todo.title);

describe.each(testDrivers)('due dates, priorities and manual order on %s', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database?.dispose());

  test('due dates are instants in UTC, priorities words; both can be changed and cleared', async () => {
    const owner = await createTestUser(database.db, 'due');
    const todo = await createTodo(database.db, owner, {
      title: 'Pay rent',
      dueAt: '2026-12-24T17:00:00+01:00',
      priority: 'high',
    });
    expect(todo).toMatchObject({ dueAt: '2026-12-24T16:00:00.000Z', priority: 'high' });
    expect(await getTodo(database.db, owner, todo.id)).toEqual(todo);

    const moved = await updateTodo(database.db, owner, todo.id, { dueAt: '2027-01-05T08:30:00.123456Z' });
    expect(moved).toMatchObject({ dueAt: '2027-01-05T08:30:00.123Z', priority: 'high' });
    const cleared = await updateTodo(database.db, owner, todo.id, { dueAt: null, priority: 'none' });
    expect(cleared).toMatchObject({ dueAt: null, priority: 'none', title: 'Pay rent' });
  });

  test('the database refuses a priority outside 0–3 and two todos of a user in one place', async () => {
    const owner = await createTestUser(database.db, 'checks');
    const todo = await createTodo(database.db, owner, { title: 'one' });
    await expect(
      sql`update todos set priority = 4 where id = ${todo.id}`.execute(database.db),
    ).rejects.toThrow(/todos_priority/);
    const other = await createTodo(database.db, owner, { title: 'two' });
    await expect(
      sql`update todos set position = (select position from todos where id = ${todo.id}) where id = ${other.id}`.execute(
        database.db,
      ),
    ).rejects.toThrow(/todos_list_position_key/);
  });

  test('new todos go last; moves put a todo at the top, between two others and at the end', async () => {
    const owner = await createTestUser(database.db, 'mover');
    const created: Todo[] = [];
    for (const title of ['a', 'b', 'c', 'd']) created.push(await createTodo(database.db, owner, { title }));
    const [a, b, c, d] = created;
    if (!a || !b || !c || !d) throw new Error('not created');
    const manual = async () => titles((await listTodos(database.db, owner, { order: 'manual' })).items);
    expect(await manual()).toEqual(['a', 'b', 'c', 'd']);

    expect(await moveTodo(database.db, owner, d.id, null)).toMatchObject({ id: d.id, title: 'd' });
    expect(await manual()).toEqual(['d', 'a', 'b', 'c']);
    await moveTodo(database.db, owner, a.id, b.id);
    expect(await manual()).toEqual(['d', 'b', 'a', 'c']);
    await moveTodo(database.db, owner, d.id, c.id);
    expect(await manual()).toEqual(['b', 'a', 'c', 'd']);
    // After itself, or where it already is: nothing changes.
    await moveTodo(database.db, owner, c.id, c.id);
    await moveTodo(database.db, owner, c.id, a.id);
    expect(await manual()).toEqual(['b', 'a', 'c', 'd']);

    const e = await createTodo(database.db, owner, { title: 'e' });
    expect(await manual()).toEqual(['b', 'a', 'c', 'd', 'e']);
    // An export holds the manual order too.
    expect(titles(await listAllTodos(database.db, owner))).toEqual(['b', 'a', 'c', 'd', 'e']);
    // Creation order is untouched by moves.
    expect(titles((await listTodos(database.db, owner, { order: 'oldest' })).items)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
    expect(e.title).toBe('e');
  });

  test("another user's todo, as the one moved or the one to move after, is not found and nothing moves", async () => {
    const alice = await createTestUser(database.db, 'alice');
    const mallory = await createTestUser(database.db, 'mallory');
    const first = await createTodo(database.db, alice, { title: 'first' });
    const second = await createTodo(database.db, alice, { title: 'second' });
    const theirs = await createTodo(database.db, mallory, { title: 'theirs' });
    const before = await queryRows(database.db, 'select id, position from todos order by id');

    expect(await moveTodo(database.db, mallory, first.id, null)).toBeUndefined();
    expect(await moveTodo(database.db, mallory, theirs.id, second.id)).toBeUndefined();
    expect(await moveTodo(database.db, alice, first.id, theirs.id)).toBeUndefined();
    expect(await moveTodo(database.db, alice, theirs.id, first.id)).toBeUndefined();
    expect(await queryRows(database.db, 'select id, position from todos order by id')).toEqual(before);
  });

  test('moving again and again into one gap keeps the order, renumbering when the gap runs out', async () => {
    const owner = await createTestUser(database.db, 'gap');
    const left = await createTodo(database.db, owner, { title: 'left' });
    const right = await createTodo(database.db, owner, { title: 'right' });
    const positionOf = async (id: string) =>
      (await queryRows<{ position: number }>(database.db, `select position from todos where id = '${id}'`))[0]
        ?.position;
    const rightBefore = await positionOf(right.id);
    const moved: string[] = [];
    // Each new todo goes right after `left`: the gap next to it halves every time, and a float8
    // has about 52 halvings in it.
    for (let index = 0; index < 70; index += 1) {
      const todo = await createTodo(database.db, owner, { title: `n${index}` });
      await moveTodo(database.db, owner, todo.id, left.id);
      moved.unshift(todo.title);
    }
    const expected = ['left', ...moved, 'right'];
    expect(titles((await listTodos(database.db, owner, { order: 'manual', limit: 100 })).items)).toEqual(
      expected,
    );
    // The renumbering happened: `right` no longer has the position it was created with.
    expect(await positionOf(right.id)).not.toBe(rightBefore);
  });

  test('keyset pages are exact for every order when many todos share a due date or a priority', async () => {
    const owner = await createTestUser(database.db, 'ties');
    // 30 todos: due dates from three values and none, priorities from all four, made in one statement.
    await sql`
      insert into todos (created_by, title, due_at, priority)
      select ${owner}::uuid, 't' || lpad(n::text, 2, '0'),
        case n % 4 when 0 then null when 1 then timestamptz '2026-12-24 10:00:00.001+00'
          when 2 then timestamptz '2026-12-24 10:00:00.002+00' else timestamptz '2026-12-25 00:00:00+00' end,
        n % 4
      from generate_series(1, 30) n
    `.execute(database.db);
    const todos = (await listTodos(database.db, owner, { order: 'manual', limit: 100 })).items;
    expect(titles(todos)).toEqual(Array.from({ length: 30 }, (_, n) => `t${String(n + 1).padStart(2, '0')}`));
    // Shuffle the manual order a little, so that it is not creation order.
    const [t03, t10, t20] = ['t03', 't10', 't20'].map((title) => todos.find((todo) => todo.title === title));
    if (!t03 || !t10 || !t20) throw new Error('missing');
    await moveTodo(database.db, owner, t20.id, null);
    await moveTodo(database.db, owner, t03.id, t10.id);
    const manual = titles((await listTodos(database.db, owner, { order: 'manual', limit: 100 })).items);
    const rank = (todo: Todo) => manual.indexOf(todo.title);
    const weight = { none: 0, low: 1, medium: 2, high: 3 } as const;
    const all = (await listTodos(database.db, owner, { order: 'manual', limit: 100 })).items;
    // No due date sorts last, as '~' after any digit.
    const dueKey = (todo: Todo) => todo.dueAt ?? '~';
    const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    const expected: Record<'due' | 'priority' | 'manual', string[]> = {
      manual,
      due: titles([...all].sort((x, y) => compare(dueKey(x), dueKey(y)) || rank(x) - rank(y))),
      priority: titles([...all].sort((x, y) => weight[y.priority] - weight[x.priority] || rank(x) - rank(y))),
    };

    for (const order of ['manual', 'due', 'priority'] as const) {
      expect(titles((await listTodos(database.db, owner, { order, limit: 100 })).items)).toEqual(
        expected[order],
      );
      for (const limit of [1, 2, 3, 7]) {
        const pages = await allPages(database.db, owner, { order, limit });
        expect(
          pages.flat().map((todo) => todo.title),
          `${order} by ${limit}`,
        ).toEqual(expected[order]);
        expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
      }
    }
    // A cursor belongs to its order.
    const manualCursor = (await listTodos(database.db, owner, { order: 'manual', limit: 1 })).nextCursor;
    const dueCursor = (await listTodos(database.db, owner, { order: 'due', limit: 1 })).nextCursor;
    await expect(
      listTodos(database.db, owner, { order: 'due', cursor: manualCursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(
      listTodos(database.db, owner, { order: 'newest', cursor: dueCursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });

  test('dueAfter and dueBefore keep todos due in [after, before), never one without a due date', async () => {
    const owner = await createTestUser(database.db, 'range');
    for (const [title, dueAt] of [
      ['none', null],
      ['early', '2026-12-01T00:00:00.000Z'],
      ['start', '2026-12-10T00:00:00.000Z'],
      ['middle', '2026-12-15T12:00:00.000Z'],
      ['end', '2026-12-20T00:00:00.000Z'],
    ] as const) {
      await createTodo(database.db, owner, { title, dueAt });
    }
    const range = async (options: ListTodosOptions) =>
      titles((await listTodos(database.db, owner, { order: 'due', ...options })).items);
    expect(await range({})).toEqual(['early', 'start', 'middle', 'end', 'none']);
    expect(await range({ dueAfter: '2026-12-10T00:00:00Z', dueBefore: '2026-12-20T00:00:00Z' })).toEqual([
      'start',
      'middle',
    ]);
    expect(await range({ dueAfter: '2026-12-10T00:00:00Z' })).toEqual(['start', 'middle', 'end']);
    expect(await range({ dueBefore: '2026-12-10T00:00:00Z' })).toEqual(['early']);
    expect(
      titles(
        (await listTodos(database.db, owner, { order: 'newest', dueAfter: '2026-12-10T00:00:00+01:00' }))
          .items,
      ),
    ).toEqual(['end', 'middle', 'start']);
  });

  test('an import goes after the todos already there, in the order of the file', async () => {
    const owner = await createTestUser(database.db, 'importer');
    await createTodo(database.db, owner, { title: 'mine' });
    const file = ['z', 'y', 'x'].map((title) => ({
      id: crypto.randomUUID(),
      title,
      description: null,
      completed: false,
      dueAt: title === 'y' ? '2026-12-24T00:00:00.000Z' : null,
      priority: title === 'x' ? ('medium' as const) : ('none' as const),
      createdAt: null,
    }));
    expect(await importTodos(database.db, owner, file)).toEqual({ added: 3, skipped: 0 });
    const todos = await listAllTodos(database.db, owner);
    expect(titles(todos)).toEqual(['mine', 'z', 'y', 'x']);
    expect(todos.map((todo) => [todo.dueAt, todo.priority])).toEqual([
      [null, 'none'],
      [null, 'none'],
      ['2026-12-24T00:00:00.000Z', 'none'],
      [null, 'medium'],
    ]);
  });

  test.skipIf(driver === 'pglite')(
    'two moves into one gap at once both land, one after the other',
    async () => {
      const owner = await createTestUser(database.db, 'racer');
      const left = await createTodo(database.db, owner, { title: 'left' });
      await createTodo(database.db, owner, { title: 'right' });
      const first = await createTodo(database.db, owner, { title: 'first' });
      const second = await createTodo(database.db, owner, { title: 'second' });

      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let moved!: () => void;
      const firstMoved = new Promise<void>((resolve) => {
        moved = resolve;
      });
      // The first move holds its transaction open; the second starts meanwhile, reading the same gap.
      const one = database.db.transaction().execute(async (trx) => {
        await moveTodo(trx, owner, first.id, left.id);
        moved();
        await held;
      });
      await firstMoved;
      const two = database.db.transaction().execute((trx) => moveTodo(trx, owner, second.id, left.id));
      // Give the second move time to reach the lock (it must wait there, not fail) before the first commits.
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      await Promise.all([one, two]);

      expect(titles((await listTodos(database.db, owner, { order: 'manual' })).items)).toEqual([
        'left',
        'second',
        'first',
        'right',
      ]);
      const positions = await queryRows<{ position: string }>(
        database.db,
        `select position::text from todos where created_by = '${owner}'`,
      );
      expect(new Set(positions.map((row) => row.position)).size).toBe(4);
    },
  );
});

describe.each(testDrivers.filter((driver) => driver !== 'neon'))('migration 0008 on %s', (driver) => {
  let database: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    database = await createTestDatabase(driver, { migrated: false });
    dir = await mkdtemp(join(tmpdir(), 'todo-migrations-'));
    for (const file of await readdir(MIGRATIONS_DIR)) {
      if (file < '0008') await copyFile(join(MIGRATIONS_DIR, file), join(dir, file));
    }
    await migrate(database.scripts, dir);
  });
  afterAll(async () => {
    await database?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("puts existing todos in their creation order, without touching updated_at or anyone's log", async () => {
    const owner = await createTestUser(database.db, 'existing');
    // Inserted newest first, so that the table's physical order is not creation order.
    await sql`
      insert into todos (user_id, title, created_at, updated_at)
      select ${owner}::uuid, 'old ' || n, timestamptz '2025-01-01 00:00:00+00' + n * interval '1 hour',
        timestamptz '2025-06-01 00:00:00+00'
      from generate_series(5, 1, -1) n
    `.execute(database.db);
    const events = await queryRows(database.db, 'select count(*)::int as n from todo_changes');

    for (const file of await readdir(MIGRATIONS_DIR)) {
      if (file >= '0008') await copyFile(join(MIGRATIONS_DIR, file), join(dir, file));
    }
    await migrate(database.scripts, dir);

    const todos = (await listTodos(database.db, owner, { order: 'manual' })).items;
    expect(titles(todos)).toEqual(['old 1', 'old 2', 'old 3', 'old 4', 'old 5']);
    expect(new Set(todos.map((todo) => todo.updatedAt))).toEqual(new Set(['2025-06-01T00:00:00.000Z']));
    expect(todos.every((todo) => todo.dueAt === null && todo.priority === 'none')).toBe(true);
    expect(await queryRows(database.db, 'select count(*)::int as n from todo_changes')).toEqual(events);
    // The next todo goes after them.
    await createTodo(database.db, owner, { title: 'new' });
    expect(titles((await listTodos(database.db, owner, { order: 'manual' })).items).at(-1)).toBe('new');
  });
});
