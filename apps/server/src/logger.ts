import pino, { type DestinationStream, type Logger } from 'pino';
import type { ServerConfig } from './config.ts';

export type { Logger };

/**
 * The process's logger. JSON lines (`LOG_FORMAT=json`, the default outside development): `info`
 * and below on stdout, `error` and `fatal` on stderr, written by pino's asynchronous
 * destination (lines finished while a write is under way leave together in the next one, and
 * whatever is pending is flushed when the process exits). `LOG_FORMAT=pretty` (development):
 * pino-pretty, as a stream in this thread rather than a worker-thread transport, so that a
 * bundled build needs no module resolved by name at run time. pino-pretty is loaded only then.
 *
 * @example
 * const logger = await createLogger({ logLevel: 'info', logFormat: 'json' });
 * logger.info({ port: 3000 }, 'listening');
 */
export async function createLogger(
  config: Pick<ServerConfig, 'logLevel' | 'logFormat'>,
  destination?: DestinationStream,
): Promise<Logger> {
  const options = {
    level: config.logLevel,
    // `"level":"info"` rather than pino's number: readable without a lookup table.
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    // pid tells the workers of WEB_CONCURRENCY apart; the host name is the log shipper's to add.
    base: { pid: process.pid },
  };
  if (destination) return pino(options, destination);
  if (config.logFormat === 'pretty') {
    const { default: pretty } = await import('pino-pretty');
    return pino(options, pretty({ translateTime: 'SYS:HH:MM:ss.l', ignore: 'hostname' }));
  }
  return pino(
    options,
    pino.multistream(
      [
        { level: 'trace', stream: pino.destination({ dest: 1, sync: false }) },
        { level: 'error', stream: pino.destination({ dest: 2, sync: false }) },
      ],
      // Each line goes to the one stream of the highest level it reaches: errors to stderr only.
      { dedupe: true },
    ),
  );
}
