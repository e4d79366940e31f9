// Lists, members and invites as the app runs them: each call in a transaction acting as its
// caller (the role todo_app, under row-level security), trying to break every rule.
//
// Over 400 lines, kept together: every rule of lists against one migrated database per driver;
// split, each file would migrate its own.

import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { callerDatabase, GUEST, type Owner } from './caller.ts';
import { ForbiddenError, ListRuleError, NotFoundError } from './list-access.ts';
import {
  acceptInvite,
  createInvite,
  pendingInvites,
  previewInvite,
  revokeInvite,
  takeInviteQuota,
} from './list-invites.ts';
import { leaveList, listMembers, removeMember, setMemberRole } from './list-members.ts';
import { createList, deleteList, getList, listLists, moveList, renameList } from './lists.ts';
import type { DB } from './schema.ts';
import { createTestDatabase, createTestUser, queryRows, type TestDatabase, testDrivers } from './testing.ts';
import { moveTodo } from './todo-move.ts';
import { clearCompleted, createTodo, deleteTodo, setAllCompleted, updateTodo } from './todo-writes.ts';
import { countTodos, getTodo, listTodos } from './todos.ts';

const policy = { expiresInSeconds: 3600, updateAgeSeconds: 60 };

describe.each(testDrivers)('lists on %s', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database?.dispose());

  const as = <T>(userId: string, fn: (db: Kysely<DB>, owner: Owner) => Promise<T>) =>
    callerDatabase(database, policy).as({ userId }, fn);
  let names = 0;
  /** A user with a verified address `<name>-<n>@example.com`, unless `verified` is false. */
  const user = async (name: string, { verified = true } = {}) => {
    const email = `${name}-${++names}@example.com`;
    const id = await createTestUser(database.db, name, { email });
    if (verified) await sql`update users set email_verified = true where id = ${id}`.execute(database.db);
    return { id, email };
  };
  /** A list of `owner`'s with `members` joined through invites (verified addresses). */
  const sharedList = async (
    owner: string,
    members: { id: string; email: string; role: 'editor' | 'viewer' }[],
  ) => {
    const list = await as(owner, (db, o) => createList(db, o, 'Shared'));
    for (const member of members) {
      const { token } = await as(owner, (db, o) =>
        createInvite(db, o, { listId: list.id, email: member.email, role: member.role }),
      );
      await as(member.id, (db, o) => acceptInvite(db, o, token));
    }
    return list;
  };

  test('every account has one Inbox, first in its lists, which cannot be renamed, deleted, shared or left', async () => {
    const ada = await user('ada');
    const [inbox, ...rest] = await as(ada.id, listLists);
    expect(rest).toEqual([]);
    expect(inbox).toEqual({
      id: expect.any(String),
      name: 'Inbox',
      isInbox: true,
      role: 'owner',
      owner: { id: ada.id, name: 'ada' },
      memberCount: 1,
      counts: { active: 0, completed: 0 },
    });
    if (!inbox) throw new Error('no Inbox');
    const refused = [
      () => as(ada.id, (db, o) => renameList(db, o, inbox.id, 'Other')),
      () => as(ada.id, (db, o) => deleteList(db, o, inbox.id)),
      () =>
        as(ada.id, (db, o) =>
          createInvite(db, o, { listId: inbox.id, email: 'x@example.com', role: 'viewer' }),
        ),
      () => as(ada.id, (db, o) => leaveList(db, o, inbox.id)),
      () => as(ada.id, (db, o) => moveList(db, o, inbox.id, null)),
    ];
    for (const call of refused) await expect(call()).rejects.toBeInstanceOf(ListRuleError);
    // The database itself refuses a second Inbox, and an Inbox made through the app's role.
    await expect(
      sql`insert into lists (owner_id, name, is_inbox) values (${ada.id}, 'Second', true)`.execute(
        database.db,
      ),
    ).rejects.toThrow(/lists_one_inbox_key/);
    await expect(
      as(ada.id, (db) =>
        sql`insert into lists (owner_id, name, is_inbox) values (${ada.id}, 'Mine', true)`.execute(db),
      ),
    ).rejects.toThrow(/permission denied|row-level security/);
  });

  test('create, rename, move and delete a list; a todo created without a list goes to the Inbox', async () => {
    const bo = await user('bo');
    const work = await as(bo.id, (db, o) => createList(db, o, 'Work'));
    const home = await as(bo.id, (db, o) => createList(db, o, 'Home'));
    const todo = await as(bo.id, (db, o) => createTodo(db, o, { listId: work.id, title: 'Report' }));
    await as(bo.id, (db, o) => createTodo(db, o, { title: 'Milk' }));
    expect(todo).toMatchObject({ listId: work.id, createdBy: bo.id, updatedBy: bo.id, position: 1 });
    expect((await as(bo.id, (db, o) => renameList(db, o, work.id, 'Office'))).name).toBe('Office');
    await as(bo.id, (db, o) => moveList(db, o, home.id, null));
    const lists = await as(bo.id, listLists);
    expect(lists.map((list) => [list.name, list.counts.active])).toEqual([
      ['Inbox', 1],
      ['Home', 0],
      ['Office', 1],
    ]);
    await as(bo.id, (db, o) => moveList(db, o, home.id, work.id));
    expect((await as(bo.id, listLists)).map((list) => list.name)).toEqual(['Inbox', 'Office', 'Home']);
    await as(bo.id, (db, o) => deleteList(db, o, work.id));
    expect(await as(bo.id, (db, o) => getTodo(db, o, todo.id))).toBeUndefined();
    expect(await queryRows(database.db, `select id from todos where id = '${todo.id}'`)).toEqual([]);
    await expect(as(bo.id, (db, o) => getList(db, o, work.id))).rejects.toBeInstanceOf(NotFoundError);
  });

  test('a stranger reads, writes, moves into and manages nothing of a list, as if it did not exist', async () => {
    const owner = await user('owner');
    const stranger = await user('stranger');
    const list = await as(owner.id, (db, o) => createList(db, o, 'Private'));
    const todo = await as(owner.id, (db, o) => createTodo(db, o, { listId: list.id, title: 'secret' }));
    const theirs = await as(stranger.id, (db, o) => createTodo(db, o, { title: 'mine' }));
    const absent = '00000000-0000-4000-8000-000000000000';
    for (const listId of [list.id, absent]) {
      const calls: (() => Promise<unknown>)[] = [
        () => as(stranger.id, (db, o) => getList(db, o, listId)),
        () => as(stranger.id, (db, o) => listTodos(db, o, { listId })),
        () => as(stranger.id, (db, o) => countTodos(db, o, { listId })),
        () => as(stranger.id, (db, o) => createTodo(db, o, { listId, title: 'planted' })),
        () => as(stranger.id, (db, o) => setAllCompleted(db, o, true, { listId })),
        () => as(stranger.id, (db, o) => clearCompleted(db, o, { listId })),
        () => as(stranger.id, (db, o) => updateTodo(db, o, theirs.id, { listId })),
        () => as(stranger.id, (db, o) => renameList(db, o, listId, 'Mine')),
        () => as(stranger.id, (db, o) => deleteList(db, o, listId)),
        () => as(stranger.id, (db, o) => moveList(db, o, listId, null)),
        () => as(stranger.id, (db, o) => listMembers(db, o, listId)),
        () => as(stranger.id, (db, o) => leaveList(db, o, listId)),
        () => as(stranger.id, (db, o) => setMemberRole(db, o, listId, owner.id, 'viewer')),
        () => as(stranger.id, (db, o) => removeMember(db, o, listId, owner.id)),
        () =>
          as(stranger.id, (db, o) => createInvite(db, o, { listId, email: stranger.email, role: 'editor' })),
      ];
      for (const call of calls) {
        const error = await call().then(
          () => null,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(NotFoundError);
        expect((error as Error).message).toBe('List not found');
      }
    }
    // The todo in it, by id: not found, not refused.
    expect(await as(stranger.id, (db, o) => getTodo(db, o, todo.id))).toBeUndefined();
    expect(await as(stranger.id, (db, o) => updateTodo(db, o, todo.id, { title: 'x' }))).toBeUndefined();
    expect(await as(stranger.id, (db, o) => moveTodo(db, o, todo.id, null))).toBeUndefined();
    expect(await as(stranger.id, (db, o) => moveTodo(db, o, theirs.id, todo.id))).toBeUndefined();
    expect(await as(stranger.id, (db, o) => deleteTodo(db, o, todo.id))).toBe(false);
    const [stored] = await queryRows(database.db, `select title, list_id from todos where id = '${todo.id}'`);
    expect(stored).toEqual({ title: 'secret', list_id: list.id });
    expect((await as(stranger.id, (db, o) => getTodo(db, o, theirs.id)))?.listId).not.toBe(list.id);
  });

  test('a viewer reads the list and its todos and changes nothing; an editor writes todos but does not manage', async () => {
    const owner = await user('owner');
    const viewer = await user('viewer');
    const editor = await user('editor');
    const list = await sharedList(owner.id, [
      { ...viewer, role: 'viewer' },
      { ...editor, role: 'editor' },
    ]);
    const todo = await as(owner.id, (db, o) => createTodo(db, o, { listId: list.id, title: 'shared' }));
    const own = await as(viewer.id, (db, o) => createTodo(db, o, { title: 'in my Inbox' }));
    expect((await as(viewer.id, (db, o) => listTodos(db, o, { listId: list.id }))).items).toEqual([todo]);
    expect(await as(viewer.id, (db, o) => getList(db, o, list.id))).toMatchObject({
      role: 'viewer',
      memberCount: 3,
    });
    const writes: (() => Promise<unknown>)[] = [
      () => as(viewer.id, (db, o) => createTodo(db, o, { listId: list.id, title: 'x' })),
      () => as(viewer.id, (db, o) => updateTodo(db, o, todo.id, { completed: true })),
      () => as(viewer.id, (db, o) => updateTodo(db, o, own.id, { listId: list.id })),
      () => as(viewer.id, (db, o) => moveTodo(db, o, todo.id, null)),
      () => as(viewer.id, (db, o) => deleteTodo(db, o, todo.id)),
      () => as(viewer.id, (db, o) => setAllCompleted(db, o, true, { listId: list.id })),
      () => as(viewer.id, (db, o) => clearCompleted(db, o, { listId: list.id })),
    ];
    for (const write of writes) await expect(write()).rejects.toBeInstanceOf(ForbiddenError);
    const managing: (() => Promise<unknown>)[] = [
      () => as(editor.id, (db, o) => renameList(db, o, list.id, 'Mine')),
      () => as(editor.id, (db, o) => deleteList(db, o, list.id)),
      () => as(editor.id, (db, o) => setMemberRole(db, o, list.id, viewer.id, 'editor')),
      () => as(editor.id, (db, o) => removeMember(db, o, list.id, viewer.id)),
      () =>
        as(editor.id, (db, o) =>
          createInvite(db, o, { listId: list.id, email: 'x@example.com', role: 'editor' }),
        ),
    ];
    for (const call of managing) await expect(call()).rejects.toBeInstanceOf(ForbiddenError);
    expect(await as(viewer.id, (db, o) => getTodo(db, o, todo.id))).toEqual(todo);

    // The editor writes, and is named as who changed it; the owner's todo stays the owner's.
    const changed = await as(editor.id, (db, o) => updateTodo(db, o, todo.id, { completed: true }));
    expect(changed).toMatchObject({ completed: true, createdBy: owner.id, updatedBy: editor.id });
    const added = await as(editor.id, (db, o) => createTodo(db, o, { listId: list.id, title: 'by editor' }));
    expect(added).toMatchObject({ createdBy: editor.id, position: 2 });
    // An editor's own todo, moved into the shared list, goes last there.
    const moved = await as(editor.id, async (db, o) => {
      const mine = await createTodo(db, o, { title: 'from Inbox' });
      return updateTodo(db, o, mine.id, { listId: list.id });
    });
    expect(moved).toMatchObject({ listId: list.id, position: 3 });
    // Nobody's role is theirs to raise: not through the app, not as the app's role in raw SQL.
    await expect(
      as(viewer.id, (db) =>
        sql`update list_members set role = 'editor' where user_id = ${viewer.id}`.execute(db),
      ),
    ).rejects.toThrow(/owner/);
    await expect(
      as(editor.id, (db) =>
        sql`update list_members set role = 'owner' where user_id = ${editor.id}`.execute(db),
      ),
    ).rejects.toThrow(/owner/);
  });

  test('the owner sets roles and removes members; a member leaves; the owner does neither to themself', async () => {
    const owner = await user('owner');
    const a = await user('a');
    const b = await user('b');
    const list = await sharedList(owner.id, [
      { ...a, role: 'viewer' },
      { ...b, role: 'editor' },
    ]);
    expect(await as(owner.id, (db, o) => setMemberRole(db, o, list.id, a.id, 'editor'))).toEqual({
      userId: a.id,
      role: 'editor',
    });
    await as(a.id, (db, o) => createTodo(db, o, { listId: list.id, title: 'now I write' }));
    await expect(
      as(owner.id, (db, o) => setMemberRole(db, o, list.id, owner.id, 'viewer')),
    ).rejects.toBeInstanceOf(ListRuleError);
    await expect(as(owner.id, (db, o) => removeMember(db, o, list.id, owner.id))).rejects.toBeInstanceOf(
      ListRuleError,
    );
    await expect(as(owner.id, (db, o) => leaveList(db, o, list.id))).rejects.toBeInstanceOf(ListRuleError);
    const nobody = (await user('nobody')).id;
    await expect(as(owner.id, (db, o) => setMemberRole(db, o, list.id, nobody, 'viewer'))).rejects.toThrow(
      'Member not found',
    );
    const { members, invites } = await as(owner.id, (db, o) => listMembers(db, o, list.id));
    expect(members.map((member) => [member.userId, member.role])).toEqual([
      [owner.id, 'owner'],
      [a.id, 'editor'],
      [b.id, 'editor'],
    ]);
    expect(invites).toEqual([]);

    await as(owner.id, (db, o) => removeMember(db, o, list.id, a.id));
    await expect(as(a.id, (db, o) => listTodos(db, o, { listId: list.id }))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await as(b.id, (db, o) => leaveList(db, o, list.id));
    await expect(as(b.id, (db, o) => getList(db, o, list.id))).rejects.toBeInstanceOf(NotFoundError);
    expect((await as(owner.id, (db, o) => getList(db, o, list.id))).memberCount).toBe(1);
  });

  test('an invite is for one address, once, for 7 days; a foreign, reused or expired token is not found', async () => {
    const owner = await user('owner');
    const invited = await user('invited', { verified: false });
    const other = await user('other');
    const list = await as(owner.id, (db, o) => createList(db, o, 'Trip'));
    const { token, inviteId } = await as(owner.id, (db, o) =>
      createInvite(db, o, { listId: list.id, email: invited.email.toUpperCase(), role: 'editor' }),
    );
    // Only the hash is stored, and the app's role cannot read even that.
    const [stored] = await queryRows<{ token_hash: string; email: string }>(
      database.db,
      `select token_hash, email from list_invites where id = '${inviteId}'`,
    );
    expect(stored?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.token_hash).not.toContain(token);
    expect(stored?.email).toBe(invited.email);
    await expect(as(owner.id, (db) => sql`select token_hash from list_invites`.execute(db))).rejects.toThrow(
      /permission denied/,
    );

    // Whoever holds the token sees what it is for, signed in or not (the page greets someone who
    // has no account yet); a guest sees no row of any table.
    const preview = {
      list: { name: 'Trip' },
      invitedBy: { name: 'owner' },
      role: 'editor',
      email: invited.email,
    };
    expect(await as(other.id, (db) => previewInvite(db, token))).toEqual(preview);
    const guest = <T>(fn: (db: Kysely<DB>) => Promise<T>) => callerDatabase(database, policy).as(GUEST, fn);
    expect(await guest((db) => previewInvite(db, token))).toEqual(preview);
    for (const table of ['lists', 'list_members', 'list_invites', 'todos', 'users'] as const) {
      expect(await guest((db) => db.selectFrom(table).select(sql`1`.as('one')).execute())).toEqual([]);
    }
    await expect(guest((db) => acceptInvite(db, 'nobody', token))).rejects.toBeInstanceOf(NotFoundError);

    // Someone else holding the link does not get in. An unverified address sees no invites, but the
    // invite's own token (mailed to it) lets it in, and proves the address as a verification link does.
    await expect(as(other.id, (db, o) => acceptInvite(db, o, token))).rejects.toThrow(
      'another email address',
    );
    expect(await as(invited.id, (db) => pendingInvites(db))).toEqual([]);
    expect(await as(invited.id, (db, o) => acceptInvite(db, o, token))).toMatchObject({
      id: list.id,
      role: 'editor',
    });
    const [me] = await queryRows<{ email_verified: boolean }>(
      database.db,
      `select email_verified from users where id = '${invited.id}'`,
    );
    expect(me?.email_verified).toBe(true);
    expect(await as(invited.id, (db) => pendingInvites(db))).toEqual([]);
    const later = await as(owner.id, (db, o) => createList(db, o, 'Later'));
    const { inviteId: second } = await as(owner.id, (db, o) =>
      createInvite(db, o, { listId: later.id, email: invited.email, role: 'viewer' }),
    );
    expect(await as(invited.id, (db) => pendingInvites(db))).toEqual([
      {
        id: second,
        list: { name: 'Later' },
        invitedBy: { name: 'owner' },
        role: 'viewer',
        expiresAt: expect.any(String),
      },
    ]);

    // Used: gone for everyone. Unknown or never made: the same.
    for (const tried of [token, 'not-a-token', `${token}x`]) {
      await expect(as(invited.id, (db, o) => acceptInvite(db, o, tried))).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(as(invited.id, (db) => previewInvite(db, tried))).rejects.toBeInstanceOf(NotFoundError);
    }
    // Expired: not found either.
    const late = await as(owner.id, (db, o) =>
      createInvite(db, o, { listId: list.id, email: other.email, role: 'viewer' }),
    );
    await sql`update list_invites set expires_at = now() - interval '1 second' where id = ${late.inviteId}`.execute(
      database.db,
    );
    await expect(as(other.id, (db, o) => acceptInvite(db, o, late.token))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await as(other.id, (db) => pendingInvites(db))).toEqual([]);
    // Revoked: not found.
    const revoked = await as(owner.id, (db, o) =>
      createInvite(db, o, { listId: list.id, email: other.email, role: 'viewer' }),
    );
    await expect(as(other.id, (db, o) => revokeInvite(db, o, revoked.inviteId))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await as(owner.id, (db, o) => revokeInvite(db, o, revoked.inviteId));
    await expect(as(other.id, (db, o) => acceptInvite(db, o, revoked.token))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      as(owner.id, (db, o) => createInvite(db, o, { listId: list.id, email: invited.email, role: 'viewer' })),
    ).rejects.toThrow('already a member');
  });

  test('limits: 100 lists owned, 20 pending invites, 50 members', async () => {
    const owner = await user('busy');
    for (let made = 1; made < 100; made += 1)
      await as(owner.id, (db, o) => createList(db, o, `List ${made}`));
    await expect(as(owner.id, (db, o) => createList(db, o, 'One too many'))).rejects.toThrow(
      'at most 100 lists',
    );
    const list = (await as(owner.id, listLists))[1];
    if (!list) throw new Error('no list');
    for (let n = 0; n < 20; n += 1) {
      await as(owner.id, (db, o) =>
        createInvite(db, o, { listId: list.id, email: `p${n}@example.com`, role: 'viewer' }),
      );
    }
    await expect(
      as(owner.id, (db, o) =>
        createInvite(db, o, { listId: list.id, email: 'p20@example.com', role: 'viewer' }),
      ),
    ).rejects.toThrow('at most 20 pending invites');
    // Inviting the same address again replaces its invite: still 20.
    await as(owner.id, (db, o) =>
      createInvite(db, o, { listId: list.id, email: 'p0@example.com', role: 'editor' }),
    );
    expect((await as(owner.id, (db, o) => listMembers(db, o, list.id))).invites).toHaveLength(20);

    // 48 join directly (set up as the database's owner), the 50th member through an invite, then none.
    await sql`delete from list_invites where list_id = ${list.id}`.execute(database.db);
    const joiners = [];
    for (let n = 0; n < 50; n += 1) joiners.push(await user(`m${n}`));
    for (const joiner of joiners.slice(0, 48)) {
      await sql`insert into list_members (list_id, user_id, role, position) values (${list.id}, ${joiner.id}, 'viewer', 1000)`.execute(
        database.db,
      );
    }
    const fiftieth = joiners[48];
    const fiftyFirst = joiners[49];
    if (!fiftieth || !fiftyFirst) throw new Error('no joiners');
    const last = await as(owner.id, (db, o) =>
      createInvite(db, o, { listId: list.id, email: fiftieth.email, role: 'viewer' }),
    );
    const extra = await as(owner.id, (db, o) =>
      createInvite(db, o, { listId: list.id, email: fiftyFirst.email, role: 'viewer' }),
    );
    await as(fiftieth.id, (db, o) => acceptInvite(db, o, last.token));
    expect((await as(owner.id, (db, o) => getList(db, o, list.id))).memberCount).toBe(50);
    await expect(as(fiftyFirst.id, (db, o) => acceptInvite(db, o, extra.token))).rejects.toThrow(
      '50 members',
    );
    await expect(
      as(owner.id, (db, o) =>
        createInvite(db, o, { listId: list.id, email: 'later@example.com', role: 'viewer' }),
      ),
    ).rejects.toThrow('at most 50 members');
  });

  test("a member's todo moves within its list only; afterId in another list is refused", async () => {
    const owner = await user('mover');
    const list = await as(owner.id, (db, o) => createList(db, o, 'Errands'));
    const here = await as(owner.id, (db, o) => createTodo(db, o, { listId: list.id, title: 'here' }));
    const inbox = await as(owner.id, (db, o) => createTodo(db, o, { title: 'inbox' }));
    await expect(as(owner.id, (db, o) => moveTodo(db, o, here.id, inbox.id))).rejects.toThrow(
      'afterId must be a todo of the same list',
    );
    const counts = await as(owner.id, (db, o) => countTodos(db, o, { listId: list.id }));
    expect(counts).toEqual({ all: 1, active: 1, completed: 0 });
  });

  test('invites are counted per account and hour: past the quota, how long to wait', async () => {
    const sender = await user('sender');
    const other = await user('other');
    for (let sent = 0; sent < 3; sent += 1)
      expect(await as(sender.id, (db) => takeInviteQuota(db, 3))).toBeNull();
    const wait = await as(sender.id, (db) => takeInviteQuota(db, 3));
    expect(wait).toBeGreaterThan(3500);
    expect(wait).toBeLessThanOrEqual(3600);
    // Another account's quota is its own; and an hour later the sender's starts again.
    expect(await as(other.id, (db) => takeInviteQuota(db, 3))).toBeNull();
    await sql`update list_invite_quota set window_started_at = now() - interval '1 hour' where user_id = ${sender.id}`.execute(
      database.db,
    );
    expect(await as(sender.id, (db) => takeInviteQuota(db, 3))).toBeNull();
  });
});
