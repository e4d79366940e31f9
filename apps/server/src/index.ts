import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { appRouter, createAuth, RATE_LIMIT_WINDOW_MS } from '@todo/api';
import {
  type ChangeFeed,
  createChangeFeed,
  createDatabase,
  createReadinessCheck,
  type Database,
  type DatabaseConfig,
  migrate,
  pruneChanges,
  pruneRateLimits,
  pruneSignInFailures,
  waitForDatabase,
} from '@todo/db';
import pLimit from 'p-limit';
import { createApp } from './app.ts';
import { clientAddress } from './client-address.ts';
import type { ServerConfig } from './config.ts';
import { limitConnections } from './connection-limit.ts';
import { createEventStreams, type EventStreams } from './event-streams.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMailer } from './mail.ts';
import type { createMetrics, Metrics } from './metrics.ts';

export { ConfigError, loadConfig, type ServerConfig } from './config.ts';
export { requestLogger } from './request-log.ts';

export type RunningServer = {
  /** Where it listens, e.g. http://127.0.0.1:3000. */
  url: string;
  server: Server;
  database: Database;
  /** This process's change feed (live sync). */
  feed: ChangeFeed;
  /** This process's open event streams. */
  streams: EventStreams;
  logger: Logger;
  /** With METRICS_TOKEN only. */
  metrics?: Metrics;
  /**
   * Turns /readyz to 503, keeps serving for `config.shutdownDelayMs` (so a load balancer stops
   * sending), then stops accepting, lets in-flight requests finish (up to `graceMs`) and closes
   * the pool.
   */
  close(graceMs?: number): Promise<void>;
};

/**
 * Node answers a request it cannot parse (400), whose headers are too large (431) or too slow
 * (408) on its own, but only while nobody listens to 'clientError'. Listening keeps that answer
 * and makes sure a socket that is already gone (a reset) is simply let go.
 */
