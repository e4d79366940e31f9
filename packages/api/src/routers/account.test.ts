import { randomUUID } from 'node:crypto';
import type { DB } from '@todo/db';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from '@todo/db/testing';
import { TRPCError } from '@trpc/server';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { createCaller, type RouterOutputs } from '../root.ts';

type ExportFile = RouterOutputs['account']['export'];

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const allRows = (db: Kysely<DB>) => db.selectFrom('todos').selectAll().orderBy('id').execute();
const rowsOf = (db: Kysely<DB>, userId: string) =>
  db.selectFrom('todos').selectAll().where('created_by', '=', userId).orderBy('id').execute();
const eventsOf = (db: Kysely<DB>, userId: string) =>
  db.selectFrom('todo_changes').select('kind').where('user_id', '=', userId).orderBy('id').execute();

/** `count` todos of the user, created one minute apart from 2026-01-01, every third completed. */
async function seed(db: Kysely<DB>, userId: string, count: number, prefix: string) {
  await db
    .insertInto('todos')
    .values(
      Array.from({ length: count }, (_, index) => ({
        created_by: userId,
        title: `${prefix} ${index}`,
        description: index % 2 ? `about ${prefix} ${index}, with "quotes", {braces} and \\ backslash` : null,
        completed: index % 3 === 0,
        created_at: sql<Date>`'2026-01-01T00:00:00Z'::timestamptz + ${index} * interval '1 minute'`,
      })),
    )
    .execute();
}

/** A call's BAD_REQUEST, with the whole message (every field path and what is wrong with it). */
async function badRequest(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected the call to be refused, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe('BAD_REQUEST');
  const cause = (error as TRPCError).cause;
  expect(cause).toBeInstanceOf(ZodError);
  return (cause as ZodError).issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
}

