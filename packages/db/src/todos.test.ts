import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDatabase } from './database.ts';
import { createTestDatabase, createTestUser, queryRows, type TestDatabase, testDrivers } from './testing.ts';
import { clearCompleted, createTodo, deleteTodo, setAllCompleted, updateTodo } from './todo-writes.ts';
import {
  countTodos,
  getTodo,
  InvalidCursorError,
  isoFromUtcText,
  type ListTodosOptions,
  listTodos,
  type Todo,
} from './todos.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(testDrivers)('todo queries on %s', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database?.dispose());

  /** Every page of a listing, following nextCursor to the end. */
  async function allPages(db: TestDatabase['db'], userId: string, options: ListTodosOptions) {
    const pages: Todo[][] = [];
    let cursor: string | null = null;
    do {
      const page = await listTodos(db, userId, { ...options, cursor });
      pages.push(page.items);
      cursor = page.nextCursor;
      expect(pages.length).toBeLessThan(1_000);
    } while (cursor);
    return pages;
  }

  /** The ids PostgreSQL itself returns for the user in the given order: the reference. */
  async function referenceIds(userId: string, order: 'newest' | 'oldest', where = 'true') {
    const direction = order === 'newest' ? 'desc' : 'asc';
    const rows = await queryRows<{ id: string }>(
      database.db,
      `select id from todos where created_by = '${userId}' and (${where}) order by created_at ${direction}, id ${direction}`,
    );
    return rows.map((row) => row.id);
  }

  test('timestamps are PostgreSQL’s own, in UTC, truncated to milliseconds', async () => {
    const userId = await createTestUser(database.db, 'clock');
    const stored = ['03:04:05', '03:04:05.1', '03:04:05.12', '03:04:05.123456', '03:04:05.999999'];
    await sql`insert into todos (created_by, title, created_at, updated_at)
      select ${userId}, t, ('2026-01-02 ' || t || '+00')::timestamptz, ('2026-01-02 ' || t || '-02:30')::timestamptz
      from unnest(${sql.val(stored)}::text[]) as t`.execute(database.db);
    const { items } = await listTodos(database.db, userId, { order: 'oldest' });
    expect(items.map((todo) => [todo.createdAt, todo.updatedAt])).toEqual([
      ['2026-01-02T03:04:05.000Z', '2026-01-02T05:34:05.000Z'],
      ['2026-01-02T03:04:05.100Z', '2026-01-02T05:34:05.100Z'],
      ['2026-01-02T03:04:05.120Z', '2026-01-02T05:34:05.120Z'],
      ['2026-01-02T03:04:05.123Z', '2026-01-02T05:34:05.123Z'],
      ['2026-01-02T03:04:05.999Z', '2026-01-02T05:34:05.999Z'],
    ]);
    // Pages split between rows a millisecond string cannot tell apart: the cursor keeps microseconds.
    const pages = await allPages(database.db, userId, { order: 'oldest', limit: 1 });
    expect(pages.flat().map((todo) => todo.title)).toEqual(stored);
  });

  test('create, get, update and delete return plain JSON types', async () => {
    const userId = await createTestUser(database.db, 'crud');
    const created = await createTodo(database.db, userId, { title: 'Buy milk' });
    const [inbox] = await queryRows<{ id: string }>(
      database.db,
      `select id from lists where owner_id = '${userId}' and is_inbox`,
    );
    expect(created).toEqual({
      id: expect.stringMatching(UUID),
      listId: inbox?.id,
      title: 'Buy milk',
      description: null,
      completed: false,
      dueAt: null,
      priority: 'none',
      position: 1,
      createdBy: userId,
      updatedBy: userId,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(await getTodo(database.db, userId, created.id)).toEqual(created);

    const updated = await updateTodo(database.db, userId, created.id, {
      completed: true,
      description: '2 litres',
    });
    expect(updated).toMatchObject({
      id: created.id,
      title: 'Buy milk',
      description: '2 litres',
      completed: true,
    });
    expect(updated?.createdAt).toBe(created.createdAt);
    expect(await updateTodo(database.db, userId, created.id, { description: null })).toMatchObject({
      description: null,
      completed: true,
    });
    // An empty patch changes nothing but still answers with the row.
    expect(await updateTodo(database.db, userId, created.id, {})).toMatchObject({ id: created.id });

    expect(await deleteTodo(database.db, userId, created.id)).toBe(true);
    expect(await deleteTodo(database.db, userId, created.id)).toBe(false);
    expect(await getTodo(database.db, userId, created.id)).toBeUndefined();
    expect(await updateTodo(database.db, userId, created.id, { title: 'gone' })).toBeUndefined();
  });

  test("another user's id reads nothing and changes nothing", async () => {
    const alice = await createTestUser(database.db, 'alice');
    const mallory = await createTestUser(database.db, 'mallory');
    const open = await createTodo(database.db, alice, { title: 'alice open', description: 'private' });
    const done = await createTodo(database.db, alice, { title: 'alice done' });
    await updateTodo(database.db, alice, done.id, { completed: true });
    const before = await listTodos(database.db, alice, { order: 'oldest' });

    expect(await getTodo(database.db, mallory, open.id)).toBeUndefined();
    expect(
      await updateTodo(database.db, mallory, open.id, { title: 'pwned', completed: true }),
    ).toBeUndefined();
    expect(await deleteTodo(database.db, mallory, open.id)).toBe(false);
    expect(await listTodos(database.db, mallory, {})).toEqual({ items: [], nextCursor: null });
    expect(await listTodos(database.db, mallory, { search: 'private' })).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(await countTodos(database.db, mallory)).toEqual({ all: 0, active: 0, completed: 0 });
    expect(await setAllCompleted(database.db, mallory, true)).toBe(0);
    expect(await setAllCompleted(database.db, mallory, false)).toBe(0);
    expect(await clearCompleted(database.db, mallory)).toBe(0);

    expect(await listTodos(database.db, alice, { order: 'oldest' })).toEqual(before);
    expect(await countTodos(database.db, alice)).toEqual({ all: 2, active: 1, completed: 1 });

    // A cursor taken from alice's listing shows mallory nothing either.
    const firstPage = await listTodos(database.db, alice, { limit: 1 });
    expect(firstPage.nextCursor).not.toBeNull();
    expect(await listTodos(database.db, mallory, { cursor: firstPage.nextCursor })).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  test('filters, counts, setAllCompleted and clearCompleted', async () => {
    const userId = await createTestUser(database.db, 'filters');
    const ids: string[] = [];
    for (const title of ['one', 'two', 'three', 'four', 'five']) {
      ids.push((await createTodo(database.db, userId, { title })).id);
    }
    await updateTodo(database.db, userId, ids[1]!, { completed: true });
    await updateTodo(database.db, userId, ids[3]!, { completed: true });

    // Created within the same instant they may tie on created_at: compare them as sets.
    const titles = async (filter: 'all' | 'active' | 'completed') =>
      (await listTodos(database.db, userId, { filter })).items.map((todo) => todo.title).sort();
    expect(await titles('all')).toEqual(['five', 'four', 'one', 'three', 'two']);
    expect(await titles('active')).toEqual(['five', 'one', 'three']);
    expect(await titles('completed')).toEqual(['four', 'two']);
    const counts = await countTodos(database.db, userId);
    expect(counts).toEqual({ all: 5, active: 3, completed: 2 });
    for (const value of Object.values(counts)) expect(typeof value).toBe('number');

    expect(await setAllCompleted(database.db, userId, true)).toBe(3);
    expect(await countTodos(database.db, userId)).toEqual({ all: 5, active: 0, completed: 5 });
    expect(await setAllCompleted(database.db, userId, false)).toBe(5);
    await updateTodo(database.db, userId, ids[0]!, { completed: true });
    expect(await clearCompleted(database.db, userId)).toBe(1);
    expect(await titles('all')).toEqual(['five', 'four', 'three', 'two']);
  });

  test('keyset pagination is exact when many rows share one created_at, in both orders', async () => {
    const userId = await createTestUser(database.db, 'ties');
    // 40 rows at one instant, 20 more a microsecond apart around it: ties broken by id, and
    // the cursor must keep microseconds that a JS Date would round away.
    await sql`
      insert into todos (created_by, title, completed, created_at)
      select ${userId}::uuid, 'tie ' || n, n % 4 = 0, timestamptz '2024-05-01 12:00:00.123456+00'
      from generate_series(1, 40) n
      union all
      select ${userId}::uuid, 'near ' || n, n % 3 = 0, timestamptz '2024-05-01 12:00:00.123456+00' + (n - 10) * interval '1 microsecond'
      from generate_series(1, 20) n
    `.execute(database.db);

    for (const order of ['newest', 'oldest'] as const) {
      for (const limit of [1, 7, 40, 100]) {
        const pages = await allPages(database.db, userId, { order, limit });
        const ids = pages.flat().map((todo) => todo.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toEqual(await referenceIds(userId, order));
        expect(pages.length).toBe(Math.max(1, Math.ceil(60 / limit)));
        for (const page of pages) expect(page.length).toBeLessThanOrEqual(limit);
      }
      const active = (await allPages(database.db, userId, { order, filter: 'active', limit: 6 })).flat();
      expect(active.map((todo) => todo.id)).toEqual(await referenceIds(userId, order, 'not completed'));
    }
  });

  test('the cursor works for a filter and a search combined', async () => {
    const userId = await createTestUser(database.db, 'combined');
    await sql`
      insert into todos (created_by, title, description, completed, created_at)
      select ${userId}::uuid,
             case when n % 3 = 0 then 'Buy MILK #' || n else 'chore ' || n end,
             case when n % 5 = 0 then 'remember the milk' end,
             n % 2 = 0,
             timestamptz '2024-06-01 00:00:00+00' + (n / 4) * interval '1 second'
      from generate_series(1, 60) n
    `.execute(database.db);
    const matching = "(title ilike '%milk%' or description ilike '%milk%')";
    for (const order of ['newest', 'oldest'] as const) {
      for (const [filter, where] of [
        ['active', 'not completed'],
        ['completed', 'completed'],
        ['all', 'true'],
      ] as const) {
        const pages = await allPages(database.db, userId, { order, filter, search: 'mIlK', limit: 3 });
        const ids = pages.flat().map((todo) => todo.id);
        expect(ids.length).toBeGreaterThan(3);
        expect(ids).toEqual(await referenceIds(userId, order, `${where} and ${matching}`));
      }
    }
  });

  test('search is a literal, case-insensitive substring of the title or the description', async () => {
    const userId = await createTestUser(database.db, 'search');
    const titles = [
      '100% done',
      '100 percent',
      'snake_case',
      'snakeXcase',
      'back\\slash',
      'backslash',
      "it's",
      'Groceries',
    ];
    for (const title of titles) await createTodo(database.db, userId, { title });
    await createTodo(database.db, userId, { title: 'shopping', description: 'GROCERIES for the week' });
    const search = async (text: string) =>
      (await listTodos(database.db, userId, { search: text })).items.map((todo) => todo.title).sort();

    expect(await search('%')).toEqual(['100% done']);
    expect(await search('0%')).toEqual(['100% done']);
    expect(await search('_')).toEqual(['snake_case']);
    expect(await search('e_c')).toEqual(['snake_case']);
    expect(await search('\\')).toEqual(['back\\slash']);
    expect(await search("'")).toEqual(["it's"]);
    expect(await search('groceries')).toEqual(['Groceries', 'shopping']);
    expect(await search('GROCERIES')).toEqual(['Groceries', 'shopping']);
    expect(await search('nothing like this')).toEqual([]);
    // An empty search is no search at all.
    expect(await search('')).toHaveLength(titles.length + 1);
  });

  test('a cursor this module did not produce is an InvalidCursorError', async () => {
    const userId = await createTestUser(database.db, 'cursor');
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const id = '3f1c2a9e-6f7d-4b1a-9c2e-1d2f3a4b5c6d';
    const forged = [
      'not a cursor',
      '',
      encode({ createdAt: '2024-01-01T00:00:00Z', id }),
      encode(['2024-01-01T00:00:00Z']),
      encode(['2024-01-01T00:00:00Z', 'not-a-uuid']),
      encode(['yesterday-ish', id]),
      encode([42, id]),
      encode(['2024-02-31T00:00:00Z', id]),
      encode(['-000001-01-01T00:00:00Z', id]),
    ];
    for (const cursor of forged) {
      const attempt = listTodos(database.db, userId, { cursor: cursor || 'x' });
      await expect(attempt, cursor).rejects.toBeInstanceOf(InvalidCursorError);
    }
  });

  test('cursors do not depend on the session TimeZone', async () => {
    const userId = await createTestUser(database.db, 'datestyle');
    await sql`
      insert into todos (created_by, title, created_at)
      select ${userId}::uuid, 'row ' || n, timestamptz '2024-07-01 00:00:00.000001+00' + (n / 3) * interval '1 microsecond'
      from generate_series(1, 12) n
    `.execute(database.db);
    const expected = await referenceIds(userId, 'newest');
    if (driver === 'pglite') {
      // One connection: a session setting applies to everything until reset.
      await sql.raw("set TimeZone = 'Asia/Kathmandu'").execute(database.db);
      try {
        const ids = (await allPages(database.db, userId, { limit: 5 })).flat().map((todo) => todo.id);
        expect(ids).toEqual(expected);
      } finally {
        await sql.raw('reset TimeZone').execute(database.db);
      }
    } else {
      const name = new URL(database.url ?? '').pathname.slice(1);
      await sql.raw(`alter database ${name} set TimeZone = 'Asia/Kathmandu'`).execute(database.db);
      const other = createDatabase(database.config);
      try {
        const [zone] = await queryRows<{ TimeZone: string }>(other.db, 'show TimeZone');
        expect(zone?.TimeZone).toBe('Asia/Kathmandu');
        const ids = (await allPages(other.db, userId, { limit: 5 })).flat().map((todo) => todo.id);
        expect(ids).toEqual(expected);
        // A cursor from one session continues in another with different settings.
        const first = await listTodos(other.db, userId, { limit: 4 });
        const rest = await listTodos(database.db, userId, { limit: 100, cursor: first.nextCursor });
        expect([...first.items, ...rest.items].map((todo) => todo.id)).toEqual(expected);
      } finally {
        await other.close();
        await sql.raw(`alter database ${name} reset all`).execute(database.db);
      }
    }
  });
});

test('a timestamp printed under another DateStyle is refused by name, not misread', () => {
  expect(isoFromUtcText('2026-12-01 05:39:19')).toBe('2026-12-01T05:39:19.000Z');
  expect(isoFromUtcText('2026-12-01 05:39:19.98')).toBe('2026-12-01T05:39:19.980Z');
  expect(isoFromUtcText('2026-12-01 05:39:19.984')).toBe('2026-12-01T05:39:19.984Z');
  expect(isoFromUtcText('2026-12-01 05:39:19.984123')).toBe('2026-12-01T05:39:19.984Z');
  for (const text of ['12/01/2026 05:39:19.98', 'Tue Dec 01 05:39:19.98 2026', '01.12.2026 05:39:19', '']) {
    expect(() => isoFromUtcText(text)).toThrow(/DateStyle ISO/);
  }
});
