import type { Todo } from '../trpc.ts';
import { dueLabel } from './due-date.ts';
import { PRIORITIES } from './priorities.ts';
import './todo-meta.css';

const noteOf = (todo: Todo) => todo.description?.trim().split('\n')[0] ?? '';
export const hasMeta = (todo: Todo) => todo.priority !== 'none' || todo.dueAt !== null || noteOf(todo) !== '';

/** Priority, due date and the description's first line, under the title (never in its label). */
export function TodoMeta({ id, todo, now }: { id: string; todo: Todo; now: Date }) {
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
