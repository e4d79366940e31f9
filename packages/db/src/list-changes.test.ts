// The change log by list (migrations/0016) on every driver: a write to a list's todos is an event
// in every member's log and in no one else's; a list's own changes are 'list' events; a member
// removed, or a list deleted, loses every event of the list and gets 'listRemoved'; one write to a
// list of 50 is one NOTIFY of ids; and on PostgreSQL, a write racing a removal never leaves the
// removed member an event of the list. Memberships are written as the database's owner (the app
// adds members only through accept_list_invite, lists-core's), todos as their callers.
//
// Over 400 lines, kept together: one migrated database per driver for every rule of the log;
// split, each file would migrate its own.
import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callerDatabase, type Owner } from './caller.ts';
import { CHANGES_CHANNEL } from './changes.ts';
import { getList } from './lists.ts';
import type { DB } from './schema.ts';
import { createTestDatabase, createTestUser, queryRows, type TestDatabase, testDrivers } from './testing.ts';

const policy = { expiresInSeconds: 3600, updateAgeSeconds: 60 };

type Event = {
  seq: number;
  kind: string;
  list_id: string | null;
  todo_id: string | null;
  body: Record<string, unknown> | null;
};

describe.each(testDrivers.filter((driver) => driver !== 'neon'))('the change log by list (%s)', (driver) => {
  let database: TestDatabase;

  const as = <T>(userId: string, fn: (db: Kysely<DB>, owner: Owner) => Promise<T>) =>
    callerDatabase(database, policy).as({ userId }, fn);
  const newUser = (name: string) => createTestUser(database.db, name);
  /** A user's whole log, as the owner reads it (a removal leaves gaps that a caller's replay resets on). */
  const logOf = async (userId: string) =>
    (
      await sql<Event>`select seq::int as seq, kind, list_id, todo_id, body from todo_changes
        where user_id = ${userId} order by seq`.execute(database.db)
    ).rows.map((row) => ({
      ...row,
      body: typeof row.body === 'string' ? (JSON.parse(row.body) as Record<string, unknown>) : row.body,
    }));
  const headOf = async (userId: string) => (await logOf(userId)).at(-1)?.seq ?? 0;
  const after = async (userId: string, seq: number) => (await logOf(userId)).filter((e) => e.seq > seq);
  const inboxOf = async (userId: string) =>
    (
      await sql<{ id: string }>`select id from lists where owner_id = ${userId} and is_inbox`.execute(
        database.db,
      )
    ).rows[0]?.id ?? '';
  /** A list made by its owner, as list.create makes it. */
  const newList = (ownerId: string, name: string) =>
    as(ownerId, async (db) => {
      const { rows } = await sql<{ id: string }>`insert into lists (owner_id, name)
        values (${ownerId}, ${name}) returning id`.execute(db);
      return rows[0]?.id ?? '';
    });
  const addMember = (listId: string, userId: string, role: 'editor' | 'viewer' = 'editor') =>
    sql`insert into list_members (list_id, user_id, role, position)
      values (${listId}, ${userId}, ${role}, 1000 + random())`.execute(database.db);
  const newTodo = (userId: string, listId: string, title: string) =>
    as(userId, async (db) => {
      const { rows } = await sql<{ id: string }>`insert into todos (list_id, title)
        values (${listId}, ${title}) returning id`.execute(db);
      return rows[0]?.id ?? '';
    });
  /** Several users, and a list of `ownerId` whose members they all are. */
  async function sharedList(ownerId: string, members: string[], name = 'Shared') {
    const listId = await newList(ownerId, name);
    for (const member of members) await addMember(listId, member);
    return listId;
  }

  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database?.dispose());

  describe('todo events', () => {
    it('a write to a shared list is one event in each member’s log, numbered after their own last; a stranger gets none', async () => {
      const [ann, ben, cat, stranger] = await Promise.all(['ann', 'ben', 'cat', 'stranger'].map(newUser));
      if (!ann || !ben || !cat || !stranger) throw new Error('no users');
      await newTodo(ben, await inboxOf(ben), 'ben’s own, first');
      const listId = await sharedList(ann, [ben, cat]);
      const heads = { ann: await headOf(ann), ben: await headOf(ben), cat: await headOf(cat) };
      const strangerHead = await headOf(stranger);

      const todoId = await newTodo(cat, listId, 'for everyone');
      for (const [name, userId] of [
        ['ann', ann],
        ['ben', ben],
        ['cat', cat],
      ] as const) {
        const events = await after(userId, heads[name]);
        expect(events, name).toEqual([
          {
            seq: heads[name] + 1,
            kind: 'upsert',
            list_id: listId,
            todo_id: todoId,
            body: expect.objectContaining({
              id: todoId,
              listId,
              title: 'for everyone',
              createdBy: cat,
              updatedBy: cat,
            }),
          },
        ]);
      }
      expect(await headOf(stranger)).toBe(strangerHead);
      // An Inbox's todo: its owner's alone.
      await newTodo(ann, await inboxOf(ann), 'ann’s own');
      expect((await after(ben, heads.ben + 1)).length).toBe(0);
    });

    it('a todo moved between lists: an upsert for members of the list it went to, a delete for those of the one it left', async () => {
      const [ann, ben, cat] = await Promise.all(['ann', 'ben', 'cat'].map(newUser));
      if (!ann || !ben || !cat) throw new Error('no users');
      const from = await sharedList(ann, [ben], 'From');
      const to = await sharedList(ann, [cat], 'To');
      const todoId = await newTodo(ann, from, 'moving');
      const heads = { ann: await headOf(ann), ben: await headOf(ben), cat: await headOf(cat) };

      await as(ann, (db) => sql`update todos set list_id = ${to} where id = ${todoId}`.execute(db));
      expect(await after(ann, heads.ann)).toEqual([
        expect.objectContaining({
          kind: 'upsert',
          list_id: to,
          body: expect.objectContaining({ listId: to }),
        }),
      ]);
      expect(await after(ben, heads.ben)).toEqual([
        { seq: heads.ben + 1, kind: 'delete', list_id: from, todo_id: todoId, body: null },
      ]);
      expect(await after(cat, heads.cat)).toEqual([
        expect.objectContaining({ kind: 'upsert', list_id: to, todo_id: todoId }),
      ]);

      // Two todos trading places in one statement: two todos in each list, a reset of it.
      const other = await newTodo(ann, from, 'the other way');
      const before = { ben: await headOf(ben), cat: await headOf(cat) };
      await as(ann, (db) =>
        sql`update todos set list_id = case when list_id = ${to}::uuid then ${from}::uuid else ${to}::uuid end
          where id in (${todoId}, ${other})`.execute(db),
      );
      expect(await after(ben, before.ben)).toEqual([
        expect.objectContaining({ kind: 'reset', list_id: from }),
      ]);
      expect(await after(cat, before.cat)).toEqual([expect.objectContaining({ kind: 'reset', list_id: to })]);
    });

    it('a statement changing several todos is one reset per member: of the list, or of everything across lists', async () => {
      const [ann, ben] = await Promise.all(['ann', 'ben'].map(newUser));
      if (!ann || !ben) throw new Error('no users');
      const one = await sharedList(ann, [ben], 'One');
      const two = await sharedList(ann, [ben], 'Two');
      for (const title of ['a', 'b']) await newTodo(ann, one, title);
      await newTodo(ann, two, 'c');
      let heads = { ann: await headOf(ann), ben: await headOf(ben) };

      await as(ben, (db) => sql`update todos set completed = true where list_id = ${one}`.execute(db));
      for (const [userId, head] of [
        [ann, heads.ann],
        [ben, heads.ben],
      ] as const) {
        expect(await after(userId, head)).toEqual([
          { seq: head + 1, kind: 'reset', list_id: one, todo_id: null, body: null },
        ]);
      }

      heads = { ann: await headOf(ann), ben: await headOf(ben) };
      await as(ben, (db) =>
        sql`update todos set completed = false where list_id in (${one}, ${two})`.execute(db),
      );
      expect(await after(ben, heads.ben)).toEqual([
        { seq: heads.ben + 1, kind: 'reset', list_id: null, todo_id: null, body: null },
      ]);
    });
  });

  describe('list events', () => {
    it('made, joined, renamed, a role changed: every member’s List as they see it; an Inbox and a member’s own order make none', async () => {
      const ann = await newUser('Ann');
      const ben = await newUser('Ben');
      expect(await logOf(ann)).toEqual([]); // the Inbox made with the account
      const listId = await newList(ann, 'Groceries');
      await newTodo(ann, listId, 'milk');
      const list = (role: string, memberCount: number, name = 'Groceries') => ({
        id: listId,
        name,
        isInbox: false,
        role,
        owner: { id: ann, name: 'Ann' },
        memberCount,
        counts: { active: 1, completed: 0 },
      });
      const listEvents = async (userId: string) =>
        (await logOf(userId)).filter((e) => e.kind === 'list').map((e) => e.body);
      expect((await logOf(ann))[0]).toMatchObject({ kind: 'list', list_id: listId });

      await addMember(listId, ben, 'viewer');
      expect((await listEvents(ann)).at(-1)).toEqual(list('owner', 2));
      expect(await listEvents(ben)).toEqual([list('viewer', 2)]);

      await as(ann, (db) => sql`update lists set name = 'Food' where id = ${listId}`.execute(db));
      expect((await listEvents(ben)).at(-1)).toEqual(list('viewer', 2, 'Food'));
      await sql`update list_members set role = 'editor' where list_id = ${listId} and user_id = ${ben}`.execute(
        database.db,
      );
      expect((await listEvents(ben)).at(-1)).toEqual(list('editor', 2, 'Food'));
      expect((await listEvents(ann)).at(-1)).toEqual(list('owner', 2, 'Food'));
      // What list.all shows each of them, the same.
      for (const userId of [ann, ben]) {
        expect((await listEvents(userId)).at(-1)).toEqual(
          await as(userId, (db, owner) => getList(db, owner, listId)),
        );
      }

      const heads = { ann: await headOf(ann), ben: await headOf(ben) };
      await as(ben, (db) =>
        sql`update list_members set position = 0.5 where list_id = ${listId} and user_id = ${ben}`.execute(
          db,
        ),
      );
      expect({ ann: await headOf(ann), ben: await headOf(ben) }).toEqual(heads);
    });
  });

  describe('removal', () => {
    it('a member removed loses every event of the list, gets listRemoved, keeps their others; the others get the smaller list', async () => {
      const [ann, ben, cat] = await Promise.all(['ann', 'ben', 'cat'].map(newUser));
      if (!ann || !ben || !cat) throw new Error('no users');
      const listId = await sharedList(ann, [ben, cat]);
      await newTodo(ben, await inboxOf(ben), 'ben’s own');
      const todoId = await newTodo(ann, listId, 'shared');
      await as(cat, (db) => sql`update todos set title = 'shared, renamed' where id = ${todoId}`.execute(db));
      const before = await logOf(ben);
      expect(before.filter((e) => e.list_id === listId).length).toBeGreaterThanOrEqual(3);
      const catHead = await headOf(cat);

      await as(ann, (db) =>
        sql`delete from list_members where list_id = ${listId} and user_id = ${ben}`.execute(db),
      );
      const now = await logOf(ben);
      expect(now.filter((e) => e.list_id === listId)).toEqual([
        {
          seq: (before.at(-1)?.seq ?? 0) + 1,
          kind: 'listRemoved',
          list_id: listId,
          todo_id: null,
          body: null,
        },
      ]);
      expect(now.filter((e) => e.list_id !== listId)).toEqual(before.filter((e) => e.list_id !== listId));
      expect(await after(cat, catHead)).toEqual([
        expect.objectContaining({
          kind: 'list',
          body: expect.objectContaining({ memberCount: 2, role: 'editor' }),
        }),
      ]);

      // Nothing more of the list reaches them: not a write, not a rename.
      await newTodo(ann, listId, 'after the removal');
      await as(ann, (db) => sql`update lists set name = 'Renamed' where id = ${listId}`.execute(db));
      expect(await headOf(ben)).toBe((before.at(-1)?.seq ?? 0) + 1);
    });

    it('a list deleted: listRemoved to every member, no event of its todos', async () => {
      const [ann, ben] = await Promise.all(['ann', 'ben'].map(newUser));
      if (!ann || !ben) throw new Error('no users');
      const listId = await sharedList(ann, [ben]);
      for (const title of ['a', 'b', 'c']) await newTodo(ben, listId, title);
      const heads = { ann: await headOf(ann), ben: await headOf(ben) };
      await as(ann, (db) => sql`delete from lists where id = ${listId}`.execute(db));
      for (const userId of [ann, ben]) {
        const log = await logOf(userId);
        expect(log.filter((e) => e.list_id === listId)).toEqual([
          expect.objectContaining({ kind: 'listRemoved', list_id: listId }),
        ]);
        expect(log.at(-1)?.seq).toBe((userId === ann ? heads.ann : heads.ben) + 1);
      }
    });

    it('an account deleted: members of its lists get listRemoved; lists it was a member of tell their members', async () => {
      const [ann, ben, cat] = await Promise.all(['ann', 'ben', 'cat'].map(newUser));
      if (!ann || !ben || !cat) throw new Error('no users');
      const annsList = await sharedList(ann, [ben], 'Ann’s');
      const catsList = await sharedList(cat, [ann, ben], 'Cat’s');
      await newTodo(ann, catsList, 'ann wrote this');
      const heads = { ben: await headOf(ben), cat: await headOf(cat) };
      await sql`delete from users where id = ${ann}`.execute(database.db);

      const bens = await after(ben, heads.ben);
      expect(bens).toContainEqual(expect.objectContaining({ kind: 'listRemoved', list_id: annsList }));
      expect(bens).toContainEqual(
        expect.objectContaining({
          kind: 'list',
          list_id: catsList,
          body: expect.objectContaining({ memberCount: 2 }),
        }),
      );
      // Ann's todo in Cat's list stays, its author gone. Both of its author columns are set null
      // by the one deletion, so the statement holds that todo twice: the log tells it as a reset
      // of the list, after which a client reads the todo again, without her.
      expect(bens).toContainEqual(expect.objectContaining({ kind: 'reset', list_id: catsList }));
      expect(new Set((await after(cat, heads.cat)).map((e) => e.kind))).toEqual(new Set(['list', 'reset']));
      expect(
        await queryRows(
          database.db,
          `select created_by, updated_by from todos where list_id = '${catsList}'`,
        ),
      ).toEqual([{ created_by: null, updated_by: null }]);
      expect(await queryRows(database.db, `select 1 from todo_changes where user_id = '${ann}'`)).toEqual([]);
    });
  });

  describe('NOTIFY', () => {
    it('one write to a list of 50 is one NOTIFY naming 50 events by ids alone; a larger fan-out is cut in 100s', async () => {
      const owner = await newUser('owner');
      const members = [];
      for (let n = 1; n < 50; n++) members.push(await newUser(`member${n}`));
      const listId = await sharedList(owner, members, 'Fifty');
      const heard: string[] = [];
      const stop = await database.listen(CHANGES_CHANNEL, (payload) => heard.push(payload));
      try {
        await newTodo(members[0] ?? '', listId, 'private medical note');
        await vi.waitFor(() => expect(heard.length).toBeGreaterThan(0), { timeout: 10_000 });
        await new Promise((resolve) => setTimeout(resolve, 100)); // any second one would be here by now
        expect(heard).toHaveLength(1);
        const notice = JSON.parse(heard[0] ?? '{}') as { events: [string, string][] };
        expect(Object.keys(notice)).toEqual(['events']);
        expect(new Set(notice.events.map(([userId]) => userId))).toEqual(new Set([owner, ...members]));
        expect(notice.events.every(([, row]) => /^\d+$/.test(row))).toBe(true);
        expect(Buffer.byteLength(heard[0] ?? '')).toBeLessThan(8_000);
        expect(heard[0]).not.toContain('medical');

        // The 49 removed from three lists in one statement: 147 listRemoved and the owner's three
        // smaller lists, 150 events in two NOTIFYs.
        const lists = [
          listId,
          await sharedList(owner, members, 'Second'),
          await sharedList(owner, members, 'Third'),
        ];
        // NOTIFYs arrive in commit order: once this one is heard, every earlier one has been.
        await sql`select pg_notify(${CHANGES_CHANNEL}, 'sentinel')`.execute(database.db);
        await vi.waitFor(() => expect(heard.at(-1)).toBe('sentinel'), { timeout: 10_000 });
        heard.length = 0;
        await sql`delete from list_members where list_id = any(${lists}::uuid[]) and user_id <> ${owner}`.execute(
          database.db,
        );
        await vi.waitFor(() => expect(heard.length).toBeGreaterThan(1), { timeout: 10_000 });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const counts = heard.map((payload) => (JSON.parse(payload) as { events: unknown[] }).events.length);
        expect(counts).toEqual([100, 50]);
      } finally {
        await stop();
      }
    });
  });

  it('what a write costs with 1 member and with 50 (printed, not asserted)', async () => {
    const owner = await newUser('timer');
    const members = [];
    for (let n = 1; n < 50; n++) members.push(await newUser(`timed${n}`));
    const solo = await newList(owner, 'Solo');
    const team = await sharedList(owner, members, 'Team');
    const writes = driver === 'pglite' ? 100 : 200;
    const time = async (listId: string) => {
      const started = performance.now();
      for (let n = 0; n < writes; n++) {
        const todoId = await newTodo(owner, listId, `t${n}`);
        await as(owner, (db) => sql`update todos set completed = true where id = ${todoId}`.execute(db));
      }
      return (performance.now() - started) / (2 * writes);
    };
    await time(solo); // warm
    const one = await time(solo);
    const fifty = await time(team);
    console.log(
      `[${driver}] a write's round trip: ${one.toFixed(2)} ms with 1 member, ${fifty.toFixed(2)} ms with 50 (×${(fifty / one).toFixed(1)})`,
    );
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from todo_changes
      where list_id = ${team} and kind = 'upsert'`.execute(database.db);
    expect(rows[0]?.n).toBe(50 * 2 * writes);
  }, 120_000);

  describe.skipIf(driver === 'pglite')('a write racing a removal (two connections)', () => {
    /** A transaction on a connection of its own, held open until `commit`. */
    async function open(userId: string | null) {
      const client = new pg.Client({ connectionString: database.url ?? '' });
      await client.connect();
      await client.query('begin');
      if (userId) await client.query(`select set_config('app.user_id', $1, true)`, [userId]);
      return {
        query: (text: string, values?: unknown[]) => client.query(text, values),
        async commit() {
          await client.query('commit');
          await client.end();
        },
      };
    }

    it.each(['the write', 'the removal'])(
      'whichever commits first (%s), the removed member has nothing of the list but listRemoved',
      async (first) => {
        const [ann, ben] = await Promise.all(['ann', 'ben'].map(newUser));
        if (!ann || !ben) throw new Error('no users');
        const listId = await sharedList(ann, [ben]);
        const writer = await open(ann);
        const remover = await open(null);
        const write = () =>
          writer.query('insert into todos (list_id, title) values ($1, $2)', [listId, 'racing']);
        const remove = () =>
          remover.query('delete from list_members where list_id = $1 and user_id = $2', [listId, ben]);
        if (first === 'the write') {
          await write();
          const removing = remove(); // waits for the list's lock
          await new Promise((resolve) => setTimeout(resolve, 200));
          await writer.commit();
          await removing;
          await remover.commit();
        } else {
          await remove();
          const writing = write();
          await new Promise((resolve) => setTimeout(resolve, 200));
          await remover.commit();
          await writing;
          await writer.commit();
        }
        expect((await logOf(ben)).filter((e) => e.list_id === listId).map((e) => e.kind)).toEqual([
          'listRemoved',
        ]);
        expect((await logOf(ann)).filter((e) => e.kind === 'upsert' && e.list_id === listId)).toHaveLength(1);
      },
    );
  });
});
