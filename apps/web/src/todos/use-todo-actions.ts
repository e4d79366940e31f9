import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorCode, TRPCClientError } from '@todo/client';
import { useState } from 'react';
import { type Todo, type TodoCounts, useTRPC, useTRPCClient } from '../trpc.ts';
import { moveInList } from './reorder-cache.ts';
import {
  countsAfter,
  findTodo,
  type ListInput,
  mapTodos,
  placeNewTodo,
  removeTodos,
  replaceTodo,
  type TodoList,
} from './todo-cache.ts';

/**
 * Every write to the list shares one mutation scope, so TanStack Query sends them one after
 * another in the order the user made them: a toggle and its undo can never overtake each other,
 * and a change to a just-added todo is sent after the server has given that todo its id.
 */
export const WRITES = { id: 'todo-writes' };

type Snapshot = { list: TodoList | undefined; counts: TodoCounts | undefined };

/** Todos added optimistically carry a temporary id until the server answers with the real one. */
class TemporaryIds {
  #next = 0;
  #realByTemporary = new Map<string, string>();
  #temporaryByReal = new Map<string, string>();

  create(): string {
    this.#next += 1;
    return `unsaved-${this.#next}`;
  }
  saved(temporary: string, real: string) {
    this.#realByTemporary.set(temporary, real);
    this.#temporaryByReal.set(real, temporary);
  }
  /** The id to send: writes run in order, so a saved todo's real id is known by then. */
  resolve(id: string): string {
    if (!id.startsWith('unsaved-')) return id;
    const real = this.#realByTemporary.get(id);
    if (!real) throw new Error('This todo was never saved');
    return real;
  }
  /** A React key that stays the same when a todo's temporary id is replaced by its real one. */
  keyOf(id: string): string {
    return this.#temporaryByReal.get(id) ?? id;
  }
}

function reasonFor(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    const fieldErrors =
      data && typeof data === 'object' && 'zodError' in data
        ? (data.zodError as { fieldErrors?: Record<string, string[] | undefined> } | null)?.fieldErrors
        : undefined;
    const [field, messages] = Object.entries(fieldErrors ?? {})[0] ?? [];
    if (field && messages?.[0]) return `the ${field} ${messages[0]}`;
  }
  switch (errorCode(error)) {
    case 'NOT_FOUND':
      return 'that todo no longer exists';
    case 'TOO_MANY_REQUESTS':
      return 'too many changes at once, wait a moment and try again';
    case 'BAD_REQUEST':
      return 'the server did not accept it';
    default:
      return 'the server could not save it';
  }
}

/** What the details panel saves: the fields a person changed. */
export type TodoDetails = Partial<Pick<Todo, 'description' | 'dueAt' | 'priority'>>;

/**
 * The list's writes, each applied to the cache at once and rolled back if the server refuses
 * (the usual TanStack Query recipe: cancel in-flight reads, snapshot, write, restore on error,
 * refetch once the last write has settled). `onRefused` receives a sentence for the user;
 * `view` is the list on screen (its order and search), the cache the writes show in.
 */
