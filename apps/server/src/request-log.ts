import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientAddress } from './client-address.ts';
import type { Logger } from './logger.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A proxy's request id is kept if it is short and plain: visible ASCII, no spaces, ≤ 128 characters. */
const PROXY_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

const ID = Symbol('request id');
type Identified = IncomingMessage & { [ID]?: string };

/** The path without its query string: queries carry search terms, and sometimes tokens. */
export const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?', 1)[0] ?? '/';

/**
 * A logger whose lines carry the request's id as `reqId` (the one requestLogger gave it), or
 * `logger` itself for a request that has none. Made on demand: only a request that logs
 * something besides its request line (an error) pays for a child logger.
 */
export function requestLog(req: IncomingMessage, logger: Logger): Logger {
  const reqId = (req as Identified)[ID];
  return reqId === undefined ? logger : logger.child({ reqId });
}

/**
 * Gives every request an id, answered in `x-request-id` and carried as `reqId` by its lines
 * (requestLog). The id is the one a trusted proxy sent (TRUSTED_PROXIES), when it looks like
 * one; otherwise a fresh UUID: a client cannot choose what goes into our logs under another
 * request's name.
 *
 * With `logRequests`, one line per request when its response is done or its client has gone
 * (`aborted: true`, and no status unless the answer had begun): method, path (never the
 * query), status and milliseconds; 5xx at `error`, the rest at `info`. Never headers or
 * bodies, so no cookie, bearer or password can reach the log. A file of the web build
 * (`webFile`) gets no line unless its answer is a 5xx: a page load asks for a dozen, and each
 * line would only say that a file was sent. One listener and one log call per request, no
 * logger per request: the line is on every request's path, and `pnpm bench` measures it
 * (docs/performance.md).
 *
 * @example
 * const log = requestLogger({ logger, trustedProxies: ['loopback'], logRequests: true });
 * server.on('request', (req, res) => { log(req, res); app(req, res); });
 */
export function requestLogger(options: {
  logger: Logger;
  trustedProxies: readonly string[];
  logRequests: boolean;
}): (req: IncomingMessage, res: ServerResponse, kind?: { webFile?: boolean }) => void {
  const { logger, logRequests } = options;
  const clients = clientAddress(options.trustedProxies);
  return (req, res, { webFile = false } = {}) => {
    const given = req.headers[REQUEST_ID_HEADER];
    const reqId =
      typeof given === 'string' && PROXY_REQUEST_ID.test(given) && clients.fromTrustedProxy(req)
        ? given
        : randomUUID();
    (req as Identified)[ID] = reqId;
    res.setHeader(REQUEST_ID_HEADER, reqId);
    if (!logRequests) return;
    const started = performance.now();
    // 'close' follows 'finish' on every response, and comes alone when the client went first.
    res.once('close', () => {
      if (webFile && res.statusCode < 500) return;
      const line = {
        reqId,
        method: req.method,
        path: pathOf(req),
        // A request cut off before its answer began has no status: not the 200 Node presets.
        status: res.headersSent ? res.statusCode : undefined,
        ms: Math.round((performance.now() - started) * 10) / 10,
        aborted: res.writableFinished ? undefined : true,
      };
      if (res.statusCode >= 500) logger.error(line, 'request');
      else logger.info(line, 'request');
    });
  };
}
