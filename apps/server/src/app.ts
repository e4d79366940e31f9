import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Auth,
  appRouter,
  authRoutes,
  CLIENT_IP_HEADER,
  DATABASE_UNAVAILABLE_MESSAGE,
  httpContext,
  type Live,
} from '@todo/api';
import { type Database, type DB, isDatabaseUnavailable } from '@todo/db';
import type { Kysely } from 'kysely';
import sirv from 'sirv';
import { clientAddress } from './client-address.ts';
import type { ServerConfig } from './config.ts';
import { contentEncoding } from './content-encoding.ts';
import type { EventStreams } from './event-streams.ts';
import { sendFetchResponse, toHeaders } from './fetch-bridge.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { readBody } from './read-body.ts';
import { DATABASE_RETRY_AFTER_SECONDS, sendRefusal } from './refusals.ts';
import { pathOf, REQUEST_ID_HEADER, requestLog, requestLogger } from './request-log.ts';
import { ALLOWED_METHODS, routeOf } from './routes.ts';
import { createTrpcHandler, mediaType } from './trpc-handler.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

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

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const payload = JSON.stringify(body);
  res
    .writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    })
    .end(payload);
}

/** The origin a browser says the request comes from: Origin, else the Referer's origin. */
function requestOrigin(req: IncomingMessage): string | null {
  if (req.headers.origin && req.headers.origin !== 'null') return req.headers.origin;
  try {
    return req.headers.referer ? new URL(req.headers.referer).origin : null;
  } catch {
    return null;
  }
}

const refuseMediaType = (res: ServerResponse) =>
  sendJson(res, 415, {
    error: { message: 'Request body must be application/json', code: 'UNSUPPORTED_MEDIA_TYPE' },
  });

const notFound = (res: ServerResponse) =>
  sendJson(res, 404, { error: { message: 'Not found', code: 'NOT_FOUND' } });

const methodNotAllowed = (res: ServerResponse, allow: readonly string[]) =>
  sendJson(
    res,
    405,
    { error: { message: 'Method not allowed', code: 'METHOD_NOT_SUPPORTED' } },
    { allow: allow.join(', ') },
  );

const refuseTooLarge = (res: ServerResponse) =>
  sendJson(res, 413, { error: { message: 'Request body too large', code: 'PAYLOAD_TOO_LARGE' } });

/**
 * tRPC has no CSRF protection of its own (Better Auth's covers /api/auth only). A request that
 * changes state and carries a cookie must come from one of our origins; bearer-token callers
 * carry no ambient credentials and need no Origin. Bodies must be JSON, which a plain HTML
 * form cannot send cross-site without a CORS preflight.
 */
function refuseUnsafeTrpcRequest(req: IncomingMessage, res: ServerResponse, trusted: Set<string>): boolean {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return false;
  if (req.headers.cookie) {
    const origin = requestOrigin(req);
    if (!origin || !trusted.has(origin)) {
      sendJson(res, 403, { error: { message: 'Cross-origin request refused', code: 'FORBIDDEN' } });
      return true;
    }
  }
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    refuseMediaType(res);
    return true;
  }
  return false;
}

/** Whether the request announces a body: a non-zero length, or chunked framing. */
const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
} as const;

const EDGE_HEADERS = new Set([
  ...Object.keys(SECURITY_HEADERS),
  'strict-transport-security',
  REQUEST_ID_HEADER,
]);

/**
 * The last line of defence: an error that escapes a request handler (a sync throw or a rejected
 * promise, from ours, Better Auth, sirv or tRPC) is logged at `error` (with the request's id)
 * and answered 500 for that request alone; the process keeps serving. The line names the
 * method and the path without its query string, never headers: logs must carry no credentials.
 */
