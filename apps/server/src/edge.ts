/**
 * What every request meets before its route's handler (app.ts): the security headers, the
 * methods each route serves, the refusal of cross-site writes to /api/trpc, small JSON answers,
 * and the last line of defence for an error that escapes a handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DATABASE_UNAVAILABLE_MESSAGE } from '@todo/api';
import { isDatabaseUnavailable } from '@todo/db';
import type { Logger } from './logger.ts';
import { DATABASE_RETRY_AFTER_SECONDS, sendRefusal } from './refusals.ts';
import { pathOf, REQUEST_ID_HEADER, requestLog } from './request-log.ts';
import { mediaType } from './trpc-request.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const payload = JSON.stringify(body);
  res
    .writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    })
    .end(payload);
}

/** The origin a browser says the request comes from: Origin, else the Referer's origin. */
function requestOrigin(req: IncomingMessage): string | null {
  if (req.headers.origin && req.headers.origin !== 'null') return req.headers.origin;
  try {
    return req.headers.referer ? new URL(req.headers.referer).origin : null;
  } catch {
    return null;
  }
}

export const refuseMediaType = (res: ServerResponse) =>
  sendJson(res, 415, {
    error: { message: 'Request body must be application/json', code: 'UNSUPPORTED_MEDIA_TYPE' },
  });

export const notFound = (res: ServerResponse) =>
  sendJson(res, 404, { error: { message: 'Not found', code: 'NOT_FOUND' } });

export const methodNotAllowed = (res: ServerResponse, allow: readonly string[]) =>
  sendJson(
    res,
    405,
    { error: { message: 'Method not allowed', code: 'METHOD_NOT_SUPPORTED' } },
    { allow: allow.join(', ') },
  );

export const refuseTooLarge = (res: ServerResponse) =>
  sendJson(res, 413, { error: { message: 'Request body too large', code: 'PAYLOAD_TOO_LARGE' } });

/**
 * tRPC has no CSRF protection of its own (Better Auth's covers /api/auth only). A request that
 * changes state and carries a cookie must come from one of our origins; bearer-token callers
 * carry no ambient credentials and need no Origin. Bodies must be JSON, which a plain HTML
 * form cannot send cross-site without a CORS preflight.
 */
export function refuseUnsafeTrpcRequest(
  req: IncomingMessage,
  res: ServerResponse,
  trusted: Set<string>,
): boolean {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return false;
  if (req.headers.cookie) {
    const origin = requestOrigin(req);
    if (!origin || !trusted.has(origin)) {
      sendJson(res, 403, { error: { message: 'Cross-origin request refused', code: 'FORBIDDEN' } });
      return true;
    }
  }
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    refuseMediaType(res);
    return true;
  }
  return false;
}

/** Whether the request announces a body: a non-zero length, or chunked framing. */
export const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
} as const;

const EDGE_HEADERS = new Set([
  ...Object.keys(SECURITY_HEADERS),
  'strict-transport-security',
  REQUEST_ID_HEADER,
]);

/** Sets the headers every answer carries; HSTS only when the app is served over https. */
export function setEdgeHeaders(res: ServerResponse, hsts: boolean) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  if (hsts) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
}

/**
 * The last line of defence: an error that escapes a request handler (a sync throw or a rejected
 * promise, from ours, Better Auth, sirv or tRPC) is logged at `error` (with the request's id)
 * and answered 500 for that request alone; the process keeps serving. The line names the
 * method and the path without its query string, never headers: logs must carry no credentials.
 */
export function catchErrors(
  handler: Handler,
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const fail = (error: unknown) => {
      // The database away (Better Auth's calls end here) is not a bug: 503, "come back shortly".
      const away = isDatabaseUnavailable(error);
      const log = { method: req.method, path: pathOf(req), err: error };
      if (away) requestLog(req, logger).warn(log, 'database unavailable');
      else requestLog(req, logger).error(log, 'request failed');
      if (res.headersSent || res.destroyed) {
        // Half an answer is worse than none: the client sees a cut connection, not a wrong body.
        res.destroy();
        return;
      }
      // Whatever the failed handler set (a cookie, a content type) goes; the edge's own headers stay.
      for (const name of res.getHeaderNames()) if (!EDGE_HEADERS.has(name)) res.removeHeader(name);
      if (away) {
        const path = pathOf(req);
        sendRefusal(
          res,
          path,
          'SERVICE_UNAVAILABLE',
          DATABASE_UNAVAILABLE_MESSAGE,
          DATABASE_RETRY_AFTER_SECONDS,
        );
        return;
      }
      sendJson(
        res,
        500,
        { error: { message: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' } },
        { 'cache-control': 'no-store' },
      );
    };
    // Node throws on an 'error' event nobody listens to: a reset while a GET's (unread) body
    // arrives, or a write to a response whose socket is gone, must not end the process.
    req.on('error', () => {});
    res.on('error', () => {});
    try {
      handler(req, res)?.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}
