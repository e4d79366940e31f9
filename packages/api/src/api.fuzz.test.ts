// Hostile input, generated: thousands of calls per procedure through createCaller, on an
// in-memory PGlite. Every call must succeed or be refused as BAD_REQUEST / NOT_FOUND / CONFLICT
// (a create proposing another user's id; never INTERNAL_SERVER_ERROR), and the other user's
// rows must be exactly as they were.
// FUZZ_SEED=<n> replays another sequence; FUZZ_RUNS_SCALE=<x> runs more or fewer.
import type { DB } from '@todo/db';
import { createTestDatabase, createTestUser, type TestDatabase } from '@todo/db/testing';
import { TRPCError } from '@trpc/server';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from './root.ts';
import {
  fuzzRuns,
  fuzzSeed,
  ID_PATHS,
  PROPOSED_ID_PATHS,
  type ProcedurePath,
  procedureInputs,
  QUERY_PATHS,
} from './testing/hostile-input.ts';

type Caller = ReturnType<typeof createCaller>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invoke(caller: Caller, path: ProcedurePath, input: unknown): Promise<unknown> {
  let target: unknown = caller;
  for (const part of path.split('.')) target = (target as Record<string, unknown>)[part];
  return (target as (input: unknown) => Promise<unknown>)(input);
}

const snapshot = (db: Kysely<DB>, userId: string) =>
  db.selectFrom('todos').selectAll().where('user_id', '=', userId).orderBy('id').execute();

describe('every procedure under hostile input (createCaller, PGlite)', () => {
  let database: TestDatabase;
  let alice: Caller;
  let bobId: string;
  let bobRows: Awaited<ReturnType<typeof snapshot>>;
  const aliceIds: string[] = [];
  const cursors: string[] = [];
  const outcomes = new Map<string, number>();

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    const aliceId = await createTestUser(database.db, 'Alice', { email: 'alice@example.com' });
    bobId = await createTestUser(database.db, 'Bob', { email: 'bob@example.com' });
    alice = createCaller({ db: database.db, userId: aliceId });
    const bob = createCaller({ db: database.db, userId: bobId });
    for (let i = 0; i < 8; i++) {
      await bob.todo.create({ title: `bob's %_ secret ${i}`, description: i % 2 ? 'private' : null });
      aliceIds.push((await alice.todo.create({ title: `alice ${i}` })).id);
    }
    await bob.todo.update({ id: (await bob.todo.list({ limit: 1 })).items[0]?.id ?? '', completed: true });
    const page = await alice.todo.list({ limit: 3 });
    if (page.nextCursor) cursors.push(page.nextCursor);
    bobRows = await snapshot(database.db, bobId);
  });

  afterAll(async () => {
    console.log(`fuzz outcomes (seed ${fuzzSeed}): ${JSON.stringify(Object.fromEntries(outcomes))}`);
    await database?.dispose();
  });

  const pools = { own: () => aliceIds, foreign: [] as string[], cursors: () => cursors };

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
  };

  it.each(Object.entries(runs) as [ProcedurePath, number][])(
    '%s: only success, BAD_REQUEST, NOT_FOUND or CONFLICT where valid; the other user untouched',
    async (path, numRuns) => {
      pools.foreign = bobRows.map((row) => row.id);
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
            const valid = ['BAD_REQUEST'];
            if (ID_PATHS.has(path)) valid.push('NOT_FOUND');
            if (PROPOSED_ID_PATHS.has(path)) valid.push('CONFLICT');
            expect(valid).toContain(code);
            // CONFLICT only for an id another user's todo has.
            if (code === 'CONFLICT') expect(pools.foreign).toContain(holder?.id);
          }
          if (!QUERY_PATHS.has(path)) expect(await snapshot(database.db, bobId)).toEqual(bobRows);
        }),
        { numRuns: fuzzRuns(numRuns), seed: fuzzSeed, endOnFailure: true },
      );
      expect(await snapshot(database.db, bobId)).toEqual(bobRows);
    },
    120_000,
  );
});
