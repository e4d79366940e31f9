// Over 400 lines, kept together: every todo procedure against one migrated database per driver;
// split, each file would migrate its own.
import type { DB } from '@todo/db';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from '@todo/db/testing';
import { TRPCError } from '@trpc/server';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZodError, z } from 'zod';
import { createCaller } from '../root.ts';

type Caller = ReturnType<typeof createCaller>;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** The call's TRPCError; fails the test when the call succeeds or throws anything else. */
async function refusal(call: Promise<unknown>): Promise<TRPCError> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected the call to be refused, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

/**
 * Asserts BAD_REQUEST with zod's per-field messages for `field` (what the error formatter sends
 * as `error.data.zodError`), or form-level messages when `field` is null (unknown keys, a
 * missing "at least one of").
 */
async function expectInvalid(call: Promise<unknown>, field: string | null) {
  const error = await refusal(call);
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.cause).toBeInstanceOf(ZodError);
  const flat = z.flattenError(error.cause as ZodError);
  if (field === null) {
    expect(flat.formErrors.length).toBeGreaterThan(0);
  } else {
    expect(Object.keys(flat.fieldErrors)).toEqual([field]);
    expect((flat.fieldErrors as Record<string, string[]>)[field]?.[0]).toMatch(/\w/);
  }
}

