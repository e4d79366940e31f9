// The production server with one change: /api/trpc/* goes through tRPC's public Node adapter
// (`nodeHTTPRequestHandler`, what tRPC's standalone and Express adapters run on) instead of
// apps/server's direct path (decision 7). `pnpm bench` runs it as the target `adapter` beside
// `project`, so that the two differ only in the tRPC handler: same config, pool, request log,
// headers, context and router. Bench-only: it skips the app's CSRF and media-type checks.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { appRouter, createAuth, httpContext } from '@todo/api';
import { loadConfig, requestLogger, startServer } from '@todo/server';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';

const ENDPOINT = '/api/trpc/';

const config = loadConfig();
const running = await startServer(config);
const { server, database } = running;
// The same options as startServer's own instance (one per process, as there).
const auth = createAuth({
  db: database.db,
  secret: config.authSecret,
  baseURL: config.publicUrl,
  trustedOrigins: config.trustedOrigins,
  rateLimitPerMinute: config.authRateLimitPerMinute,
  sessionExpiresInSeconds: config.sessionExpiresInSeconds,
});
const createContext = httpContext({
  db: database.db,
  pgPool: database.pgPool,
  auth,
  exposeInternalErrors: !config.production,
});

// The headers the app sets on every API answer (security headers, cache policy), taken from a
// live answer so that they stay the app's own.
const health = await fetch(`${running.url}/healthz`);
const appHeaders = [...health.headers].filter(
  ([name]) =>
    !['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'x-request-id'].includes(name),
);

// The app's request log and ids (request-log.ts), with the same logger and settings.
const logRequest = requestLogger({
  logger: running.logger,
  trustedProxies: config.trustedProxies,
  logRequests: config.logRequests,
});

function trpc(req: IncomingMessage, res: ServerResponse, pathname: string) {
  logRequest(req, res);
  for (const [name, value] of appHeaders) res.setHeader(name, value);
  return nodeHTTPRequestHandler({
    router: appRouter,
    req,
    res,
    path: pathname.slice(ENDPOINT.length),
    maxBodySize: 1_000_000,
    createContext: ({ req }) => createContext(req.headers),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        running.logger.error({ procedure: path, err: error }, 'procedure failed');
    },
  });
}

// startServer's request listeners: the drain flag, then the app (which logs each request
// itself), which this replaces; everything but /api/trpc/ still goes to it. Any other set
// means startServer changed, and this file with it.
const listeners = server.listeners('request');
if (listeners.length !== 2) {
  throw new Error(`adapter-server: startServer has ${listeners.length} request listeners; update this file`);
}
const app = listeners.at(-1) as RequestListener;
server.off('request', app);
server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  const pathname = (req.url ?? '/').split('?', 1)[0] ?? '/';
  if (pathname.startsWith(ENDPOINT)) void trpc(req, res, pathname);
  else app(req, res);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    running.close().finally(() => process.exit(0));
  });
}
