import { useInfiniteQuery } from '@tanstack/react-query';
import { type RefObject, useState } from 'react';
import { useLists } from '../lists/use-lists.ts';
import { ReadOnlyList } from '../todos/read-only.ts';
import type { ListInput } from '../todos/todo-keys.ts';
import { TodoRow } from '../todos/todo-main.tsx';
import { todosOf } from '../todos/todo-pages.ts';
import { readsOpen } from '../todos/use-live-todos.ts';
import type { useTodoActions } from '../todos/use-todo-actions.ts';
import { type Todo, useTRPC } from '../trpc.ts';

/** One of the views' reads: every list's todos in a due range (`todo.list` with `allLists`),
 * page by page, cached, kept offline and kept live like any list. */
export function useAgendaQuery(input: ListInput) {
  const trpc = useTRPC();
  const query = useInfiniteQuery(
    trpc.todo.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor,
      enabled: readsOpen,
    }),
  );
  return { query, todos: todosOf(query.data) };
}

/**
 * Rows of todos from any list, as every list shows them: toggle, edit, details, delete (with
 * undo). A todo of a list the person only views is read-only. `focusAfterDelete` takes the
 * focus when a row goes.
 */
export function AgendaTodos({
  todos,
  now,
  actions,
  focusAfterDelete,
  label,
}: {
  todos: Todo[];
  now: Date;
  actions: ReturnType<typeof useTodoActions>;
  focusAfterDelete: RefObject<HTMLElement | null>;
  /** The id of the heading that names the rows. */
  label: string;
}) {
  const lists = useLists().data?.lists;
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <ul className="todo-list" aria-labelledby={label}>
      {todos.map((todo) => (
        <ReadOnlyList.Provider
          key={todo.id}
          value={lists?.find((list) => list.id === todo.listId)?.role === 'viewer'}
        >
          <TodoRow
            todo={todo}
            row={null}
            now={now}
            editing={editing === todo.id}
            onEditing={(on) => setEditing((current) => (on ? todo.id : current === todo.id ? null : current))}
            actions={actions}
            newTodo={focusAfterDelete}
          />
        </ReadOnlyList.Provider>
      ))}
    </ul>
  );
}
