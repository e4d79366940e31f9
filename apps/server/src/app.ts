/**
 * The dispatcher: every request gets the edge's headers and checks (edge.ts), then one route's
 * handler: health checks, metrics, Better Auth (auth-bridge.ts), tRPC (trpc-handler.ts) or the
 * web build (web-files.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Auth, type AuthMail, appRouter, httpContext, type Live } from '@todo/api';
import type { Database, DB } from '@todo/db';
import type { Kysely } from 'kysely';
import { createAuthBridge } from './auth-bridge.ts';
import { clientAddress } from './client-address.ts';
import type { ServerConfig } from './config.ts';
import type { ConnectionLimit } from './connection-limit.ts';
import {
  catchErrors,
  methodNotAllowed,
  notFound,
  refuseUnsafeTrpcRequest,
  sendJson,
  setEdgeHeaders,
} from './edge.ts';
import type { EventStreams } from './event-streams.ts';
import { toHeaders } from './fetch-bridge.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from './refusals.ts';
import { pathOf, requestLog, requestLogger } from './request-log.ts';
import { ALLOWED_METHODS, type Route, routeOf } from './routes.ts';
import { createTrpcHandler } from './trpc-handler.ts';
import { createWebFiles } from './web-files.ts';

// The largest valid input is a 10,000-character description: a megabyte leaves room for
// batches, and a client cannot make the server buffer hundreds of megabytes per request.
const MAX_BODY_SIZE = 1_000_000;
/**
 * A signed-in `account.import` call alone may send more: an export file of 10,000 todos with
 * short descriptions is a few megabytes. The session is checked before any of it is read, so
 * a stranger still gets 413 past 1 MB.
 */
export const MAX_IMPORT_BODY_SIZE = 16_000_000;
const IMPORT_PATH = '/api/trpc/account.import';
/** Calls per tRPC batch: the web app's batch link sends a handful; more is a way to multiply work. */
const MAX_BATCH_SIZE = 10;

export type AppOptions = {
  config: ServerConfig;
  db: Kysely<DB>;
  /** node-postgres only: bearer sessions are checked in each statement's round trip. */
  pgPool?: Database['pgPool'];
  auth: Auth;
  /** Mail that procedures send (list invites); without it, invites are refused. */
  mail?: AuthMail;
  /** Live sync: the process's change feed and event streams, for todo.changes. */
  live: Live;
  streams: EventStreams;
  /** The app's own origin (with the real port when listening on port 0). */
  publicUrl: string;
  trustedOrigins: string[];
  /**
   * Whether account mail goes anywhere (SMTP or MAIL_DIR). /healthz says so as `mail`: the web
   * app offers "Forgot password?" only when a reset link can reach someone.
   */
  accountMail: boolean;
  /** What /readyz answers: 'ready' (200) while the database answers and the server is not shutting down. */
  readiness: () => Promise<'ready' | 'database unavailable' | 'shutting down'>;
  logger: Logger;
  /** With METRICS_TOKEN: requests are timed, and /metrics answers the token's bearer. */
  metrics?: Metrics;
  /**
   * The per-address connection cap (connection-limit.ts): `refusedSocket` is true for a request
   * on a socket refused as it connected (already answered: it runs nothing, not even a log
   * line); `admit` is false when it refused the request of a client behind a trusted proxy.
   */
  connections?: Pick<ConnectionLimit, 'refusedSocket' | 'admit'>;
};

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * One request handler for the whole app: auth, API, health checks and the web build.
 */
