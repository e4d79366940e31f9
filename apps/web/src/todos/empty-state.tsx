import type { TodoCounts } from '../trpc.ts';
import type { Filter } from './use-filter.ts';
import './empty-state.css';

export type EmptyKind = 'first' | 'search' | 'filter' | null;

/**
 * Why the list shows nothing, if it does: no todos at all yet, a search that matches none (once
 * the whole list is in), or a filter with nothing under it. Null while that is not known.
 */
export function emptyKindOf({
  counts,
  filter,
  search,
  settled,
  shown,
}: {
  counts: TodoCounts | undefined;
  filter: Filter;
  search: string | undefined;
  /** Whether the list is its own (not the previous one's) and has every page. */
  settled: boolean;
  /** How many todos are shown. */
  shown: number;
}): EmptyKind {
  if (!counts) return null;
  if (counts.all === 0) return 'first';
  if (search && settled && shown === 0) return 'search';
  if ((filter === 'active' && counts.active === 0) || (filter === 'completed' && counts.completed === 0)) {
    return 'filter';
  }
  return null;
}

const FILTER_WORD: Record<Filter, string> = { all: '', active: 'active ', completed: 'completed ' };

/**
 * What an empty list means, and what to do about it. Always in the page (outside `.main` and
 * `.footer`, which TodoMVC hides without todos) so that what appears in it is read out.
 */
export function EmptyState({
  kind,
  filter,
  search,
  onClearSearch,
}: {
  kind: EmptyKind;
  filter: Filter;
  search: string;
  onClearSearch: () => void;
}) {
  return (
    <div className="empty-state" aria-live="polite">
      {kind === 'first' && (
        <>
          <p className="empty-title">Nothing to do: add your first todo above</p>
          <p className="empty-hint">Type what needs doing and press Enter.</p>
        </>
      )}
      {kind === 'search' && (
        <>
          <p className="empty-title">
            No {FILTER_WORD[filter]}todos match “{search}”
          </p>
          <button type="button" className="button button-quiet" onClick={onClearSearch}>
            Clear search
          </button>
        </>
      )}
      {kind === 'filter' && filter === 'active' && (
        <>
          <p className="empty-title">Nothing left to do</p>
          <p className="empty-hint">Every todo is done. Enjoy the quiet.</p>
        </>
      )}
      {kind === 'filter' && filter === 'completed' && (
        <>
          <p className="empty-title">Nothing completed yet</p>
          <p className="empty-hint">Todos you tick off show up here.</p>
        </>
      )}
    </div>
  );
}
