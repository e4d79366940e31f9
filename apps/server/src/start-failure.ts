/**
 * Why the server could not start, in one plain sentence for the person who started it: what
 * went wrong and what to do. start.ts prints it on stderr, with no stack, and exits 1.
 */
import { DatabaseUnreachableError, DataDirInUseError } from '@todo/db';
import type { ServerConfig } from './config.ts';

/** Where a database server is, without the credentials its URL may carry. */
function databaseAddress(config: ServerConfig['database']): string {
  if (config.driver === 'pglite') return `the embedded database ${config.dataDir ?? 'in memory'}`;
  try {
    const url = new URL(config.url);
    return `the database at ${url.host}${url.pathname}`;
  } catch {
    return 'the database of DATABASE_URL';
  }
}

/** The first line of an error's message: a driver's may go on with a query or a hint. */
const messageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/**
 * The sentence for an error that ended the start: a port in use or not ours to take, an
 * embedded database another process holds, a database server that does not answer, or any
 * other error by its message (its stack is logged at `debug`).
 *
 * @example
 * describeStartFailure(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), config);
 * // 'Port 3000 is in use: stop the other server, or set PORT to another port (PORT=3001).'
 */
export function describeStartFailure(
  error: unknown,
  config: Pick<ServerConfig, 'port' | 'host' | 'database'>,
): string {
  if (error instanceof DataDirInUseError) return error.message;
  if (error instanceof DatabaseUnreachableError) {
    return `Cannot reach ${databaseAddress(config.database)} (${error.reason}): start it, or set DATABASE_URL to one that runs.`;
  }
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (code === 'EADDRINUSE') {
    return `Port ${config.port} is in use: stop the other server, or set PORT to another port (PORT=${config.port + 1}).`;
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    const why =
      code === 'EACCES' ? 'this user may not use that port' : 'that address is not one of this machine';
    return `Cannot listen on ${config.host}:${config.port} (${why}): set HOST and PORT to ones this server may use.`;
  }
  return `Could not start: ${messageOf(error).replace(/\.?$/, '.')} LOG_LEVEL=debug shows where it failed.`;
}
