/**
 * What one server process builds and serves: the database (migrated when configured), live sync
 * (the change feed and the event streams), Better Auth with its mail, the HTTP server, and the
 * app (app.ts) on it; and how it drains on close. start.ts runs it; tests start it in-process.
 */
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
  type ReadinessCheck,
  waitForDatabase,
} from '@todo/db';
import pLimit from 'p-limit';
import { createApp } from './app.ts';
import { clientAddress } from './client-address.ts';
import type { ServerConfig } from './config.ts';
import { limitConnections } from './connection-limit.ts';
import { createEventStreams, type EventStreams } from './event-streams.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMailer, type Mailer } from './mail.ts';
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

/** Prunes what has run out, every `intervalMs`, until the timer is cleared. */
function startPruning(db: Database['db'], logger: Logger, intervalMs: number): NodeJS.Timeout {
  // Every process prunes the change log past its retention (10 minutes and 1,000 events per
  // user), and the limiters' rows whose window has ended (sign-in failures, and Better Auth's
  // per-address counts, which it would prune only when the same key came round again); doing
  // it twice is harmless.
  const pruner = setInterval(() => {
    pruneChanges(db).catch((error: Error) => logger.warn({ err: error }, 'pruning the change log failed'));
    pruneSignInFailures(db).catch((error: Error) =>
      logger.warn({ err: error }, 'pruning sign-in failures failed'),
    );
    pruneRateLimits(db, Date.now() - RATE_LIMIT_WINDOW_MS).catch((error: Error) =>
      logger.warn({ err: error }, 'pruning rate limits failed'),
    );
  }, intervalMs);
  pruner.unref();
  return pruner;
}

/** This process's live sync: its event streams, and the change feed that wakes them. */
async function startLiveSync(database: Database, poolMax: number, config: ServerConfig, logger: Logger) {
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
  return { streams, feed };
}

/** The HTTP server, with the bounds on receiving a request (config.http), listening. */
async function listen(config: ServerConfig): Promise<{ server: Server; port: number }> {
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** The app's origin and trusted origins; with PORT=0 (tests) the port is only known once listening. */
function originsOn(config: ServerConfig, port: number) {
  if (config.port !== 0) return { publicUrl: config.publicUrl, trustedOrigins: config.trustedOrigins };
  return {
    publicUrl: config.publicUrl.replace(/:0$/, `:${port}`),
    trustedOrigins: config.trustedOrigins.map((origin) => origin.replace(/:0$/, `:${port}`)),
  };
}

/** Better Auth on this database, its mail, and its limiters' share of the pool. */
function authFor(
  config: ServerConfig,
  db: Database['db'],
  origins: ReturnType<typeof originsOn>,
  mailer: Mailer,
  poolMax: number,
  logger: Logger,
) {
  return createAuth({
    db,
    secret: config.authSecret,
    baseURL: origins.publicUrl,
    trustedOrigins: origins.trustedOrigins,
    rateLimitPerMinute: config.authRateLimitPerMinute,
    sessionExpiresInSeconds: config.sessionExpiresInSeconds,
    mail: mailer,
    requireEmailVerification: config.requireEmailVerification,
    // The limiters' statements take a quarter of the pool at most (one on PGlite), in arrival
    // order: 400 attempts at once wait in their own line while signed-in requests use the rest.
    limiterQueue: queueOf(Math.max(1, Math.floor(poolMax / 4))),
    log: (level, message, error) => logger[level]({ source: 'better-auth', err: error }, message),
  });
}

/** /metrics, with METRICS_TOKEN only; prom-client is loaded only then, for a shorter cold start. */
async function metricsFor(
  config: ServerConfig,
  pool: Database['pgPool'],
  streams: EventStreams,
  scrape: StartOptions['scrapeMetrics'],
): Promise<Metrics | undefined> {
  if (!config.metricsToken) return undefined;
  const { createMetrics } = await import('./metrics.ts');
  return createMetrics({
    token: config.metricsToken,
    procedures: new Set(Object.keys(appRouter._def.procedures)),
    pool: pool
      ? () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount })
      : undefined,
    streams: () => streams.size,
    scrape,
  });
}

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
  const databaseConfig = database.config ?? config.database;
  const readiness = createReadinessCheck(databaseConfig, database.db);
  const poolMax = 'poolMax' in databaseConfig ? databaseConfig.poolMax : 1;
  const { streams, feed } = await startLiveSync(database, poolMax, config, logger);
  const pruner = startPruning(database.db, logger, options.pruneIntervalMs ?? 60_000);

  const { server, port } = await listen(config);
  const connections = limitConnections(server, {
    max: config.maxConnectionsPerIp,
    clients: clientAddress(config.trustedProxies),
  });
  const origins = originsOn(config, port);
  const mailer = createMailer(config.mail, logger);
  const auth = authFor(config, database.db, origins, mailer, poolMax, logger);
  // While draining, every response tells its keep-alive client to go: otherwise a busy
  // client keeps its connection (and the process) alive until the grace period runs out.
  let draining = false;
  server.on('request', (_req, res) => {
    if (draining) res.setHeader('connection', 'close');
  });
  const metrics = await metricsFor(config, database.pgPool, streams, options.scrapeMetrics);
  const app = createApp({
    config,
    db: database.db,
    pgPool: database.pgPool,
    auth,
    mail: mailer,
    live: { feed, read: streams.read },
    streams,
    ...origins,
    accountMail: mailer.enabled,
    logger,
    metrics,
    connections,
    readiness: async () => {
      if (draining) return 'shutting down';
      return (await readiness.ready()) ? 'ready' : 'database unavailable';
    },
  });
  server.on('request', app);

  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    database,
    feed,
    streams,
    logger,
    metrics,
    close: drainAndClose({
      shutdownDelayMs: config.shutdownDelayMs,
      startDraining: () => {
        draining = true;
      },
      server,
      pruner,
      streams,
      feed,
      mailer,
      readiness,
      database,
    }),
  };
}

/** RunningServer.close, once however often it is called: the drain, in the order that loses nothing. */
function drainAndClose(parts: {
  shutdownDelayMs: number;
  /** Turns /readyz to 503 and asks keep-alive clients to go. */
  startDraining: () => void;
  server: Server;
  pruner: NodeJS.Timeout;
  streams: EventStreams;
  feed: ChangeFeed;
  mailer: Mailer;
  readiness: ReadinessCheck;
  database: Database;
}): RunningServer['close'] {
  const { server } = parts;
  let closing: Promise<void> | undefined;
  return (graceMs = 10_000) => {
    closing ??= (async () => {
      // Not ready first, while still serving: a load balancer polling /readyz stops sending.
      parts.startDraining();
      if (parts.shutdownDelayMs > 0)
        await new Promise((resolve) => setTimeout(resolve, parts.shutdownDelayMs));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      clearInterval(parts.pruner);
      // Event streams never finish by themselves: they are cut, and their clients reconnect
      // (to another instance) and replay what they missed.
      parts.streams.close();
      await parts.feed.close();
      await parts.mailer.close(graceMs);
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await parts.readiness.close();
      await parts.database.close();
    })();
    return closing;
  };
}
