// Pure helpers for manual reordering: where a move puts a todo, in a cached list and on screen.
import type { Todo } from '../trpc.ts';
import type { TodoList } from './todo-pages.ts';

/**
 * The list with `id` moved to just after `afterId` (null: to the very top), as `todo.move` does
 * on the server. Unchanged when either todo is not loaded: the refetch after the move brings it.
 */
export function moveInList(list: TodoList, id: string, afterId: string | null): TodoList {
  const all = list.pages.flatMap((page) => page.items);
  const moved = all.find((todo) => todo.id === id);
  if (!moved || id === afterId) return list;
  if (afterId !== null && !all.some((todo) => todo.id === afterId)) return list;
  const pages = list.pages.map((page) => ({ ...page, items: page.items.filter((todo) => todo.id !== id) }));
  if (afterId === null) {
    const [first, ...rest] = pages;
    return first ? { ...list, pages: [{ ...first, items: [moved, ...first.items] }, ...rest] } : list;
  }
  return {
    ...list,
    pages: pages.map((page) => {
      const at = page.items.findIndex((todo) => todo.id === afterId);
      if (at === -1) return page;
      const items = [...page.items];
      items.splice(at + 1, 0, moved);
      return { ...page, items };
    }),
  };
}

/**
 * Where an item shown at `from` lands when it is put at `to` among `items` (in the order shown):
 * the item that will be just before it (null: the top), and the new order. Null when nothing
 * moves.
 */
export function placement<T>(
  items: readonly T[],
  from: number,
  to: number,
): { after: T | null; order: T[] } | null {
  if (from === to || from < 0 || from >= items.length || to < 0 || to >= items.length) return null;
  const order = [...items];
  const [moved] = order.splice(from, 1);
  if (moved === undefined) return null;
  order.splice(to, 0, moved);
  return { after: to === 0 ? null : (order[to - 1] ?? null), order };
}

/** One move asked for on screen: the item `key` goes just after `after` (null: the top). */
export type PendingMove = { key: string; after: string | null };

/** Whether `items` already show `move`, or no longer hold its todo or neighbour (it cannot apply). */
export function isShown<T>(items: readonly T[], move: PendingMove, keyOf: (item: T) => string): boolean {
  const at = items.findIndex((item) => keyOf(item) === move.key);
  if (at === -1 || (move.after !== null && !items.some((item) => keyOf(item) === move.after))) return true;
  const before = at === 0 ? null : keyOf(items[at - 1] as T);
  return before === move.after;
}

/**
 * `items` with the moves applied in turn, as the server will apply them. A move the items
 * already show changes nothing, so a list can keep showing its moves until the cache has them.
 */
export function withMoves<T>(
  items: readonly T[],
  moves: readonly PendingMove[],
  keyOf: (item: T) => string,
): T[] {
  let order = [...items];
  for (const move of moves) {
    if (isShown(order, move, keyOf)) continue;
    const moved = order.find((item) => keyOf(item) === move.key) as T;
    const rest = order.filter((item) => keyOf(item) !== move.key);
    const at = move.after === null ? 0 : rest.findIndex((item) => keyOf(item) === move.after) + 1;
    rest.splice(at, 0, moved);
    order = rest;
  }
  return order;
}

/**
 * The moves `items` do not show yet. Moves reach the cache one after another, in the order they
 * were made, so once it shows one, it has every move before it too, even if a later move has
 * since changed what the earlier one did.
 */
export function movesToShow<T>(
  items: readonly T[],
  moves: readonly PendingMove[],
  keyOf: (item: T) => string,
): readonly PendingMove[] {
  for (let index = moves.length - 1; index >= 0; index -= 1) {
    if (isShown(items, moves[index] as PendingMove, keyOf)) return moves.slice(index + 1);
  }
  return moves;
}

/** The sentence a screen reader hears after a move. */
export function movedMessage(todo: Pick<Todo, 'title'>, position: number, total: number): string {
  return `Moved “${todo.title}” to position ${position} of ${total}`;
}
