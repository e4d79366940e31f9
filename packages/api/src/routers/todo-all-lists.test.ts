// `todo.list` with `allLists`: every list of the caller's at once, through the API.
import type { DB } from '@todo/db';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from '@todo/db/testing';
import { TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../root.ts';

type Caller = ReturnType<typeof createCaller>;

describe.each(testDrivers)('todo.list across lists on %s', (driver) => {
  let database: TestDatabase;
  let db: Kysely<DB>;
  let alice: Caller;
  let bob: Caller;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.db;
    alice = createCaller({ db, userId: await createTestUser(db, 'alice') });
    bob = createCaller({ db, userId: await createTestUser(db, 'bob') });
  });
  afterAll(() => database?.dispose());

  it('answers the caller’s todos of every list in range, soonest first, and none of another’s', async () => {
    const work = await alice.list.create({ name: 'Work' });
    await alice.todo.create({ title: 'later', dueAt: '2026-12-09T09:00:00Z' });
    await alice.todo.create({ title: 'sooner', dueAt: '2026-12-08T09:00:00Z', listId: work.id });
    await alice.todo.create({ title: 'undated' });
    await bob.todo.create({ title: 'bob’s', dueAt: '2026-12-08T10:00:00Z' });

    const page = await alice.todo.list({ allLists: true, order: 'due', dueBefore: '2026-12-10T00:00:00Z' });
    expect(page.items.map((todo) => [todo.title, todo.listId === work.id])).toEqual([
      ['sooner', true],
      ['later', false],
    ]);
    // Without allLists, the Inbox alone, as before.
    expect((await alice.todo.list({ order: 'due' })).items.map((todo) => todo.title)).toEqual([
      'later',
      'undated',
    ]);
  });

  it('refuses allLists with a listId, and any value but true', async () => {
    const [inbox] = (await alice.list.all()).lists;
    for (const input of [
      { allLists: true, listId: inbox?.id },
      { allLists: false },
      { allLists: 'yes' },
    ] as never[]) {
      const error = await alice.todo.list(input).then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe('BAD_REQUEST');
    }
  });
});
