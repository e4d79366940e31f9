// Row-level security by membership, on its own: raw statements with none of the app's own
// conditions, run as the app's role with app.user_id set (callerDatabase), see and change only
// what the caller's role in each list allows (migration 0015).
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerDatabase } from './caller.ts';
import type { DB } from './schema.ts';
import { createTestDatabase, createTestUser, queryRows, type TestDatabase, testDrivers } from './testing.ts';

describe.each(testDrivers)('row-level security by membership (%s)', (driver) => {
  let database: TestDatabase;
  const owner = randomUUID();
  const editor = randomUUID();
  const viewer = randomUUID();
  const stranger = randomUUID();
  let shared: string;
  let ownerInbox: string;
  let strangerInbox: string;

  const asUser = <T>(userId: string, fn: (db: Kysely<DB>) => Promise<T>) =>
    callerDatabase(database, { expiresInSeconds: 3600, updateAgeSeconds: 60 }).as({ userId }, fn);
  const run = (userId: string, text: string) =>
    asUser(userId, async (db) => {
      const result = await sql.raw<Record<string, unknown>>(text).execute(db);
      return { rows: result.rows, affected: Number(result.numAffectedRows ?? 0) };
    });
  /** Every todo, as the database's owner sees them: what no caller may have changed. */
  const everything = () =>
    queryRows(database.db, 'select id, list_id, title, completed from todos order by title');

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    for (const [id, name] of [
      [owner, 'owner'],
      [editor, 'editor'],
      [viewer, 'viewer'],
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
    ownerInbox = await inboxOf(owner);
    strangerInbox = await inboxOf(stranger);
    // Set up as the database's owner: a shared list with an editor and a viewer.
    const [list] = await queryRows<{ id: string }>(
      database.db,
      `insert into lists (owner_id, name) values ('${owner}', 'Shared') returning id`,
    );
    shared = list?.id ?? '';
    await sql`insert into list_members (list_id, user_id, role, position) values
      (${shared}, ${editor}, 'editor', 10), (${shared}, ${viewer}, 'viewer', 10)`.execute(database.db);
    await sql`insert into list_invites (list_id, email, role, token_hash, invited_by)
      values (${shared}, 'someone@example.com', 'viewer', ${'a'.repeat(64)}, ${owner})`.execute(database.db);
    await database.db
      .insertInto('todos')
      .values([
        { list_id: shared, created_by: owner, title: 's1' },
        { list_id: shared, created_by: editor, title: 's2', completed: true },
        { list_id: ownerInbox, created_by: owner, title: 'o1' },
        { list_id: strangerInbox, created_by: stranger, title: 'x1' },
      ])
      .execute();
  });
  afterAll(() => database?.dispose());

  it('a caller sees the todos, lists, members and people of their lists, and nothing else', async () => {
    const titles = async (userId: string) =>
      (await run(userId, 'select title from todos order by title')).rows.map((row) => row.title);
    expect(await titles(owner)).toEqual(['o1', 's1', 's2']);
    expect(await titles(editor)).toEqual(['s1', 's2']);
    expect(await titles(viewer)).toEqual(['s1', 's2']);
    expect(await titles(stranger)).toEqual(['x1']);

    const lists = async (userId: string) =>
      (await run(userId, 'select name from lists order by is_inbox desc, name')).rows.map((row) => row.name);
    expect(await lists(viewer)).toEqual(['Inbox', 'Shared']);
    expect(await lists(stranger)).toEqual(['Inbox']);
    expect((await run(stranger, 'select * from list_members')).rows).toEqual([
      expect.objectContaining({ user_id: stranger, role: 'owner' }),
    ]);
    expect((await run(viewer, 'select user_id from list_members')).rows).toHaveLength(4);
    // People: oneself, and whoever shares a list with one.
    expect((await run(stranger, 'select id from users')).rows).toEqual([{ id: stranger }]);
    expect((await run(viewer, 'select id from users')).rows).toHaveLength(3);
    // Invites: the list's owner alone, and never the token's hash.
    expect((await run(owner, 'select email from list_invites')).rows).toEqual([
      { email: 'someone@example.com' },
    ]);
    for (const who of [editor, viewer, stranger])
      expect((await run(who, 'select id from list_invites')).rows).toEqual([]);
    await expect(run(owner, 'select token_hash from list_invites')).rejects.toThrow(/permission denied/);
  });

  it('a stranger changes nothing, and cannot put a todo into the list or move one there', async () => {
    const before = await everything();
    expect((await run(stranger, "update todos set title = 'defaced'")).affected).toBe(1); // their own x1
    expect((await run(stranger, "update todos set title = 'x1'")).affected).toBe(1);
    expect((await run(stranger, `delete from todos where list_id = '${shared}'`)).affected).toBe(0);
    expect((await run(stranger, `update lists set name = 'Mine' where id = '${shared}'`)).affected).toBe(0);
    expect((await run(stranger, `delete from lists where id = '${shared}'`)).affected).toBe(0);
    expect((await run(stranger, `delete from list_members where list_id = '${shared}'`)).affected).toBe(0);
    await expect(
      run(stranger, `insert into todos (list_id, title) values ('${shared}', 'planted')`),
    ).rejects.toThrow(/row-level security/);
    await expect(run(stranger, `update todos set list_id = '${shared}'`)).rejects.toThrow(
      /row-level security/,
    );
    await expect(
      run(
        stranger,
        `insert into list_members (list_id, user_id, role, position) values ('${shared}', '${stranger}', 'editor', 5)`,
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      run(
        stranger,
        `insert into list_invites (list_id, email, role, token_hash, invited_by) values ('${shared}', 'me@example.com', 'editor', '${'b'.repeat(64)}', '${stranger}')`,
      ),
    ).rejects.toThrow(/row-level security/);
    expect(await everything()).toEqual(before);
  });

  it('a viewer writes no todo of the list; an editor does, but manages nothing', async () => {
    const before = await everything();
    expect((await run(viewer, 'update todos set completed = not completed')).affected).toBe(0);
    expect((await run(viewer, 'delete from todos')).affected).toBe(0);
    await expect(
      run(viewer, `insert into todos (list_id, title) values ('${shared}', 'by viewer')`),
    ).rejects.toThrow(/row-level security/);
    expect(await everything()).toEqual(before);
    // A viewer's own todo cannot be moved into the list either.
    await run(viewer, "insert into todos (title) values ('viewer own')");
    await expect(
      run(viewer, `update todos set list_id = '${shared}' where title = 'viewer own'`),
    ).rejects.toThrow(/row-level security/);

    expect((await run(editor, "update todos set title = title || '!' where title like 's%'")).affected).toBe(
      2,
    );
    expect((await run(editor, `update lists set name = 'Renamed' where id = '${shared}'`)).affected).toBe(0);
    expect((await run(editor, `delete from lists where id = '${shared}'`)).affected).toBe(0);
    expect((await run(editor, `delete from list_members where user_id = '${viewer}'`)).affected).toBe(0);
    expect(
      (await run(editor, `update list_members set role = 'viewer' where user_id = '${viewer}'`)).affected,
    ).toBe(0);
    // Their own row they may update (their order), but not its role.
    await expect(
      run(editor, `update list_members set role = 'owner' where user_id = '${editor}'`),
    ).rejects.toThrow(/owner/);
    // Who changed a todo is the caller, whatever the statement says.
    await run(
      editor,
      `update todos set updated_by = '${owner}', created_by = '${editor}' where title = 's1!'`,
    );
    expect(
      await queryRows(database.db, "select created_by, updated_by from todos where title = 's1!'"),
    ).toEqual([{ created_by: owner, updated_by: editor }]);
  });

  it('the owner manages members; a member leaves but removes nobody else, not the owner', async () => {
    expect((await run(viewer, `delete from list_members where user_id = '${owner}'`)).affected).toBe(0);
    expect(
      (await run(owner, `delete from list_members where user_id = '${owner}' and list_id = '${shared}'`))
        .affected,
    ).toBe(0);
    expect(
      (await run(owner, `update list_members set role = 'editor' where user_id = '${viewer}'`)).affected,
    ).toBe(1);
    expect((await run(viewer, `delete from list_members where user_id = '${viewer}'`)).affected).toBe(1);
    expect((await run(viewer, 'select title from todos where title like $$s%$$')).rows).toEqual([]);
  });

  it('without a user id the app role sees nothing of lists', async () => {
    const seen = await database.db.transaction().execute(async (trx) => {
      await sql`set local role todo_app`.execute(trx);
      const count = async (table: string) =>
        Number((await sql.raw<{ n: number }>(`select count(*) as n from ${table}`).execute(trx)).rows[0]?.n);
      return {
        todos: await count('todos'),
        lists: await count('lists'),
        members: await count('list_members'),
        invites: await count('list_invites'),
      };
    });
    expect(seen).toEqual({ todos: 0, lists: 0, members: 0, invites: 0 });
  });
});
