// The stream's list events (`{type:'list'}`, `{type:'listRemoved'}`), into the TanStack Query
// cache: the switcher's `list.all` at once, and nothing kept of a list the caller lost.
import type { QueryClient } from '@tanstack/react-query';
import { removeTodos } from '../todos/todo-cache.ts';
import { todoKeys } from '../todos/todo-keys.ts';
import type { TodoList } from '../todos/todo-pages.ts';
import type { TodoChange } from '../trpc.ts';
import type { List } from './use-lists.ts';

type ListsAll = { lists: List[] };
type ListEvent = Extract<TodoChange, { type: 'list' | 'listRemoved' }>;

/** Whether a cached query is about the list `id` (its input names it). */
function isOfList(queryKey: readonly unknown[], id: string): boolean {
  const meta = queryKey[1] as { input?: { listId?: unknown; id?: unknown } } | undefined;
  return meta?.input?.listId === id || meta?.input?.id === id;
}

const isAcrossLists = (queryKey: readonly unknown[]) =>
  (queryKey[1] as { input?: { allLists?: unknown } } | undefined)?.input?.allLists === true;

/**
 * Folds one list event into the cache. A list made, renamed or re-shared replaces its entry
 * in `list.all` (or is added), then `list.all` is read again for its place and counts. A
 * removed list leaves `list.all` at once (the screen showing it goes to the Inbox, see
 * use-current-list.ts), and its cached todos and members are dropped once nothing shows them.
 *
 * @example
 * applyListEvent(queryClient, { type: 'listRemoved', id });
 */
export function applyListEvent(queryClient: QueryClient, change: ListEvent) {
  const id = change.type === 'list' ? change.list.id : change.id;
  queryClient.setQueryData<ListsAll>(todoKeys.listsAll, (all) => {
    if (!all) return all;
    const others = all.lists.filter((list) => list.id !== id);
    if (change.type === 'listRemoved') return { lists: others };
    const at = all.lists.findIndex((list) => list.id === id);
    const lists = [...all.lists];
    if (at >= 0) lists[at] = change.list;
    else lists.push(change.list);
    return { lists };
  });
  if (change.type === 'list') {
    void queryClient.invalidateQueries({ queryKey: todoKeys.listsAll });
    void queryClient.invalidateQueries({ queryKey: todoKeys.allMembers });
    return;
  }
  void queryClient.cancelQueries({ predicate: (query) => isOfList(query.queryKey, id) });
  // The views across lists (Today, Upcoming) keep their other lists' todos.
  queryClient.setQueriesData<TodoList>(
    { queryKey: todoKeys.lists, predicate: (query) => isAcrossLists(query.queryKey) },
    (list) => list && removeTodos(list, (todo) => todo.listId === id),
  );
  // After the screen has moved on (a render later), nothing observes them any more.
  setTimeout(() => {
    queryClient.removeQueries({ type: 'inactive', predicate: (query) => isOfList(query.queryKey, id) });
  }, 0);
}
