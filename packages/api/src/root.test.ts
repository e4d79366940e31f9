import type { DB } from '@todo/db';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from '@todo/db/testing';
import { TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { appRouter, createCaller, type RouterInputs, type RouterOutputs } from './index.ts';

const SOME_ID = '00000000-0000-4000-8000-000000000000';

describe.each(testDrivers)('appRouter on %s', (driver) => {
  let database: TestDatabase;
  let db: Kysely<DB>;
  let userId: string;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.db;
    userId = await createTestUser(db, 'Carol', { email: 'carol@example.com' });
  });
  afterAll(() => database?.dispose());

  it('me returns the caller’s profile', async () => {
    const me = await createCaller({ db, userId }).me();
    expect(me).toEqual({
      id: userId,
      email: 'carol@example.com',
      name: 'Carol',
      createdAt: expect.stringMatching(/Z$/),
    });
  });

  it('me is UNAUTHORIZED for a session whose user no longer exists', async () => {
    const ghost = createCaller({ db, userId: SOME_ID });
    await expect(ghost.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  describe('without a session every procedure is UNAUTHORIZED and changes nothing', () => {
    const anonymous = () => createCaller({ db, userId: null });
    const calls: Record<string, () => Promise<unknown>> = {
      me: () => anonymous().me(),
      'todo.list': () => anonymous().todo.list({ filter: 'active' }),
      'todo.counts': () => anonymous().todo.counts(),
      'todo.get': () => anonymous().todo.get({ id: SOME_ID }),
      'todo.create': () => anonymous().todo.create({ title: 'sneaky' }),
      'todo.update': () => anonymous().todo.update({ id: SOME_ID, completed: true }),
      'todo.move': () => anonymous().todo.move({ id: SOME_ID, afterId: null }),
      'todo.delete': () => anonymous().todo.delete({ id: SOME_ID }),
      'todo.setAllCompleted': () => anonymous().todo.setAllCompleted({ completed: true }),
      'todo.clearCompleted': () => anonymous().todo.clearCompleted(),
      'todo.changes': () => anonymous().todo.changes({}),
      'list.all': () => anonymous().list.all(),
      'list.create': () => anonymous().list.create({ name: 'sneaky' }),
      'list.rename': () => anonymous().list.rename({ id: SOME_ID, name: 'sneaky' }),
      'list.delete': () => anonymous().list.delete({ id: SOME_ID }),
      'list.move': () => anonymous().list.move({ id: SOME_ID, afterId: null }),
      'list.members': () => anonymous().list.members({ id: SOME_ID }),
      'list.invite': () => anonymous().list.invite({ id: SOME_ID, email: 'x@example.com', role: 'editor' }),
      'list.revokeInvite': () => anonymous().list.revokeInvite({ inviteId: SOME_ID }),
      'list.setRole': () => anonymous().list.setRole({ id: SOME_ID, userId: SOME_ID, role: 'viewer' }),
      'list.removeMember': () => anonymous().list.removeMember({ id: SOME_ID, userId: SOME_ID }),
      'list.leave': () => anonymous().list.leave({ id: SOME_ID }),
      'invite.accept': () => anonymous().invite.accept({ token: 'a'.repeat(43) }),
      'invite.pending': () => anonymous().invite.pending(),
      'account.export': () => anonymous().account.export(),
      'account.import': () =>
        anonymous().account.import({ todos: [{ id: SOME_ID, title: 'sneaky', completed: false }] }),
    };

    it('covers every procedure of the router, and only an invite’s preview is open to anyone', async () => {
      expect([...Object.keys(calls), 'invite.get'].sort()).toEqual(
        Object.keys(appRouter._def.procedures).sort(),
      );
      // Signed out, an unknown token is as absent as for anyone (list.test.ts: a live one shows).
      await expect(anonymous().invite.get({ token: 'a'.repeat(43) })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it.each(Object.keys(calls))('%s', async (name) => {
      const mine = await createCaller({ db, userId }).todo.create({
        title: `kept for ${name}`,
        description: null,
      });
      const before = await db.selectFrom('todos').selectAll().orderBy('id').execute();
      const error = await calls[name]!().catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe('UNAUTHORIZED');
      expect(await db.selectFrom('todos').selectAll().orderBy('id').execute()).toEqual(before);
      expect(before.map((todo) => todo.id)).toContain(mine.id);
    });

    it('checks the session before the input, so invalid input reveals nothing either', async () => {
      await expect(anonymous().todo.create({ title: '' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      await expect(anonymous().todo.get({ id: 'nope' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    });
  });

  it('exports input and output types that match the contract', () => {
    type Todo = {
      id: string;
      listId: string;
      title: string;
      description: string | null;
      completed: boolean;
      dueAt: string | null;
      priority: 'none' | 'low' | 'medium' | 'high';
      position: number;
      createdBy: string | null;
      updatedBy: string | null;
      createdAt: string;
      updatedAt: string;
    };
    expectTypeOf<RouterOutputs['todo']['get']>().toEqualTypeOf<Todo>();
    expectTypeOf<RouterOutputs['todo']['move']>().toEqualTypeOf<Todo>();
    expectTypeOf<RouterInputs['todo']['move']>().toEqualTypeOf<{ id: string; afterId: string | null }>();
    expectTypeOf<RouterOutputs['todo']['list']>().toEqualTypeOf<{
      items: Todo[];
      nextCursor: string | null;
    }>();
    expectTypeOf<RouterOutputs['todo']['counts']>().toEqualTypeOf<{
      all: number;
      active: number;
      completed: number;
    }>();
    type List = {
      id: string;
      name: string;
      isInbox: boolean;
      role: 'owner' | 'editor' | 'viewer';
      owner: { id: string; name: string };
      memberCount: number;
      counts: { active: number; completed: number };
    };
    expectTypeOf<RouterOutputs['list']['all']>().toEqualTypeOf<{ lists: List[] }>();
    expectTypeOf<RouterOutputs['list']['create']>().toEqualTypeOf<List>();
    expectTypeOf<RouterOutputs['invite']['accept']>().toEqualTypeOf<List>();
    expectTypeOf<RouterInputs['list']['move']>().toEqualTypeOf<{ id: string; afterId: string | null }>();
    expectTypeOf<RouterInputs['list']['invite']>().toEqualTypeOf<{
      id: string;
      email: string;
      role: 'editor' | 'viewer';
    }>();
    expectTypeOf<RouterOutputs['invite']['get']>().toEqualTypeOf<{
      list: { name: string };
      invitedBy: { name: string };
      role: 'editor' | 'viewer';
      email: string;
    }>();
    expectTypeOf<RouterOutputs['me']>().toEqualTypeOf<{
      id: string;
      email: string;
      name: string;
      createdAt: string;
    }>();
    expectTypeOf<RouterOutputs['account']['export']>().toEqualTypeOf<{
      exportedAt: string;
      user: { id: string; email: string; name: string; createdAt: string };
      lists: { id: string; name: string; isInbox: boolean; role: 'owner' | 'editor' | 'viewer' }[];
      todos: Todo[];
    }>();
    expectTypeOf<RouterOutputs['account']['export']>().toExtend<RouterInputs['account']['import']>();
    expectTypeOf<RouterOutputs['account']['import']>().toEqualTypeOf<{ added: number; skipped: number }>();
    expectTypeOf<{ id: string; description: null }>().toExtend<RouterInputs['todo']['update']>();
    expectTypeOf<{ id: string; title: string; completed: boolean }>().toExtend<
      RouterInputs['todo']['update']
    >();
    expectTypeOf<undefined>().toExtend<RouterInputs['todo']['list']>();
    expectTypeOf<{
      filter: 'completed';
      search: string;
      order: 'oldest';
      limit: number;
      cursor: string | null;
    }>().toExtend<RouterInputs['todo']['list']>();
    expectTypeOf<{ filter: 'done' }>().not.toExtend<RouterInputs['todo']['list']>();
  });
});
