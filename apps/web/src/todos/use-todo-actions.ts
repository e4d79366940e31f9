import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { type Todo, useTRPC } from '../trpc.ts';
import { moveInList } from './reorder-cache.ts';
import { countsAfter, draftTodo, findTodo, mapTodos, placeNewTodo, removeTodos } from './todo-cache.ts';
import type { ListInput } from './todo-keys.ts';
import {
  type CreateInput,
  type MoveInput,
  newTodoId,
  onWriteNotice,
  type Snapshot,
  type TodoDetails,
  type UpdateInput,
  WRITE_KEYS,
  WRITES,
  type WriteContext,
} from './todo-writes.ts';

/**
 * The list's writes, each applied to the cache at once (the usual TanStack Query recipe: cancel
 * in-flight reads, snapshot, write). What is sent, and what a refusal does, is registered by
 * mutation key in todo-writes.ts, so that writes queued offline survive a reload. `onRefused`
 * receives sentences for the user; `view` is the list on screen (its order and search), the cache
 * the writes show in.
 *
 * A new todo gets its id here (a uuid the server accepts), so writes to a todo added offline
 * refer to it before the server has seen it.
 */
export function useTodoActions(onRefused: (message: string) => void, view: ListInput) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listKey = trpc.todo.list.infiniteQueryKey(view);
  const allListsKey = trpc.todo.list.pathKey();
  const countsKey = trpc.todo.counts.queryKey();

  useEffect(() => onWriteNotice(onRefused), [onRefused]);

  /** Applies `change` to the list on screen and the counts; returns what a rollback needs and,
   * for a write to one todo, its title (a notice names it if the write is dropped). */
  const apply = async (
    change: (current: Omit<Snapshot, 'listKey'>) => Partial<Omit<Snapshot, 'listKey'>>,
    id?: string,
  ): Promise<WriteContext> => {
    await Promise.all([
      queryClient.cancelQueries({ queryKey: allListsKey }),
      queryClient.cancelQueries({ queryKey: countsKey }),
    ]);
    const snapshot: Snapshot = {
      listKey,
      list: queryClient.getQueryData(listKey),
      counts: queryClient.getQueryData(countsKey),
    };
    const next = change(snapshot);
    if (next.list) queryClient.setQueryData(listKey, next.list);
    if (next.counts) queryClient.setQueryData(countsKey, next.counts);
    const title = id === undefined ? undefined : findTodo(snapshot.list, id)?.title;
    return title === undefined ? { snapshot } : { snapshot, title };
  };

  const create = useMutation<Todo, unknown, CreateInput, WriteContext>({
    mutationKey: WRITE_KEYS.create,
    scope: WRITES,
    onMutate: ({ id, title }) =>
      apply(({ list, counts }) => ({
        list: list && placeNewTodo(list, draftTodo(id, title, list), view),
        counts: counts && countsAfter.created(counts),
      })),
  });

  const update = useMutation<Todo, unknown, UpdateInput, WriteContext>({
    mutationKey: WRITE_KEYS.update,
    scope: WRITES,
    onMutate: ({ id, title, completed, description, dueAt, priority }) =>
      apply(({ list, counts }) => {
        const before = findTodo(list, id);
        const change = (todo: Todo): Todo => ({
          ...todo,
          title: title ?? todo.title,
          completed: completed ?? todo.completed,
          description: description === undefined ? todo.description : description,
          dueAt: dueAt === undefined ? todo.dueAt : dueAt,
          priority: priority ?? todo.priority,
        });
        return {
          list: list && mapTodos(list, (todo) => (todo.id === id ? change(todo) : todo)),
          counts:
            counts && before && completed !== undefined && completed !== before.completed
              ? countsAfter.toggled(counts, completed)
              : undefined,
        };
      }, id),
  });

  const remove = useMutation<{ id: string }, unknown, { id: string }, WriteContext>({
    mutationKey: WRITE_KEYS.delete,
    scope: WRITES,
    onMutate: ({ id }) =>
      apply(({ list, counts }) => {
        const before = findTodo(list, id);
        return {
          list: list && removeTodos(list, (todo) => todo.id === id),
          counts: counts && before ? countsAfter.deleted(counts, before) : undefined,
        };
      }, id),
  });

  const setAllCompleted = useMutation<{ updated: number }, unknown, { completed: boolean }, WriteContext>({
    mutationKey: WRITE_KEYS.setAllCompleted,
    scope: WRITES,
    onMutate: ({ completed }) =>
      apply(({ list, counts }) => ({
        list: list && mapTodos(list, (todo) => ({ ...todo, completed })),
        counts: counts && countsAfter.allSet(counts, completed),
      })),
  });

  const clearCompleted = useMutation<{ deleted: number }, unknown, void, WriteContext>({
    mutationKey: WRITE_KEYS.clearCompleted,
    scope: WRITES,
    onMutate: () =>
      apply(({ list, counts }) => ({
        list: list && removeTodos(list, (todo) => todo.completed),
        counts: counts && countsAfter.cleared(counts),
      })),
  });

  const move = useMutation<Todo, unknown, MoveInput, WriteContext>({
    mutationKey: WRITE_KEYS.move,
    scope: WRITES,
    onMutate: ({ id, afterId }) => {
      // Moves are offered in the manual order only; any other list is read again after.
      const manual = view.order === 'manual' && !view.search;
      return apply(({ list }) => ({ list: manual && list ? moveInList(list, id, afterId) : undefined }), id);
    },
  });

  return {
    add: (title: string) => create.mutate({ id: newTodoId(), title }),
    toggle: (todo: Todo) => update.mutate({ id: todo.id, completed: !todo.completed }),
    rename: (todo: Todo, title: string) => update.mutate({ id: todo.id, title }),
    saveDetails: (todo: Todo, details: TodoDetails) => update.mutate({ id: todo.id, ...details }),
    remove: (todo: Todo) => remove.mutate({ id: todo.id }),
    setAllCompleted: (completed: boolean) => setAllCompleted.mutate({ completed }),
    clearCompleted: () => clearCompleted.mutate(),
    /** Puts `todo` just after `afterId` in the manual order (null: at the top). */
    move: (todo: Todo, afterId: string | null) => move.mutate({ id: todo.id, afterId }),
  };
}

export type TodoActions = ReturnType<typeof useTodoActions>;
