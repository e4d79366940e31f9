import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import { clientAddress } from './client-address.ts';
import type { Logger } from './logger.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A proxy's request id is kept if it is short and plain: visible ASCII, no spaces, ≤ 128 characters. */
const PROXY_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The path without its query string: queries carry search terms, and sometimes tokens. */
export const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?', 1)[0] ?? '/';

/**
 * Gives every request an id and a logger (`req.log`, pino-http's) whose lines carry it as
 * `reqId`, and answers it in `x-request-id`. The id is the one a trusted proxy sent
 * (TRUSTED_PROXIES), when it looks like one; otherwise a fresh UUID: a client cannot choose
 * what goes into our logs under another request's name.
 *
 * With `logRequests`, one line per finished request: method, path (never the query), status
 * and milliseconds; 5xx at `error`, the rest at `info`. Never headers or bodies, so no cookie,
 * bearer or password can reach the log.
 *
 * @example
 * const log = requestLogger({ logger, trustedProxies: ['loopback'], logRequests: true });
 * server.on('request', (req, res) => { log(req, res); app(req, res); });
 */
export function requestLogger(options: {
  logger: Logger;
  trustedProxies: readonly string[];
  logRequests: boolean;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const clients = clientAddress(options.trustedProxies);
  const line = (req: IncomingMessage, res: ServerResponse, responseTime: number) => ({
    method: req.method,
    path: pathOf(req),
    status: res.statusCode,
    ms: responseTime,
  });
  return pinoHttp({
    logger: options.logger,
    genReqId(req, res) {
      const given = req.headers[REQUEST_ID_HEADER];
      const id =
        typeof given === 'string' && PROXY_REQUEST_ID.test(given) && clients.fromTrustedProxy(req)
          ? given
          : randomUUID();
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    // req.log and res.log carry only the id; the request line below says the rest.
    quietReqLogger: true,
    quietResLogger: true,
    wrapSerializers: false,
    // pino-http binds the request to a child logger even when quiet: serialise it cheaply, and
    // without headers.
    serializers: { req: (req: IncomingMessage) => ({ method: req.method, path: pathOf(req) }) },
    autoLogging: options.logRequests,
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    customSuccessObject: (req, res, value: { responseTime: number }) => line(req, res, value.responseTime),
    customErrorObject: (req, res, _error, value: { responseTime: number }) =>
      line(req, res, value.responseTime),
  });
}
