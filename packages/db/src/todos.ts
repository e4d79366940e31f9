/**
 * The Todo as the API shows it, and the reads of a list's todos: one page in any order, the
 * counts, one todo, every todo of the caller's lists. A todo is seen by the members of its list
 * (list-access.ts); writes are in todo-writes.ts, todo-move.ts and todo-import.ts.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Owner } from './caller.ts';
import {
  isMember,
  type ListRef,
  listAccess,
  memberListOf,
  memberLists,
  NotFoundError,
} from './list-access.ts';
import type { DB, Todos } from './schema.ts';
import {
  afterCursor,
  cursorAfter,
  decodeCursor,
  dueKey,
  InvalidCursorError,
  priorityKey,
  type TodoOrder,
} from './todo-cursor.ts';

export { InvalidCursorError, TODO_ORDERS, type TodoOrder } from './todo-cursor.ts';

export type Todo = {
  id: string;
  /** The list it is in; its members see it. */
  listId: string;
  title: string;
  description: string | null;
  completed: boolean;
  /** An instant (ISO-8601 UTC) or null. */
  dueAt: string | null;
  priority: TodoPriority;
  /**
   * The todo's key in its list's manual order: ascending is that order, and no two todos of a
   * list share one. A key, not a rank: it may be fractional, negative or leave gaps.
   */
  position: number;
  /** Who made it and who last changed it (user ids); null once that account is gone. */
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
};

/** Stored as 0–3 (`todos.priority`), so that "high first" is an order the index can serve. */
export const TODO_PRIORITIES = ['none', 'low', 'medium', 'high'] as const;
export type TodoPriority = (typeof TODO_PRIORITIES)[number];

export type TodoFilter = 'all' | 'active' | 'completed';

export type ListTodosOptions = {
  /** The list to read; the caller's Inbox when absent. */
  listId?: ListRef;
  /** Every list the caller is a member of, instead of one (then without `listId`). */
  allLists?: boolean;
  filter?: TodoFilter;
  /** Matched as a literal, case-insensitive substring of the title or the description. */
  search?: string;
  order?: TodoOrder;
  /** Only todos due before this instant (exclusive). */
  dueBefore?: string;
  /** Only todos due at or after this instant. */
  dueAfter?: string;
  limit?: number;
  cursor?: string | null;
};

export type TodoPage = { items: Todo[]; nextCursor: string | null };
export type TodoCounts = { all: number; active: number; completed: number };

type TodoRow = Selectable<Todos>;

// Timestamps leave PostgreSQL as UTC text, its cheapest output ('2026-12-01 05:39:19.984123'
// under DateStyle ISO, every install's default), and take the contract's form (what
// Date#toISOString prints: ISO-8601 UTC, milliseconds) here, by slicing. The benchmark's
// profiles showed both alternatives per row: to_char in the database, a Date to parse and
// print in Node.
const utcText = <Text extends string | null = string>(column: 'created_at' | 'updated_at' | 'due_at') =>
  sql<Text>`(${sql.ref(column)} at time zone 'UTC')::text`;

const UTC_TEXT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$/;

