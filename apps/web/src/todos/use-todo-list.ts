import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { startTransition, useEffect, useState } from 'react';
import { useTRPC } from '../trpc.ts';
import { emptyKindOf } from './empty-state.tsx';
import type { ListInput } from './todo-keys.ts';
import { todosOf } from './todo-pages.ts';
import { type Filter, matches } from './use-filter.ts';
import { readsOpen } from './use-live-todos.ts';

/**
 * Whether what has `arrived` may show yet. The list's first answer comes through a store
 * (TanStack Query), which React renders at once, in one task: with its rows, and the reorder
 * layer's, the longest task after the first paint. It is shown in a transition instead, which
 * React time-slices, a moment later; whatever comes after it shows at once. Data there on mount
 * (restored offline, or cached) shows at once too: the screen's first render is deferred already.
 */
function useArrivedInTransition(arrived: boolean): boolean {
  const [shown, setShown] = useState(arrived);
  useEffect(() => {
    if (arrived && !shown) startTransition(() => setShown(true));
  }, [arrived, shown]);
  return shown;
}

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
      enabled: readsOpen,
    }),
  );
  const countsQuery = useQuery(
    trpc.todo.counts.queryOptions(input.listId ? { listId: input.listId } : undefined, {
      enabled: readsOpen,
    }),
  );
  const arrived = useArrivedInTransition(list.data !== undefined || countsQuery.data !== undefined);
  const counts = arrived ? countsQuery.data : undefined;
  const todos = arrived ? todosOf(list.data) : [];
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
      settled: arrived && list.isSuccess && !list.isPlaceholderData && !list.hasNextPage,
      shown: shown.length,
    }),
  };
}
