// The app's pages by path. The server answers index.html for any path it does not know, so each
// can be opened directly or reloaded; TodoMVC's filters stay in the hash of the todo page.

/** A page of the app, with whatever its path names. */
export type Route =
  | { page: 'todos' }
  | { page: 'account' }
  | { page: 'reset-password' }
  | { page: 'forgot-password' };

/**
 * The page `path` (as `usePath` gives it: no trailing slash) shows; any path it does not know
 * shows the todos.
 *
 * @example
 * routeOf('/account'); // { page: 'account' }
 */
export function routeOf(path: string): Route {
  switch (path) {
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
