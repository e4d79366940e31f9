import { type Kysely, type Selectable, sql } from 'kysely';
import type { Owner } from './caller.ts';
import type { DB, Todos } from './schema.ts';

export type Todo = {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  /** An instant (ISO-8601 UTC) or null. */
  dueAt: string | null;
  priority: TodoPriority;
  /**
   * The todo's key in its owner's manual order: ascending is that order, and no two of an
   * owner's todos share one. A key, not a rank: it may be fractional, negative or leave gaps.
   */
  position: number;
  createdAt: string;
  updatedAt: string;
};

/** Stored as 0–3 (`todos.priority`), so that "high first" is an order the index can serve. */
export const TODO_PRIORITIES = ['none', 'low', 'medium', 'high'] as const;
export type TodoPriority = (typeof TODO_PRIORITIES)[number];

export type TodoFilter = 'all' | 'active' | 'completed';
/**
 * `newest`/`oldest`: creation time. `manual`: the owner's order (`todo.move`). `due`: soonest
 * first, no due date last. `priority`: high to none. The last two break ties in manual order.
 */
export const TODO_ORDERS = ['newest', 'oldest', 'manual', 'due', 'priority'] as const;
export type TodoOrder = (typeof TODO_ORDERS)[number];

export type ListTodosOptions = {
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

/** Thrown for a cursor that this module did not produce; callers map it to a bad request. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

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

const todoColumns = [
  'id',
  'title',
  'description',
  'completed',
  utcText<string | null>('due_at').as('dueAt'),
  'priority',
  'position',
  utcText('created_at').as('createdAt'),
  utcText('updated_at').as('updatedAt'),
] as const;

type TodoColumns = Pick<TodoRow, 'id' | 'title' | 'description' | 'completed' | 'position'> & {
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

const toTodo = (row: TodoColumns): Todo => ({
  id: row.id,
  title: row.title,
  description: row.description,
  completed: row.completed,
  dueAt: row.dueAt === null ? null : isoFromUtcText(row.dueAt),
  priority: priorityOf(row.priority),
  position: row.position,
  createdAt: isoFromUtcText(row.createdAt),
  updatedAt: isoFromUtcText(row.updatedAt),
});

// The sort keys of the orders beyond creation time, as the indexes of migration 0009 hold them:
// coalesce(due_at, 'infinity') and 3 - priority, as columns the database keeps.
const dueKey = sql<string>`due_key`;
const priorityKey = sql<number>`priority_rank`;

/**
 * A cursor is the last row's exact sort key, so the next page starts right after it:
 * - newest/oldest: `[created_at, id]`, the time as PostgreSQL prints it in UTC (full microsecond
 *   precision, which a JS Date would round away; '+00' says it is UTC), the id breaking ties;
 * - manual: `['manual', position]`; due: `['due', due_at or 'infinity', position]`;
 *   priority: `['priority', 0–3, position]`. Positions are unique per user, so they break ties.
 * A position is a float8, which JSON carries exactly.
 */
type Cursor =
  | { order: 'newest' | 'oldest'; createdAt: string; id: string }
  | { order: 'manual'; position: number }
  | { order: 'due'; due: string; position: number }
  | { order: 'priority'; priority: number; position: number };

function cursorAfter(order: TodoOrder, row: TodoColumns): string {
  const key =
    order === 'newest' || order === 'oldest'
      ? [`${row.createdAt}+00`, row.id]
      : order === 'manual'
        ? ['manual', row.position]
        : order === 'due'
          ? ['due', row.dueAt === null ? 'infinity' : `${row.dueAt}+00`, row.position]
          : ['priority', row.priority, row.position];
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isInstant = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));
const isPosition = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

// invalid_datetime_format, datetime_field_overflow, invalid_time_zone_displacement_value:
// both drivers put the SQLSTATE on `code`.
const isInvalidTimestampError = (error: unknown) =>
  ['22007', '22008', '22009'].includes((error as { code?: unknown } | null)?.code as string);

