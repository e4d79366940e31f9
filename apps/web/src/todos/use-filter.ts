import { useSyncExternalStore } from 'react';

export type Filter = 'all' | 'active' | 'completed';

export const FILTERS: { filter: Filter; label: string; href: string }[] = [
  { filter: 'all', label: 'All', href: '#/' },
  { filter: 'active', label: 'Active', href: '#/active' },
  { filter: 'completed', label: 'Completed', href: '#/completed' },
];

function filterOf(hash: string): Filter {
  if (hash === '#/active') return 'active';
  if (hash === '#/completed') return 'completed';
  return 'all';
}

function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The filter in the address (`#/`, `#/active`, `#/completed`); links change it, so Back and
 * Forward move between filters like any other navigation. */
export function useFilter(): Filter {
  return useSyncExternalStore(subscribe, () => filterOf(window.location.hash));
}

export function matches(filter: Filter, completed: boolean): boolean {
  return filter === 'all' || (filter === 'completed') === completed;
}

export type Sort = 'manual' | 'due' | 'priority' | 'newest';

export const SORTS: { sort: Sort; label: string }[] = [
  { sort: 'manual', label: 'My order' },
  { sort: 'due', label: 'Due date' },
  { sort: 'priority', label: 'Priority' },
  { sort: 'newest', label: 'Newest first' },
];

const QUERY_CHANGE = 'todo-querychange';

function subscribeToQuery(onChange: () => void) {
  window.addEventListener('popstate', onChange);
  window.addEventListener(QUERY_CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(QUERY_CHANGE, onChange);
  };
}

function queryParam(name: string): string {
  return new URLSearchParams(window.location.search).get(name) ?? '';
}

/** Sets (or, for '' and the default, removes) a parameter of the address in place: sort and
 * search are how the list is looked at, not places to go Back to; the hash filter stays. */
function setQueryParam(name: string, value: string) {
  const url = new URL(window.location.href);
  if (value) url.searchParams.set(name, value);
  else url.searchParams.delete(name);
  if (url.href === window.location.href) return;
  window.history.replaceState(window.history.state, '', url);
  window.dispatchEvent(new Event(QUERY_CHANGE));
}

function sortOf(value: string): Sort {
  return SORTS.some((option) => option.sort === value) ? (value as Sort) : 'manual';
}

/** The list's order from the address (`?sort=due`); manual, the person's own order, by default. */
export function useSort(): Sort {
  return useSyncExternalStore(subscribeToQuery, () => sortOf(queryParam('sort')));
}

export function setSort(sort: Sort) {
  setQueryParam('sort', sort === 'manual' ? '' : sort);
}

/** The search in the address (`?q=milk`), '' for none. */
export function useSearch(): string {
  return useSyncExternalStore(subscribeToQuery, () => queryParam('q'));
}

export function setSearch(search: string) {
  setQueryParam('q', search);
}
