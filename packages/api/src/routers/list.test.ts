import type { DB } from '@todo/db';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from '@todo/db/testing';
import { TRPCError } from '@trpc/server';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailMessage } from '../auth-mail.ts';
import { createCaller } from '../root.ts';

type Caller = ReturnType<typeof createCaller>;
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
const refusedWith = async (call: Promise<unknown>) => {
  const { code, message } = await refusal(call);
  return { code, message };
};

describe.each(testDrivers)('list and invite routers on %s', (driver) => {
  let database: TestDatabase;
  let db: Kysely<DB>;
  const sent: MailMessage[] = [];
  const mail = {
    send: async (message: MailMessage) => void sent.push(message),
    publicUrl: 'http://todo.test',
  };
  let names = 0;

  /** A signed-in caller with a verified address (unless `verified` is false) and a name. */
  async function person(name: string, { verified = true } = {}) {
    const email = `${name.toLowerCase()}-${++names}@example.com`;
    const userId = await createTestUser(db, name, { email });
    if (verified) await sql`update users set email_verified = true where id = ${userId}`.execute(db);
    return { userId, email, api: createCaller({ db, userId, mail }) };
  }
  /** The token in the last invite mailed to `email`. */
  function tokenMailedTo(email: string) {
    const message = sent.filter((mailed) => mailed.to === email).at(-1);
    const token = message?.link.split('/invite/')[1];
    if (!token) throw new Error(`no invite mailed to ${email}`);
    return token;
  }
  /** A list of `owner`'s that `members` joined by the mailed link. */
  async function shared(
    owner: { api: Caller },
    members: { api: Caller; email: string; role: 'editor' | 'viewer' }[],
    name = 'Shared',
  ) {
    const list = await owner.api.list.create({ name });
    for (const member of members) {
      await owner.api.list.invite({ id: list.id, email: member.email, role: member.role });
      await member.api.invite.accept({ token: tokenMailedTo(member.email) });
    }
    return list;
  }

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.db;
  });
  afterAll(() => database?.dispose());

  it('list.all, create, rename, move and delete, in the contract shape', async () => {
    const ada = await person('Ada');
    const [inbox] = (await ada.api.list.all()).lists;
    const work = await ada.api.list.create({ name: '  Work  ' });
    expect(work).toEqual({
      id: expect.any(String),
      name: 'Work',
      isInbox: false,
      role: 'owner',
      owner: { id: ada.userId, name: 'Ada' },
      memberCount: 1,
      counts: { active: 0, completed: 0 },
    });
    const home = await ada.api.list.create({ name: 'Home' });
    await ada.api.todo.create({ listId: work.id, title: 'Report' });
    expect(await ada.api.list.rename({ id: work.id, name: 'Office' })).toMatchObject({
      name: 'Office',
      counts: { active: 1, completed: 0 },
    });
    expect(await ada.api.list.move({ id: home.id, afterId: null })).toMatchObject({ id: home.id });
    expect((await ada.api.list.all()).lists.map((list) => list.name)).toEqual(['Inbox', 'Home', 'Office']);
    expect(await ada.api.list.delete({ id: work.id })).toEqual({ id: work.id });
    expect((await ada.api.list.all()).lists.map((list) => list.id)).toEqual([inbox?.id, home.id]);
    expect(await refusedWith(ada.api.list.create({ name: 'Two\nlines' }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await refusedWith(ada.api.list.create({ name: '   ' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await refusedWith(ada.api.list.create({ name: 'x'.repeat(101) }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('the Inbox is not renamed, deleted, shared, left or moved: BAD_REQUEST, and no mail', async () => {
    const bo = await person('Bo');
    const [inbox] = (await bo.api.list.all()).lists;
    const id = inbox?.id ?? MISSING_ID;
    const mailed = sent.length;
    const calls = [
      () => bo.api.list.rename({ id, name: 'Mine' }),
      () => bo.api.list.delete({ id }),
      () => bo.api.list.invite({ id, email: 'friend@example.com', role: 'editor' }),
      () => bo.api.list.leave({ id }),
      () => bo.api.list.move({ id, afterId: null }),
    ];
    for (const call of calls) expect((await refusal(call())).code).toBe('BAD_REQUEST');
    expect(sent.length).toBe(mailed);
  });

  it('a non-member gets NOT_FOUND from every todo and list procedure, exactly as for an absent list, and changes nothing', async () => {
    const owner = await person('Owner');
    const stranger = await person('Stranger');
    const list = await owner.api.list.create({ name: 'Private' });
    const todo = await owner.api.todo.create({ listId: list.id, title: 'secret' });
    const own = await stranger.api.todo.create({ title: 'mine' });
    const before = await db.selectFrom('todos').selectAll().orderBy('id').execute();
    const answersFor = async (listId: string, todoId: string) => {
      const api = stranger.api;
      const calls: Record<string, () => Promise<unknown>> = {
        'todo.list': () => api.todo.list({ listId }),
        'todo.counts': () => api.todo.counts({ listId }),
        'todo.create': () => api.todo.create({ listId, title: 'planted' }),
        'todo.setAllCompleted': () => api.todo.setAllCompleted({ listId, completed: true }),
        'todo.clearCompleted': () => api.todo.clearCompleted({ listId }),
        'todo.update (move in)': () => api.todo.update({ id: own.id, listId }),
        'todo.get': () => api.todo.get({ id: todoId }),
        'todo.update': () => api.todo.update({ id: todoId, completed: true }),
        'todo.move': () => api.todo.move({ id: todoId, afterId: null }),
        'todo.move (after)': () => api.todo.move({ id: own.id, afterId: todoId }),
        'todo.delete': () => api.todo.delete({ id: todoId }),
        'list.rename': () => api.list.rename({ id: listId, name: 'Mine' }),
        'list.delete': () => api.list.delete({ id: listId }),
        'list.move': () => api.list.move({ id: listId, afterId: null }),
        'list.members': () => api.list.members({ id: listId }),
        'list.invite': () => api.list.invite({ id: listId, email: stranger.email, role: 'editor' }),
        'list.setRole': () => api.list.setRole({ id: listId, userId: owner.userId, role: 'viewer' }),
        'list.removeMember': () => api.list.removeMember({ id: listId, userId: owner.userId }),
        'list.leave': () => api.list.leave({ id: listId }),
      };
      const answers: Record<string, { code: string; message: string }> = {};
      // One at a time, each awaited as it is made: a refusal never waits unhandled.
      for (const [name, call] of Object.entries(calls)) answers[name] = await refusedWith(call());
      return answers;
    };
    const foreign = await answersFor(list.id, todo.id);
    const absent = await answersFor(MISSING_ID, MISSING_ID);
    expect(foreign).toEqual(absent);
    for (const answer of Object.values(foreign)) expect(answer.code).toBe('NOT_FOUND');
    expect(foreign['todo.list']?.message).toBe('List not found');
    expect(foreign['todo.get']?.message).toBe('Todo not found');
    expect(await db.selectFrom('todos').selectAll().orderBy('id').execute()).toEqual(before);
  });

  it('a viewer reads and gets FORBIDDEN for every write; an editor writes todos and gets FORBIDDEN managing', async () => {
    const owner = await person('Olga');
    const viewer = await person('Vic');
    const editor = await person('Eve');
    const list = await shared(owner, [
      { ...viewer, role: 'viewer' },
      { ...editor, role: 'editor' },
    ]);
    const todo = await owner.api.todo.create({ listId: list.id, title: 'shared' });
    expect((await viewer.api.todo.list({ listId: list.id })).items).toEqual([todo]);
    expect(await viewer.api.todo.counts({ listId: list.id })).toEqual({ all: 1, active: 1, completed: 0 });
    expect(await viewer.api.todo.get({ id: todo.id })).toEqual(todo);
    const mine = await viewer.api.todo.create({ title: 'my own' });
    const viewerWrites = [
      () => viewer.api.todo.create({ listId: list.id, title: 'x' }),
      () => viewer.api.todo.update({ id: todo.id, completed: true }),
      () => viewer.api.todo.update({ id: mine.id, listId: list.id }),
      () => viewer.api.todo.move({ id: todo.id, afterId: null }),
      () => viewer.api.todo.delete({ id: todo.id }),
      () => viewer.api.todo.setAllCompleted({ listId: list.id, completed: true }),
      () => viewer.api.todo.clearCompleted({ listId: list.id }),
    ];
    for (const call of viewerWrites) expect((await refusal(call())).code).toBe('FORBIDDEN');
    const members = await viewer.api.list.members({ id: list.id });
    expect(members.members.map((member) => [member.name, member.role])).toEqual([
      ['Olga', 'owner'],
      ['Vic', 'viewer'],
      ['Eve', 'editor'],
    ]);
    expect(members.invites).toEqual([]);

    const edited = await editor.api.todo.update({ id: todo.id, title: 'edited' });
    expect(edited).toMatchObject({ createdBy: owner.userId, updatedBy: editor.userId });
    const editorManaging = [
      () => editor.api.list.rename({ id: list.id, name: 'Mine' }),
      () => editor.api.list.delete({ id: list.id }),
      () => editor.api.list.invite({ id: list.id, email: 'x@example.com', role: 'viewer' }),
      () => editor.api.list.setRole({ id: list.id, userId: viewer.userId, role: 'editor' }),
      () => editor.api.list.removeMember({ id: list.id, userId: viewer.userId }),
    ];
    for (const call of editorManaging) expect((await refusal(call())).code).toBe('FORBIDDEN');
  });

  it('the owner changes roles, removes a member, revokes an invite; a member leaves', async () => {
    const owner = await person('Pat');
    const member = await person('Max');
    const leaver = await person('Lea');
    const list = await shared(owner, [
      { ...member, role: 'viewer' },
      { ...leaver, role: 'editor' },
    ]);
    expect(await owner.api.list.setRole({ id: list.id, userId: member.userId, role: 'editor' })).toEqual({
      userId: member.userId,
      role: 'editor',
    });
    await member.api.todo.create({ listId: list.id, title: 'now I may' });
    expect(
      (await refusal(owner.api.list.setRole({ id: list.id, userId: owner.userId, role: 'viewer' }))).code,
    ).toBe('BAD_REQUEST');
    expect((await refusal(owner.api.list.leave({ id: list.id }))).code).toBe('BAD_REQUEST');
    expect(await owner.api.list.removeMember({ id: list.id, userId: member.userId })).toEqual({
      userId: member.userId,
    });
    expect((await refusal(member.api.todo.list({ listId: list.id }))).code).toBe('NOT_FOUND');
    expect(await leaver.api.list.leave({ id: list.id })).toEqual({ id: list.id });
    expect((await leaver.api.list.all()).lists.map((each) => each.id)).not.toContain(list.id);

    const { inviteId } = await owner.api.list.invite({
      id: list.id,
      email: 'later@example.com',
      role: 'viewer',
    });
    expect((await owner.api.list.members({ id: list.id })).invites).toEqual([
      { id: inviteId, email: 'later@example.com', role: 'viewer', expiresAt: expect.any(String) },
    ]);
    expect(await owner.api.list.revokeInvite({ inviteId })).toEqual({ inviteId });
    expect((await owner.api.list.members({ id: list.id })).invites).toEqual([]);
    expect((await refusal(owner.api.list.revokeInvite({ inviteId }))).code).toBe('NOT_FOUND');
  });

  it('an invite mails a link to the address, whose owner accepts it once; anyone else cannot', async () => {
    const owner = await person('Quinn');
    const invited = await person('Ivy', { verified: false });
    const other = await person('Oz');
    const list = await owner.api.list.create({ name: 'Trip' });
    await owner.api.list.invite({
      id: list.id,
      email: invited.email.toUpperCase(),
      role: 'editor',
    });
    const message = sent.at(-1);
    expect(message).toMatchObject({ to: invited.email, subject: 'You are invited to a list on Todo' });
    expect(message?.link).toMatch(/^http:\/\/todo\.test\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(message?.text).toContain(message?.link);
    expect(message?.text).toContain('"Quinn"');
    expect(message?.text).toContain('"Trip"');
    const token = tokenMailedTo(invited.email);
    expect(await other.api.invite.get({ token })).toEqual({
      list: { name: 'Trip' },
      invitedBy: { name: 'Quinn' },
      role: 'editor',
      email: invited.email,
    });
    // Signed out too: the invite page greets someone who has no account yet.
    expect(await createCaller({ db, userId: null }).invite.get({ token })).toMatchObject({
      email: invited.email,
    });
    expect(await refusedWith(other.api.invite.accept({ token }))).toEqual({
      code: 'FORBIDDEN',
      message: 'This invite is for another email address',
    });
    // An unverified address is not shown its invites; the mailed token still lets it in.
    expect(await invited.api.invite.pending()).toEqual({ invites: [] });
    expect(await invited.api.invite.accept({ token })).toMatchObject({
      id: list.id,
      role: 'editor',
      memberCount: 2,
    });
    for (const api of [invited.api, other.api]) {
      expect(await refusedWith(api.invite.accept({ token }))).toEqual({
        code: 'NOT_FOUND',
        message: 'Invite not found',
      });
      expect((await refusal(api.invite.get({ token }))).code).toBe('NOT_FOUND');
    }
    expect((await refusal(other.api.invite.accept({ token: 'not a token!' }))).code).toBe('BAD_REQUEST');
    expect((await refusal(other.api.invite.accept({ token: 'A'.repeat(43) }))).code).toBe('NOT_FOUND');
  });

  it('the mail carries no stranger’s words but the two names, each on one line', async () => {
    const owner = await person('Mallory');
    await sql`update users set name = ${'Mallory\r\n\r\nSECURITY ALERT: reset your password at http://evil.test'} where id = ${owner.userId}`.execute(
      db,
    );
    const list = await owner.api.list.create({ name: 'Plans' });
    await owner.api.list.invite({ id: list.id, email: 'target@example.com', role: 'viewer' });
    const message = sent.at(-1);
    expect(message?.subject).toBe('You are invited to a list on Todo');
    const lines = message?.text.split('\n') ?? [];
    expect(lines.filter((line) => line.includes('SECURITY ALERT'))).toEqual([
      expect.stringMatching(/^A Todo user who calls themself "Mallory SECURITY ALERT/),
    ]);
    expect(message?.text).not.toMatch(/^Hello .+,/m);
  });

  it('invites past the hourly quota are TOO_MANY_REQUESTS and mail nothing; a refused one costs nothing', async () => {
    const owner = await person('Sam');
    const list = await owner.api.list.create({ name: 'Many' });
    await sql`insert into list_invite_quota (user_id, window_started_at, sent) values (${owner.userId}, now(), 29)`.execute(
      db,
    );
    await owner.api.list.invite({ id: list.id, email: 'one@example.com', role: 'viewer' });
    const mailed = sent.length;
    const { code, message } = await refusedWith(
      owner.api.list.invite({ id: list.id, email: 'two@example.com', role: 'viewer' }),
    );
    expect(code).toBe('TOO_MANY_REQUESTS');
    expect(message).toMatch(/try again in 60 minutes/);
    expect(sent.length).toBe(mailed);
    expect((await owner.api.list.members({ id: list.id })).invites.map((invite) => invite.email)).toEqual([
      'one@example.com',
    ]);
  });

  it('limits are BAD_REQUEST with what the limit is', async () => {
    const owner = await person('Lim');
    await sql`insert into lists (owner_id, name) select ${owner.userId}, 'l' || n from generate_series(1, 99) n`.execute(
      db,
    );
    expect(await refusedWith(owner.api.list.create({ name: 'One more' }))).toEqual({
      code: 'BAD_REQUEST',
      message: 'An account owns at most 100 lists, its Inbox included',
    });
  });

  it('without mail, invites are refused before anything is written', async () => {
    const userId = await createTestUser(db, 'NoMail');
    const api = createCaller({ db, userId });
    const list = await api.list.create({ name: 'Quiet' });
    expect(
      (await refusal(api.list.invite({ id: list.id, email: 'x@example.com', role: 'viewer' }))).code,
    ).toBe('PRECONDITION_FAILED');
    expect((await api.list.members({ id: list.id })).invites).toEqual([]);
  });
});
