// Pure helpers that fold one `todo.changes` event into a cached list and the counts, by the
// server's own rules for which todos a list holds and in what order (packages/db todos.ts).
import type { Todo, TodoCounts } from '../trpc.ts';
import { PRIORITIES } from './priorities.ts';
import { matchesSearch, removeTodos } from './todo-cache.ts';
import { type TodoList, todosOf } from './todo-pages.ts';
import { type Filter, matches } from './use-filter.ts';

const FILTERS: readonly unknown[] = ['all', 'active', 'completed'] satisfies Filter[];
const ORDERS = ['newest', 'oldest', 'manual', 'due', 'priority'] as const;

/** What a cached list shows: which todos, and in what order. Due bounds in epoch milliseconds. */
export type ListView = {
  filter: Filter;
  order: (typeof ORDERS)[number];
  search?: string;
  dueAfter?: number;
  dueBefore?: number;
};

// `allLists` says which lists a list reads (every one), not what it shows of them.
const VIEW_KEYS = new Set([
  'allLists',
  'filter',
  'order',
  'search',
  'dueAfter',
  'dueBefore',
  'limit',
  'cursor',
  'direction',
]);

/**
 * The view of a `todo.list` query from its input (the server's defaults: all, newest first), or
 * null for an input this code does not know, which is refetched instead.
 */
export function listViewOf(input: unknown): ListView | null {
  const fields = (input ?? {}) as Record<string, unknown>;
  if (typeof fields !== 'object' || Object.keys(fields).some((key) => !VIEW_KEYS.has(key))) return null;
  const { filter = 'all', order = 'newest', search, dueAfter, dueBefore } = fields;
  const known = ORDERS.find((name) => name === order);
  if (!FILTERS.includes(filter) || !known) return null;
  if (search !== undefined && typeof search !== 'string') return null;
  const view: ListView = { filter: filter as Filter, order: known };
  // As the server takes them: an empty search is none; a bound is an instant.
  if (search) view.search = search;
  for (const [key, value] of [
    ['dueAfter', dueAfter],
    ['dueBefore', dueBefore],
  ] as const) {
    if (value === undefined) continue;
    const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(time)) return null;
    view[key] = time;
  }
  return view;
}

/** Whether the view's list holds every todo, so that what it lacks does not exist. */
export const showsEverything = (view: ListView): boolean =>
  view.filter === 'all' && !view.search && view.dueAfter === undefined && view.dueBefore === undefined;

const dueTime = (todo: Todo) => (todo.dueAt === null ? Number.POSITIVE_INFINITY : Date.parse(todo.dueAt));
// High first: PRIORITIES lists them lowest first.
const priorityRank = (todo: Todo) => -PRIORITIES.findIndex((option) => option.priority === todo.priority);
const ascending = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Negative when `a` comes before `b` in the view's order, as the server sorts: creation time
 * then id; position; due (none last) then position; priority (high first) then position.
 */
function compare(view: ListView, a: Todo, b: Todo): number {
  switch (view.order) {
    case 'newest':
    case 'oldest': {
      const byCreation = ascending(a.createdAt, b.createdAt) || ascending(a.id, b.id);
      return view.order === 'oldest' ? byCreation : -byCreation;
    }
    case 'manual':
      return ascending(a.position, b.position);
    case 'due':
      return ascending(dueTime(a), dueTime(b)) || ascending(a.position, b.position);
    case 'priority':
      return ascending(priorityRank(a), priorityRank(b)) || ascending(a.position, b.position);
  }
}

/** Whether `todo` belongs in the view's list: its filter, search and due range. */
function holds(view: ListView, todo: Todo): boolean {
  const due = todo.dueAt === null ? null : Date.parse(todo.dueAt);
  return (
    matches(view.filter, todo.completed) &&
    (!view.search || matchesSearch(todo, view.search)) &&
    (view.dueAfter === undefined || (due !== null && due >= view.dueAfter)) &&
    (view.dueBefore === undefined || (due !== null && due < view.dueBefore))
  );
}

/**
 * Whether the loaded pages reach as far as `todo`'s place: if not, it arrives with a later page.
 * The next page starts right after the last todo loaded, so the todo that is last may stay there.
 */
export function covers(view: ListView, list: TodoList, todo: Todo): boolean {
  const last = list.pages.at(-1);
  if (!last || last.nextCursor === null) return true;
  const lastLoaded = todosOf(list).at(-1);
  if (!lastLoaded) return false;
  const order = compare(view, todo, lastLoaded);
  return order < 0 || (order === 0 && lastLoaded.id === todo.id);
}

/**
 * The list with `todo` as the server now has it, at its place in the view's order: moved there
 * when it was elsewhere, taken out when the view no longer holds it or its place lies beyond the
 * loaded pages.
 */
export function withTodo(view: ListView, list: TodoList, todo: Todo): TodoList {
  const rest = removeTodos(list, (item) => item.id === todo.id);
  if (!holds(view, todo) || !covers(view, list, todo)) return rest;
  let placed = false;
  const pages = rest.pages.map((page, index) => {
    if (placed) return page;
    const at = page.items.findIndex((item) => compare(view, todo, item) < 0);
    const isLast = index === rest.pages.length - 1;
    if (at === -1 && !isLast) return page;
    placed = true;
    const items = [...page.items];
    items.splice(at === -1 ? items.length : at, 0, todo);
    return { ...page, items };
  });
  return { ...rest, pages };
}

/** The counts after `before` (undefined: a new todo) became `after` (undefined: deleted). */
export function countsAfterChange(
  counts: TodoCounts,
  before: Todo | undefined,
  after: Todo | undefined,
): TodoCounts {
  const tally = (todo: Todo | undefined, sign: number) => ({
    all: todo ? sign : 0,
    active: todo && !todo.completed ? sign : 0,
    completed: todo?.completed ? sign : 0,
  });
  const removed = tally(before, -1);
  const added = tally(after, 1);
  return {
    all: counts.all + removed.all + added.all,
    active: counts.active + removed.active + added.active,
    completed: counts.completed + removed.completed + added.completed,
  };
}
