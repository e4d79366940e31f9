// A list of 100,000 todos shared by 50 members, read by one of them as the app reads it (the
// role todo_app, row-level security by membership): the first page and the page after row
// 99,000 take the same plan and read the same rows, in every order, as a one-member list does.
import { CompiledQuery, type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DB } from './schema.ts';
import { createTestDatabase, queryRows, type TestDatabase, testDrivers } from './testing.ts';
import { type CursorRow, cursorAfter, TODO_ORDERS, type TodoOrder } from './todo-cursor.ts';
import { listTodos } from './todos.ts';

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
};
const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

const TODOS = 100_000;
const MEMBERS = 50;

/** The SQL order of each list order, to find the row a deep page starts after. */
const orderBy: Record<TodoOrder, string> = {
  newest: 'created_at desc, id desc',
  oldest: 'created_at, id',
  manual: 'position',
  due: 'due_key, position',
  priority: 'priority_rank, position',
};
const indexOf: Record<TodoOrder, string> = {
  newest: 'todos_list_created_idx',
  oldest: 'todos_list_created_idx',
  manual: 'todos_list_position_key',
  due: 'todos_list_due_idx',
  priority: 'todos_list_priority_idx',
};

describe.each(testDrivers.filter((driver) => driver !== 'neon'))(
  'a 100,000-todo list with 50 members on %s',
  (driver) => {
    let database: TestDatabase;
    let big: string;
    let small: string;
    let member: string;
    let loner: string;

    beforeAll(async () => {
      database = await createTestDatabase(driver);
      const db = database.db;
      // 50 members and 200 other accounts with 50 todos each (statistics as a real database has).
      await sql`insert into users (name, email, email_verified)
      select 'm' || i, 'm' || i || '@example.com', true from generate_series(1, ${MEMBERS}) i`.execute(db);
      await sql`insert into users (name, email, email_verified)
      select 'u' || i, 'u' || i || '@example.com', true from generate_series(1, 200) i`.execute(db);
      await sql`insert into todos (created_by, title, completed)
      select u.id, 'todo ' || n, n % 3 = 0 from users u cross join generate_series(1, 50) n
      where u.email like 'u%'`.execute(db);
      const [owner] = await queryRows<{ id: string }>(
        db,
        "select id from users where email = 'm1@example.com'",
      );
      const [list] = await queryRows<{ id: string }>(
        db,
        `insert into lists (owner_id, name) values ('${owner?.id}', 'Big') returning id`,
      );
      big = list?.id ?? '';
      await sql`insert into list_members (list_id, user_id, role, position)
      select ${big}::uuid, id, 'editor', 100 from users where email like 'm%' and id <> ${owner?.id}`.execute(
        db,
      );
      // Without the user triggers (positions are given, and no one needs these 100,000 events).
      await sql`alter table todos disable trigger user`.execute(db);
      await sql`insert into todos (list_id, created_by, title, completed, created_at, due_at, priority, position)
      select ${big}::uuid, ${owner?.id}::uuid, 'chore ' || n, n % 2 = 0,
        timestamptz '2025-01-01 00:00:00+00' + n * interval '1 second',
        case when n % 3 > 0 then timestamptz '2027-01-01 00:00:00+00' + (n / 50) * interval '1 hour' end,
        n % 4, n
      from generate_series(1, ${TODOS}) n`.execute(db);
      await sql`alter table todos enable trigger user`.execute(db);
      const [someone] = await queryRows<{ id: string }>(
        db,
        "select id from users where email = 'm25@example.com'",
      );
      member = someone?.id ?? '';
      // A one-member list of the same shape, to compare with: u1's Inbox.
      const [alone] = await queryRows<{ id: string; owner_id: string }>(
        db,
        "select l.id, l.owner_id from lists l join users u on u.id = l.owner_id where u.email = 'u1@example.com'",
      );
      small = alone?.id ?? '';
      loner = alone?.owner_id ?? '';
      await sql`analyze`.execute(db);
    }, 600_000);
    afterAll(() => database?.dispose());

    /** The statements `run` sends, EXPLAINed (with ANALYZE) as the app's role acting for `userId`. */
    async function plansOf(userId: string, run: (db: Kysely<DB>) => Promise<unknown>) {
      const compiled: CompiledQuery[] = [];
      const recording = database.db.withPlugin({
        transformQuery: ({ node, queryId }) => {
          compiled.push(database.db.getExecutor().compileQuery(node, queryId));
          return node;
        },
        transformResult: async ({ result }) => result,
      });
      await run(recording);
      const plans: { nodes: PlanNode[]; ms: number }[] = [];
      for (const query of compiled) {
        const { rows } = await database.db.transaction().execute(async (trx) => {
          await sql`select set_config('role', 'todo_app', true), set_config('app.user_id', ${userId}, true)`.execute(
            trx,
          );
          return trx.executeQuery<{ 'QUERY PLAN': unknown }>(
            CompiledQuery.raw(`explain (analyze, format json) ${query.sql}`, [...query.parameters]),
          );
        });
        const raw = rows[0]?.['QUERY PLAN'];
        const [top] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [
          { Plan: PlanNode; 'Execution Time': number },
        ];
        plans.push({ nodes: flatten(top.Plan), ms: top['Execution Time'] });
      }
      return plans;
    }

    /** The cursor of the page after the `row`-th todo of the list in `order`, as listTodos makes it. */
    async function cursorAfterRow(list: string, order: TodoOrder, row: number) {
      const [key] = await queryRows<CursorRow>(
        database.db,
        `select id, (created_at at time zone 'UTC')::text as "createdAt", (due_at at time zone 'UTC')::text as "dueAt",
         priority, position from todos where list_id = '${list}' order by ${orderBy[order]} offset ${row - 1} limit 1`,
      );
      if (!key) throw new Error(`no row ${row}`);
      return cursorAfter(order, key);
    }

    const figures: string[] = [];
    afterAll(() => {
      if (figures.length) console.log(`EXPLAIN ANALYZE as todo_app on ${driver}:\n${figures.join('\n')}`);
    });

    test.each(TODO_ORDERS)(
      '%s: the first page and the page after row 99,000 read 51 rows by index, unsorted',
      async (order) => {
        const deep = await cursorAfterRow(big, order, 99_000);
        const [first, after] = await plansOf(member, async (db) => {
          await listTodos(db, member, { listId: big, order, limit: 50 });
          await listTodos(db, member, { listId: big, order, limit: 50, cursor: deep });
        });
        const [alone] = await plansOf(loner, (db) =>
          listTodos(db, loner, { listId: small, order, limit: 50 }),
        );
        for (const plan of [first, after, alone]) {
          const types = plan?.nodes.map((node) => node['Node Type']) ?? [];
          expect(types).not.toContain('Sort');
          expect(types).not.toContain('Seq Scan');
          const scan = plan?.nodes.find((node) => node['Relation Name'] === 'todos');
          expect(['Index Scan', 'Index Only Scan']).toContain(scan?.['Node Type']);
          expect(scan?.['Actual Rows']).toBeLessThanOrEqual(51);
        }
        for (const plan of [first, after]) {
          expect(plan?.nodes.find((node) => node['Relation Name'] === 'todos')?.['Index Name']).toBe(
            indexOf[order],
          );
        }
        figures.push(
          `  ${order}: first page ${first?.ms.toFixed(3)} ms, after row 99,000 ${after?.ms.toFixed(3)} ms, one-member list ${alone?.ms.toFixed(3)} ms`,
        );
      },
    );
  },
);
