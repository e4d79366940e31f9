// Hostile input, generated: thousands of calls per procedure through createCaller, on an
// in-memory PGlite. Every call must succeed or be refused as that procedure may be (REFUSALS:
// BAD_REQUEST, NOT_FOUND, FORBIDDEN, CONFLICT for a create proposing another user's id, 429 past
// the invites' quota; never INTERNAL_SERVER_ERROR), and the other user's rows, lists, members
// and invites must be exactly as they were. Alice owns lists, views one of Bob's and is no
// member of his Inbox.
// FUZZ_SEED=<n> replays another sequence; FUZZ_RUNS_SCALE=<x> runs more or fewer.
import { createTestDatabase, createTestUser, defaultTestDriver, type TestDatabase } from '@todo/db/testing';
import { TRPCError } from '@trpc/server';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from './root.ts';
import { ID_PATHS, PROPOSED_ID_PATHS, QUERY_PATHS, REFUSALS } from './testing/expected-answers.ts';
import { type ProcedurePath, procedureInputs } from './testing/hostile-input.ts';
import { fuzzRuns, fuzzSeed } from './testing/hostile-values.ts';
import { othersPrint, othersRows } from './testing/others-rows.ts';

type Caller = ReturnType<typeof createCaller>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invoke(caller: Caller, path: ProcedurePath, input: unknown): Promise<unknown> {
  let target: unknown = caller;
  for (const part of path.split('.')) target = (target as Record<string, unknown>)[part];
  return (target as (input: unknown) => Promise<unknown>)(input);
}

