/**
 * Keyset cursors of todo lists: a cursor is the last row's exact sort key, so the next page
 * starts right after it, inside the order's index (todos.ts, listTodos).
 */
import { sql } from 'kysely';

/**
 * `newest`/`oldest`: creation time. `manual`: the list's order (`todo.move`). `due`: soonest
 * first, no due date last. `priority`: high to none. The last two break ties in manual order.
 */
export const TODO_ORDERS = ['newest', 'oldest', 'manual', 'due', 'priority'] as const;
export type TodoOrder = (typeof TODO_ORDERS)[number];

/** Thrown for a cursor that this module did not produce; callers map it to a bad request. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

// The sort keys of the orders beyond creation time, as the indexes of migration 0009 hold them:
// coalesce(due_at, 'infinity') and 3 - priority, as columns the database keeps.
export const dueKey = sql<string>`due_key`;
export const priorityKey = sql<number>`priority_rank`;

/** What a cursor is made from: the row's keys as the list query selects them. */
export type CursorRow = {
  id: string;
  createdAt: string;
  dueAt: string | null;
  priority: number;
  position: number;
};

/**
 * - newest/oldest: `[created_at, id]`, the time as PostgreSQL prints it in UTC (full microsecond
 *   precision, which a JS Date would round away; '+00' says it is UTC), the id breaking ties;
 * - manual: `['manual', position]`; due: `['due', due_at or 'infinity', position]`;
 *   priority: `['priority', 0–3, position]`. Positions are unique per list, so they break ties.
 *   Across lists (`allLists`) two todos may share a position: the id follows it, and breaks them.
 * A position is a float8, which JSON carries exactly.
 */
type Cursor =
  | { order: 'newest' | 'oldest'; createdAt: string; id: string }
  | { order: 'manual'; position: number; id?: string }
  | { order: 'due'; due: string; position: number; id?: string }
  | { order: 'priority'; priority: number; position: number; id?: string };

/** The cursor of the page after `row`, in `order`; `acrossLists`: with the id after the position. */
export function cursorAfter(order: TodoOrder, row: CursorRow, acrossLists = false): string {
  const tie = acrossLists ? [row.id] : [];
  const key =
    order === 'newest' || order === 'oldest'
      ? [`${row.createdAt}+00`, row.id]
      : order === 'manual'
        ? ['manual', row.position, ...tie]
        : order === 'due'
          ? ['due', row.dueAt === null ? 'infinity' : `${row.dueAt}+00`, row.position, ...tie]
          : ['priority', row.priority, row.position, ...tie];
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isInstant = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));
const isPosition = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The id that ends a cross-list cursor (`acrossLists`); a list's own cursor has none. */
function tieOf(value: unknown[], length: number, acrossLists: boolean): { id?: string } | null {
  if (!acrossLists) return value.length === length ? {} : null;
  const id = value[length];
  return value.length === length + 1 && typeof id === 'string' && UUID.test(id) ? { id } : null;
}

/** The cursor's key, when it is one this module made for a list in `order` (`acrossLists`: for
 * every list at once). */
export function decodeCursor(order: TodoOrder, cursor: string, acrossLists = false): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {}
  if (Array.isArray(value)) {
    const [first, second, third] = value as unknown[];
    const tie =
      order === 'newest' || order === 'oldest' ? null : tieOf(value, order === 'manual' ? 2 : 3, acrossLists);
    if ((order === 'newest' || order === 'oldest') && value.length === 2) {
      if (isInstant(first) && typeof second === 'string' && UUID.test(second)) {
        return { order, createdAt: first, id: second };
      }
    } else if (order === 'manual' && tie && first === 'manual' && isPosition(second)) {
      return { order, position: second, ...tie };
    } else if (order === 'due' && tie && first === 'due' && isPosition(third)) {
      if (second === 'infinity' || isInstant(second)) return { order, due: second, position: third, ...tie };
    } else if (order === 'priority' && tie && first === 'priority' && isPosition(third)) {
      if (typeof second === 'number' && Number.isInteger(second) && second >= 0 && second <= 3) {
        return { order, priority: second, position: third, ...tie };
      }
    }
  }
  throw new InvalidCursorError('invalid cursor');
}

/** Rows after the cursor, in the order's direction: one comparison the order's index serves. */
export function afterCursor(after: Cursor) {
  // Across lists, the id after the position.
  const column = after.order !== 'newest' && after.order !== 'oldest' && after.id ? sql`, id` : sql``;
  const value =
    after.order !== 'newest' && after.order !== 'oldest' && after.id ? sql`, ${after.id}::uuid` : sql``;
  switch (after.order) {
    case 'newest':
    case 'oldest':
      return sql<boolean>`(created_at, id) ${sql.raw(after.order === 'newest' ? '<' : '>')} (${after.createdAt}::timestamptz, ${after.id}::uuid)`;
    case 'manual':
      return sql<boolean>`(position${column}) > (${after.position}::float8${value})`;
    case 'due':
      return sql<boolean>`(${dueKey}, position${column}) > (${after.due}::timestamptz, ${after.position}::float8${value})`;
    case 'priority':
      return sql<boolean>`(${priorityKey}, position${column}) > (${3 - after.priority}::smallint, ${after.position}::float8${value})`;
  }
}
