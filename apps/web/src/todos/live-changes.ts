// Pure helpers that fold one `todo.changes` event into a cached list and the counts.
import type { Todo, TodoCounts } from '../trpc.ts';
import type { TodoList } from './todo-cache.ts';

/** What a cached list shows, when it is simple enough to be changed in place. */
export type ListView = { filter: 'all' | 'active' | 'completed'; order: 'newest' | 'oldest' };

const VIEW_KEYS = new Set(['filter', 'order', 'limit', 'cursor', 'direction']);

/**
 * The view of a `todo.list` query from its input (the server's defaults: all, newest first), or
 * null for a list the event cannot be folded into safely, which is refetched instead: a search,
 * an input this code does not know, and the manual, due and priority orders (a move arrives as
 * an upsert that does not say where the todo went, and those orders depend on other todos'
 * positions).
 */
export function listViewOf(input: unknown): ListView | null {
  const fields = (input ?? {}) as Record<string, unknown>;
  if (typeof fields !== 'object' || Object.keys(fields).some((key) => !VIEW_KEYS.has(key))) return null;
  const filter = fields.filter ?? 'all';
  const order = fields.order ?? 'newest';
  if (filter !== 'all' && filter !== 'active' && filter !== 'completed') return null;
  if (order !== 'newest' && order !== 'oldest') return null;
  return { filter, order };
}

/** The list's order: creation time, then id, as the server sorts. */
function compare(view: ListView, a: Todo, b: Todo): number {
  const ascending =
    a.createdAt !== b.createdAt
      ? a.createdAt < b.createdAt
        ? -1
        : 1
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0;
  return view.order === 'oldest' ? ascending : -ascending;
}

function belongs(view: ListView, todo: Todo): boolean {
  return view.filter === 'all' || (view.filter === 'completed') === todo.completed;
}

/** Whether the loaded pages reach as far as `todo`'s place: if not, it arrives with a later page. */
export function covers(view: ListView, list: TodoList, todo: Todo): boolean {
  const last = list.pages.at(-1);
  if (!last || last.nextCursor === null) return true;
  const lastLoaded = list.pages.flatMap((page) => page.items).at(-1);
  return lastLoaded !== undefined && compare(view, todo, lastLoaded) < 0;
}

/** The list with `id` taken out, or the same list when it was not there. */
export function withoutTodo(list: TodoList, id: string): TodoList {
  if (!list.pages.some((page) => page.items.some((todo) => todo.id === id))) return list;
  return {
    ...list,
    pages: list.pages.map((page) => ({ ...page, items: page.items.filter((todo) => todo.id !== id) })),
  };
}

/**
 * The list with `todo` as the server now has it: replaced where it was, inserted at its place
 * when it is new to this list and belongs to its filter, taken out when it no longer does.
 */
export function withTodo(view: ListView, list: TodoList, todo: Todo): TodoList {
  const rest = withoutTodo(list, todo.id);
  if (!belongs(view, todo) || !covers(view, rest, todo)) return rest;
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
