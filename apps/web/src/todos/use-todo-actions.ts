import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Todo } from '../trpc.ts';
import { type ListInput, listOf, todoKeys, type WriteName, writeKey } from './todo-keys.ts';
import { type TodoList, todosOf } from './todo-pages.ts';
import {
  type NewTodoDetails,
  newTodoId,
  type TodoDetails,
  type WriteContext,
  type WriteInput,
  type WriteMeta,
  type WriteOutput,
} from './todo-writes.ts';
import { offerUndo } from './undo-offer.ts';
import { onWriteNotice } from './write-notices.ts';

/** Starts the write `name`; all it does is registered by key (todo-writes.ts). */
function useWrite<Name extends WriteName>(name: Name, list: ListInput) {
  const meta: WriteMeta = { list };
  return useMutation<WriteOutput<Name>, unknown, WriteInput<Name>, WriteContext>({
    mutationKey: writeKey(name),
    meta,
  }).mutate;
}

/**
 * The list's writes as the todo screen calls them. Each shows at once in `list`, the list on
 * screen (its order and search); `onNotice` receives sentences for the user about refused and
 * dropped writes.
 *
 * A new todo gets its id here (a uuid the server accepts), so writes to a todo added offline
 * refer to it before the server has seen it. A delete and "Clear completed" take effect at once
 * and offer an undo (undo-offer.ts), with what the cached lists said just before.
 */
export function useTodoActions(onNotice: (message: string) => void, list: ListInput) {
  useEffect(() => onWriteNotice(onNotice), [onNotice]);
  const queryClient = useQueryClient();
  const cachedLists = () => queryClient.getQueriesData({ queryKey: todoKeys.lists });
  const create = useWrite('create', list);
  const update = useWrite('update', list);
  const remove = useWrite('delete', list);
  const move = useWrite('move', list);
  const setAllCompleted = useWrite('setAllCompleted', list);
  const clearCompleted = useWrite('clearCompleted', list);

  // The list the writes go to (nothing for the Inbox, so its calls stay as they were).
  const where = listOf(list.listId);
  return {
    /** Adds a todo; `details` are what quick add found in the typed text (none: the title alone). */
    add: (title: string, details: NewTodoDetails = {}) =>
      create({ id: newTodoId(), title, ...details, ...where }),
    toggle: (todo: Todo) => update({ id: todo.id, completed: !todo.completed }),
    rename: (todo: Todo, title: string) => update({ id: todo.id, title }),
    saveDetails: (todo: Todo, details: TodoDetails) => update({ id: todo.id, ...details }),
    remove: (todo: Todo) => {
      const cached = cachedLists();
      remove({ id: todo.id });
      offerUndo({ kind: 'delete', todos: [todo], cached, list });
    },
    setAllCompleted: (completed: boolean) => setAllCompleted({ completed, ...where }),
    /** Clears the list's completed todos; the undo restores those the list on screen showed. */
    clearCompleted: () => {
      const cached = cachedLists();
      const shown = todosOf(queryClient.getQueryData<TodoList>(todoKeys.list(list)));
      clearCompleted(list.listId ? where : undefined);
      offerUndo({ kind: 'clear', todos: shown.filter((todo) => todo.completed), cached, list });
    },
    /** Puts `todo` just after `afterId` in the manual order (null: at the top). */
    move: (todo: Todo, afterId: string | null) => move({ id: todo.id, afterId }),
  };
}
