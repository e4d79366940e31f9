// The server process: `pnpm start` (built: dist/start.js), `pnpm dev` (`--development`) and the
// tests' spawned servers. It picks NODE_ENV, reads the configuration, starts the server
// (server.ts) and serves until SIGTERM/SIGINT. With WEB_CONCURRENCY > 1 this process is the
// primary of a cluster (cluster.ts, loaded only then) and every worker runs this same file.
//
// NODE_ENV is production unless the environment or `--development` says otherwise: set here
// rather than as `NODE_ENV=production node …` in package.json, it works in every shell,
// Windows' included. Built (`pnpm build`, see build.ts), the web app sits beside this file in
// dist/web: the default for WEB_DIST, so that a deployed folder serves it with no setting.
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from './logger.ts';
import type { RunningServer, ServerConfig } from './server.ts';

process.env.NODE_ENV ??= process.argv.includes('--development') ? 'development' : 'production';
const bundledWeb = fileURLToPath(new URL('./web/', import.meta.url));
if (existsSync(bundledWeb)) process.env.WEB_DIST ??= bundledWeb;

// Loaded only now, after the assignment: static imports are hoisted, and some libraries read
// NODE_ENV as they load. In the bundle these stay dynamic imports too (build.ts: splitting).
const { createDatabase, migrate, waitForDatabase } = await import('@todo/db');
const { ConfigError, loadConfig, startServer } = await import('./server.ts');
const { createLogger } = await import('./logger.ts');
const { describeStartFailure } = await import('./start-failure.ts');

let config: ServerConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = await createLogger(config);

// A last resort, not the plan: every request path handles its own errors (app.ts catchErrors,
// read-body.ts), and edge.test.ts shows each class handled there. Should a stray promise still
// reject, one error line beats taking every other request down with the process.
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandledRejection'));

/** The one plain line on stdout, for people and scripts: where the app is. */
const banner = (url: string, workers: number) =>
  console.log(
    `todo server on ${url} (database: ${config.database.driver}${config.production ? ', production' : ''}${workers > 1 ? `, ${workers} workers` : ''})`,
  );

/** How long a drain may take: the readiness delay, the in-flight grace, and a margin. */
const GRACE_MS = 10_000;
const shutdownTimeoutMs = config.shutdownDelayMs + GRACE_MS + 5_000;

function onSignals(handler: (signal: NodeJS.Signals) => void) {
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}

/** Closes the server (see RunningServer.close) and exits 0, or 1 if closing failed. */
function closeAndExit(running: RunningServer, log: Logger) {
  running.close(GRACE_MS).then(
    () => process.exit(0),
    (error: unknown) => {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
}

async function serveAlone() {
  const running = await startServer(config, undefined, { logger });
  banner(running.url, 1);
  onSignals((signal) => {
    logger.info(`${signal}: finishing in-flight requests`);
    closeAndExit(running, logger);
  });
}

async function runPrimary() {
  // Migrations run here, once, before any worker starts: N workers migrating at once would
  // only queue on the migration lock, each holding a connection.
  if (config.migrateOnStart) {
    const database = createDatabase(config.database);
    try {
      await waitForDatabase(database.db);
      await migrate(database.scripts);
    } finally {
      await database.close();
    }
  }
  const { superviseWorkers } = await import('./cluster.ts');
  const workers = superviseWorkers({ count: config.workers, logger });
  let stopping = false;
  onSignals((signal) => {
    stopping = true;
    logger.info(`${signal}: finishing in-flight requests in ${config.workers} workers`);
    workers.shutdown(shutdownTimeoutMs).then((code) => process.exit(code));
  });
  const url = await workers.ready;
  if (!stopping) banner(url, config.workers);
}

async function runWorker() {
  const { onPrimaryShutdown, workerMetrics, workerSend } = await import('./cluster.ts');
  let running: RunningServer | undefined;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (running) closeAndExit(running, logger);
  };
  // The primary relays SIGTERM; a terminal's Ctrl-C reaches every process of the group at once.
  onPrimaryShutdown(stop);
  onSignals(stop);
  const metrics = workerMetrics(() => running?.metrics?.registry);
  running = await startServer({ ...config, migrateOnStart: false }, undefined, {
    logger,
    scrapeMetrics: metrics.scrape,
  });
  if (stopping) return closeAndExit(running, logger);
  workerSend({ type: 'todo:ready', url: running.url });
}

try {
  if (cluster.isWorker) await runWorker();
  else if (config.workers > 1) await runPrimary();
  else await serveAlone();
} catch (error) {
  // One plain sentence, like a configuration problem: a port in use, a database that does not
  // answer, another process on the embedded database. The stack is for LOG_LEVEL=debug.
  logger.debug({ err: error }, 'start-up failed');
  console.error(describeStartFailure(error, config));
  // Let the asynchronous log destination write what it holds before the process ends.
  logger.flush(() => process.exit(1));
}
