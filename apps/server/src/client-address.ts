import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyAddr from 'proxy-addr';

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One TRUSTED_PROXIES entry: an address, a CIDR (address/prefix) or one of proxy-addr's names. */
export function isProxySpec(entry: string): boolean {
  if (NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export type ClientAddress = {
  /** The client's address: the socket's peer, or what trusted proxies say they received it from. */
  of(req: IncomingMessage): string;
  /** Whether the socket's peer is a trusted proxy (so its X-Forwarded-For and X-Request-Id count). */
  fromTrustedProxy(req: IncomingMessage): boolean;
  /** Whether `address` (a socket's peer) is a trusted proxy. */
  isTrustedProxy(address: string): boolean;
};

/**
 * Who a request comes from, given TRUSTED_PROXIES. X-Forwarded-For is read right to left and
 * only through trusted hops (proxy-addr), so a client cannot prepend an address of its choice;
 * with no trusted proxies the header is ignored entirely.
 *
 * @example
 * const clients = clientAddress(['loopback', '10.0.0.0/8']);
 * clients.of(req); // '203.0.113.7'
 */
export function clientAddress(trustedProxies: readonly string[]): ClientAddress {
  const peer = (req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies.length === 0) {
    return { of: peer, fromTrustedProxy: () => false, isTrustedProxy: () => false };
  }
  const trust = proxyAddr.compile([...trustedProxies]);
  return {
    of: (req) => (req.socket.remoteAddress ? proxyAddr(req, trust) : 'unknown'),
    fromTrustedProxy: (req) => req.socket.remoteAddress !== undefined && trust(req.socket.remoteAddress, 0),
    isTrustedProxy: (address) => trust(address, 0),
  };
}
