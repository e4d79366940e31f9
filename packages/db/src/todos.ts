import { type Kysely, type Selectable, sql } from 'kysely';
import type { Owner } from './caller.ts';
import type { DB, Todos } from './schema.ts';

export type Todo = {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  createdAt: string;
  updatedAt: string;
};

export type TodoFilter = 'all' | 'active' | 'completed';
export type TodoOrder = 'newest' | 'oldest';

export type ListTodosOptions = {
  filter?: TodoFilter;
  /** Matched as a literal, case-insensitive substring of the title or the description. */
  search?: string;
  order?: TodoOrder;
  limit?: number;
  cursor?: string | null;
};

export type TodoPage = { items: Todo[]; nextCursor: string | null };
export type TodoCounts = { all: number; active: number; completed: number };

/** Thrown for a cursor that this module did not produce; callers map it to a bad request. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

type Queryable = Kysely<DB>;

type TodoRow = Selectable<Todos>;

// Timestamps leave PostgreSQL as UTC text, its cheapest output ('2026-12-01 05:39:19.984123'
// under DateStyle ISO, every install's default), and take the contract's form (what
// Date#toISOString prints: ISO-8601 UTC, milliseconds) here, by slicing. The benchmark's
// profiles showed both alternatives per row: to_char in the database, a Date to parse and
// print in Node.
const utcText = (column: 'created_at' | 'updated_at') =>
  sql<string>`(${sql.ref(column)} at time zone 'UTC')::text`;

const UTC_TEXT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$/;

/** '2026-12-01 05:39:19.98' → '2026-12-01T05:39:19.980Z' (milliseconds truncated, as to_char's MS). */
export function isoFromUtcText(text: string): string {
  if (!UTC_TEXT.test(text)) {
    throw new Error(`PostgreSQL printed a timestamp as "${text}"; the app needs DateStyle ISO`);
  }
  const milliseconds = text.length > 20 ? text.slice(20, 23).padEnd(3, '0') : '000';
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${milliseconds}Z`;
}

const todoColumns = [
  'id',
  'title',
  'description',
  'completed',
  utcText('created_at').as('createdAt'),
  utcText('updated_at').as('updatedAt'),
] as const;

type TodoColumns = Pick<TodoRow, 'id' | 'title' | 'description' | 'completed'> & {
  createdAt: string;
  updatedAt: string;
};

const toTodo = (row: TodoColumns): Todo => ({
  id: row.id,
  title: row.title,
  description: row.description,
  completed: row.completed,
  createdAt: isoFromUtcText(row.createdAt),
  updatedAt: isoFromUtcText(row.updatedAt),
});

// A cursor is the last row's exact position: its created_at as PostgreSQL prints it in UTC
// (full microsecond precision, which a JS Date would round away; '+00' says it is UTC) and
// its id, which breaks ties.
const encodeCursor = (utcCreatedAt: string, id: string) =>
  Buffer.from(JSON.stringify([`${utcCreatedAt}+00`, id])).toString('base64url');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// invalid_datetime_format, datetime_field_overflow, invalid_time_zone_displacement_value:
// both drivers put the SQLSTATE on `code`.
const isInvalidTimestampError = (error: unknown) =>
  ['22007', '22008', '22009'].includes((error as { code?: unknown } | null)?.code as string);

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      !Number.isNaN(Date.parse(value[0])) &&
      typeof value[1] === 'string' &&
      UUID.test(value[1])
    ) {
      return [value[0], value[1]];
    }
  } catch {}
  throw new InvalidCursorError('invalid cursor');
}

/**
 * One page of the user's todos in creation order, by keyset (never OFFSET), so every page
 * costs the same however deep it is.
 *
 * @example const { items, nextCursor } = await listTodos(db, userId, { filter: 'active', limit: 20 })
 */
export async function listTodos(
  db: Queryable,
  owner: Owner,
  options: ListTodosOptions = {},
): Promise<TodoPage> {
  const { filter = 'all', search, order = 'newest', limit = 50, cursor } = options;
  const direction = order === 'newest' ? 'desc' : 'asc';
  const after = cursor ? decodeCursor(cursor) : null;

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
  if (after) {
    const [createdAt, id] = after;
    query = query.where(
      sql<boolean>`(created_at, id) ${sql.raw(order === 'newest' ? '<' : '>')} (${createdAt}::timestamptz, ${id}::uuid)`,
    );
  }
  const rows = await query
    .orderBy('created_at', direction)
    .orderBy('id', direction)
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
    nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

export async function countTodos(db: Queryable, owner: Owner): Promise<TodoCounts> {
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
export async function getTodo(db: Queryable, owner: Owner, id: string): Promise<Todo | undefined> {
  const row = await db
    .selectFrom('todos')
    .select(todoColumns)
    .where('user_id', '=', owner)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toTodo(row);
}

export async function createTodo(
  db: Queryable,
  owner: Owner,
  input: { title: string; description?: string | null },
): Promise<Todo> {
  const row = await db
    .insertInto('todos')
    .values({ user_id: owner, title: input.title, description: input.description ?? null })
    .returning(todoColumns)
    .executeTakeFirstOrThrow();
  return toTodo(row);
}

export type TodoPatch = { title?: string; description?: string | null; completed?: boolean };

/**
 * Applies the patch to the user's todo; undefined when it does not exist or is someone else's.
 * An empty patch changes nothing (not even `updated_at`) and answers with the todo as it is.
 */
export async function updateTodo(
  db: Queryable,
  owner: Owner,
  id: string,
  patch: TodoPatch,
): Promise<Todo | undefined> {
  const changes = {
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.completed !== undefined && { completed: patch.completed }),
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

/** Deletes the user's todo; false when it does not exist or is someone else's. */
export async function deleteTodo(db: Queryable, owner: Owner, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('todos')
    .where('user_id', '=', owner)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Marks every todo of the user completed (or active); returns how many changed. */
export async function setAllCompleted(db: Queryable, owner: Owner, completed: boolean): Promise<number> {
  const result = await db
    .updateTable('todos')
    .set({ completed })
    .where('user_id', '=', owner)
    .where('completed', '=', !completed)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes the user's completed todos; returns how many. */
export async function clearCompleted(db: Queryable, owner: Owner): Promise<number> {
  const result = await db
    .deleteFrom('todos')
    .where('user_id', '=', owner)
    .where('completed', '=', true)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Every todo of the user, newest first, in one read: what an export holds.
 *
 * @example const todos = await listAllTodos(db, owner)
 */
export async function listAllTodos(db: Queryable, owner: Owner): Promise<Todo[]> {
  const rows = await db
    .selectFrom('todos')
    .select(todoColumns)
    .where('user_id', '=', owner)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toTodo);
}

/** A todo as an import file holds it; `createdAt` is an ISO-8601 instant, now when absent. */
export type ImportedTodo = {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  createdAt: string | null;
};

/**
 * Adds the todos to the user's in one statement, keeping their ids and creation times. An id
 * that exists already, the user's own or anyone else's, is skipped and its row left as it is;
 * row-level security makes every added row the caller's. The arrays travel as five parameters,
 * so the statement's size does not grow with the file.
 *
 * @example const { added, skipped } = await importTodos(db, owner, [{ id, title: 'Tea', description: null, completed: false, createdAt: null }])
 */
export async function importTodos(
  db: Queryable,
  owner: Owner,
  todos: readonly ImportedTodo[],
): Promise<{ added: number; skipped: number }> {
  if (todos.length === 0) return { added: 0, skipped: 0 };
  const { rows } = await sql<{ id: string }>`
    insert into todos (id, user_id, title, description, completed, created_at)
    select id, ${owner}::uuid, title, description, completed, coalesce(created_at, now())
    from unnest(
      ${todos.map((todo) => todo.id)}::uuid[],
      ${todos.map((todo) => todo.title)}::text[],
      ${todos.map((todo) => todo.description)}::text[],
      ${todos.map((todo) => todo.completed)}::boolean[],
      ${todos.map((todo) => todo.createdAt)}::timestamptz[]
    ) as file (id, title, description, completed, created_at)
    on conflict (id) do nothing
    returning id
  `.execute(db);
  return { added: rows.length, skipped: todos.length - rows.length };
}
