/**
 * The edge's refusals that a client should retry later, in the shape the path's clients read:
 * tRPC's error response on `/api/trpc` (and anywhere else), so `@todo/client` sees the code as
 * it sees a procedure's; Better Auth's `{ code, message }` on `/api/auth`, as its own errors are.
 */
import type { ServerResponse } from 'node:http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';

/** How long a client is asked to wait while the database is away: a restart takes seconds. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

const STATUS = { SERVICE_UNAVAILABLE: 503, TOO_MANY_REQUESTS: 429 } as const;
export type RetryLaterCode = keyof typeof STATUS;

/** The body of a refusal on `path`; its HTTP status is `STATUS[code]`. */
export function refusalBody(path: string, code: RetryLaterCode, message: string): unknown {
  if (path === '/api/auth' || path.startsWith('/api/auth/')) return { code, message };
  return {
    error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: STATUS[code] } },
  };
}

/** Answers `res` with the refusal and `Retry-After`; JSON, never cached. */
export function sendRefusal(
  res: ServerResponse,
  path: string,
  code: RetryLaterCode,
  message: string,
  retryAfterSeconds: number,
  headers: Record<string, string> = {},
) {
  const payload = JSON.stringify(refusalBody(path, code, message));
  res
    .writeHead(STATUS[code], {
      ...headers,
      'retry-after': String(retryAfterSeconds),
      'cache-control': 'no-store',
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    })
    .end(payload);
}
