import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from './testing.ts';
import { countTodos, type ListTodosOptions, listTodos, TODO_ORDERS } from './todos.ts';

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
};

const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

describe.each(testDrivers)('index use on %s', (driver) => {
  let database: TestDatabase;
  let userId: string;
  let heavyUserId: string;
  // Each one's Inbox, where their todos are: a list query names its list.
  let list: string;
  let heavyList: string;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    // 200 users with 50 todos each, in two set-based statements (not 200 createTestUser round
    // trips); then statistics for the planner.
    await sql`
      insert into users (name, email, email_verified)
      select 'user ' || i, 'user' || i || '@example.com', false from generate_series(1, 200) i
    `.execute(database.db);
    await sql`
      insert into todos (created_by, title, description, completed, created_at)
      select u.id, 'todo ' || n, case when n % 7 = 0 then 'details ' || n end, n % 3 = 0,
             timestamptz '2024-01-01 00:00:00+00' + n * interval '1 minute'
      from users u cross join generate_series(1, 50) n
    `.execute(database.db);
    // One heavy user, where reading in index order beats fetching everything and sorting.
    heavyUserId = await createTestUser(database.db, 'heavy');
    await sql`
      insert into todos (created_by, title, completed, created_at, due_at, priority)
      select ${heavyUserId}::uuid, 'chore ' || n, n % 2 = 0,
             timestamptz '2023-01-01 00:00:00+00' + (n / 10) * interval '1 second',
             case when n % 3 > 0 then timestamptz '2027-01-01 00:00:00+00' + (n / 50) * interval '1 day' end,
             n % 4
      from generate_series(1, 5000) n
    `.execute(database.db);
    await sql`analyze`.execute(database.db);
    const user = await database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'user100@example.com')
      .executeTakeFirstOrThrow();
    userId = user.id;
    const inboxOf = async (owner: string) =>
      (
        await database.db
          .selectFrom('lists')
          .select('id')
          .where('owner_id', '=', owner)
          .where('is_inbox', '=', true)
          .executeTakeFirstOrThrow()
      ).id;
    list = await inboxOf(userId);
    heavyList = await inboxOf(heavyUserId);
  });
  afterAll(() => database?.dispose());

  /**
   * Runs `run` against a db that records the SQL it sends, then EXPLAINs each statement as the
   * app runs it: as the role `todo_app` acting for `owner`, under row-level security (membership
   * of the list, migration 0015), where only leakproof comparisons may reach into an index scan.
   */
  async function plansOf(owner: string, run: (db: TestDatabase['db']) => Promise<unknown>) {
    const compiled: CompiledQuery[] = [];
    const recording = database.db.withPlugin({
      transformQuery: ({ node, queryId }) => {
        compiled.push(database.db.getExecutor().compileQuery(node, queryId));
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    await run(recording);
    expect(compiled.length).toBeGreaterThan(0);
    const plans: PlanNode[][] = [];
    for (const query of compiled) {
      const { rows } = await database.db.transaction().execute(async (trx) => {
        await sql`select set_config('role', 'todo_app', true), set_config('app.user_id', ${owner}, true)`.execute(
          trx,
        );
        return trx.executeQuery<{ 'QUERY PLAN': unknown }>(
          CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]),
        );
      });
      const raw = rows[0]?.['QUERY PLAN'];
      const [top] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
      plans.push(flatten(top.Plan));
    }
    return plans;
  }

  const expectIndexOnly = (nodes: PlanNode[]) => {
    const onTodos = nodes.filter((node) => node['Relation Name'] === 'todos');
    expect(onTodos.length).toBeGreaterThan(0);
    expect(onTodos.map((node) => node['Node Type'])).not.toContain('Seq Scan');
    expect(nodes.some((node) => node['Index Name']?.startsWith('todos_list_'))).toBe(true);
  };

  const variants: ListTodosOptions[] = [];
  for (const order of TODO_ORDERS) {
    for (const filter of ['all', 'active', 'completed'] as const) variants.push({ order, filter });
  }
  // A due range is a range of the due order's index.
  for (const filter of ['all', 'active'] as const) {
    variants.push({
      order: 'due',
      filter,
      dueAfter: '2027-01-10T00:00:00Z',
      dueBefore: '2027-02-01T00:00:00Z',
    });
  }

  /** The index that serves each order, and each order narrowed to active or completed todos. */
  const indexOf = ({ order = 'newest', filter = 'all' }: ListTodosOptions) => {
    const narrowed = filter !== 'all';
    switch (order) {
      case 'newest':
      case 'oldest':
        return narrowed ? 'todos_list_completed_created_idx' : 'todos_list_created_idx';
      case 'manual':
        return narrowed ? 'todos_list_completed_position_idx' : 'todos_list_position_key';
      case 'due':
        return narrowed ? 'todos_list_completed_due_idx' : 'todos_list_due_idx';
      case 'priority':
        return narrowed ? 'todos_list_completed_priority_idx' : 'todos_list_priority_idx';
    }
  };

  test.each(variants)("one user's list (%o) uses an index, no sequential scan", async (options) => {
    const [plan] = await plansOf(userId, (db) =>
      listTodos(db, userId, { ...options, listId: list, limit: 50 }),
    );
    expectIndexOnly(plan ?? []);
  });

  // (A due range is left to the planner: with few rows in it, reading them and sorting is cheaper.)
  test.each(variants.filter((options) => !options.dueAfter))(
    'a user with thousands of todos (%o) is read in index order, without a sort',
    async (options) => {
      const first = await listTodos(database.db, heavyUserId, { ...options, listId: heavyList, limit: 50 });
      const plans = await plansOf(heavyUserId, async (db) => {
        await listTodos(db, heavyUserId, { ...options, listId: heavyList, limit: 50 });
        await listTodos(db, heavyUserId, {
          ...options,
          listId: heavyList,
          limit: 50,
          cursor: first.nextCursor,
        });
      });
      expect(first.nextCursor).not.toBeNull();
      const index = indexOf(options);
      for (const plan of plans) {
        expectIndexOnly(plan);
        const types = plan.map((node) => node['Node Type']);

        expect(types).not.toContain('Sort');
        expect(
          plan.find((node) => node['Node Type'] === 'Index Scan' && node['Relation Name'] === 'todos')?.[
            'Index Name'
          ],
        ).toBe(index);
      }
      // The next page starts where the cursor points, inside the index: not a filter over the rows before it.
      const scan = plans[1]?.find(
        (node) => node['Node Type'] === 'Index Scan' && node['Relation Name'] === 'todos',
      );
      expect(scan?.['Index Cond']).toMatch(/position|created_at/);
    },
  );

  test('so do the next page, a search and the counts', async () => {
    const first = await listTodos(database.db, userId, { listId: list, limit: 10 });
    expect(first.nextCursor).not.toBeNull();
    const plans = await plansOf(userId, async (db) => {
      await listTodos(db, userId, { listId: list, limit: 10, cursor: first.nextCursor });
      await listTodos(db, userId, { listId: list, filter: 'active', search: 'details', order: 'oldest' });
      await countTodos(db, userId, { listId: list });
    });
    expect(plans).toHaveLength(3);
    for (const plan of plans) expectIndexOnly(plan);
  });
});
