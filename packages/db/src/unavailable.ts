/**
 * Whether an error means the database cannot be reached right now, as opposed to a statement
 * that failed: the server then answers 503 with `Retry-After` ("come back shortly"), which load
 * balancers and clients' retry logic treat as such, instead of 500 ("a bug"). Drivers say it in
 * different ways, and none with a code for everything:
 * - node-postgres and Neon's driver: a socket error code (`ECONNREFUSED`, `ECONNRESET`, …) or
 *   a message of their own ("Connection terminated unexpectedly", "… due to connection timeout",
 *   pg-pool's "timeout exceeded when trying to connect" for a pool that found no connection);
 * - PostgreSQL itself: SQLSTATE class 08 (connection exception), 57P01–57P03 (shut down by an
 *   administrator or a crash; not accepting connections yet) and 53300 (too many connections).
 * Libraries in between (Kysely, Better Auth) may wrap the error: its causes are looked at too.
 * PGlite lives in the process and is never "unreachable"; its errors are statements' errors.
 *
 * @example
 * if (isDatabaseUnavailable(error)) res.writeHead(503, { 'retry-after': '5' });
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0 && seen.size < 20) {
    const current = pending.pop();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    if (saysUnavailable(current)) return true;
    if ('cause' in current) pending.push(current.cause);
    // A connect to a name with several addresses fails with one error per address.
    if (current instanceof AggregateError) pending.push(...current.errors);
  }
  return false;
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;

const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
];

function saysUnavailable(error: object): boolean {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code !== undefined && (SOCKET_CODES.has(code) || SQLSTATE.test(code))) return true;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  return DRIVER_MESSAGES.some((pattern) => pattern.test(message));
}