function answerClientErrors(server: Server) {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // A response already under way on this socket must not get raw bytes in its middle.
    const answering = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
      ?.headersSent;
    if (socket.destroyed || !socket.writable || answering || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
}

/** A queue that runs at most `concurrency` pieces of work at once (see `limiterQueue`). */
const queueOf = (concurrency: number) => {
  const limit = pLimit(concurrency);
  return <T>(work: () => Promise<T>) => limit(work);
};

export type StartOptions = {
  /** Made from `config` (LOG_LEVEL, LOG_FORMAT) when not given. */
  logger?: Logger;
  /** How /metrics gathers its text; this process's registry alone when not given (cluster.ts gives the whole cluster's). */
  scrapeMetrics?: Parameters<typeof createMetrics>[0]['scrape'];
  /** How often the process prunes what has run out (a minute; tests make it shorter). */
  pruneIntervalMs?: number;
};

/**
 * Opens the database (migrating it when configured), then serves the whole app on one port.
 * A `database` given by the caller may carry its `config`: readiness opens its own connection
 * from it (tests pass a throwaway database this way).
 *
 * @example
 * const { url, close } = await startServer(loadConfig({ ...process.env, PORT: '0' }));
 */
export async function startServer(
  config: ServerConfig,
  database: Database & { config?: DatabaseConfig } = createDatabase(config.database),
  options: StartOptions = {},
): Promise<RunningServer> {
  const logger = options.logger ?? (await createLogger(config));
  await waitForDatabase(database.db);
  if (config.migrateOnStart) await migrate(database.scripts);
  const readiness = createReadinessCheck(database.config ?? config.database, database.db);
  const databaseConfig = database.config ?? config.database;
  const poolMax = 'poolMax' in databaseConfig ? databaseConfig.poolMax : 1;
  const streams = createEventStreams({
    db: database.db,
    ...config.streams,
    // Streams may take half the pool at most, however many replay at once; PGlite has one connection.
    readConcurrency: Math.floor(poolMax / 2),
  });
  const feed = await createChangeFeed(database, {
    onError: (error) => logger.warn({ err: error }, 'change feed lost; reconnecting'),
    onSessionEnded: streams.endSession,
    onReconnected: () => {
      streams
        .checkSessions()
        .catch((error: Error) => logger.warn({ err: error }, 'checking stream sessions failed'));
    },
  });
  // Every process prunes the change log past its retention (10 minutes and 1,000 events per
  // user), and the limiters' rows whose window has ended (sign-in failures, and Better Auth's
  // per-address counts, which it would prune only when the same key came round again); doing
  // it twice is harmless.
  const pruner = setInterval(() => {
    pruneChanges(database.db).catch((error: Error) =>
      logger.warn({ err: error }, 'pruning the change log failed'),
    );
    pruneSignInFailures(database.db).catch((error: Error) =>
      logger.warn({ err: error }, 'pruning sign-in failures failed'),
    );
    pruneRateLimits(database.db, Date.now() - RATE_LIMIT_WINDOW_MS).catch((error: Error) =>
      logger.warn({ err: error }, 'pruning rate limits failed'),
    );
  }, options.pruneIntervalMs ?? 60_000);
  pruner.unref();

  const server = createServer({
    // Node's defaults, said out loud: 16 KB of headers is plenty for cookies and a bearer.
    maxHeaderSize: 16_384,
    headersTimeout: config.http.headersTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    // How often Node checks the two timeouts above (its default, 30 s, would let a slow
    // client stay that much longer than they say).
    connectionsCheckingInterval: Math.min(1_000, config.http.headersTimeoutMs),
  });
  answerClientErrors(server);
  const connections = limitConnections(server, {
    max: config.maxConnectionsPerIp,
    clients: clientAddress(config.trustedProxies),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  // With PORT=0 (tests) the origin is only known once listening.
  const publicUrl = config.port === 0 ? config.publicUrl.replace(/:0$/, `:${port}`) : config.publicUrl;
  const trustedOrigins =
    config.port === 0
      ? config.trustedOrigins.map((origin) => origin.replace(/:0$/, `:${port}`))
      : config.trustedOrigins;
  const mailer = createMailer({ ...config.mail, production: config.production }, logger);
  const auth = createAuth({
    db: database.db,
    secret: config.authSecret,
    baseURL: publicUrl,
    trustedOrigins,
    rateLimitPerMinute: config.authRateLimitPerMinute,
    sessionExpiresInSeconds: config.sessionExpiresInSeconds,
    mail: mailer,
    requireEmailVerification: config.requireEmailVerification,
    // The limiters' statements take a quarter of the pool at most (one on PGlite), in arrival
    // order: 400 attempts at once wait in their own line while signed-in requests use the rest.
    limiterQueue: queueOf(Math.max(1, Math.floor(poolMax / 4))),
    log: (level, message, error) => logger[level]({ source: 'better-auth', err: error }, message),
  });
  // While draining, every response tells its keep-alive client to go: otherwise a busy
  // client keeps its connection (and the process) alive until the grace period runs out.
  let draining = false;
  server.on('request', (_req, res) => {
    if (draining) res.setHeader('connection', 'close');
  });
  const pool = database.pgPool;
  // prom-client is loaded only when metrics are on: a shorter cold start for everyone else.
  const metrics = config.metricsToken
    ? (await import('./metrics.ts')).createMetrics({
        token: config.metricsToken,
        procedures: new Set(Object.keys(appRouter._def.procedures)),
        pool: pool
          ? () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount })
          : undefined,
        streams: () => streams.size,
        scrape: options.scrapeMetrics,
      })
    : undefined;
  const app = createApp({
    config,
    db: database.db,
    pgPool: database.pgPool,
    auth,
    mail: mailer,
    live: { feed, read: streams.read },
    streams,
    publicUrl,
    trustedOrigins,
    logger,
    metrics,
    admit: connections.admit,
    readiness: async () => {
      if (draining) return 'shutting down';
      return (await readiness.ready()) ? 'ready' : 'database unavailable';
    },
  });
  server.on('request', (req, res) => {
    if (!connections.refusedSocket(req, res)) app(req, res);
  });

  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    database,
    feed,
    streams,
    logger,
    metrics,
    close(graceMs = 10_000) {
      closing ??= (async () => {
        // Not ready first, while still serving: a load balancer polling /readyz stops sending.
        draining = true;
        if (config.shutdownDelayMs > 0)
          await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        clearInterval(pruner);
        // Event streams never finish by themselves: they are cut, and their clients reconnect
        // (to another instance) and replay what they missed.
        streams.close();
        await feed.close();
        await mailer.close(graceMs);
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        await closed;
        clearTimeout(timer);
        await readiness.close();
        await database.close();
      })();
      return closing;
    },
  };
}