/** The cursor's key, when it is one this module made for a list in `order`. */
function decodeCursor(order: TodoOrder, cursor: string): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {}
  if (Array.isArray(value)) {
    const [first, second, third] = value as unknown[];
    if ((order === 'newest' || order === 'oldest') && value.length === 2) {
      if (isInstant(first) && typeof second === 'string' && UUID.test(second)) {
        return { order, createdAt: first, id: second };
      }
    } else if (order === 'manual' && value.length === 2 && first === 'manual' && isPosition(second)) {
      return { order, position: second };
    } else if (order === 'due' && value.length === 3 && first === 'due' && isPosition(third)) {
      if (second === 'infinity' || isInstant(second)) return { order, due: second, position: third };
    } else if (order === 'priority' && value.length === 3 && first === 'priority' && isPosition(third)) {
      if (typeof second === 'number' && Number.isInteger(second) && second >= 0 && second <= 3) {
        return { order, priority: second, position: third };
      }
    }
  }
  throw new InvalidCursorError('invalid cursor');
}

/** Rows after the cursor, in the order's direction: one comparison the order's index serves. */
function afterCursor(after: Cursor) {
  switch (after.order) {
    case 'newest':
    case 'oldest':
      return sql<boolean>`(created_at, id) ${sql.raw(after.order === 'newest' ? '<' : '>')} (${after.createdAt}::timestamptz, ${after.id}::uuid)`;
    case 'manual':
      return sql<boolean>`position > ${after.position}::float8`;
    case 'due':
      return sql<boolean>`(${dueKey}, position) > (${after.due}::timestamptz, ${after.position}::float8)`;
    case 'priority':
      return sql<boolean>`(${priorityKey}, position) > (${3 - after.priority}::smallint, ${after.position}::float8)`;
  }
}

/**
 * One page of the user's todos in the given order, by keyset (never OFFSET), so every page
 * costs the same however deep it is.
 *
 * @example const { items, nextCursor } = await listTodos(db, userId, { filter: 'active', order: 'manual', limit: 20 })
 */
export async function listTodos(
  db: Kysely<DB>,
  owner: Owner,
  options: ListTodosOptions = {},
): Promise<TodoPage> {
  const { filter = 'all', search, order = 'newest', dueBefore, dueAfter, limit = 50, cursor } = options;
  const after = cursor ? decodeCursor(order, cursor) : null;

  let query = db.selectFrom('todos').select(todoColumns).where('user_id', '=', owner);
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

  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toTodo),
    nextCursor: rows.length > limit && last ? cursorAfter(order, last) : null,
  };
}

export async function countTodos(db: Kysely<DB>, owner: Owner): Promise<TodoCounts> {
  const row = await db
    .selectFrom('todos')
    .select((eb) => [
      eb.fn.countAll<number>().as('all'),
      sql<number>`count(*) filter (where completed)`.as('completed'),
    ])
    .where('user_id', '=', owner)
    .executeTakeFirstOrThrow();
  const all = Number(row.all);
  const completed = Number(row.completed);
  return { all, active: all - completed, completed };
}

/** The user's todo with this id, or undefined when it does not exist or is someone else's. */
export async function getTodo(db: Kysely<DB>, owner: Owner, id: string): Promise<Todo | undefined> {
  const row = await db
    .selectFrom('todos')
    .select(todoColumns)
    .where('user_id', '=', owner)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toTodo(row);
}

/** What create and update take besides the title; `dueAt` an ISO-8601 instant. */
export type TodoFields = {
  description?: string | null;
  dueAt?: string | null;
  priority?: TodoPriority;
};

const storedPriority = (priority: TodoPriority) => TODO_PRIORITIES.indexOf(priority);

/**
 * Thrown by createTodo for a proposed id that another user's todo has; callers map it to a
 * conflict, and say nothing more about that todo.
 */
export class TodoIdTakenError extends Error {
  override name = 'TodoIdTakenError';
  constructor() {
    super('another todo has this id');
  }
}

/**
 * Adds a todo at the end of the user's manual order. With an `id` (a client-proposed uuid, so
 * that a client offline can refer to the todo before the server has seen it), creating is
 * idempotent: when the user already has a todo with that id, it is returned as it is, and
 * nothing is written (no second row, no change event; the rest of the input is ignored). An id
 * that another user's todo has throws TodoIdTakenError.
 *
 * @example const todo = await createTodo(db, owner, { id: crypto.randomUUID(), title: 'Buy milk' })
 */
