import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuth } from '@todo/api';
import { createDatabase, type Database, migrate, waitForDatabase } from '@todo/db';
import { createApp } from './app.ts';
import type { ServerConfig } from './config.ts';

export { ConfigError, loadConfig, type ServerConfig } from './config.ts';

export type RunningServer = {
  /** Where it listens, e.g. http://127.0.0.1:3000. */
  url: string;
  server: Server;
  database: Database;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes the pool. */
  close(graceMs?: number): Promise<void>;
};

/**
 * One JSON line per request on stdout. Lines finished in the same event-loop turn leave in one
 * write: under load that is many requests per system call instead of one each (writes are a
 * visible cost in the benchmark's profile). A line waits at most for the end of the turn, and
 * whatever is pending is written when the server closes or the process exits.
 */
function logRequests(server: Server) {
  let pending = '';
  const flush = () => {
    if (!pending) return;
    const lines = pending;
    pending = '';
    process.stdout.write(lines);
  };
  process.on('exit', flush);
  server.once('close', () => {
    flush();
    process.off('exit', flush);
  });
  server.on('request', (req, res) => {
    const started = performance.now();
    res.once('finish', () => {
      // Path only: query strings may carry search terms, and headers carry credentials.
      const path = (req.url ?? '/').split('?')[0];
      const ms = Math.round((performance.now() - started) * 10) / 10;
      if (!pending) setImmediate(flush);
      pending += `${JSON.stringify({ time: new Date().toISOString(), method: req.method, path, status: res.statusCode, ms })}\n`;
    });
  });
}

/**
 * Opens the database (migrating it when configured), then serves the whole app on one port.
 *
 * @example
 * const { url, close } = await startServer(loadConfig({ ...process.env, PORT: '0' }));
 */
export async function startServer(
  config: ServerConfig,
  database = createDatabase(config.database),
): Promise<RunningServer> {
  await waitForDatabase(database.db);
  if (config.migrateOnStart) await migrate(database.scripts);

  const server = createServer();
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
  const auth = createAuth({
    db: database.db,
    secret: config.authSecret,
    baseURL: publicUrl,
    trustedOrigins,
    rateLimitPerMinute: config.authRateLimitPerMinute,
    sessionExpiresInSeconds: config.sessionExpiresInSeconds,
  });
  if (config.logRequests) logRequests(server);
  // While draining, every response tells its keep-alive client to go: otherwise a busy
  // client keeps its connection (and the process) alive until the grace period runs out.
  let draining = false;
  server.on('request', (_req, res) => {
    if (draining) res.setHeader('connection', 'close');
  });
  server.on('request', createApp({ config, db: database.db, pgPool: database.pgPool, auth, trustedOrigins }));

  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    database,
    close(graceMs = 10_000) {
      closing ??= (async () => {
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        await closed;
        clearTimeout(timer);
        await database.close();
      })();
      return closing;
    },
  };
}
