import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc.ts';
import { emptyKindOf } from './empty-state.tsx';
import type { ListInput } from './todo-keys.ts';
import { todosOf } from './todo-pages.ts';
import { type Filter, matches } from './use-filter.ts';

/**
 * The list on screen (`input`: its order and search) and the counts, as the filter shows them:
 * the todos shown, how many there are in all, whether all are completed, and why the list is
 * empty if it is.
 */
export function useTodoList(input: ListInput, filter: Filter) {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.todo.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor,
      // Another order or search keeps the list on screen until its own arrives.
      placeholderData: keepPreviousData,
    }),
  );
  const counts = useQuery(
    trpc.todo.counts.queryOptions(input.listId ? { listId: input.listId } : undefined),
  ).data;
  const todos = todosOf(list.data);
  const shown = todos.filter((todo) => matches(filter, todo.completed));
  return {
    list,
    counts,
    shown,
    total: counts?.all ?? todos.length,
    allCompleted: counts ? counts.all > 0 && counts.active === 0 : false,
    emptyKind: emptyKindOf({
      counts,
      filter,
      search: input.search,
      settled: list.isSuccess && !list.isPlaceholderData && !list.hasNextPage,
      shown: shown.length,
    }),
  };
}
