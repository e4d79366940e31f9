// Row-level security on its own: statements with no `where` at all, run as a caller known by id
// (callerDatabase), see and change only the rows of that user's lists (here, each one's Inbox;
// shared lists: list-rls.test.ts).
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerDatabase } from './caller.ts';
import type { DB } from './schema.ts';
import { createTestDatabase, createTestUser, queryRows, type TestDatabase, testDrivers } from './testing.ts';

describe.each(testDrivers)('row-level security on todos (%s)', (driver) => {
  let database: TestDatabase;
  const alice = randomUUID();
  const bob = randomUUID();

  const ownerRows = async () =>
    (
      await database.db
        .selectFrom('todos')
        .select(['created_by', 'title', 'completed'])
        .orderBy('title')
        .execute()
    ).map((row) => `${row.created_by === alice ? 'alice' : 'bob'}:${row.title}:${row.completed}`);

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    const now = new Date();
    for (const id of [alice, bob]) await createTestUser(database.db, id, { id });
    await database.db
      .insertInto('todos')
      .values([
        { created_by: alice, title: 'a1', created_at: now },
        { created_by: alice, title: 'a2', created_at: now },
        { created_by: bob, title: 'b1', created_at: now },
        { created_by: bob, title: 'b2', completed: true, created_at: now },
      ])
      .execute();
  });

  afterAll(() => database?.dispose());

  const asUser = <T>(userId: string, fn: (db: Kysely<DB>) => Promise<T>) =>
    callerDatabase(database, { expiresInSeconds: 3600, updateAgeSeconds: 60 }).as({ userId }, fn);

  it('an unscoped select sees only the scoped user', async () => {
    const titles = await asUser(alice, async (trx) =>
      (await sql<{ title: string }>`select title from todos order by title`.execute(trx)).rows.map(
        (row) => row.title,
      ),
    );
    expect(titles).toEqual(['a1', 'a2']);
    const users = await asUser(alice, async (trx) =>
      (await sql<{ id: string }>`select id from users`.execute(trx)).rows.map((row) => row.id),
    );
    expect(users).toEqual([alice]);
  });

  it('unscoped update and delete change only the scoped user', async () => {
    const before = await ownerRows();
    const { updated, deleted } = await asUser(bob, async (trx) => {
      const updated = await sql`update todos set completed = not completed`.execute(trx);
      const deleted = await sql`delete from todos where completed`.execute(trx);
      return { updated: Number(updated.numAffectedRows), deleted: Number(deleted.numAffectedRows) };
    });
    expect({ updated, deleted }).toEqual({ updated: 2, deleted: 1 });
    expect(await ownerRows()).toEqual(before.filter((row) => !row.startsWith('bob')).concat('bob:b2:false'));
  });

  it("refuses to insert or move a row into another user's list", async () => {
    const [bobInbox] = await queryRows<{ id: string }>(
      database.db,
      `select id from lists where owner_id = '${bob}' and is_inbox`,
    );
    await expect(
      asUser(alice, (trx) =>
        sql`insert into todos (list_id, title) values (${bobInbox?.id}, 'planted')`.execute(trx),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asUser(alice, (trx) => sql`update todos set list_id = ${bobInbox?.id}`.execute(trx)),
    ).rejects.toThrow(/row-level security/);
    expect((await ownerRows()).filter((row) => row.includes('planted'))).toEqual([]);
  });

  it('without a user id the application role sees and changes nothing', async () => {
    const result = await database.db.transaction().execute(async (trx) => {
      await sql`set local role todo_app`.execute(trx);
      const seen = await sql`select * from todos`.execute(trx);
      const users = await sql`select id from users`.execute(trx);
      const deleted = await sql`delete from todos`.execute(trx);
      return { seen: seen.rows.length, users: users.rows.length, deleted: Number(deleted.numAffectedRows) };
    });
    expect(result).toEqual({ seen: 0, users: 0, deleted: 0 });
    expect((await ownerRows()).length).toBe(3);
  });

  it('gives the application role nothing beyond its lists and the own profile', async () => {
    await expect(asUser(alice, (trx) => sql`select token from sessions`.execute(trx))).rejects.toThrow(
      /permission denied/,
    );
    await expect(asUser(alice, (trx) => sql`select password from accounts`.execute(trx))).rejects.toThrow(
      /permission denied/,
    );
  });
});
