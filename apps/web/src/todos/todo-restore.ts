// Undo of a delete or of "Clear completed": the todos are made again with their own ids, fields
// and places (decision 23). The `restore` write (todo-writes.ts) loads this module when it first
// runs, and so does the undo message: it stays out of the first load.
import type { QueryKey } from '@tanstack/react-query';
import type { Todo, WebClient } from '../trpc.ts';
import { countsAfterChange, listViewOf, withTodo } from './live-changes.ts';
import { findTodo } from './todo-cache.ts';
import { type ListInput, listInputOf } from './todo-keys.ts';
import { type TodoList, todosOf } from './todo-pages.ts';

/** One todo to make again, and the todo it came after in its list's manual order (null: first;
 * absent: not known, it goes last). */
export type RestoredTodo = { todo: Todo; afterId?: string | null };

/** The `restore` write's input: todos of one list (none named: the Inbox), in manual order. */
export type RestoreInput = { listId?: string; todos: RestoredTodo[] };

/** What a tab had cached when it deleted: `queryClient.getQueriesData({ queryKey: todoKeys.lists })`. */
export type CachedLists = [QueryKey, unknown][];

/**
 * The todos of the list `listId` that the cached lists hold, each once, in manual order. Only
 * lists of one list's every todo count (no filter, search or due range, not across lists), so
 * that what lies between two of them is known.
 */
function knownTodos(cached: CachedLists, listId: string): Todo[] {
  const byId = new Map<string, Todo>();
  for (const [key, data] of cached) {
    const input = listInputOf(key) as Record<string, unknown> | undefined;
    if (!input || input.allLists || input.search || input.filter || input.dueBefore || input.dueAfter)
      continue;
    for (const todo of todosOf(data as TodoList | undefined)) {
      if (todo.listId === listId && !byId.has(todo.id)) byId.set(todo.id, todo);
    }
  }
  return [...byId.values()].sort((a, b) => a.position - b.position);
}

/**
 * The restore of `gone` (deleted todos of one list), from what the tab had cached just before:
 * each todo goes back after the todo that came before it then. A todo whose place is not known
 * (nothing of its list was cached but it) goes last.
 */
export function restoreInput(gone: Todo[], cached: CachedLists, list: ListInput): RestoreInput {
  const first = gone[0];
  const known = first ? knownTodos(cached, first.listId) : [];
  const ordered = [...gone].sort((a, b) => a.position - b.position);
  const todos = ordered.map((todo) => {
    const index = known.findIndex((item) => item.id === todo.id);
    return index === -1 ? { todo } : { todo, afterId: known[index - 1]?.id ?? null };
  });
  // A todo added offline to an empty Inbox knows no list id yet: the list on screen's (none: the Inbox).
  const listId = first?.listId || list.listId;
  return { ...(listId ? { listId } : {}), todos };
}

/**
 * Makes the todos again, one after another, in manual order: `todo.create` with the todo's
 * own id and fields, `todo.update` for a completed one, then `todo.move` after the todo it
 * followed. Each call may be repeated (a create of one's own id returns the todo as it is), so
 * a restore cut off half-way is simply sent again. A todo that still exists as it was made (the
 * same creation time) is left alone. A move whose anchor is gone or elsewhere
 * leaves the todo last. Answers the todos as the server has them.
 */
export async function sendRestore(client: WebClient, { listId, todos }: RestoreInput): Promise<Todo[]> {
  const saved: Todo[] = [];
  for (const { todo, afterId } of todos) {
    const { id, title, description, dueAt, priority } = todo;
    let now = await client.todo.create.mutate({
      id,
      title,
      description,
      dueAt,
      priority,
      ...(listId ? { listId } : {}),
    });
    // Never deleted after all (the delete was refused, or a bulk clear passed it by): left as is.
    if (now.createdAt === todo.createdAt) {
      saved.push(now);
      continue;
    }
    if (todo.completed && !now.completed) now = await client.todo.update.mutate({ id, completed: true });
    if (afterId !== undefined) {
      const created = now;
      now = await client.todo.move.mutate({ id, afterId }).catch((error: unknown) => {
        // tRPC's code, read as @todo/client's errorCode reads it: importing that here made the
        // bundler split the first load's chunks differently, 340 bytes larger.
        const code = (error as { data?: { code?: unknown } } | null)?.data?.code;
        if (afterId !== null && (code === 'NOT_FOUND' || code === 'BAD_REQUEST')) return created;
        throw error;
      });
    }
    saved.push(now);
  }
  return saved;
}

type Shown = {
  list: TodoList | undefined;
  counts: { all: number; active: number; completed: number } | undefined;
};

/** The list on screen and its counts with the todos back: each at its place in the list's order. */
export function showRestore(
  { todos }: RestoreInput,
  { list, counts }: Shown,
  view: ListInput,
): Partial<Shown> {
  const { listId: _listId, ...input } = view;
  const order = listViewOf(input);
  let nextList = list;
  let nextCounts = counts;
  for (const { todo } of todos) {
    const before = findTodo(nextList, todo.id);
    if (nextList && order) nextList = withTodo(order, nextList, todo);
    if (nextCounts && !before) nextCounts = countsAfterChange(nextCounts, undefined, todo);
  }
  return { list: nextList, counts: nextCounts };
}
