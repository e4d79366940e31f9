import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Auth, appRouter, CLIENT_IP_HEADER, createHttpContext } from '@todo/api';
import { type Database, type DB, ping } from '@todo/db';
import { toNodeHandler } from 'better-auth/node';
import type { Kysely } from 'kysely';
import sirv from 'sirv';
import type { ServerConfig } from './config.ts';
import { createTrpcHandler, mediaType } from './trpc-handler.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
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
  const type = mediaType(req.headers['content-type']);
  if (type !== 'application/json') {
    sendJson(res, 415, {
      error: { message: 'Request body must be application/json', code: 'UNSUPPORTED_MEDIA_TYPE' },
    });
    return true;
  }
  return false;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
} as const;

/**
 * One request handler for the whole app: auth, API, health checks and the web build.
 */
export function createApp(options: {
  config: ServerConfig;
  db: Kysely<DB>;
  /** node-postgres only: bearer sessions are checked in each statement's round trip. */
  pgPool?: Database['pgPool'];
  auth: Auth;
  trustedOrigins: string[];
}): Handler {
  const { config, db, auth } = options;
  const trusted = new Set(options.trustedOrigins);
  const authHandler = toNodeHandler(auth);
  const trpcHandler = createTrpcHandler({
    router: appRouter,
    endpoint: '/api/trpc',
    // The largest valid input is a 10,000-character description: a megabyte leaves room for
    // batches, and a client cannot make the server buffer hundreds of megabytes per request.
    maxBodySize: 1_000_000,
    createContext: (headers) =>
      createHttpContext({
        db,
        pgPool: options.pgPool,
        auth,
        headers,
        exposeInternalErrors: !config.production,
      }),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        console.error(JSON.stringify({ level: 'error', path, message: error.message, stack: error.stack }));
      }
    },
  });
  // An API-only server (web app not built) must still start: sirv's production mode reads the
  // folder at creation and would throw.
  const web = existsSync(config.webDist)
    ? sirv(config.webDist, { single: true, dev: !config.production, etag: true, gzip: false })
    : (_req: IncomingMessage, _res: ServerResponse, next: () => void) => next();

  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);

    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const ready = await ping(db);
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'database unavailable' });
    }
    if (path === '/api/auth' || path.startsWith('/api/auth/')) {
      req.headers[CLIENT_IP_HEADER] = req.socket.remoteAddress ?? 'unknown';
      return authHandler(req, res);
    }
    if (path.startsWith('/api/trpc/')) {
      if (refuseUnsafeTrpcRequest(req, res, trusted)) return;
      return trpcHandler(req, res);
    }
    if (path === '/api' || path.startsWith('/api/')) {
      return sendJson(res, 404, { error: { message: 'Not found', code: 'NOT_FOUND' } });
    }
    web(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found (is the web app built?)');
    });
  };
}
