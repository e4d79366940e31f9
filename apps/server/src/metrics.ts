import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Route } from './routes.ts';

/**
 * The procedure label: a name from `known` (the router's own procedures), `batch` for a batch
 * (`a,b?batch=1`), `unknown` for anything else, so a stranger cannot mint label values (each
 * new value is a new series kept in memory until the process ends).
 */
export function procedureOf(path: string, known: ReadonlySet<string>): string {
  if (!path.startsWith('/api/trpc/')) return '';
  const name = path.slice('/api/trpc/'.length);
  if (name.includes(',')) return 'batch';
  return known.has(name) ? name : 'unknown';
}

export type PoolStats = { total: number; idle: number; waiting: number };

export type Metrics = {
  /** This process's own series. */
  registry: Registry;
  /** Times `res` from now until it closes, under its route (routes.ts), procedure and status. */
  observe(res: ServerResponse, route: Route, path: string): void;
  /** Whether `req` carries `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time). */
  authorized(req: IncomingMessage): boolean;
  /** The exposition text: this process's series, or the whole cluster's (cluster.ts). */
  scrape(): Promise<string>;
  contentType: string;
};

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The server's Prometheus series in a registry of its own: request durations, the database pool,
 * open event streams, and prom-client's default process metrics.
 *
 * @example
 * const metrics = createMetrics({ token, procedures: new Set(['todo.list']), streams: () => 0 });
 * metrics.observe(res, 'trpc', '/api/trpc/todo.list');
 */
export function createMetrics(options: {
  token: string;
  procedures: ReadonlySet<string>;
  /** node-postgres pools only (PGlite has one in-process connection and no pool). */
  pool?: () => PoolStats;
  streams: () => number;
  /** Replaces the local scrape, e.g. with the cluster-wide one. */
  scrape?: (registry: Registry) => Promise<string>;
}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request to its response closing (an event stream: its whole life)',
    labelNames: ['route', 'procedure', 'status'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'http_open_event_streams',
    help: 'Open server-sent event streams (todo.changes)',
    registers: [registry],
    collect() {
      this.set(options.streams());
    },
  });
  const { pool } = options;
  if (pool) {
    const gauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read(pool()));
        },
      });
    gauge('db_pool_connections', 'Connections the database pool holds, busy or idle', (s) => s.total);
    gauge('db_pool_idle_connections', 'Pool connections waiting for a query', (s) => s.idle);
    gauge('db_pool_waiting_requests', 'Queries waiting for a pool connection', (s) => s.waiting);
  }
  const expected = digest(`Bearer ${options.token}`);
  return {
    registry,
    contentType: registry.contentType,
    observe(res, route, path) {
      const end = duration.startTimer();
      res.once('close', () =>
        end({
          route,
          procedure: procedureOf(path, options.procedures),
          status: String(res.statusCode),
        }),
      );
    },
    authorized(req) {
      // Digests of equal length, so neither the token nor its length leaks through timing.
      return timingSafeEqual(digest(req.headers.authorization ?? ''), expected);
    },
    scrape: () => (options.scrape ? options.scrape(registry) : registry.metrics()),
  };
}