export function createApp(options: AppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, logger, metrics } = options;
  const logRequest = requestLogger({
    logger,
    trustedProxies: config.trustedProxies,
    logRequests: config.logRequests,
  });
  const hsts = new URL(options.publicUrl).protocol === 'https:';
  const handlers = routeHandlers(options);

  const { connections } = options;

  return catchErrors(async (req, res) => {
    if (connections?.refusedSocket(req, res)) return;
    const path = pathOf(req);
    const route = routeOf(path, metrics !== undefined);
    logRequest(req, res, { webFile: route === 'web' });
    metrics?.observe(res, route, path);
    setEdgeHeaders(res, hsts);
    // Answers about this moment and this caller, in JSON: no cache, shared or private, may keep them.
    if (route !== 'web') res.setHeader('cache-control', 'no-store');
    if (connections && !connections.admit(req, res)) return;
    if (refusedMethod(res, route, req.method ?? 'GET')) return;
    await handlers[route](req, res);
  }, logger);
}

/** Each route's handler; the dispatcher has checked the method before any of them runs. */
function routeHandlers(options: AppOptions): Record<Route, Handler> {
  const { config, auth, metrics } = options;
  const trusted = new Set(options.trustedOrigins);
  const trpc = trpcFor(options);
  return {
    healthz: (_req, res) => sendJson(res, 200, { status: 'ok', mail: options.accountMail }),
    readyz: async (_req, res) => {
      const status = await options.readiness();
      sendJson(res, status === 'ready' ? 200 : 503, { status });
    },
    // routeOf gives 'metrics' only while metrics are on; without, /metrics is the web app's.
    metrics: (req, res) => metrics && serveMetrics(req, res, metrics),
    auth: createAuthBridge({
      auth,
      publicUrl: options.publicUrl,
      clients: clientAddress(config.trustedProxies),
      maxBodySize: MAX_BODY_SIZE,
    }),
    trpc: (req, res) => refuseUnsafeTrpcRequest(req, res, trusted) || trpc(req, res),
    api: (_req, res) => notFound(res),
    web: createWebFiles({ webDist: config.webDist, production: config.production }),
  };
}

/**
 * Answers 405 with `Allow` when the route does not serve the method (JSON for the API, plain
 * text for the web app), and says whether it did.
 */
function refusedMethod(res: ServerResponse, route: Route, method: string): boolean {
  const servedMethods = ALLOWED_METHODS[route];
  if (!servedMethods || servedMethods.includes(method)) return false;
  if (route !== 'web') methodNotAllowed(res, servedMethods);
  else
    res
      .writeHead(405, { allow: servedMethods.join(', '), 'content-type': 'text/plain' })
      .end('Method not allowed');
  return true;
}

/** tRPC at /api/trpc (trpc-handler.ts), with the app's limits, context and error log. */
function trpcFor({ config, db, auth, logger, ...options }: AppOptions) {
  return createTrpcHandler({
    router: appRouter,
    endpoint: '/api/trpc',
    maxBodySize: MAX_BODY_SIZE,
    async maxBodySizeFor(req) {
      if (req.url !== IMPORT_PATH) return undefined;
      const session = await auth.api.getSession({ headers: toHeaders(req) }).catch(() => null);
      return session ? MAX_IMPORT_BODY_SIZE : undefined;
    },
    maxBatchSize: MAX_BATCH_SIZE,
    streams: options.streams,
    createContext: httpContext({
      db,
      pgPool: options.pgPool,
      auth,
      exposeInternalErrors: !config.production,
      live: options.live,
      mail: options.mail,
    }),
    onError({ error, path, req }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        requestLog(req, logger).error({ procedure: path, err: error }, 'procedure failed');
      } else if (error.code === 'SERVICE_UNAVAILABLE') {
        requestLog(req, logger).warn({ procedure: path, err: error.cause }, 'database unavailable');
      }
    },
    retryAfterSeconds: { 503: DATABASE_RETRY_AFTER_SECONDS },
  });
}

/** 401 without the token's bearer (a scrape misconfigured says so); else the exposition text. */
async function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: Metrics) {
  if (!metrics.authorized(req)) {
    return sendJson(
      res,
      401,
      { error: { message: 'Unauthorized', code: 'UNAUTHORIZED' } },
      { 'www-authenticate': 'Bearer' },
    );
  }
  const text = await metrics.scrape();
  res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}
