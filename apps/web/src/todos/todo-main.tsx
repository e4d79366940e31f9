import { type RefObject, useState } from 'react';
import type { Todo } from '../trpc.ts';
import { ListControls, type SearchBox } from './list-controls.tsx';
import { LoadMore } from './load-more.tsx';
import { useReadOnly } from './read-only.ts';
import { ReorderableList, type SortableRow } from './reorder.tsx';
import { TodoItem } from './todo-item.tsx';
import type { Sort } from './use-filter.ts';
import { useNow } from './use-now.ts';
import type { useTodoActions } from './use-todo-actions.ts';
import type { useTodoList } from './use-todo-list.ts';
import './todo-main.css';

type Actions = ReturnType<typeof useTodoActions>;

/** TodoMVC's "mark all as complete": the checkbox stays for keyboards, its label is the chevron. */
function ToggleAll({ checked, onChange }: { checked: boolean; onChange: () => void }) {
  return (
    <>
      <input id="toggle-all" className="toggle-all" type="checkbox" checked={checked} onChange={onChange} />
      <label htmlFor="toggle-all" title="Mark all as complete">
        <span className="visually-hidden">Mark all as complete</span>
      </label>
    </>
  );
}

/** One todo's row, wired to the list's writes; deleting it hands focus to `newTodo` (the new-todo
 * field, or whatever else the screen has to take it). */
export function TodoRow({
  todo,
  row,
  now,
  editing,
  onEditing,
  actions,
  newTodo,
}: {
  todo: Todo;
  row: SortableRow | null;
  now: Date;
  editing: boolean;
  onEditing: (editing: boolean) => void;
  actions: Actions;
  newTodo: RefObject<HTMLElement | null>;
}) {
  return (
    <TodoItem
      row={row}
      todo={todo}
      now={now}
      editing={editing}
      onToggle={() => actions.toggle(todo)}
      onStartEditing={() => onEditing(true)}
      onStopEditing={(title, byKeyboard) => {
        onEditing(false);
        if (title === '') {
          actions.remove(todo);
          if (byKeyboard) newTodo.current?.focus();
        } else if (title !== null && title !== todo.title) {
          actions.rename(todo, title);
        }
      }}
      onDelete={() => {
        actions.remove(todo);
        newTodo.current?.focus();
      }}
      onSaveDetails={(changes) => actions.saveDetails(todo, changes)}
    />
  );
}

/** TodoMVC's `.main`: mark all, search and sort, the list (reorderable in the manual order), more. */
export function TodoMain({
  view,
  actions,
  searchBox,
  sort,
  reorderable,
  newTodo,
}: {
  view: ReturnType<typeof useTodoList>;
  actions: Actions;
  searchBox: SearchBox;
  sort: Sort;
  reorderable: boolean;
  newTodo: RefObject<HTMLInputElement | null>;
}) {
  const now = useNow();
  const [editingKey, setEditingKey] = useState<string | null>(null);
  const readOnly = useReadOnly();
  return (
    <section className="main">
      {!readOnly && (
        <ToggleAll checked={view.allCompleted} onChange={() => actions.setAllCompleted(!view.allCompleted)} />
      )}
      <ListControls searchBox={searchBox} sort={sort} />
      <ReorderableList
        todos={view.shown}
        enabled={reorderable}
        onMove={actions.move}
        renderRow={(todo, row) => (
          <TodoRow
            key={todo.id}
            todo={todo}
            row={row}
            now={now}
            editing={editingKey === todo.id}
            onEditing={(editing) =>
              setEditingKey((current) => (editing ? todo.id : current === todo.id ? null : current))
            }
            actions={actions}
            newTodo={newTodo}
          />
        )}
      />
      <LoadMore pages={view.list} />
    </section>
  );
}
