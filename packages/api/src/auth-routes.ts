import type { Auth } from './auth.ts';

/** How our router answers a request under the auth base path. */
export type AuthRouteMatch = 'served' | 'unknown' | { allow: string[] };

type Endpoint = {
  path?: string;
  options?: { method?: string | string[]; metadata?: { SERVER_ONLY?: boolean } };
};

/**
 * The endpoints Better Auth serves over HTTP, by path and method, taken from the endpoints
 * themselves as Better Auth's router (better-call) takes them: skipping server-only ones and
 * `disabledPaths`. Better Auth runs its rate limiter before it matches a route, keyed on the
 * raw path, so every made-up path would cost a database row; asking this first, the server
 * answers a path Better Auth would not serve without reaching the limiter, and the limiter's
 * keys are bounded by the paths below times the clients.
 *
 * Routes with a parameter (`/callback/:id`) would let one client mint keys again; none is
 * served (see `disabledPaths` in auth.ts), and one appearing in an upgrade fails here, at
 * start, rather than being matched loosely.
 *
 * @example
 * const match = authRoutes(auth);
 * match('/api/auth/get-session', 'GET'); // 'served'
 * match('/api/auth/sign-in/email', 'GET'); // { allow: ['POST'] }
 * match('/api/auth/nothing', 'GET'); // 'unknown'
 */
export function authRoutes(
  auth: Auth,
  basePath = '/api/auth',
): (path: string, method: string) => AuthRouteMatch {
  // Better Auth compares disabledPaths with a request's path; patterns are compared here as
  // its OpenAPI generator compares them, with each endpoint's declared path.
  const disabled = new Set(auth.options.disabledPaths ?? []);
  const methods = new Map<string, string[]>();
  for (const endpoint of Object.values(auth.api) as Endpoint[]) {
    const { path, options } = endpoint;
    if (!path || !options || options.metadata?.SERVER_ONLY || disabled.has(path)) continue;
    if (/[:*]/.test(path)) {
      throw new Error(`auth route ${path} has a parameter: disable it, or let the router match it`);
    }
    const declared = Array.isArray(options.method) ? options.method : [options.method ?? 'GET'];
    methods.set(`${basePath}${path}`, [...(methods.get(`${basePath}${path}`) ?? []), ...declared]);
  }
  return (path, method) => {
    const allow = methods.get(path);
    if (!allow) return 'unknown';
    return allow.includes(method) ? 'served' : { allow };
  };
}