export async function createTodo(
  db: Kysely<DB>,
  owner: Owner,
  input: { id?: string; title: string } & TodoFields,
): Promise<Todo> {
  const values = {
    ...(input.id !== undefined && { id: input.id }),
    user_id: owner,
    title: input.title,
    description: input.description ?? null,
    due_at: input.dueAt ?? null,
    priority: storedPriority(input.priority ?? 'none'),
  };
  if (input.id === undefined) {
    return toTodo(
      await db.insertInto('todos').values(values).returning(todoColumns).executeTakeFirstOrThrow(),
    );
  }
  // The insert's statement triggers see no changed row when it does nothing: no event is logged.
  const row = await db
    .insertInto('todos')
    .values(values)
    .onConflict((conflict) => conflict.column('id').doNothing())
    .returning(todoColumns)
    .executeTakeFirst();
  if (row) return toTodo(row);
  // Read as the caller: row-level security and the owner condition hide another user's todo.
  const existing = await getTodo(db, owner, input.id);
  if (!existing) throw new TodoIdTakenError();
  return existing;
}

export type TodoPatch = { title?: string; completed?: boolean } & TodoFields;

/**
 * Applies the patch to the user's todo; undefined when it does not exist or is someone else's.
 * An empty patch changes nothing (not even `updated_at`) and answers with the todo as it is.
 */
export async function updateTodo(
  db: Kysely<DB>,
  owner: Owner,
  id: string,
  patch: TodoPatch,
): Promise<Todo | undefined> {
  const changes = {
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.completed !== undefined && { completed: patch.completed }),
    ...(patch.dueAt !== undefined && { due_at: patch.dueAt }),
    ...(patch.priority !== undefined && { priority: storedPriority(patch.priority) }),
  };
  if (Object.keys(changes).length === 0) return getTodo(db, owner, id);
  const row = await db
    .updateTable('todos')
    .set(changes)
    .where('user_id', '=', owner)
    .where('id', '=', id)
    .returning(todoColumns)
    .executeTakeFirst();
  return row && toTodo(row);
}

/**
 * Puts the user's todo right after `afterId` in their manual order (`null`: first), writing
 * that one row: its new position is the midpoint of its new neighbours, one more than the
 * largest at the end (`todo_next_position`, migration 0011), or one less than the first at the
 * top. Undefined when either
 * todo does not exist or is someone else's.
 *
 * Two moves of one user at once must not compute the same midpoint: the first statement takes
 * the user's lock (the one every write of theirs takes, migration 0007), so the neighbours read
 * next are not about to change. A gap too narrow for a float8 midpoint (about 50 moves into one
 * gap) first renumbers the user's todos 1, 2, 3… in one statement, keeping their order.
 *
 * @example const todo = await moveTodo(db, owner, id, previousId)
 */
export async function moveTodo(
  db: Kysely<DB>,
  owner: Owner,
  id: string,
  afterId: string | null,
): Promise<Todo | undefined> {
  if (afterId === id) return getTodo(db, owner, id);
  await sql`select todo_changes_lock(${owner}::uuid)`.execute(db);
  const mine = sql`select position from todos where user_id = ${owner}`;
  for (let renumbered = false; ; renumbered = true) {
    const { rows } = await sql<{
      current: number | null;
      before: number | null;
      after: number | null;
    }>`
      with anchor as (${mine} and id = ${afterId}::uuid)
      select
        (${mine} and id = ${id}) as current,
        (select position from anchor) as before,
        (${mine} and id <> ${id}
          and position > coalesce((select position from anchor), '-infinity')
          order by position limit 1) as after
    `.execute(db);
    const keys = rows[0];
    if (!keys || keys.current === null || (afterId !== null && keys.before === null)) return undefined;
    const { current, before, after } = keys;
    // Already there: nothing to write.
    if ((before ?? -Infinity) < current && current < (after ?? Infinity)) return getTodo(db, owner, id);
    let position: number | null = null; // null: the end
    if (before === null && after !== null) position = after - 1;
    if (before !== null && after !== null) {
      position = (before + after) / 2;
      if (!(before < position && position < after)) {
        if (renumbered) throw new Error('no room between two positions, even after renumbering');
        await renumberPositions(db, owner);
        continue;
      }
    }
    const row = await db
      .updateTable('todos')
      .set({ position: position === null ? sql<number>`todo_next_position(${owner}::uuid)` : position })
      .where('user_id', '=', owner)
      .where('id', '=', id)
      .returning(todoColumns)
      .executeTakeFirst();
    return row && toTodo(row);
  }
}

