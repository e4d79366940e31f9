import pino, { type DestinationStream, type Logger } from 'pino';
import type { ServerConfig } from './config.ts';

export type { Logger };

/**
 * stdout for pino, written once per event-loop turn: the lines of every request finished in one
 * turn leave in one write. pino's own asynchronous destination writes as soon as the previous
 * write is done, which with a fast stdout (a file, /dev/null) is one system call per line, on
 * libuv's thread pool: `pnpm bench` measured that at about a third more server CPU per request
 * than the project's earlier hand-batched request log. A line waits at most for the end of the
 * turn; what waits when the process exits is written then. One per process, shared by every
 * logger in it (tests start many servers in one process): one buffer, one exit hook.
 */
let batchedStdout: DestinationStream | undefined;
function stdoutByTurn(): DestinationStream {
  batchedStdout ??= createStdoutByTurn();
  return batchedStdout;
}

function createStdoutByTurn(): DestinationStream {
  let pending = '';
  const flush = () => {
    if (!pending) return;
    const lines = pending;
    pending = '';
    process.stdout.write(lines);
  };
  process.on('exit', flush);
  return {
    write(line: string) {
      if (!pending) setImmediate(flush);
      pending += line;
    },
  };
}

/** A request line's fields (request-log.ts): its pretty message says them all. */
const REQUEST_FIELDS = ['reqId', 'method', 'path', 'status', 'ms', 'aborted'];

/**
 * A line's message for a person: a request line as `GET /api/trpc/todo.list 200 3.1 ms`, a
 * failed request's as `request failed: GET /path`; any other message as it is.
 */
export function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  const message = String(log[messageKey] ?? '');
  if (typeof log.method !== 'string' || typeof log.path !== 'string') return message;
  if (message !== 'request') return `${message}: ${log.method} ${log.path}`;
  const status = log.status === undefined ? 'no answer' : String(log.status);
  return `${log.method} ${log.path} ${status} ${log.ms} ms${log.aborted ? ', the client left' : ''}`;
}

/**
 * The process's logger. JSON lines (`LOG_FORMAT=json`, the default when stdout is not a
 * terminal, outside development): `info` and below on stdout, batched per event-loop turn
 * (stdoutByTurn), `error` and `fatal` on stderr through pino's asynchronous destination;
 * whatever is pending is written when the process exits. `LOG_FORMAT=pretty` (a terminal, or
 * development): one line per event through pino-pretty, a request's as `GET /path 200 3.1 ms`,
 * the pid only when several workers share the terminal. pino-pretty runs as a stream in this
 * thread rather than a worker-thread transport, so that a bundled build needs no module
 * resolved by name at run time, and is loaded only then.
 *
 * @example
 * const logger = await createLogger({ logLevel: 'info', logFormat: 'json' });
 * logger.info({ port: 3000 }, 'listening');
 */
export async function createLogger(
  config: Pick<ServerConfig, 'logLevel' | 'logFormat'> & { workers?: number },
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
    const hidden = [...((config.workers ?? 1) > 1 ? [] : ['pid']), 'hostname', ...REQUEST_FIELDS];
    return pino(
      options,
      pretty({
        translateTime: 'SYS:HH:MM:ss.l',
        singleLine: true,
        ignore: hidden.join(','),
        messageFormat: (log, messageKey) => prettyMessage(log, messageKey),
      }),
    );
  }
  return pino(
    options,
    pino.multistream(
      [
        { level: 'trace', stream: stdoutByTurn() },
        { level: 'error', stream: pino.destination({ dest: 2, sync: false }) },
      ],
      // Each line goes to the one stream of the highest level it reaches: errors to stderr only.
      { dedupe: true },
    ),
  );
}