export function catchErrors(
  handler: Handler,
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const fail = (error: unknown) => {
      // The database away (Better Auth's calls end here) is not a bug: 503, "come back shortly".
      const away = isDatabaseUnavailable(error);
      const log = { method: req.method, path: pathOf(req), err: error };
      if (away) requestLog(req, logger).warn(log, 'database unavailable');
      else requestLog(req, logger).error(log, 'request failed');
      if (res.headersSent || res.destroyed) {
        // Half an answer is worse than none: the client sees a cut connection, not a wrong body.
        res.destroy();
        return;
      }
      // Whatever the failed handler set (a cookie, a content type) goes; the edge's own headers stay.
      for (const name of res.getHeaderNames()) if (!EDGE_HEADERS.has(name)) res.removeHeader(name);
      if (away) {
        const path = pathOf(req);
        sendRefusal(
          res,
          path,
          'SERVICE_UNAVAILABLE',
          DATABASE_UNAVAILABLE_MESSAGE,
          DATABASE_RETRY_AFTER_SECONDS,
        );
        return;
      }
      sendJson(
        res,
        500,
        { error: { message: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' } },
        { 'cache-control': 'no-store' },
      );
    };
    // Node throws on an 'error' event nobody listens to: a reset while a GET's (unread) body
    // arrives, or a write to a response whose socket is gone, must not end the process.
    req.on('error', () => {});
    res.on('error', () => {});
    try {
      handler(req, res)?.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

/**
 * How long a browser may keep a file of the web build. Only Vite's content-hashed /assets/ files
 * never change under their name; everything else (index.html and the client routes it answers,
 * the service worker sw.js with its workbox-*.js and registerSW.js, the manifest, the icons) must
 * be asked for again each time (an ETag makes that a 304), or a new deploy would go unseen: the
 * service worker's update check reads sw.js, and a stale index.html names assets that are gone.
 */
export function webCacheControl(pathname: string, production: boolean): string {
  if (production && pathname.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

/**
 * One request handler for the whole app: auth, API, health checks and the web build.
 */
export function createApp(options: {
  config: ServerConfig;
  db: Kysely<DB>;
  /** node-postgres only: bearer sessions are checked in each statement's round trip. */
  pgPool?: Database['pgPool'];
  auth: Auth;
  /** Live sync: the process's change feed and event streams, for todo.changes. */
  live: Live;
  streams: EventStreams;
  /** The app's own origin (with the real port when listening on port 0). */
  publicUrl: string;
  trustedOrigins: string[];
  /** What /readyz answers: 'ready' (200) while the database answers and the server is not shutting down. */
  readiness: () => Promise<'ready' | 'database unavailable' | 'shutting down'>;
  logger: Logger;
  /** With METRICS_TOKEN: requests are timed, and /metrics answers the token's bearer. */
  metrics?: Metrics;
  /** The per-address connection cap (connection-limit.ts): false when it refused the request. */
  admit?: (req: IncomingMessage, res: ServerResponse) => boolean;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, db, auth, logger, metrics } = options;
  const logRequest = requestLogger({
    logger,
    trustedProxies: config.trustedProxies,
    logRequests: config.logRequests,
  });
  const trusted = new Set(options.trustedOrigins);
  const clients = clientAddress(config.trustedProxies);
  const hsts = new URL(options.publicUrl).protocol === 'https:';
  const authRoute = authRoutes(auth);
  const trpcHandler = createTrpcHandler({
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

  /**
   * Better Auth through its fetch handler, with the body read here under the same rules as
   * /api/trpc (1 MB, JSON only) and a Request we build from a method already checked:
   * better-auth/node's toNodeHandler streams the Node request into `new Request` itself, which
   * rejects on TRACE and on a body that stops half-way. A path or method Better Auth does not
   * serve is answered here, before its rate limiter would store a row for it.
   */
  async function authHandler(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', options.publicUrl);
    const served = authRoute(url.pathname, req.method ?? 'GET');
    if (served === 'unknown') return notFound(res);
    if (served !== 'served') return methodNotAllowed(res, served.allow);
    // The rate limiters' client address: the socket's peer, or the address a trusted proxy
    // (TRUSTED_PROXIES) received the request from; never a header the client chose.
    req.headers[CLIENT_IP_HEADER] = clients.of(req);
    let body: Buffer | undefined;
    if (req.method === 'POST' && hasBody(req)) {
      if (mediaType(req.headers['content-type']) !== 'application/json') return refuseMediaType(res);
      const read = await readBody(req, MAX_BODY_SIZE);
      if (read === 'aborted') return void res.destroy();
      if (read === 'too large') return refuseTooLarge(res);
      body = read;
    }
    const response = await auth.handler(
      new Request(url, {
        method: req.method,
        headers: toHeaders(req),
        // Buffer is a valid body at run time; under the DOM typings it is not.
        body: body?.length ? (body as unknown as RequestInit['body']) : undefined,
      }),
    );
    await sendFetchResponse(res, response, { 'cache-control': 'no-store' });
  }

  // An API-only server (web app not built) must still start: sirv's production mode reads the
  // folder at creation and would throw.
  const web = existsSync(config.webDist)
    ? sirv(config.webDist, {
        single: true,
        dev: !config.production,
        etag: true,
        // The .br and .gz copies of vite build's assets (apps/web/vite.config.ts), with Vary.
        brotli: true,
        gzip: true,
        setHeaders: (res, pathname) =>
          res.setHeader('cache-control', webCacheControl(pathname, config.production)),
      })
    : (_req: IncomingMessage, _res: ServerResponse, next: () => void) => next();

  return catchErrors(async (req, res) => {
    const path = pathOf(req);
    const route = routeOf(path, metrics !== undefined);
    logRequest(req, res);
    metrics?.observe(res, route, path);
    const method = req.method ?? 'GET';
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (hsts) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
    // Answers about this moment and this caller, in JSON: no cache, shared or private, may keep them.
    const json = route !== 'web';
    if (json) res.setHeader('cache-control', 'no-store');
    if (options.admit && !options.admit(req, res)) return;

    const allowed = ALLOWED_METHODS[route];
    if (allowed && !allowed.includes(method)) {
      if (json) return methodNotAllowed(res, allowed);
      res
        .writeHead(405, { allow: allowed.join(', '), 'content-type': 'text/plain' })
        .end('Method not allowed');
      return;
    }

    switch (route) {
      case 'healthz':
        return sendJson(res, 200, { status: 'ok' });
      case 'readyz': {
        const status = await options.readiness();
        return sendJson(res, status === 'ready' ? 200 : 503, { status });
      }
      case 'metrics':
        // routeOf gives 'metrics' only while metrics are on; without, /metrics is the web app's.
        return metrics && serveMetrics(req, res, metrics);
      case 'auth':
        return authHandler(req, res);
      case 'trpc':
        if (refuseUnsafeTrpcRequest(req, res, trusted)) return;
        return trpcHandler(req, res);
      case 'api':
        return notFound(res);
    }
    // sirv picks a copy by a substring of Accept-Encoding and would send br to `br;q=0`: it gets
    // the one encoding negotiated here instead.
    req.headers['accept-encoding'] = contentEncoding(req.headers['accept-encoding']);
    web(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found (is the web app built?)');
    });
  }, logger);
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
