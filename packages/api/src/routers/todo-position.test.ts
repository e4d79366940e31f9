import { type DB, TODO_ORDERS } from '@todo/db';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from '@todo/db/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../root.ts';

type Caller = ReturnType<typeof createCaller>;

describe.each(testDrivers)('a Todo’s position through the API on %s', (driver) => {
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

  const stored = async (id: string) =>
    (await db.selectFrom('todos').select('position').where('id', '=', id).executeTakeFirstOrThrow()).position;

  it('every procedure that returns a Todo gives its position, the key of the manual order', async () => {
    const a = await alice.todo.create({ title: 'a' });
    const b = await alice.todo.create({ title: 'b' });
    expect([a.position, b.position]).toEqual([1, 2]);

    const moved = await alice.todo.move({ id: b.id, afterId: null });
    expect(moved.position).toBe(await stored(b.id));
    expect(moved.position).toBeLessThan(a.position);
    const updated = await alice.todo.update({ id: a.id, completed: true, dueAt: '2026-12-24T00:00:00Z' });
    expect(updated.position).toBe(a.position);

    expect(await alice.todo.get({ id: b.id })).toEqual(moved);
    for (const order of TODO_ORDERS) {
      expect((await alice.todo.list({ order })).items, order).toContainEqual(moved);
      expect((await alice.todo.list({ order })).items, order).toContainEqual(updated);
    }
    expect((await alice.account.export()).todos).toEqual([moved, updated]);

    // Another account's order is its own: it starts at 1, whatever alice has done.
    expect((await bob.todo.create({ title: 'mine' })).position).toBe(1);
    const c = await alice.todo.create({ title: 'c' });
    expect(c.position).toBe(2);
    expect((await alice.todo.list({ order: 'manual' })).items.map((todo) => todo.title)).toEqual([
      'b',
      'a',
      'c',
    ]);
  });
});
