/**
 * What the server serves, by path: one classification for the dispatcher (app.ts), its 405s
 * and the metrics' route label, so the three cannot disagree about a path.
 *
 * - `api`: any other path under /api, a JSON 404 whatever the method;
 * - `metrics`: only while metrics are on (METRICS_TOKEN); otherwise /metrics is the web app's.
 */
export type Route = 'trpc' | 'auth' | 'healthz' | 'readyz' | 'metrics' | 'api' | 'web';

export function routeOf(path: string, metrics: boolean): Route {
  if (path.startsWith('/api/trpc/')) return 'trpc';
  if (path === '/api/auth' || path.startsWith('/api/auth/')) return 'auth';
  if (path === '/api' || path.startsWith('/api/')) return 'api';
  if (path === '/healthz') return 'healthz';
  if (path === '/readyz') return 'readyz';
  if (metrics && path === '/metrics') return 'metrics';
  return 'web';
}

const GET_HEAD = ['GET', 'HEAD'] as const;
const GET_POST = ['GET', 'POST'] as const;

/**
 * The methods a route serves; null for `api` (unknown /api paths are 404 whatever the method).
 * Checked before anything else: a method fetch cannot represent (TRACE, CONNECT) must never
 * reach code that builds a fetch Request from the Node request. tRPC's HEAD (an empty 204 that
 * runs nothing) and OPTIONS (no CORS here) are refused too: no client of ours sends them.
 */
export const ALLOWED_METHODS: Readonly<Record<Route, readonly string[] | null>> = {
  trpc: GET_POST,
  auth: GET_POST,
  healthz: GET_HEAD,
  readyz: GET_HEAD,
  metrics: GET_HEAD,
  api: null,
  web: GET_HEAD,
};