/** Renumbers the user's positions 1, 2, 3… in their current order, in one statement. */
async function renumberPositions(db: Kysely<DB>, owner: Owner): Promise<void> {
  await sql`
    update todos set position = ordered.n
    from (select id, row_number() over (order by position) as n from todos where user_id = ${owner}) as ordered
    where todos.user_id = ${owner} and todos.id = ordered.id
  `.execute(db);
}

/** Deletes the user's todo; false when it does not exist or is someone else's. */
export async function deleteTodo(db: Kysely<DB>, owner: Owner, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('todos')
    .where('user_id', '=', owner)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Marks every todo of the user completed (or active); returns how many changed. */
export async function setAllCompleted(db: Kysely<DB>, owner: Owner, completed: boolean): Promise<number> {
  const result = await db
    .updateTable('todos')
    .set({ completed })
    .where('user_id', '=', owner)
    .where('completed', '=', !completed)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes the user's completed todos; returns how many. */
export async function clearCompleted(db: Kysely<DB>, owner: Owner): Promise<number> {
  const result = await db
    .deleteFrom('todos')
    .where('user_id', '=', owner)
    .where('completed', '=', true)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Every todo of the user, in their manual order, in one read: what an export holds.
 *
 * @example const todos = await listAllTodos(db, owner)
 */
export async function listAllTodos(db: Kysely<DB>, owner: Owner): Promise<Todo[]> {
  const rows = await db
    .selectFrom('todos')
    .select(todoColumns)
    .where('user_id', '=', owner)
    .orderBy('position')
    .execute();
  return rows.map(toTodo);
}

/** A todo as an import file holds it; `createdAt` is an ISO-8601 instant, now when absent. */
export type ImportedTodo = {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  dueAt: string | null;
  priority: TodoPriority;
  createdAt: string | null;
};

/**
 * Adds the todos to the user's in one statement, keeping their ids and creation times, at the
 * end of their manual order in the file's order. An id that exists already, the user's own or
 * anyone else's, is skipped and its row left as it is; row-level security makes every added row
 * the caller's. The arrays travel as seven parameters, so the statement's size does not grow
 * with the file.
 *
 * @example const { added, skipped } = await importTodos(db, owner, [{ id, title: 'Tea', description: null, completed: false, dueAt: null, priority: 'none', createdAt: null }])
 */
export async function importTodos(
  db: Kysely<DB>,
  owner: Owner,
  todos: readonly ImportedTodo[],
): Promise<{ added: number; skipped: number }> {
  if (todos.length === 0) return { added: 0, skipped: 0 };
  const { rows } = await sql<{ id: string }>`
    insert into todos (id, user_id, title, description, completed, due_at, priority, created_at)
    select id, ${owner}::uuid, title, description, completed, due_at, priority, coalesce(created_at, now())
    from unnest(
      ${todos.map((todo) => todo.id)}::uuid[],
      ${todos.map((todo) => todo.title)}::text[],
      ${todos.map((todo) => todo.description)}::text[],
      ${todos.map((todo) => todo.completed)}::boolean[],
      ${todos.map((todo) => todo.dueAt)}::timestamptz[],
      ${todos.map((todo) => storedPriority(todo.priority))}::smallint[],
      ${todos.map((todo) => todo.createdAt)}::timestamptz[]
    ) with ordinality as file (id, title, description, completed, due_at, priority, created_at, n)
    order by n
    on conflict (id) do nothing
    returning id
  `.execute(db);
  return { added: rows.length, skipped: todos.length - rows.length };
}