describe('every procedure under hostile input (createCaller, PGlite)', () => {
  let database: TestDatabase;
  let alice: Caller;
  let aliceId: string;
  let bobId: string;
  let bobRows: Awaited<ReturnType<typeof othersRows>>;
  let bobPrint: string | undefined;
  const aliceIds: string[] = [];
  const aliceLists: string[] = [];
  const cursors: string[] = [];
  const invites = { ids: [] as string[], tokens: [] as string[] };
  const outcomes = new Map<string, number>();
  // Invites Alice sends: their tokens join the pool, so that accepting them is tried too.
  const mail = {
    publicUrl: 'http://todo.test',
    send: async (message: { link: string }) => {
      const token = message.link.split('/invite/')[1];
      if (token && invites.tokens.length < 50) invites.tokens.push(token);
    },
  };

  beforeAll(async () => {
    database = await createTestDatabase(defaultTestDriver);
    aliceId = await createTestUser(database.db, 'Alice', { email: 'alice@example.com' });
    bobId = await createTestUser(database.db, 'Bob', { email: 'bob@example.com' });
    await sql`update users set email_verified = true`.execute(database.db);
    alice = createCaller({ db: database.db, userId: aliceId, mail });
    const bob = createCaller({ db: database.db, userId: bobId, mail });
    for (let i = 0; i < 8; i++) {
      await bob.todo.create({ title: `bob's %_ secret ${i}`, description: i % 2 ? 'private' : null });
      aliceIds.push((await alice.todo.create({ title: `alice ${i}` })).id);
    }
    await bob.todo.update({ id: (await bob.todo.list({ limit: 1 })).items[0]?.id ?? '', completed: true });
    const page = await alice.todo.list({ limit: 3 });
    if (page.nextCursor) cursors.push(page.nextCursor);
    for (const name of ['Work', 'Home']) aliceLists.push((await alice.list.create({ name })).id);
    const [aliceInbox] = (await alice.list.all()).lists;
    if (aliceInbox) aliceLists.push(aliceInbox.id);
    // Bob's list that Alice views, and an invite of his that she cannot see.
    const viewing = await bob.list.create({ name: 'Shared' });
    await bob.todo.create({ listId: viewing.id, title: 'shared with alice' });
    await bob.list.invite({ id: viewing.id, email: 'alice@example.com', role: 'viewer' });
    await alice.invite.accept({ token: invites.tokens.pop() ?? '' });
    invites.ids.push(
      (await bob.list.invite({ id: viewing.id, email: 'carol@example.com', role: 'editor' })).inviteId,
    );
    const [bobInbox] = (await bob.list.all()).lists;
    pools.lists = { own: () => aliceLists, foreign: [bobInbox?.id ?? ''], viewing: [viewing.id] };
    pools.users = [aliceId, bobId];
    bobRows = await othersRows(database.db, bobId, aliceId);
    bobPrint = await othersPrint(database.db, bobId, aliceId);
  });

  afterAll(async () => {
    console.log(`fuzz outcomes (seed ${fuzzSeed}): ${JSON.stringify(Object.fromEntries(outcomes))}`);
    await database?.dispose();
  });

  const pools: Parameters<typeof procedureInputs>[0] = {
    own: () => aliceIds,
    foreign: [] as string[],
    cursors: () => cursors,
    invites: () => invites,
  };

  const runs: Record<ProcedurePath, number> = {
    'todo.list': 1500,
    'todo.counts': 300,
    'todo.get': 1200,
    'todo.create': 1500,
    'todo.update': 1500,
    'todo.move': 1200,
    'todo.delete': 1000,
    'todo.setAllCompleted': 900,
    'todo.clearCompleted': 300,
    me: 300,
    'account.export': 200,
    'account.import': 1500,
    'list.all': 200,
    'list.create': 600,
    'list.rename': 800,
    'list.delete': 600,
    'list.move': 800,
    'list.members': 500,
    'list.invite': 800,
    'list.revokeInvite': 400,
    'list.setRole': 600,
    'list.removeMember': 600,
    'list.leave': 400,
    'invite.get': 500,
    'invite.accept': 600,
    'invite.pending': 200,
  };

  it('othersPrint changes with any of Bob’s rows (checked in a transaction rolled back)', async () => {
    const changes = [
      sql`update todos set title = title || '!' where created_by = ${bobId}`,
      sql`update lists set name = name || '!' where owner_id = ${bobId}`,
      sql`delete from list_members m using lists l where l.id = m.list_id and l.owner_id = ${bobId} and m.user_id <> ${aliceId}`,
      sql`delete from list_invites i using lists l where l.id = i.list_id and l.owner_id = ${bobId}`,
    ];
    for (const change of changes) {
      const rolledBack = new Error('rolled back');
      const seen = await database.db
        .transaction()
        .execute(async (trx) => {
          const { numAffectedRows } = await change.execute(trx);
          expect(Number(numAffectedRows)).toBeGreaterThan(0);
          expect(await othersPrint(trx, bobId, aliceId)).not.toBe(bobPrint);
          throw rolledBack;
        })
        .catch((error: unknown) => error);
      expect(seen).toBe(rolledBack);
    }
    expect(await othersPrint(database.db, bobId, aliceId)).toBe(bobPrint);
  });

  it.each(Object.entries(runs) as [ProcedurePath, number][])(
    '%s: only success or the refusals it may give; the other user untouched',
    async (path, numRuns) => {
      pools.foreign = bobRows.todos
        .filter((row) => row.list_id !== pools.lists?.viewing[0])
        .map((row) => row.id);
      const arbitrary = procedureInputs(pools)[path];
      await fc.assert(
        fc.asyncProperty(arbitrary, async (input) => {
          // A create's proposed id, and the todo that already has it (anyone's), if one does.
          const proposed = PROPOSED_ID_PATHS.has(path)
            ? (input as { id?: unknown } | undefined)?.id
            : undefined;
          const holder =
            typeof proposed === 'string' && UUID.test(proposed)
              ? await database.db
                  .selectFrom('todos')
                  .select(['id', 'title'])
                  .where('id', '=', proposed.toLowerCase())
                  .executeTakeFirst()
              : undefined;
          const outcome = await invoke(alice, path, input).then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          const key = `${path}:${outcome.ok ? 'ok' : outcome.error instanceof TRPCError ? outcome.error.code : 'thrown'}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

          if (outcome.ok) {
            const id = (input as { id?: unknown } | undefined)?.id;
            if (ID_PATHS.has(path) || PROPOSED_ID_PATHS.has(path)) expect(pools.foreign).not.toContain(id);
            if (path === 'todo.create') {
              const created = outcome.value as { id: string; title: string };
              if (holder) {
                // A repeat of one's own id: that todo, unchanged.
                expect(pools.foreign).not.toContain(holder.id);
                expect(created).toMatchObject({ id: holder.id, title: holder.title });
              } else {
                expect(created.title).toBe((input as { title: string }).title.trim());
                if (typeof proposed === 'string') expect(created.id).toBe(proposed.toLowerCase());
              }
              aliceIds.push(created.id);
            }
            if (path === 'list.create' && aliceLists.length < 200)
              aliceLists.push((outcome.value as { id: string }).id);
            if (path === 'list.all') {
              const { lists } = outcome.value as { lists: { id: string }[] };
              expect(lists.some((list) => pools.lists?.foreign.includes(list.id))).toBe(false);
            }
            if (path === 'account.import') {
              const { added, skipped } = outcome.value as { added: number; skipped: number };
              expect(added + skipped).toBe((input as { todos: unknown[] }).todos.length);
            }
            if (path === 'account.export') {
              const { todos } = outcome.value as { todos: { id: string }[] };
              expect(todos.every((todo) => !pools.foreign.includes(todo.id))).toBe(true);
            }
            if (path === 'todo.list') {
              const page = outcome.value as { items: { id: string }[]; nextCursor: string | null };
              expect(page.items.every((item) => !pools.foreign.includes(item.id))).toBe(true);
              if (page.nextCursor && cursors.length < 50) cursors.push(page.nextCursor);
            }
          } else {
            expect(outcome.error).toBeInstanceOf(TRPCError);
            const { code } = outcome.error as TRPCError;
            expect(['BAD_REQUEST', ...REFUSALS[path]]).toContain(code);
            // CONFLICT only for an id another user's todo has.
            if (code === 'CONFLICT') expect(pools.foreign).toContain(holder?.id);
          }
          if (!QUERY_PATHS.has(path)) expect(await othersPrint(database.db, bobId, aliceId)).toBe(bobPrint);
        }),
        { numRuns: fuzzRuns(numRuns), seed: fuzzSeed, endOnFailure: true },
      );
      expect(await othersRows(database.db, bobId, aliceId)).toEqual(bobRows);
    },
    120_000,
  );

  // The one call a stranger may make: signed out, any token is BAD_REQUEST or NOT_FOUND (a live
  // one shows its invite, list.test.ts), never an error of the server, and changes nothing.
  // Tokens of the right form (which reach the database), any string, and anything at all.
  const token = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{16,128}$/), fc.string(), fc.anything());
  const signedOutInvite = fc.oneof(fc.record({ token }), fc.anything());
  it('invite.get signed out: only BAD_REQUEST or NOT_FOUND; nothing changes', async () => {
    const stranger = createCaller({ db: database.db, userId: null });
    await fc.assert(
      fc.asyncProperty(signedOutInvite, async (input) => {
        const error = await invoke(stranger, 'invite.get', input).then(
          () => undefined,
          (reason: unknown) => reason,
        );
        expect(error).toBeInstanceOf(TRPCError);
        expect(['BAD_REQUEST', 'NOT_FOUND']).toContain((error as TRPCError).code);
      }),
      { numRuns: fuzzRuns(300), seed: fuzzSeed, endOnFailure: true },
    );
    expect(await othersRows(database.db, bobId, aliceId)).toEqual(bobRows);
  });
});
