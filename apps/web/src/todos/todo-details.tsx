import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { TodoAuthors } from '../lists/todo-authors.tsx';
import type { Todo } from '../trpc.ts';
import { dueAtOf, dueFields } from './due-fields.ts';
import { PRIORITIES } from './priorities.ts';
import { useReadOnly } from './read-only.ts';
import type { TodoDetails } from './todo-writes.ts';
import './todo-details.css';

/** The fields the form changed, compared with the todo as it is now. */
function changesOf(todo: Todo, description: string, dueAt: string | null, priority: Todo['priority']) {
  const changes: TodoDetails = {};
  const text = description.trim() ? description : null;
  if (text !== todo.description) changes.description = text;
  if (dueAt !== todo.dueAt) changes.dueAt = dueAt;
  if (priority !== todo.priority) changes.priority = priority;
  return changes;
}

/** The due date, an optional time (only with a date), and a button that takes the date away. */
function DueFields({
  id,
  date,
  time,
  onDate,
  onTime,
}: {
  id: string;
  date: string;
  time: string;
  onDate: (date: string) => void;
  onTime: (time: string) => void;
}) {
  return (
    <div className="details-field">
      <label htmlFor={`${id}-date`}>Due date</label>
      <div className="details-due">
        <input
          id={`${id}-date`}
          type="date"
          value={date}
          onChange={(event) => {
            onDate(event.target.value);
            if (!event.target.value) onTime('');
          }}
        />
        <input
          id={`${id}-time`}
          type="time"
          aria-label="Due time (optional)"
          disabled={!date}
          value={time}
          onChange={(event) => onTime(event.target.value)}
        />
        {date && (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              onDate('');
              onTime('');
            }}
          >
            No due date
          </button>
        )}
      </div>
    </div>
  );
}

function PriorityField({
  id,
  priority,
  onChange,
}: {
  id: string;
  priority: Todo['priority'];
  onChange: (priority: Todo['priority']) => void;
}) {
  return (
    <div className="details-field">
      <label htmlFor={`${id}-priority`}>Priority</label>
      <select
        id={`${id}-priority`}
        value={priority}
        onChange={(event) => onChange(event.target.value as Todo['priority'])}
      >
        {PRIORITIES.map((option) => (
          <option key={option.priority} value={option.priority}>
            {option.mark ? `${option.label} ${option.mark}` : option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Save, Cancel and Delete (the row's own delete button gives way to it at phone width); for a
 * viewer, only Close.
 */
function DetailsActions({
  readOnly,
  onClose,
  onEditTitle,
  onDelete,
}: {
  readOnly: boolean;
  onClose: () => void;
  onEditTitle: () => void;
  onDelete: () => void;
}) {
  return (
    <div className="details-actions">
      {!readOnly && (
        <button type="submit" className="button details-save">
          Save
        </button>
      )}
      <button type="button" className="button button-quiet" onClick={onClose}>
        {readOnly ? 'Close' : 'Cancel'}
      </button>
      {!readOnly && (
        <button type="button" className="button button-quiet" onClick={onEditTitle}>
          Edit title
        </button>
      )}
      {!readOnly && (
        <button type="button" className="button button-quiet details-delete" onClick={onDelete}>
          Delete todo
        </button>
      )}
    </div>
  );
}

/**
 * A todo's description, due date and priority, in a panel under its row. Escape (anywhere in
 * it) and Cancel close it without saving, Save and Ctrl+Enter in the description save; either
 * way `onClose` hands focus back to the row's Details button.
 */
export default function TodoDetailsPanel({
  id,
  todo,
  onSave,
  onClose,
  onEditTitle,
  onDelete,
}: {
  id: string;
  todo: Todo;
  onSave: (changes: TodoDetails) => void;
  onClose: () => void;
  /** Closes the panel and edits the title in the row: at phone width the row has no ✎. */
  onEditTitle: () => void;
  onDelete: () => void;
}) {
  const fieldId = useId();
  const initialDue = dueFields(todo.dueAt);
  const [description, setDescription] = useState(todo.description ?? '');
  const [date, setDate] = useState(initialDue.date);
  const [time, setTime] = useState(initialDue.time);
  const [priority, setPriority] = useState(todo.priority);
  const first = useRef<HTMLTextAreaElement>(null);
  const readOnly = useReadOnly();

  useEffect(() => {
    first.current?.focus();
  }, []);

  const save = (event?: FormEvent) => {
    event?.preventDefault();
    const changes = changesOf(todo, description, dueAtOf(date, time), priority);
    if (Object.keys(changes).length > 0) onSave(changes);
    onClose();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      save(event);
    }
  };

  return (
    <form
      id={id}
      className="details"
      aria-label={`Details of “${todo.title}”`}
      onSubmit={save}
      onKeyDown={onKeyDown}
    >
      {/* A viewer sees the details, and can change none of them. */}
      <fieldset className="details-fields" disabled={readOnly}>
        <div className="details-field details-description">
          <label htmlFor={`${fieldId}-description`}>Description</label>
          <textarea
            ref={first}
            id={`${fieldId}-description`}
            rows={3}
            maxLength={10_000}
            placeholder="Notes, links, anything that helps"
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </div>
        <div className="details-row">
          <DueFields id={fieldId} date={date} time={time} onDate={setDate} onTime={setTime} />
          <PriorityField id={fieldId} priority={priority} onChange={setPriority} />
        </div>
      </fieldset>
      <TodoAuthors createdBy={todo.createdBy} updatedBy={todo.updatedBy} />
      <DetailsActions readOnly={readOnly} onClose={onClose} onEditTitle={onEditTitle} onDelete={onDelete} />
    </form>
  );
}
