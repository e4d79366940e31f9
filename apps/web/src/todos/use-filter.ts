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
