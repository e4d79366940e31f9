import type { TodoCounts } from '../trpc.ts';
import { useReadOnly } from './read-only.ts';
import { FILTERS, type Filter } from './use-filter.ts';
import './todo-footer.css';

export function TodoFooter({
  counts,
  filter,
  onClearCompleted,
}: {
  counts: TodoCounts;
  filter: Filter;
  onClearCompleted: () => void;
}) {
  const readOnly = useReadOnly();
  return (
    <footer className="footer">
      <span className="todo-count">
        <strong>{counts.active}</strong> {counts.active === 1 ? 'item' : 'items'} left
      </span>
      <nav aria-label="Filter todos">
        <ul className="filters">
          {FILTERS.map((link) => (
            <li key={link.filter}>
              <a
                href={link.href}
                className={link.filter === filter ? 'selected' : undefined}
                aria-current={link.filter === filter ? 'page' : undefined}
              >
                {link.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {counts.completed > 0 && !readOnly && (
        <button type="button" className="clear-completed" onClick={onClearCompleted}>
          Clear completed
        </button>
      )}
    </footer>
  );
}
