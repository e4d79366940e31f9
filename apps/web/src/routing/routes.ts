// The app's pages by path. The server answers index.html for any path it does not know, so each
// can be opened directly or reloaded; TodoMVC's filters stay in the hash of the todo page.

/** A page of the app, with whatever its path names. */
export type Route =
  /** A list's todos; no `listId`: the Inbox. */
  | { page: 'todos'; listId?: string }
  /** Every list's todos by due date: overdue and today, or the next 7 days. */
  | { page: 'today' }
  | { page: 'upcoming' }
  | { page: 'invite'; token: string }
  | { page: 'account' }
  | { page: 'reset-password' }
  | { page: 'forgot-password' };

/**
 * The page `path` (as `usePath` gives it: no trailing slash) shows; any path it does not know
 * shows the todos.
 *
 * @example
 * routeOf('/account'); // { page: 'account' }
 * routeOf('/lists/0b7d…'); // { page: 'todos', listId: '0b7d…' }
 */
export function routeOf(path: string): Route {
  const list = /^\/lists\/([0-9a-f-]{36})$/i.exec(path);
  if (list?.[1]) return { page: 'todos', listId: list[1].toLowerCase() };
  const invite = /^\/invite\/([A-Za-z0-9_-]{1,200})$/.exec(path);
  if (invite?.[1]) return { page: 'invite', token: invite[1] };
  switch (path) {
    case '/today':
      return { page: 'today' };
    case '/upcoming':
      return { page: 'upcoming' };
    case '/account':
      return { page: 'account' };
    case '/reset-password':
      return { page: 'reset-password' };
    case '/forgot-password':
      return { page: 'forgot-password' };
    default:
      return { page: 'todos' };
  }
}

/** The path of a list's page (no id: the Inbox, at `/`). */
export const listPath = (listId?: string): string => (listId ? `/lists/${listId}` : '/');
