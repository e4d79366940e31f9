// The TanStack Query keys of everything about todos, in one place. They have the shape tRPC's
// TanStack Query integration gives its keys (the procedure's path, then its input and kind), so a
// key made here finds what `trpc.todo.*.queryOptions()` cached. They are written out rather than
// read from the `useTRPC()` proxy because the writes, the offline store and the live sync work
// outside React; todo-keys.test.ts holds them to tRPC's own.
import type { QueryKey } from '@tanstack/react-query';
import type { Sort } from './use-filter.ts';

export const PAGE_SIZE = 50;

/** The input of the list on screen (`todo.list`): its order, a page, the search if any, and the
 * list it reads (none: the Inbox, so the Inbox's keys and calls are those of a one-list app).
 * The Today and Upcoming views read every list at once (`allLists`) in a due range. */
export type ListInput = {
  order: Sort;
  limit: number;
  search?: string;
  listId?: string;
  allLists?: true;
  filter?: 'active';
  dueAfter?: string;
  dueBefore?: string;
};

/** The list the screen reads: every todo (matching the search) in the chosen order. TodoMVC's
 * filters are views over it, so switching filters is instant and each change touches one cache. */
export function listInput(sort: Sort, search: string, listId?: string): ListInput {
  const text = search.trim();
  return {
    order: sort,
    limit: PAGE_SIZE,
    ...(text ? { search: text } : {}),
    ...(listId ? { listId } : {}),
  };
}

/** The input that names a list in `todo.counts`, `todo.create`, …: nothing for the Inbox. */
export const listOf = (listId: string | undefined): { listId?: string } => (listId ? { listId } : {});

const LIST_PATH = ['todo', 'list'];
const COUNTS_PATH = ['todo', 'counts'];

/**
 * @example
 * queryClient.invalidateQueries({ queryKey: todoKeys.lists }); // every cached list
 * queryClient.getQueryData<TodoList>(todoKeys.list(listInput('manual', ''))); // the one on screen
 */
export const todoKeys = {
  /** Every query about todos: the lists, the counts, and anything else asked about them. */
  all: [['todo']] as QueryKey,
  /** Every cached list, whatever its order or search: a prefix of each `list(input)`. */
  lists: [LIST_PATH] as QueryKey,
  /** One list, as `useInfiniteQuery(trpc.todo.list.infiniteQueryOptions(input))` caches it. */
  list: (input: ListInput): QueryKey => [LIST_PATH, { input, type: 'infinite' }],
  /** How many todos a list holds, active and completed (`todo.counts`; no id: the Inbox). */
  counts: (listId?: string): QueryKey =>
    listId ? [COUNTS_PATH, { input: { listId }, type: 'query' }] : [COUNTS_PATH, { type: 'query' }],
  /** Every list's counts: a prefix of each `counts(listId)`. */
  allCounts: [COUNTS_PATH] as QueryKey,
  /** The caller's lists with their counts (`list.all`): the switcher. */
  listsAll: [['list', 'all'], { type: 'query' }] as QueryKey,
  /** Every list's members (`list.members`): a prefix of each list's key. */
  allMembers: [['list', 'members']] as QueryKey,
};

/** The input of a cached `todo.list` key, or undefined for one that is not an infinite list. */
export function listInputOf(key: QueryKey): unknown {
  const meta = key[1] as { input?: unknown; type?: string } | undefined;
  return meta?.type === 'infinite' ? (meta.input ?? {}) : undefined;
}

/** The names of the list's writes: the todo router's mutations, and `restore` (an undo, which
 * sends several of them: todo-restore.ts). */
export const WRITE_NAMES = [
  'create',
  'update',
  'delete',
  'move',
  'setAllCompleted',
  'clearCompleted',
  'restore',
] as const;
export type WriteName = (typeof WRITE_NAMES)[number];

/** A write's mutation key: tRPC's `trpc.todo[name].mutationKey()` (for `restore`, a key of its own). */
export const writeKey = (name: WriteName): QueryKey => [['todo', name]];