/** '2026-12-01 05:39:19.98' → '2026-12-01T05:39:19.980Z' (milliseconds truncated, as to_char's MS). */
export function isoFromUtcText(text: string): string {
  if (!UTC_TEXT.test(text)) {
    throw new Error(`PostgreSQL printed a timestamp as "${text}"; the app needs DateStyle ISO`);
  }
  // Most times carry at least three fractional digits: one slice holds the time and milliseconds.
  if (text.length >= 23) return `${text.slice(0, 10)}T${text.slice(11, 23)}Z`;
  const milliseconds = text.length > 20 ? text.slice(20, 23).padEnd(3, '0') : '000';
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${milliseconds}Z`;
}

/** The columns every read and write returns, for toTodo. */
export const todoColumns = [
  'id',
  'list_id',
  'title',
  'description',
  'completed',
  utcText<string | null>('due_at').as('dueAt'),
  'priority',
  'position',
  'created_by',
  'updated_by',
  utcText('created_at').as('createdAt'),
  utcText('updated_at').as('updatedAt'),
] as const;

export type TodoColumns = Pick<
  TodoRow,
  'id' | 'list_id' | 'title' | 'description' | 'completed' | 'position' | 'created_by' | 'updated_by'
> & {
  dueAt: string | null;
  priority: number;
  createdAt: string;
  updatedAt: string;
};

const priorityOf = (stored: number): TodoPriority => {
  const priority = TODO_PRIORITIES[stored];
  if (!priority) throw new Error(`todos.priority holds ${stored}, which no priority maps to`);
  return priority;
};

export const storedPriority = (priority: TodoPriority) => TODO_PRIORITIES.indexOf(priority);

export const toTodo = (row: TodoColumns): Todo => ({
  id: row.id,
  listId: row.list_id,
  title: row.title,
  description: row.description,
  completed: row.completed,
  dueAt: row.dueAt === null ? null : isoFromUtcText(row.dueAt),
  priority: priorityOf(row.priority),
  position: row.position,
  createdBy: row.created_by,
  updatedBy: row.updated_by,
  createdAt: isoFromUtcText(row.createdAt),
  updatedAt: isoFromUtcText(row.updatedAt),
});

// invalid_datetime_format, datetime_field_overflow, invalid_time_zone_displacement_value:
// both drivers put the SQLSTATE on `code`.
const isInvalidTimestampError = (error: unknown) =>
  ['22007', '22008', '22009'].includes((error as { code?: unknown } | null)?.code as string);

/**
 * One page of a list's todos (the caller's Inbox by default, or every list of theirs with
 * `allLists`: the Today and Upcoming views) in the given order, by keyset (never OFFSET), so
 * every page costs the same however deep it is. Throws NotFoundError when the
 * caller is not a member of the list: an empty page is checked with a second read, so that a
 * list the caller cannot see is not taken for an empty one. Without `listId`, one more read
 * finds the Inbox's id.
 *
 * @example const { items, nextCursor } = await listTodos(db, owner, { listId, filter: 'active', order: 'manual', limit: 20 })
 */
export async function listTodos(
  db: Kysely<DB>,
  owner: Owner,
  options: ListTodosOptions = {},
): Promise<TodoPage> {
  const {
    listId,
    allLists = false,
    filter = 'all',
    search,
    order = 'newest',
    dueBefore,
    dueAfter,
    limit = 50,
    cursor,
  } = options;
  const after = cursor ? decodeCursor(order, cursor, allLists) : null;
  // The list's id goes in as a value, never as a subquery: the planner then knows from the
  // statistics how large this list is, and reads a large one in index order, stopping after a
  // page, rather than fetch all of it and sort (decision 21). The Inbox's id takes one read.
  // Across lists, the caller's lists are a subquery, and the rows in range are sorted.
  const list = allLists ? null : (listId ?? (await listAccess(db, owner, null))?.listId);
  if (!allLists && !list) throw new NotFoundError('list');

  let query = db.selectFrom('todos').select(todoColumns);
  query = list
    ? query.where('list_id', '=', list).where(isMember(owner, list))
    : query.where('list_id', 'in', memberLists(owner));
  if (filter !== 'all') query = query.where('completed', '=', filter === 'completed');
  if (search) {
    // position() compares literally: % and _ mean themselves, unlike in LIKE.
    query = query.where((eb) =>
      eb.or([
        eb(sql`position(lower(${search}) in lower(title))`, '>', 0),
        eb(sql`position(lower(${search}) in lower(coalesce(description, '')))`, '>', 0),
      ]),
    );
  }
  // On the due order's key, so that its index also serves the range; a todo without a due date
  // ('infinity' there) is never in one.
  if (dueAfter)
    query = query.where(sql<boolean>`${dueKey} >= ${dueAfter}::timestamptz and due_at is not null`);
  if (dueBefore) query = query.where(sql<boolean>`${dueKey} < ${dueBefore}::timestamptz`);
  if (after) query = query.where(afterCursor(after));

  if (order === 'newest' || order === 'oldest') {
    const direction = order === 'newest' ? 'desc' : 'asc';
    query = query.orderBy('created_at', direction).orderBy('id', direction);
  } else {
    if (order === 'due') query = query.orderBy(dueKey);
    if (order === 'priority') query = query.orderBy(priorityKey);
    query = query.orderBy('position');
    // Positions are unique within a list only.
    if (allLists) query = query.orderBy('id');
  }

  const rows = await query
    .limit(limit + 1)
    .execute()
    .catch((error: unknown) => {
      // Date.parse accepts timestamps PostgreSQL does not ('-000001-01-01T00:00:00Z', Feb 31):
      // the database has the last word on a forged cursor, and it is still the caller's fault.
      if (after && isInvalidTimestampError(error)) throw new InvalidCursorError('invalid cursor');
      throw error;
    });
  if (list && rows.length === 0 && !(await listAccess(db, owner, list))) throw new NotFoundError('list');

  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toTodo),
    nextCursor: rows.length > limit && last ? cursorAfter(order, last, allLists) : null,
  };
}

/**
 * How many todos the list holds (the caller's Inbox by default), done and not; throws
 * NotFoundError when the caller is not a member. One statement either way.
 *
 * @example const { active } = await countTodos(db, owner, { listId })
 */
export async function countTodos(
  db: Kysely<DB>,
  owner: Owner,
  { listId }: { listId?: ListRef } = {},
): Promise<TodoCounts> {
  const list = memberListOf(owner, listId);
  // An aggregate answers one row even for no todos: `member` (the list, when the caller is one)
  // tells an empty list from one they may not see.
  const row = await db
    .selectFrom('todos')
    .select((eb) => [
      eb.fn.countAll<number>().as('all'),
      sql<number>`count(*) filter (where completed)`.as('completed'),
      sql<string | null>`${list}`.as('member'),
    ])
    .where('list_id', '=', list)
    .executeTakeFirstOrThrow();
  if (row.member === null) throw new NotFoundError('list');
  const all = Number(row.all);
  const completed = Number(row.completed);
  return { all, active: all - completed, completed };
}

/**
 * The todo with this id, or undefined when it does not exist or is in a list the caller is not
 * a member of.
 */
export async function getTodo(db: Kysely<DB>, owner: Owner, id: string): Promise<Todo | undefined> {
  const row = await db
    .selectFrom('todos')
    .select(todoColumns)
    .where('id', '=', id)
    .where('list_id', 'in', memberLists(owner))
    .executeTakeFirst();
  return row && toTodo(row);
}

/**
 * Every todo of the list (the caller's Inbox by default), in its manual order, in one read:
 * what an export holds. A list the caller is not a member of has none.
 *
 * @example const todos = await listAllTodos(db, owner, { listId })
 */
export async function listAllTodos(
  db: Kysely<DB>,
  owner: Owner,
  { listId }: { listId?: ListRef } = {},
): Promise<Todo[]> {
  const rows = await db
    .selectFrom('todos')
    .select(todoColumns)
    .where('list_id', '=', memberListOf(owner, listId))
    .orderBy('position')
    .execute();
  return rows.map(toTodo);
}

/**
 * Every todo of every list the caller is a member of, list by list in the caller's order (the
 * Inbox first), each list's in its manual order, in one read: what an export holds.
 *
 * @example const todos = await listEveryTodo(db, owner)
 */
export async function listEveryTodo(db: Kysely<DB>, owner: Owner): Promise<Todo[]> {
  const rows = await db
    .selectFrom('todos')
    .select(todoColumns)
    .where('list_id', 'in', memberLists(owner))
    .orderBy(sql`(select is_inbox from lists where lists.id = todos.list_id)`, 'desc')
    .orderBy(
      sql`(select m.position from list_members m where m.list_id = todos.list_id and m.user_id = ${owner}::uuid)`,
    )
    .orderBy('position')
    .execute();
  return rows.map(toTodo);
}
