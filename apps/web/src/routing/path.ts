import { useSyncExternalStore } from 'react';

// The app's few path routes (`/`, `/account`, `/reset-password`, `/forgot-password`) on the
// History API. TodoMVC's filters stay in the hash on `/`; the server answers index.html for any
// path it does not know, so each of these can be opened directly or reloaded.

function subscribe(onChange: () => void) {
  window.addEventListener('popstate', onChange);
  return () => window.removeEventListener('popstate', onChange);
}

/** The current path, e.g. `/account`, without a trailing slash (except `/`). */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname.replace(/(.)\/+$/, '$1'));
}

/** Goes to `to` as a new history entry (or in place with `replace`), without a page load. */
export function navigate(to: string, { replace = false } = {}) {
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** A plain link's click, turned into `navigate` unless the user asked for a new tab or window. */
export function followLink(event: React.MouseEvent<HTMLAnchorElement>) {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute('href') ?? '/');
}