const allRows = (db: Kysely<DB>) => db.selectFrom('todos').selectAll().orderBy('id').execute();
const row = (db: Kysely<DB>, id: string) =>
  db.selectFrom('todos').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe.each(testDrivers)('todo router on %s', (driver) => {
  let database: TestDatabase;
  let db: Kysely<DB>;
  let alice: Caller;
  let bob: Caller;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.db;
    alice = createCaller({ db, userId: await createTestUser(db, 'alice', { email: 'alice@example.com' }) });
    bob = createCaller({ db, userId: await createTestUser(db, 'bob', { email: 'bob@example.com' }) });
  });
  afterAll(() => database?.dispose());
  beforeEach(async () => {
    await db.deleteFrom('todos').execute();
  });

  /** Creates todos with creation times one second apart, oldest first, so order is certain. */
  async function createInOrder(caller: Caller, titles: string[], completed: string[] = []) {
    const todos = [];
    for (const [index, title] of titles.entries()) {
      const todo = await caller.todo.create({ title });
      await db
        .updateTable('todos')
        .set({
          created_at: sql`'2026-01-01T00:00:00Z'::timestamptz + ${index} * interval '1 second'`,
          completed: completed.includes(title),
        })
        .where('id', '=', todo.id)
        .execute();
      todos.push(todo);
    }
    return todos;
  }

  describe('happy paths', () => {
    it('create trims the title and returns a Todo with ISO-8601 UTC timestamps', async () => {
      const todo = await alice.todo.create({ title: '  Buy milk  ' });
      const [inbox] = (await alice.list.all()).lists;
      expect(todo).toEqual({
        id: expect.stringMatching(UUID),
        listId: inbox?.id,
        title: 'Buy milk',
        description: null,
        completed: false,
        dueAt: null,
        priority: 'none',
        position: 1,
        createdBy: inbox?.owner.id,
        updatedBy: inbox?.owner.id,
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expect(await row(db, todo.id)).toMatchObject({
        title: 'Buy milk',
        description: null,
        completed: false,
      });
    });

    it('create keeps a description, and accepts null and the longest allowed values', async () => {
      const withText = await alice.todo.create({ title: 'Call', description: 'about the report' });
      expect(withText.description).toBe('about the report');
      expect((await alice.todo.create({ title: 'No notes', description: null })).description).toBeNull();
      const longest = await alice.todo.create({
        title: ` ${'t'.repeat(500)} `,
        description: 'd'.repeat(10_000),
      });
      expect(longest.title).toHaveLength(500);
      expect(longest.description).toHaveLength(10_000);
    });

    it('get returns the caller’s todo', async () => {
      const created = await alice.todo.create({ title: 'Read', description: 'chapter 3' });
      expect(await alice.todo.get({ id: created.id })).toEqual(created);
    });

    it('update changes each field on its own, leaves the others, and moves updatedAt', async () => {
      const created = await alice.todo.create({ title: 'Draft', description: 'first' });
      // Age the row so the database's updated_at trigger is visible in the result.
      await db
        .updateTable('todos')
        .set({ created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' })
        .where('id', '=', created.id)
        .execute();

      const retitled = await alice.todo.update({ id: created.id, title: '  Final  ' });
      expect(retitled).toMatchObject({ title: 'Final', description: 'first', completed: false });
      expect(retitled.createdAt).toBe('2026-01-01T00:00:00.000Z');
      expect(retitled.updatedAt > retitled.createdAt).toBe(true);

      expect(await alice.todo.update({ id: created.id, description: 'second' })).toMatchObject({
        title: 'Final',
        description: 'second',
        completed: false,
      });
      expect(await alice.todo.update({ id: created.id, description: null })).toMatchObject({
        title: 'Final',
        description: null,
      });
      expect(await alice.todo.update({ id: created.id, completed: true })).toMatchObject({
        title: 'Final',
        completed: true,
      });
      const reopened = await alice.todo.update({ id: created.id, completed: false, title: 'Again' });
      expect(reopened).toMatchObject({ title: 'Again', description: null, completed: false });
      expect(await row(db, created.id)).toMatchObject({
        title: 'Again',
        description: null,
        completed: false,
      });
    });

    it('delete removes the todo and returns its id; a second delete is NOT_FOUND', async () => {
      const created = await alice.todo.create({ title: 'Gone soon' });
      expect(await alice.todo.delete({ id: created.id })).toEqual({ id: created.id });
      expect(await db.selectFrom('todos').select('id').where('id', '=', created.id).execute()).toEqual([]);
      expect((await refusal(alice.todo.get({ id: created.id }))).code).toBe('NOT_FOUND');
      expect((await refusal(alice.todo.delete({ id: created.id }))).code).toBe('NOT_FOUND');
    });

    it('list is newest first by default and oldest first on request', async () => {
      await createInOrder(alice, ['one', 'two', 'three']);
      const newest = await alice.todo.list();
      expect(newest.items.map((todo) => todo.title)).toEqual(['three', 'two', 'one']);
      expect(newest.nextCursor).toBeNull();
      const oldest = await alice.todo.list({ order: 'oldest' });
      expect(oldest.items.map((todo) => todo.title)).toEqual(['one', 'two', 'three']);
    });

    it('list filters by active and completed', async () => {
      await createInOrder(alice, ['a', 'b', 'c', 'd'], ['b', 'd']);
      const titles = async (filter: 'all' | 'active' | 'completed') =>
        (await alice.todo.list({ filter, order: 'oldest' })).items.map((todo) => todo.title);
      expect(await titles('all')).toEqual(['a', 'b', 'c', 'd']);
      expect(await titles('active')).toEqual(['a', 'c']);
      expect(await titles('completed')).toEqual(['b', 'd']);
    });

    it('search matches title or description as a literal, case-insensitive substring', async () => {
      await alice.todo.create({ title: 'Buy MILK' });
      await alice.todo.create({ title: 'Water plants', description: 'the big Milk-thistle too' });
      await alice.todo.create({ title: 'Discount 50% off' });
      await alice.todo.create({ title: 'Discount 500 off' });
      await alice.todo.create({ title: 'snake_case' });
      await alice.todo.create({ title: 'snakeXcase' });
      const search = async (text: string) =>
        (await alice.todo.list({ search: text, order: 'oldest' })).items.map((todo) => todo.title).sort();
      expect(await search('milk')).toEqual(['Buy MILK', 'Water plants']);
      // % and _ are not wildcards.
      expect(await search('50%')).toEqual(['Discount 50% off']);
      expect(await search('e_c')).toEqual(['snake_case']);
      expect(await search('nothing like it')).toEqual([]);
    });

    it('list pages by keyset in both orders without gaps or repeats, ties broken by id', async () => {
      const created = await createInOrder(alice, ['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
      // Two rows share a creation time: the id decides their order.
      await db
        .updateTable('todos')
        .set({ created_at: '2026-01-01T00:00:03Z' })
        .where('id', '=', created[4]!.id)
        .execute();
      for (const order of ['newest', 'oldest'] as const) {
        const everything = (await alice.todo.list({ order, limit: 100 })).items.map((todo) => todo.id);
        const paged: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: { items: { id: string }[]; nextCursor: string | null } = await alice.todo.list({
            order,
            limit: 2,
            cursor,
          });
          expect(page.items.length).toBeLessThanOrEqual(2);
          paged.push(...page.items.map((todo) => todo.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        expect(pages).toBe(4);
        expect(paged).toEqual(everything);
        expect(new Set(paged).size).toBe(7);
      }
    });

    it('list combines filter, search and paging, and the default page holds 50', async () => {
      for (let index = 0; index < 55; index++) {
        await alice.todo.create({ title: `item ${index}${index % 2 ? ' odd' : ''}` });
      }
      const first = await alice.todo.list();
      expect(first.items).toHaveLength(50);
      expect(first.nextCursor).toEqual(expect.any(String));
      const rest = await alice.todo.list({ cursor: first.nextCursor });
      expect(rest.items).toHaveLength(5);
      expect(rest.nextCursor).toBeNull();

      await alice.todo.setAllCompleted({ completed: true });
      const page = await alice.todo.list({ filter: 'completed', search: 'ODD', limit: 20 });
      expect(page.items).toHaveLength(20);
      expect(page.items.every((todo) => todo.completed && todo.title.endsWith('odd'))).toBe(true);
      const next = await alice.todo.list({
        filter: 'completed',
        search: 'ODD',
        limit: 20,
        cursor: page.nextCursor,
      });
      expect(next.items).toHaveLength(7);
      expect(next.nextCursor).toBeNull();
    });

    it('counts all, active and completed', async () => {
      expect(await alice.todo.counts()).toEqual({ all: 0, active: 0, completed: 0 });
      await createInOrder(alice, ['a', 'b', 'c'], ['c']);
      expect(await alice.todo.counts()).toEqual({ all: 3, active: 2, completed: 1 });
    });

    it('setAllCompleted reports how many rows changed, in both directions', async () => {
      await createInOrder(alice, ['a', 'b', 'c'], ['a']);
      expect(await alice.todo.setAllCompleted({ completed: true })).toEqual({ updated: 2 });
      expect(await alice.todo.counts()).toEqual({ all: 3, active: 0, completed: 3 });
      expect(await alice.todo.setAllCompleted({ completed: true })).toEqual({ updated: 0 });
      expect(await alice.todo.setAllCompleted({ completed: false })).toEqual({ updated: 3 });
      expect(await alice.todo.counts()).toEqual({ all: 3, active: 3, completed: 0 });
    });

    it('clearCompleted deletes only the completed todos and reports how many', async () => {
      await createInOrder(alice, ['a', 'b', 'c'], ['a', 'c']);
      expect(await alice.todo.clearCompleted()).toEqual({ deleted: 2 });
      expect((await alice.todo.list()).items.map((todo) => todo.title)).toEqual(['b']);
      expect(await alice.todo.clearCompleted()).toEqual({ deleted: 0 });
    });
  });

  describe('due dates, priorities and manual order', () => {
    it('create and update take a due date (any offset, stored as the instant) and a priority', async () => {
      const todo = await alice.todo.create({
        title: 'Rent',
        dueAt: '2026-12-24T09:00:00-05:00',
        priority: 'high',
      });
      expect(todo).toMatchObject({ dueAt: '2026-12-24T14:00:00.000Z', priority: 'high' });
      const moved = await alice.todo.update({ id: todo.id, dueAt: null, priority: 'low' });
      expect(moved).toMatchObject({ dueAt: null, priority: 'low', title: 'Rent' });
      // A patch of only these fields is a patch.
      expect(await alice.todo.update({ id: todo.id, priority: 'none' })).toMatchObject({ priority: 'none' });
    });

    it('lists in manual, due and priority order, and by due range', async () => {
      const [a, b, c] = await createInOrder(alice, ['a', 'b', 'c']);
      if (!a || !b || !c) throw new Error('not created');
      await alice.todo.update({ id: a.id, dueAt: '2026-12-25T00:00:00Z', priority: 'low' });
      await alice.todo.update({ id: c.id, dueAt: '2026-12-24T00:00:00Z', priority: 'high' });
      const list = async (input: Parameters<Caller['todo']['list']>[0]) =>
        (await alice.todo.list(input)).items.map((todo) => todo.title);
      expect(await list({ order: 'manual' })).toEqual(['a', 'b', 'c']);
      expect(await list({ order: 'due' })).toEqual(['c', 'a', 'b']);
      expect(await list({ order: 'priority' })).toEqual(['c', 'a', 'b']);
      expect(await list({ order: 'due', dueAfter: '2026-12-24T12:00:00Z' })).toEqual(['a']);
      expect(await list({ order: 'manual', dueBefore: '2026-12-25T00:00:00Z' })).toEqual(['c']);

      expect(await alice.todo.move({ id: c.id, afterId: null })).toMatchObject({ id: c.id, title: 'c' });
      expect(await list({ order: 'manual' })).toEqual(['c', 'a', 'b']);
      await alice.todo.move({ id: c.id, afterId: a.id });
      expect(await list({ order: 'manual' })).toEqual(['a', 'c', 'b']);
      await alice.todo.move({ id: a.id, afterId: b.id });
      expect(await list({ order: 'manual' })).toEqual(['c', 'b', 'a']);
      expect(await list({ order: 'priority' })).toEqual(['c', 'a', 'b']);
      // A new todo goes last, and the export holds this order.
      await alice.todo.create({ title: 'd' });
      expect(await list({ order: 'manual' })).toEqual(['c', 'b', 'a', 'd']);
      expect((await alice.account.export()).todos.map((todo) => todo.title)).toEqual(['c', 'b', 'a', 'd']);
    });

    it('a missing todo or afterId is NOT_FOUND', async () => {
      const todo = await alice.todo.create({ title: 'solo' });
      expect((await refusal(alice.todo.move({ id: MISSING_ID, afterId: null }))).code).toBe('NOT_FOUND');
      expect((await refusal(alice.todo.move({ id: todo.id, afterId: MISSING_ID }))).code).toBe('NOT_FOUND');
    });
  });

  describe('another user’s todo', () => {
    it('is NOT_FOUND for get, update and delete, exactly like a missing id, and stays unchanged', async () => {
      const mine = await alice.todo.create({ title: 'Private', description: 'mine only' });
      const bobs = await bob.todo.create({ title: 'Bob’s own' });
      const before = await row(db, mine.id);
      const bobsBefore = await row(db, bobs.id);
      const attempts: [string, (id: string) => Promise<unknown>][] = [
        ['get', (id) => bob.todo.get({ id })],
        ['update title', (id) => bob.todo.update({ id, title: 'Stolen' })],
        ['update description', (id) => bob.todo.update({ id, description: 'changed' })],
        ['update description to null', (id) => bob.todo.update({ id, description: null })],
        ['update completed', (id) => bob.todo.update({ id, completed: true })],
        ['update due date', (id) => bob.todo.update({ id, dueAt: '2026-12-24T00:00:00Z' })],
        ['update priority', (id) => bob.todo.update({ id, priority: 'high' })],
        ['move to the top', (id) => bob.todo.move({ id, afterId: null })],
        ['move after their own todo', (id) => bob.todo.move({ id, afterId: bobs.id })],
        ['move their own todo after it', (id) => bob.todo.move({ id: bobs.id, afterId: id })],
        ['delete', (id) => bob.todo.delete({ id })],
      ];
      for (const [name, attempt] of attempts) {
        const foreign = await refusal(attempt(mine.id));
        const missing = await refusal(attempt(MISSING_ID));
        expect(foreign.code, name).toBe('NOT_FOUND');
        expect({ code: foreign.code, message: foreign.message }, name).toEqual({
          code: missing.code,
          message: missing.message,
        });
        expect(await row(db, mine.id), name).toEqual(before);
        expect(await row(db, bobs.id), name).toEqual(bobsBefore);
      }
    });

    it('is invisible to list, search and counts', async () => {
      await alice.todo.create({ title: 'Alice secret plan' });
      await bob.todo.create({ title: 'Bob plan' });
      expect((await bob.todo.list()).items.map((todo) => todo.title)).toEqual(['Bob plan']);
      expect((await bob.todo.list({ search: 'secret' })).items).toEqual([]);
      expect(await bob.todo.counts()).toEqual({ all: 1, active: 1, completed: 0 });
    });

    it('is untouched by setAllCompleted and clearCompleted', async () => {
      await createInOrder(alice, ['a-open', 'a-done'], ['a-done']);
      await bob.todo.create({ title: 'b' });
      const before = await allRows(db);
      const alicesBefore = before.filter((todo) => todo.title.startsWith('a-'));

      expect(await bob.todo.setAllCompleted({ completed: true })).toEqual({ updated: 1 });
      expect(await bob.todo.clearCompleted()).toEqual({ deleted: 1 });
      expect((await allRows(db)).filter((todo) => todo.title.startsWith('a-'))).toEqual(alicesBefore);
      expect(await alice.todo.counts()).toEqual({ all: 2, active: 1, completed: 1 });
    });
  });

  describe('a client-proposed id on create', () => {
    const PROPOSED = '6f1c2b9e-4a57-4d2e-9b1a-3c8e5d7f0a12';
    const changeCount = async () =>
      Number(
        (
          await db
            .selectFrom('todo_changes')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('creates the todo with that id', async () => {
      const created = await alice.todo.create({ id: PROPOSED, title: 'Made offline', priority: 'low' });
      expect(created).toMatchObject({ id: PROPOSED, title: 'Made offline', priority: 'low' });
      expect(await alice.todo.get({ id: PROPOSED })).toEqual(created);
    });

    it('repeated by its owner returns the todo unchanged, even with other fields: no second row, no event', async () => {
      const created = await alice.todo.create({ id: PROPOSED, title: 'First', description: 'kept' });
      const stored = await row(db, PROPOSED);
      const events = await changeCount();
      const repeated = await alice.todo.create({
        id: PROPOSED,
        title: 'Second',
        description: null,
        priority: 'high',
      });
      expect(repeated).toEqual(created);
      expect(await row(db, PROPOSED)).toEqual(stored);
      expect((await allRows(db)).length).toBe(1);
      expect(await changeCount()).toBe(events);
      expect(await alice.todo.counts()).toEqual({ all: 1, active: 1, completed: 0 });
    });

    it('returns the todo as it is now after later edits', async () => {
      await alice.todo.create({ id: PROPOSED, title: 'Draft' });
      const edited = await alice.todo.update({ id: PROPOSED, title: 'Edited', completed: true });
      expect(await alice.todo.create({ id: PROPOSED, title: 'Draft' })).toEqual(edited);
    });

    it('taken by another user is CONFLICT, revealing nothing, and their todo stays untouched', async () => {
      const alices = await alice.todo.create({
        id: PROPOSED,
        title: 'Alice’s secret',
        description: 'private',
      });
      const before = await allRows(db);
      const events = await changeCount();
      const refused = await refusal(bob.todo.create({ id: PROPOSED, title: 'Bob’s try' }));
      expect(refused.code).toBe('CONFLICT');
      expect(refused.message).not.toMatch(/secret|private|alice/i);
      expect(await allRows(db)).toEqual(before);
      expect(await changeCount()).toBe(events);
      expect(await alice.todo.get({ id: PROPOSED })).toEqual(alices);
      expect(await bob.todo.counts()).toEqual({ all: 0, active: 0, completed: 0 });
      // Bob's next create, without an id, works: the refusal left his transaction clean.
      expect((await bob.todo.create({ title: 'Bob’s own' })).id).not.toBe(PROPOSED);
    });
  });

  describe('invalid input is BAD_REQUEST per field and changes nothing', () => {
    it('refuses bad titles, descriptions, ids and unknown keys', async () => {
      const existing = await alice.todo.create({ title: 'Keep me', description: 'as is' });
      const before = await allRows(db);
      const cases: [string, () => Promise<unknown>, string | null][] = [
        ['create empty title', () => alice.todo.create({ title: '' }), 'title'],
        ['create whitespace title', () => alice.todo.create({ title: ' \t\n ' }), 'title'],
        ['create 501-char title', () => alice.todo.create({ title: 'x'.repeat(501) }), 'title'],
        [
          'create title of 501 characters after trimming',
          () => alice.todo.create({ title: ` ${'x'.repeat(501)} ` }),
          'title',
        ],
        ['create missing title', () => alice.todo.create({} as never), 'title'],
        [
          'create 10,001-char description',
          () => alice.todo.create({ title: 'ok', description: 'd'.repeat(10_001) }),
          'description',
        ],
        ['create NUL in title', () => alice.todo.create({ title: 'a\0b' }), 'title'],
        ['create unknown key', () => alice.todo.create({ title: 'ok', userId: 'someone' } as never), null],
        ['create non-uuid id', () => alice.todo.create({ id: 'not-a-uuid', title: 'ok' }), 'id'],
        ['create numeric id', () => alice.todo.create({ id: 42, title: 'ok' } as never), 'id'],
        ['get non-uuid id', () => alice.todo.get({ id: 'not-a-uuid' }), 'id'],
        ['delete non-uuid id', () => alice.todo.delete({ id: `${existing.id}x` }), 'id'],
        ['update non-uuid id', () => alice.todo.update({ id: '42', title: 'x' }), 'id'],
        ['update empty title', () => alice.todo.update({ id: existing.id, title: '' }), 'title'],
        ['update whitespace title', () => alice.todo.update({ id: existing.id, title: '   ' }), 'title'],
        [
          'update 501-char title',
          () => alice.todo.update({ id: existing.id, title: 'x'.repeat(501) }),
          'title',
        ],
        [
          'update 10,001-char description',
          () => alice.todo.update({ id: existing.id, description: 'd'.repeat(10_001) }),
          'description',
        ],
        [
          'update completed not boolean',
          () => alice.todo.update({ id: existing.id, completed: 'yes' } as never),
          'completed',
        ],
        ['update with no field', () => alice.todo.update({ id: existing.id }), null],
        [
          'update unknown key',
          () => alice.todo.update({ id: existing.id, title: 'x', owner: 'bob' } as never),
          null,
        ],
        [
          'setAllCompleted not boolean',
          () => alice.todo.setAllCompleted({ completed: 'true' } as never),
          'completed',
        ],
        ['list unknown filter', () => alice.todo.list({ filter: 'done' } as never), 'filter'],
        ['list unknown order', () => alice.todo.list({ order: 'random' } as never), 'order'],
        ['list limit 0', () => alice.todo.list({ limit: 0 }), 'limit'],
        ['list limit 101', () => alice.todo.list({ limit: 101 }), 'limit'],
        ['list limit 1.5', () => alice.todo.list({ limit: 1.5 }), 'limit'],
        ['list bad cursor', () => alice.todo.list({ cursor: 'not-a-cursor' }), 'cursor'],
        ['list unknown key', () => alice.todo.list({ userId: 'someone' } as never), null],
        ['list dueBefore not an instant', () => alice.todo.list({ dueBefore: '2026-12-24' }), 'dueBefore'],
        [
          'list dueAfter without a zone',
          () => alice.todo.list({ dueAfter: '2026-12-24T10:00:00' }),
          'dueAfter',
        ],
        [
          'create dueAt Feb 30',
          () => alice.todo.create({ title: 'ok', dueAt: '2026-02-30T00:00:00Z' }),
          'dueAt',
        ],
        ['create dueAt a word', () => alice.todo.create({ title: 'ok', dueAt: 'tomorrow' }), 'dueAt'],
        ['create dueAt a number', () => alice.todo.create({ title: 'ok', dueAt: 1 } as never), 'dueAt'],
        [
          'create unknown priority',
          () => alice.todo.create({ title: 'ok', priority: 'urgent' } as never),
          'priority',
        ],
        [
          'update dueAt year 0',
          () => alice.todo.update({ id: existing.id, dueAt: '0000-12-31T00:00:00Z' }),
          'dueAt',
        ],
        [
          'update priority in capitals',
          () => alice.todo.update({ id: existing.id, priority: 'HIGH' } as never),
          'priority',
        ],
        ['move non-uuid id', () => alice.todo.move({ id: 'x', afterId: null }), 'id'],
        ['move non-uuid afterId', () => alice.todo.move({ id: existing.id, afterId: 'first' }), 'afterId'],
        ['move without afterId', () => alice.todo.move({ id: existing.id } as never), 'afterId'],
      ];
      for (const [name, call, field] of cases) {
        await expectInvalid(call(), field).catch((error: Error) => {
          error.message = `${name}: ${error.message}`;
          throw error;
        });
      }
      expect(await allRows(db)).toEqual(before);
    });

    it('refuses a well-formed cursor that names no real position', async () => {
      const forged = Buffer.from(JSON.stringify(['yesterday', MISSING_ID])).toString('base64url');
      await expectInvalid(alice.todo.list({ cursor: forged }), 'cursor');
      for (const [order, key] of [
        ['manual', ['manual', '1; drop table todos']],
        ['manual', ['manual', '1e400']],
        ['due', ['due', 'someday', '1']],
        ['due', ['due', '2026-02-31 00:00:00+00', '1']],
        ['priority', ['priority', 9, '1']],
        ['priority', ['manual', '1']],
      ] as const) {
        const cursor = Buffer.from(JSON.stringify(key)).toString('base64url');
        await expectInvalid(alice.todo.list({ order, cursor }), 'cursor');
      }
    });
  });
});
