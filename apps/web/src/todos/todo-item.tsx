import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import type { Todo } from '../trpc.ts';
import type { SortableRow } from './reorder.tsx';

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

export function TodoItem(props: {
  todo: Todo;
  editing: boolean;
  onToggle: () => void;
  onStartEditing: () => void;
  /** `title` is the trimmed new title, '' to delete, null when editing was cancelled. */
  onStopEditing: (title: string | null, returnFocus: boolean) => void;
  onDelete: () => void;
  /** Its part in manual reordering (reorder.tsx): the drag handle and the row's drag style. */
  row?: SortableRow | null;
}) {
  const { todo, editing } = props;
  const labelId = useId();
  const editButton = useRef<HTMLButtonElement>(null);
  const [focusAfterEdit, setFocusAfterEdit] = useState(false);

  useEffect(() => {
    if (!editing && focusAfterEdit) {
      editButton.current?.focus();
      setFocusAfterEdit(false);
    }
  }, [editing, focusAfterEdit]);

  const classes = [todo.completed && 'completed', editing && 'editing', props.row?.dragging && 'dragging']
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
            onChange={props.onToggle}
          />
          {/* biome-ignore lint/a11y/noLabelWithoutControl: TodoMVC's markup; a click on it must not toggle, so the checkbox names itself by aria-labelledby instead. */}
          <label id={labelId} onDoubleClick={props.onStartEditing}>
            {todo.title}
          </label>
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
    </li>
  );
}