describe.each(testDrivers)('account router on %s', (driver) => {
  let database: TestDatabase;
  let fresh: TestDatabase;
  let db: Kysely<DB>;
  let aliceId: string;
  let bobId: string;
  let file: ExportFile;

  beforeAll(async () => {
    [database, fresh] = await Promise.all([createTestDatabase(driver), createTestDatabase(driver)]);
    db = database.db;
    aliceId = await createTestUser(db, 'Alice', { email: 'alice@example.com' });
    bobId = await createTestUser(db, 'Bob', { email: 'bob@example.com' });
    await seed(db, aliceId, 120, 'alice');
    await seed(db, bobId, 5, 'bob');
    file = await createCaller({ db, userId: aliceId }).account.export();
  }, 60_000);
  afterAll(() => Promise.all([database?.dispose(), fresh?.dispose()]));

  it('export holds the profile and every todo of the caller, in their manual order, and no one else’s', async () => {
    expect(file.exportedAt).toMatch(ISO_UTC);
    expect(file.user).toEqual({
      id: aliceId,
      email: 'alice@example.com',
      name: 'Alice',
      createdAt: expect.stringMatching(ISO_UTC),
    });
    expect(file.todos).toHaveLength(120);
    expect(file.todos.map((todo) => todo.title)).toEqual(
      Array.from({ length: 120 }, (_, index) => `alice ${index}`),
    );
    const bobIds = (await rowsOf(db, bobId)).map((row) => row.id);
    expect(file.todos.some((todo) => bobIds.includes(todo.id))).toBe(false);
    const [inbox] = file.lists;
    expect(file.lists).toEqual([{ id: expect.any(String), name: 'Inbox', isInbox: true, role: 'owner' }]);
    expect(file.todos.at(0)).toEqual({
      id: expect.any(String),
      listId: inbox?.id,
      title: 'alice 0',
      description: null,
      completed: true,
      dueAt: null,
      priority: 'none',
      position: 1,
      createdBy: aliceId,
      updatedBy: aliceId,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    const bobsFile = await createCaller({ db, userId: bobId }).account.export();
    expect(bobsFile.todos.map((todo) => todo.title).sort()).toEqual(
      ['bob 0', 'bob 1', 'bob 2', 'bob 3', 'bob 4'].sort(),
    );
  });

  it('import into another user on the same database skips every id, since they exist, and changes nothing', async () => {
    const before = await allRows(db);
    const eventsBefore = await eventsOf(db, bobId);
    // Bob's copy of Alice's file, retitled: none of it may reach Alice's rows.
    const forged = {
      ...file,
      todos: file.todos.map((todo) => ({ ...todo, title: 'mine now', completed: false })),
    };
    expect(await createCaller({ db, userId: bobId }).account.import(forged)).toEqual({
      added: 0,
      skipped: 120,
    });
    expect(await allRows(db)).toEqual(before);
    expect(await eventsOf(db, bobId)).toEqual(eventsBefore);
  });

  it('import into a fresh database adds everything as it was; a second import skips everything', async () => {
    const carolId = await createTestUser(fresh.db, 'Carol');
    const carol = createCaller({ db: fresh.db, userId: carolId });
    const startedAt = Date.now();
    // Through JSON, as a downloaded file travels.
    const downloaded = JSON.parse(JSON.stringify(file)) as unknown as ExportFile;
    expect(await carol.account.import(downloaded)).toEqual({ added: 120, skipped: 0 });

    const copy = await carol.account.export();
    expect(copy.user.id).toBe(carolId);
    // The same todos, in Carol's Inbox, by Carol.
    const strip = ({
      updatedAt: _,
      listId: _list,
      createdBy: _by,
      updatedBy: _last,
      ...todo
    }: ExportFile['todos'][number]) => todo;
    expect(copy.todos.every((todo) => todo.listId === copy.lists[0]?.id && todo.createdBy === carolId)).toBe(
      true,
    );
    expect(copy.todos.map(strip)).toEqual(file.todos.map(strip));
    for (const todo of copy.todos) {
      expect(Date.parse(todo.updatedAt)).toBeGreaterThanOrEqual(startedAt - 1_000);
    }
    // One statement, so live sync sends one 'reset' for the whole import.
    expect(await eventsOf(fresh.db, carolId)).toEqual([{ kind: 'reset' }]);

    const rows = await rowsOf(fresh.db, carolId);
    expect(await carol.account.import(downloaded)).toEqual({ added: 0, skipped: 120 });
    expect(await rowsOf(fresh.db, carolId)).toEqual(rows);
    expect(await eventsOf(fresh.db, carolId)).toEqual([{ kind: 'reset' }]);
  });

  it('adds the new ids of a file and skips the existing ones, a repeated id once', async () => {
    const dave = createCaller({ db, userId: await createTestUser(db, 'Dave') });
    const mine = await dave.todo.create({ title: 'already here' });
    const bobsRow = (await rowsOf(db, bobId))[0]!;
    const newId = randomUUID();
    const before = await allRows(db);
    const result = await dave.account.import({
      todos: [
        { id: mine.id, title: 'changed?', completed: true },
        { id: bobsRow.id, title: 'stolen?' },
        { id: newId, title: '  Tea  ', description: 'green', createdAt: '2025-06-01T12:00:00+02:00' },
        { id: newId, title: 'Tea again' },
      ],
    });
    expect(result).toEqual({ added: 1, skipped: 3 });
    const after = await allRows(db);
    expect(after.filter((row) => row.id !== newId)).toEqual(before);
    expect(await dave.todo.get({ id: newId })).toMatchObject({
      title: 'Tea',
      description: 'green',
      completed: false,
      createdAt: '2025-06-01T10:00:00.000Z',
    });
  });

  it('imports the largest file allowed, 10,000 todos, in one go', async () => {
    const erin = createCaller({ db, userId: await createTestUser(db, 'Erin') });
    const todos = Array.from({ length: 10_000 }, (_, index) => ({
      id: randomUUID(),
      title: `todo ${index}`,
      description: index % 2 ? null : 'd'.repeat(100),
      completed: index % 2 === 0,
      createdAt: new Date(Date.UTC(2026, 0, 1) + index * 1_000).toISOString(),
    }));
    expect(await erin.account.import({ todos })).toEqual({ added: 10_000, skipped: 0 });
    expect(await erin.todo.counts()).toEqual({ all: 10_000, active: 5_000, completed: 5_000 });
    expect((await erin.account.export()).todos).toHaveLength(10_000);
  }, 60_000);

  it('an empty file adds nothing', async () => {
    expect(await createCaller({ db, userId: bobId }).account.import({ todos: [] })).toEqual({
      added: 0,
      skipped: 0,
    });
  });

  describe('a bad file is refused with BAD_REQUEST, naming the field, and changes nothing', () => {
    const good = (index: number) => ({ id: randomUUID(), title: `fine ${index}`, completed: false });
    const goodTodos = () => Array.from({ length: 50 }, (_, index) => good(index));
    const withBad = (bad: Record<string, unknown>) => ({
      exportedAt: '2026-12-01T00:00:00.000Z',
      todos: [...goodTodos(), { ...good(50), ...bad }, ...goodTodos()],
    });
    const cases: [string, () => unknown, RegExp][] = [
      ['not an object', () => 'a file', /^: /],
      ['nothing', () => undefined, /^: /],
      ['an array', () => [good(0)], /^: /],
      ['no todos', () => ({ user: {} }), /^todos: /],
      ['todos not a list', () => ({ todos: { 0: good(0) } }), /^todos: /],
      ['a todo not an object', () => ({ todos: [good(0), 'buy milk'] }), /^todos\.1: /],
      [
        '10,001 todos',
        () => ({ todos: Array.from({ length: 10_001 }, (_, i) => good(i)) }),
        /^todos: must hold at most 10,000 todos/,
      ],
      [
        'a title too long',
        () => withBad({ title: 'x'.repeat(501) }),
        /^todos\.50\.title: must be at most 500 characters/,
      ],
      ['an empty title', () => withBad({ title: ' \t ' }), /^todos\.50\.title: must not be empty/],
      ['no title', () => withBad({ title: undefined }), /^todos\.50\.title: /],
      ['a NUL in a title', () => withBad({ title: 'a\0b' }), /^todos\.50\.title: must not contain NUL/],
      [
        'a NUL in a description',
        () => withBad({ description: 'a\0b' }),
        /^todos\.50\.description: must not contain NUL/,
      ],
      ['a lone surrogate', () => withBad({ title: 'x\uD800' }), /^todos\.50\.title: must be valid Unicode/],
      [
        'a description too long',
        () => withBad({ description: 'x'.repeat(10_001) }),
        /^todos\.50\.description: must be at most 10,000/,
      ],
      [
        'an id that is not a uuid',
        () => withBad({ id: 'todo-1' }),
        /^todos\.50\.id: must be a todo id \(uuid\)/,
      ],
      ['no id', () => withBad({ id: undefined }), /^todos\.50\.id: /],
      ['completed not a boolean', () => withBad({ completed: 'yes' }), /^todos\.50\.completed: /],
      [
        'createdAt not an instant',
        () => withBad({ createdAt: 'yesterday' }),
        /^todos\.50\.createdAt: must be an ISO-8601 instant/,
      ],
      [
        'createdAt without a zone',
        () => withBad({ createdAt: '2026-01-01T00:00:00' }),
        /^todos\.50\.createdAt: /,
      ],
      [
        'createdAt on February 31',
        () => withBad({ createdAt: '2026-02-31T00:00:00Z' }),
        /^todos\.50\.createdAt: /,
      ],
      [
        'createdAt in year 0',
        () => withBad({ createdAt: '0000-06-01T00:00:00Z' }),
        /^todos\.50\.createdAt: must be between the years 1 and 9999/,
      ],
      [
        'createdAt before year 1 in UTC',
        () => withBad({ createdAt: '0001-01-01T00:00:00+01:00' }),
        /^todos\.50\.createdAt: must be between/,
      ],
    ];

    it.each(cases)('%s', async (_name, input, message) => {
      const before = await allRows(db);
      const bob = createCaller({ db, userId: bobId });
      const events = await eventsOf(db, bobId);
      expect(await badRequest(bob.account.import(input() as never))).toMatch(message);
      expect(await allRows(db)).toEqual(before);
      expect(await eventsOf(db, bobId)).toEqual(events);
    });
  });

  it('export runs read-only, and both procedures need a session', async () => {
    const anonymous = createCaller({ db, userId: null });
    await expect(anonymous.account.export()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(anonymous.account.import({ todos: [] })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const ghost = createCaller({ db, userId: randomUUID() });
    await expect(ghost.account.export()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('export carries the lists and their todos; import makes each list by name, once, and puts the todos in it', async () => {
    const erin = await createTestUser(db, 'Erin', { email: 'erin@example.com' });
    const fay = await createTestUser(db, 'Fay', { email: 'fay@example.com' });
    await sql`update users set email_verified = true where id = ${erin}`.execute(db);
    const mail = { send: async () => {}, publicUrl: 'http://todo.test' };
    const erinApi = createCaller({ db, userId: erin, mail });
    const fayApi = createCaller({ db, userId: fay, mail });
    const groceries = await erinApi.list.create({ name: 'Groceries' });
    await erinApi.todo.create({ listId: groceries.id, title: 'Milk' });
    await erinApi.todo.create({ title: 'Call mum' });
    // A list of Fay's that Erin edits: in her export too, with her role.
    const trip = await fayApi.list.create({ name: 'Trip' });
    await fayApi.todo.create({ listId: trip.id, title: 'Tickets' });
    await db
      .insertInto('list_members')
      .values({ list_id: trip.id, user_id: erin, role: 'editor', position: 10 })
      .execute();
    const exported = await erinApi.account.export();
    expect(exported.lists.map(({ name, isInbox, role }) => [name, isInbox, role])).toEqual([
      ['Inbox', true, 'owner'],
      ['Groceries', false, 'owner'],
      ['Trip', false, 'editor'],
    ]);
    const listNameOf = (listId: string) => exported.lists.find((list) => list.id === listId)?.name;
    expect(exported.todos.map((todo) => [listNameOf(todo.listId), todo.title])).toEqual([
      ['Inbox', 'Call mum'],
      ['Groceries', 'Milk'],
      ['Trip', 'Tickets'],
    ]);

    // Into a fresh account: its Inbox, and its own Groceries and Trip, made by name.
    const gus = createCaller({ db: fresh.db, userId: await createTestUser(fresh.db, 'Gus') });
    const downloaded = JSON.parse(JSON.stringify(exported)) as ExportFile;
    expect(await gus.account.import(downloaded)).toEqual({ added: 3, skipped: 0 });
    const lists = (await gus.list.all()).lists;
    expect(lists.map((list) => [list.name, list.role, list.counts.active])).toEqual([
      ['Inbox', 'owner', 1],
      ['Groceries', 'owner', 1],
      ['Trip', 'owner', 1],
    ]);
    // Again: the same lists, nothing added.
    expect(await gus.account.import(downloaded)).toEqual({ added: 0, skipped: 3 });
    expect((await gus.list.all()).lists).toHaveLength(3);

    const ghost = {
      ...downloaded,
      todos: [{ ...downloaded.todos[0]!, id: randomUUID(), listId: 'nowhere' }],
    };
    expect(await badRequest(gus.account.import(ghost))).toBe(
      'todos.0.listId: must be the id of a list in the file',
    );
    const badName = { lists: [{ id: 'a', name: 'Two\nlines' }], todos: [] };
    expect(await badRequest(gus.account.import(badName))).toMatch(/^lists\.0\.name: /);
    const many = { lists: Array.from({ length: 101 }, (_, n) => ({ id: `${n}`, name: `L${n}` })), todos: [] };
    expect(await badRequest(gus.account.import(many))).toMatch(/^lists: must hold at most 100 lists/);
    expect((await gus.list.all()).lists).toHaveLength(3);
  });
});
