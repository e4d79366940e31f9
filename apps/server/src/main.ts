// The server process: validated configuration, then serve until SIGTERM/SIGINT.
import { ConfigError, loadConfig, startServer } from './index.ts';

// A last resort, not the plan: every request path handles its own errors (app.ts catchErrors,
// read-body.ts), and edge.test.ts shows each class handled there. Should a stray promise still
// reject, one JSON line on stderr beats taking every other request down with the process.
process.on('unhandledRejection', (reason) => {
  const error =
    reason instanceof Error
      ? { name: reason.name, message: reason.message, stack: reason.stack }
      : String(reason);
  console.error(
    JSON.stringify({ level: 'error', time: new Date().toISOString(), event: 'unhandledRejection', error }),
  );
});

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

try {
  const running = await startServer(config);
  console.log(
    `todo server on ${running.url} (database: ${running.database.driver}${config.production ? ', production' : ''})`,
  );
  const shutdown = (signal: string) => {
    console.log(`${signal}: finishing in-flight requests`);
    running.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (error) {
  console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
