/**
 * At most `max` connections per client address (MAX_CONNECTIONS_PER_IP), so one address
 * flooding the server costs itself, not everyone: sockets, parsing and answers are work the
 * event loop does for every client. A client is counted where it can be told apart:
 * - a direct peer by its open sockets, refused as it connects: a raw 429 with `Retry-After`
 *   written before it sends anything, and the socket closed; whatever it sends anyway is never
 *   served (no app, no log line);
 * - a client behind a trusted proxy (TRUSTED_PROXIES) by its open requests and event streams,
 *   since one proxy connection carries many clients: past the cap a request is answered 429
 *   with `Retry-After` and a JSON body, and the proxy's connection stays open.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ClientAddress } from './client-address.ts';
import { refusalBody, sendRefusal } from './refusals.ts';
import { pathOf } from './request-log.ts';

/** How long a refused client is asked to wait: about as long as a burst of requests lasts. */
export const CONNECTION_RETRY_AFTER_SECONDS = 5;
/** How long a refused socket may linger for its answer to be read before it is cut. */
const LINGER_MS = 1_000;

const message = (max: number) =>
  `Too many connections from this address (at most ${max}); close some and try again`;

export type ConnectionLimit = {
  /**
   * True for a request on a socket refused as it connected (already answered): it gets nothing
   * more, not even a log line, so a refused flood costs as little as it can.
   */
  refusedSocket(req: IncomingMessage, res: ServerResponse): boolean;
  /** False when a trusted proxy's client is over the cap: `res` is then answered 429 here. */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** Open sockets and requests counted per address, for tests and metrics. */
  counted(address: string): number;
};

/**
 * @example
 * const limit = limitConnections(server, { max: 256, clients: clientAddress(['loopback']) });
 * server.on('request', createApp({ ...options, connections: limit })); // the app asks refusedSocket, then admit
 */
export function limitConnections(server: Server, options: { max: number; clients: ClientAddress }) {
  const { max, clients } = options;
  const open = new Map<string, number>();
  const refused = new WeakSet<Socket>();
  const count = (address: string, by: 1 | -1) => {
    const next = (open.get(address) ?? 0) + by;
    if (next <= 0) open.delete(address);
    else open.set(address, next);
  };
  const payload = JSON.stringify(refusalBody('/', 'TOO_MANY_REQUESTS', message(max)));
  const rawRefusal =
    'HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n' +
    `retry-after: ${CONNECTION_RETRY_AFTER_SECONDS}\r\ncache-control: no-store\r\nconnection: close\r\n` +
    `content-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`;

  // Before Node's own listener: a refused socket is answered before its first byte is read.
  server.prependListener('connection', (socket: Socket) => {
    const peer = socket.remoteAddress;
    if (peer === undefined || clients.isTrustedProxy(peer)) return;
    if ((open.get(peer) ?? 0) >= max) {
      refused.add(socket);
      socket.on('error', () => {});
      socket.end(rawRefusal);
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
      return;
    }
    count(peer, 1);
    socket.once('close', () => count(peer, -1));
  });

  return {
    refusedSocket(req, res) {
      if (!refused.has(req.socket)) return false;
      // Nobody else listens to these: a reset mid-body must not become an uncaught 'error'.
      req.on('error', () => {});
      res.on('error', () => {});
      return true;
    },
    admit(req, res) {
      if (!clients.fromTrustedProxy(req)) return true;
      const client = clients.of(req);
      if ((open.get(client) ?? 0) >= max) {
        sendRefusal(res, pathOf(req), 'TOO_MANY_REQUESTS', message(max), CONNECTION_RETRY_AFTER_SECONDS);
        return false;
      }
      count(client, 1);
      res.once('close', () => count(client, -1));
      return true;
    },
    counted: (address) => open.get(address) ?? 0,
  } satisfies ConnectionLimit;
}
