// A list as TanStack Query caches it: the pages `todo.list` answered, in order. Reading its todos
// is all the first paint does with it; todo-cache.ts changes it, for the writes and the live
// sync, which are chunks of their own.
import type { InfiniteData } from '@tanstack/react-query';
import type { Todo, TodoPage } from '../trpc.ts';

/** tRPC types the cursor of an infinite query loosely (any non-null value, or null). */
type PageParam = NonNullable<unknown> | null;
export type TodoList = InfiniteData<TodoPage, PageParam>;

/** The todos of the pages loaded so far, in the list's order. */
export function todosOf(list: TodoList | undefined): Todo[] {
  return list?.pages.flatMap((page) => page.items) ?? [];
}
