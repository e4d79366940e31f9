import { type KeyboardEvent, lazy, Suspense, useEffect, useId, useRef, useState } from 'react';
import type { Todo } from '../trpc.ts';
import { dueLabel } from './due-date.ts';
import { PRIORITIES } from './priorities.ts';
import type { SortableRow } from './reorder.tsx';
import type { TodoDetails } from './todo-writes.ts';

function EditField({
  title,
  onDone,
}: {
  title: string;
  onDone: (text: string | null, how: 'key' | 'blur') => void;
}) {
  const [text, setText] = useState(title);
  const input = useRef<HTMLInputElement>(null);
  // Enter and Escape end editing; the blur that follows must not save a second time.
  const finished = useRef(false);
  const finish = (value: string | null, how: 'key' | 'blur') => {
    if (finished.current) return;
    finished.current = true;
    onDone(value, how);
  };

  useEffect(() => {
    const field = input.current;
    if (!field) return;
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.nativeEvent.isComposing || (event.key !== 'Enter' && event.key !== 'Escape')) return;
    // Focus moves to the edit button next; without this, the same Enter would press it.
    event.preventDefault();
    finish(event.key === 'Enter' ? text : null, 'key');
  };

  return (
    <input
      ref={input}
      className="edit"
      aria-label={`Edit “${title}”`}
      value={text}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={onKeyDown}
      onBlur={() => finish(text, 'blur')}
    />
  );
}

// Read when a panel is first opened, not on the first load.
const TodoDetailsPanel = lazy(() => import('./todo-details.tsx'));

const noteOf = (todo: Todo) => todo.description?.trim().split('\n')[0] ?? '';
const hasMeta = (todo: Todo) => todo.priority !== 'none' || todo.dueAt !== null || noteOf(todo) !== '';

/** Priority, due date and the description's first line, under the title (never in its label). */
function TodoMeta({ id, todo, now }: { id: string; todo: Todo; now: Date }) {
  const priority = PRIORITIES.find((option) => option.priority === todo.priority);
  const due = todo.dueAt ? dueLabel(todo.dueAt, now) : null;
  const overdue = due?.overdue && !todo.completed;
  const note = noteOf(todo);
  return (
    <p id={id} className="todo-meta">
      {priority?.mark && (
        <span
          className={`priority priority-${todo.priority}`}
          role="img"
          aria-label={`${priority.label} priority`}
        >
          {priority.mark}
        </span>
      )}
      {due && todo.dueAt && (
        <span className={overdue ? 'due due-overdue' : 'due'}>
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            {overdue ? (
              <path d="M12 3l9.5 17h-19z M12 10v4.5 M12 17.5v.01" />
            ) : (
              <path d="M5 6h14v14H5z M5 10h14 M9 3.5v4 M15 3.5v4" />
            )}
          </svg>
          <span className="visually-hidden">{overdue ? 'Overdue, was due' : 'Due'} </span>
          <time dateTime={todo.dueAt}>{due.text}</time>
        </span>
      )}
      {note && (
        <span className="note">
          <span className="visually-hidden">Description: </span>
          {note}
        </span>
      )}
    </p>
  );
}

export function TodoItem(props: {
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
}) {
  const { todo, editing } = props;
  const labelId = useId();
  const metaId = `${labelId}-meta`;
  const detailsId = `${labelId}-details`;
  const editButton = useRef<HTMLButtonElement>(null);
  const detailsButton = useRef<HTMLButtonElement>(null);
  const [focusAfterEdit, setFocusAfterEdit] = useState(false);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const closeDetails = () => {
    setDetailsOpen(false);
    detailsButton.current?.focus();
  };

  useEffect(() => {
    if (!editing && focusAfterEdit) {
      editButton.current?.focus();
      setFocusAfterEdit(false);
    }
  }, [editing, focusAfterEdit]);

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
            if (how === 'key' && title !== '') setFocusAfterEdit(true);
            props.onStopEditing(title, how === 'key');
          }}
        />
      ) : (
        <div className="view">
          <input
            className="toggle"
            type="checkbox"
            checked={todo.completed}
            aria-labelledby={labelId}
            aria-describedby={hasMeta(todo) ? metaId : undefined}
            onChange={props.onToggle}
          />
          <div className="todo-text">
            {/* biome-ignore lint/a11y/noLabelWithoutControl: TodoMVC's markup; a click on it must not toggle, so the checkbox names itself by aria-labelledby instead. */}
            <label id={labelId} onDoubleClick={props.onStartEditing}>
              {todo.title}
            </label>
            {hasMeta(todo) && <TodoMeta id={metaId} todo={todo} now={props.now} />}
          </div>
          <button
            ref={editButton}
            type="button"
            className="edit-button"
            aria-label={`Edit “${todo.title}”`}
            onClick={props.onStartEditing}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path d="M4 20h4L19 9l-4-4L4 16v4z M13.5 6.5l4 4" />
            </svg>
          </button>
          <button
            ref={detailsButton}
            type="button"
            className="details-button"
            aria-label={`Details of “${todo.title}”`}
            aria-expanded={detailsOpen}
            aria-controls={detailsOpen ? detailsId : undefined}
            onClick={() => (detailsOpen ? closeDetails() : setDetailsOpen(true))}
            onKeyDown={(event) => {
              if (event.key === 'Escape' && detailsOpen) closeDetails();
            }}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path d="M6 9l6 6 6-6" />
            </svg>
          </button>
          <button
            type="button"
            className="destroy"
            aria-label={`Delete “${todo.title}”`}
            onClick={props.onDelete}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path d="M6 6l12 12M18 6L6 18" />
            </svg>
          </button>
          {props.row?.handle}
        </div>
      )}
      {detailsOpen && !editing && (
        <Suspense fallback={null}>
          <TodoDetailsPanel id={detailsId} todo={todo} onSave={props.onSaveDetails} onClose={closeDetails} />
        </Suspense>
      )}
    </li>
  );
}
