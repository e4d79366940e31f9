import type { Auth } from './auth.ts';

/** How our router answers a request under the auth base path. */
export type AuthRouteMatch = 'served' | 'unknown' | { allow: string[] };

type Endpoint = {
  path?: string;
  options?: { method?: string | string[]; body?: unknown; metadata?: { SERVER_ONLY?: boolean } };
};

/** An endpoint Better Auth serves over HTTP: its path under the base path, methods, body schema. */
export type ServedEndpoint = { path: string; methods: string[]; body: unknown };

/**
 * The endpoints Better Auth's router (better-call) serves, taken as it takes them: skipping
 * server-only ones and `disabledPaths`. Better Auth compares disabledPaths with a request's
 * path; patterns are compared here as its OpenAPI generator compares them, with each
 * endpoint's declared path.
 */
export function servedEndpoints(auth: Auth): ServedEndpoint[] {
  const disabled = new Set(auth.options.disabledPaths ?? []);
  return (Object.values(auth.api) as Endpoint[]).flatMap(({ path, options }) => {
    if (!path || !options || options.metadata?.SERVER_ONLY || disabled.has(path)) return [];
    const methods = Array.isArray(options.method) ? options.method : [options.method ?? 'GET'];
    return [{ path, methods, body: options.body }];
  });
}

/**
 * How our router answers a path and method under the auth base path, from the endpoints Better
 * Auth serves (`servedEndpoints`), so the two cannot drift apart. Better Auth runs its rate
 * limiter before it matches a route, keyed on the raw path, so every made-up path would cost a
 * database row; asking this first, the server answers a path Better Auth would not serve
 * without reaching the limiter, and the limiter's keys are bounded by the served paths times
 * the clients.
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
  const methods = new Map<string, string[]>();
  for (const endpoint of servedEndpoints(auth)) {
    if (/[:*]/.test(endpoint.path)) {
      throw new Error(`auth route ${endpoint.path} has a parameter: disable it, or let the router match it`);
    }
    const path = `${basePath}${endpoint.path}`;
    methods.set(path, [...(methods.get(path) ?? []), ...endpoint.methods]);
  }
  return (path, method) => {
    const allow = methods.get(path);
    if (!allow) return 'unknown';
    return allow.includes(method) ? 'served' : { allow };
  };
}