export function useTodoActions(onRefused: (message: string) => void, view: ListInput) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [ids] = useState(() => new TemporaryIds());
  const listKey = trpc.todo.list.infiniteQueryKey(view);
  const allListsKey = trpc.todo.list.pathKey();
  const countsKey = trpc.todo.counts.queryKey();

  const optimistic = {
    async apply(change: (current: Snapshot) => Partial<Snapshot>): Promise<Snapshot> {
      await Promise.all([
        queryClient.cancelQueries({ queryKey: allListsKey }),
        queryClient.cancelQueries({ queryKey: countsKey }),
      ]);
      const snapshot: Snapshot = {
        list: queryClient.getQueryData(listKey),
        counts: queryClient.getQueryData(countsKey),
      };
      const next = change(snapshot);
      if (next.list) queryClient.setQueryData(listKey, next.list);
      if (next.counts) queryClient.setQueryData(countsKey, next.counts);
      return snapshot;
    },
    rollback(snapshot: Snapshot | undefined, error: unknown, action: string) {
      if (snapshot) {
        queryClient.setQueryData(listKey, snapshot.list);
        queryClient.setQueryData(countsKey, snapshot.counts);
      }
      // An expired session sends the user to sign in; that screen says why.
      if (errorCode(error) !== 'UNAUTHORIZED') {
        onRefused(`Could not ${action}: ${reasonFor(error)}. Your list is back as it was.`);
      }
    },
    settle() {
      const writing = queryClient.isMutating({
        predicate: (mutation) => mutation.options.scope?.id === WRITES.id,
      });
      // Refetch once the last queued write has settled; earlier refetches would briefly show
      // the server without the writes still waiting their turn.
      if (writing > 1) return;
      // Every list: the one on screen, and those of other orders and searches shown before.
      void queryClient.invalidateQueries({ queryKey: allListsKey });
      void queryClient.invalidateQueries({ queryKey: countsKey });
    },
  };

  const create = useMutation(
    trpc.todo.create.mutationOptions({
      scope: WRITES,
      onMutate: async ({ title }) => {
        const now = new Date().toISOString();
        const draft: Todo = {
          id: ids.create(),
          title,
          description: null,
          completed: false,
          dueAt: null,
          priority: 'none',
          createdAt: now,
          updatedAt: now,
        };
        const snapshot = await optimistic.apply(({ list, counts }) => ({
          list: list && placeNewTodo(list, draft, view),
          counts: counts && countsAfter.created(counts),
        }));
        return { snapshot, temporaryId: draft.id };
      },
      onSuccess: (todo, _input, context) => {
        ids.saved(context.temporaryId, todo.id);
        // The server's id and times; the rest stays as the user may have changed it since.
        queryClient.setQueryData(listKey, (list) => {
          const draft = findTodo(list, context.temporaryId);
          const saved = draft && {
            ...draft,
            id: todo.id,
            createdAt: todo.createdAt,
            updatedAt: todo.updatedAt,
          };
          return list && replaceTodo(list, context.temporaryId, saved ?? todo);
        });
      },
      onError: (error, _input, context) => optimistic.rollback(context?.snapshot, error, 'add the todo'),
      onSettled: optimistic.settle,
    }),
  );

  const update = useMutation({
    ...trpc.todo.update.mutationOptions({
      scope: WRITES,
      onMutate: async ({ id, title, completed, description, dueAt, priority }) => {
        const snapshot = await optimistic.apply(({ list, counts }) => {
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
        });
        return { snapshot };
      },
      // The saved time, so that a late live event of an older version is recognised as older.
      onSuccess: (saved) =>
        queryClient.setQueryData(
          listKey,
          (list) =>
            list &&
            mapTodos(list, (todo) =>
              todo.id === saved.id && todo.updatedAt < saved.updatedAt
                ? { ...todo, updatedAt: saved.updatedAt }
                : todo,
            ),
        ),
      onError: (error, input, context) =>
        optimistic.rollback(
          context?.snapshot,
          error,
          input.title !== undefined
            ? 'rename the todo'
            : input.completed !== undefined
              ? 'update the todo'
              : 'save the details',
        ),
      onSettled: optimistic.settle,
    }),
    mutationFn: (input: { id: string; title?: string; completed?: boolean } & TodoDetails) =>
      client.todo.update.mutate({ ...input, id: ids.resolve(input.id) }),
  });

  const remove = useMutation({
    ...trpc.todo.delete.mutationOptions({
      scope: WRITES,
      onMutate: async ({ id }) => {
        const snapshot = await optimistic.apply(({ list, counts }) => {
          const before = findTodo(list, id);
          return {
            list: list && removeTodos(list, (todo) => todo.id === id),
            counts: counts && before ? countsAfter.deleted(counts, before) : undefined,
          };
        });
        return { snapshot };
      },
      onError: (error, _input, context) => optimistic.rollback(context?.snapshot, error, 'delete the todo'),
      onSettled: optimistic.settle,
    }),
    mutationFn: (input: { id: string }) => client.todo.delete.mutate({ id: ids.resolve(input.id) }),
  });

  const setAllCompleted = useMutation(
    trpc.todo.setAllCompleted.mutationOptions({
      scope: WRITES,
      onMutate: async ({ completed }) => {
        const snapshot = await optimistic.apply(({ list, counts }) => ({
          list: list && mapTodos(list, (todo) => ({ ...todo, completed })),
          counts: counts && countsAfter.allSet(counts, completed),
        }));
        return { snapshot };
      },
      onError: (error, input, context) =>
        optimistic.rollback(
          context?.snapshot,
          error,
          input.completed ? 'mark all todos as complete' : 'mark all todos as active',
        ),
      onSettled: optimistic.settle,
    }),
  );

  const clearCompleted = useMutation(
    trpc.todo.clearCompleted.mutationOptions({
      scope: WRITES,
      onMutate: async () => {
        const snapshot = await optimistic.apply(({ list, counts }) => ({
          list: list && removeTodos(list, (todo) => todo.completed),
          counts: counts && countsAfter.cleared(counts),
        }));
        return { snapshot };
      },
      onError: (error, _input, context) =>
        optimistic.rollback(context?.snapshot, error, 'clear the completed todos'),
      onSettled: optimistic.settle,
    }),
  );

  const move = useMutation({
    ...trpc.todo.move.mutationOptions({
      scope: WRITES,
      onMutate: async ({ id, afterId }) => {
        // Moves are offered in the manual order only; any other list is read again after.
        const manual = view.order === 'manual' && !view.search;
        const snapshot = await optimistic.apply(({ list }) => ({
          list: manual && list ? moveInList(list, id, afterId) : undefined,
        }));
        return { snapshot };
      },
      onError: (error, _input, context) => optimistic.rollback(context?.snapshot, error, 'move the todo'),
      onSettled: optimistic.settle,
    }),
    mutationFn: (input: { id: string; afterId: string | null }) =>
      client.todo.move.mutate({
        id: ids.resolve(input.id),
        afterId: input.afterId === null ? null : ids.resolve(input.afterId),
      }),
  });

  return {
    keyOf: (id: string) => ids.keyOf(id),
    add: (title: string) => create.mutate({ title }),
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
