import { lazy, type RefObject, Suspense, useEffect, useId, useRef, useState } from 'react';
import type { Todo } from '../trpc.ts';
import { IconButton } from '../ui/icon-button.tsx';
import { EditField } from './edit-field.tsx';
import { useReadOnly } from './read-only.ts';
import type { SortableRow } from './reorder.tsx';
import { hasMeta, TodoMeta } from './todo-meta.tsx';
import type { TodoDetails } from './todo-writes.ts';
import './todo-item.css';

// Read when a panel is first opened, not on the first load.
const TodoDetailsPanel = lazy(() => import('./todo-details.tsx'));

const ICONS = {
  edit: 'M4 20h4L19 9l-4-4L4 16v4z M13.5 6.5l4 4',
  details: 'M6 9l6 6 6-6',
  destroy: 'M6 6l12 12M18 6L6 18',
};

type TodoItemProps = {
  todo: Todo;
  /** The time due dates are read against ("Today", overdue). */
  now: Date;
  editing: boolean;
  onToggle: () => void;
  onStartEditing: () => void;
  /** `title` is the trimmed new title, '' to delete, null when editing was cancelled. */
  onStopEditing: (title: string | null, returnFocus: boolean) => void;
  onDelete: () => void;
  onSaveDetails: (changes: TodoDetails) => void;
  /** Its part in manual reordering (reorder.tsx): the drag handle and the row's drag style. */
  row?: SortableRow | null;
};

/** The row as TodoMVC shows it: toggle, title (and what is known about it), then its buttons. */
function TodoView({
  item,
  ids,
  editButton,
  detailsButton,
  detailsOpen,
  onDetails,
}: {
  item: TodoItemProps;
  ids: { label: string; meta: string; details: string };
  editButton: RefObject<HTMLButtonElement | null>;
  detailsButton: RefObject<HTMLButtonElement | null>;
  detailsOpen: boolean;
  /** The Details button was pressed (`open`: to open the panel) or got Escape (to close it). */
  onDetails: (open: boolean) => void;
}) {
  const { todo } = item;
  const readOnly = useReadOnly();
  return (
    <div className="view">
      <input
        className="toggle"
        type="checkbox"
        checked={todo.completed}
        disabled={readOnly}
        aria-labelledby={ids.label}
        aria-describedby={hasMeta(todo) ? ids.meta : undefined}
        onChange={item.onToggle}
      />
      <div className="todo-text">
        {/* biome-ignore lint/a11y/noLabelWithoutControl: TodoMVC's markup; a click on it must not toggle, so the checkbox names itself by aria-labelledby instead. */}
        <label id={ids.label} onDoubleClick={readOnly ? undefined : item.onStartEditing}>
          {todo.title}
        </label>
        {hasMeta(todo) && <TodoMeta id={ids.meta} todo={todo} now={item.now} />}
      </div>
      {!readOnly && (
        <IconButton
          ref={editButton}
          className="edit-button"
          aria-label={`Edit “${todo.title}”`}
          icon={ICONS.edit}
          onClick={item.onStartEditing}
        />
      )}
      <IconButton
        ref={detailsButton}
        className="details-button"
        aria-label={`Details of “${todo.title}”`}
        aria-expanded={detailsOpen}
        aria-controls={detailsOpen ? ids.details : undefined}
        icon={ICONS.details}
        onClick={() => onDetails(!detailsOpen)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && detailsOpen) onDetails(false);
        }}
      />
      {!readOnly && (
        <IconButton
          className="destroy"
          aria-label={`Delete “${todo.title}”`}
          icon={ICONS.destroy}
          onClick={item.onDelete}
        />
      )}
      {item.row?.handle}
    </div>
  );
}

/**
 * Once editing ends by keyboard (and the todo stays), focus goes back to the row's Edit button,
 * or at phone width, where the row shows no Edit button, to its Details button.
 */
function useFocusAfterEdit(
  editing: boolean,
  editButton: RefObject<HTMLButtonElement | null>,
  detailsButton: RefObject<HTMLButtonElement | null>,
) {
  const [focusAfterEdit, setFocusAfterEdit] = useState(false);
  useEffect(() => {
    if (!editing && focusAfterEdit) {
      const shown = editButton.current?.checkVisibility?.() ? editButton : detailsButton;
      shown.current?.focus();
      setFocusAfterEdit(false);
    }
  }, [editing, focusAfterEdit, editButton, detailsButton]);
  return () => setFocusAfterEdit(true);
}

/** One todo's `<li>`: its view or its edit field, and its details panel while open. */
export function TodoItem(props: TodoItemProps) {
  const { todo, editing } = props;
  const labelId = useId();
  const ids = { label: labelId, meta: `${labelId}-meta`, details: `${labelId}-details` };
  const editButton = useRef<HTMLButtonElement>(null);
  const detailsButton = useRef<HTMLButtonElement>(null);
  const focusAfterEdit = useFocusAfterEdit(editing, editButton, detailsButton);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const closeDetails = () => {
    setDetailsOpen(false);
    detailsButton.current?.focus();
  };

  const classes = [
    todo.completed && 'completed',
    editing && 'editing',
    detailsOpen && 'expanded',
    props.row?.dragging && 'dragging',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <li ref={props.row?.ref} style={props.row?.style} className={classes || undefined}>
      {editing ? (
        <EditField
          title={todo.title}
          onDone={(text, how) => {
            const title = text === null ? null : text.trim();
            if (how === 'key' && title !== '') focusAfterEdit();
            props.onStopEditing(title, how === 'key');
          }}
        />
      ) : (
        <TodoView
          item={props}
          ids={ids}
          editButton={editButton}
          detailsButton={detailsButton}
          detailsOpen={detailsOpen}
          onDetails={(open) => (open ? setDetailsOpen(true) : closeDetails())}
        />
      )}
      {detailsOpen && !editing && (
        <Suspense fallback={null}>
          <TodoDetailsPanel
            id={ids.details}
            todo={todo}
            onSave={props.onSaveDetails}
            onClose={closeDetails}
            onEditTitle={() => {
              setDetailsOpen(false);
              props.onStartEditing();
            }}
            onDelete={props.onDelete}
          />
        </Suspense>
      )}
    </li>
  );
}
