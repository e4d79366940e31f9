import { createServer, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { neonConfig } from '@neondatabase/serverless';
import { WebSocketServer } from 'ws';

/**
 * Neon's serverless driver speaks the Postgres protocol inside WebSocket messages. In tests we
 * point it at a tiny proxy on 127.0.0.1 that unwraps those messages onto a TCP connection to
 * the local PostgreSQL, so the very same Pool code runs as in production, minus TLS.
 *
 * The proxy is deliberately narrow: it listens on loopback only, forwards only to loopback
 * addresses, caps its connections, and never keeps the test process alive.
 */

export type LocalNeonProxyStats = {
  /** WebSocket connections accepted since the proxy started. */
  connections: number;
  /** Bytes forwarded from the driver to PostgreSQL. */
  bytesToServer: number;
  /** Bytes forwarded from PostgreSQL back to the driver. */
  bytesToClient: number;
};

const MAX_CONNECTIONS = 64;
const START_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const stats: LocalNeonProxyStats = { connections: 0, bytesToServer: 0, bytesToClient: 0 };
let started: Promise<number> | undefined;

/** Counters of the proxy's traffic, so a test can prove the Neon driver really used it. */
export function localNeonProxyStats(): LocalNeonProxyStats {
  return { ...stats };
}

/** Parses `?address=host:port` from the driver's request; only loopback targets are allowed. */
function targetOf(request: IncomingMessage): { host: string; port: number } | null {
  const address = new URL(request.url ?? '/', 'http://proxy').searchParams.get('address') ?? '';
  const match = /^(.+):(\d{1,5})$/.exec(address);
  if (!match?.[1] || !match[2]) return null;
  const host = match[1];
  const port = Number(match[2]);
  if (!LOOPBACK.has(host) || port < 1 || port > 65_535) return null;
  return { host: host.replace(/^\[(.*)\]$/, '$1'), port };
}

function startProxy(): Promise<number> {
  const server = createServer((_request, response) => {
    response.writeHead(426).end('WebSocket only');
  });
  const wss = new WebSocketServer({ server, path: '/v1', maxPayload: 64 * 1024 * 1024 });

  wss.on('connection', (socket, request) => {
    const target = targetOf(request);
    if (!target || wss.clients.size > MAX_CONNECTIONS) {
      socket.close(1008, target ? 'too many connections' : 'only loopback targets are proxied');
      return;
    }
    stats.connections++;
    const tcp: Socket = connect({ ...target, timeout: CONNECT_TIMEOUT_MS });
    // Neither end may keep the test process alive: the driver's own sockets do that while in use.
    request.socket.unref();
    tcp.unref();
    tcp.setNoDelay(true);
    tcp.once('connect', () => tcp.setTimeout(0));
    tcp.once('timeout', () => tcp.destroy(new Error('connect timeout')));

    // Writes before `connect` are buffered by net.Socket, so the driver may pipeline freely.
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      stats.bytesToServer += chunk.length;
      tcp.write(chunk);
    });
    tcp.on('data', (chunk) => {
      stats.bytesToClient += chunk.length;
      socket.send(chunk);
    });
    socket.on('close', () => tcp.end());
    socket.on('error', () => tcp.destroy());
    tcp.on('close', () => socket.close());
    tcp.on('error', () => socket.terminate());
  });

  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('local Neon proxy did not start in time')),
      START_TIMEOUT_MS,
    );
    server.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    server.listen(0, '127.0.0.1', () => {
      clearTimeout(timer);
      server.unref();
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('local Neon proxy has no TCP address'));
        return;
      }
      resolve(address.port);
    });
  });
}

/**
 * Starts the proxy once per process on a free port and points `neonConfig` at it: plain
 * WebSockets, no pipelining (the local server asks for SCRAM or trust, not a cleartext
 * password). Returns the proxy's port.
 *
 * @example
 * await useLocalNeonProxy();
 * const pool = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
 */
export async function useLocalNeonProxy(): Promise<number> {
  started ??= startProxy().catch((error: unknown) => {
    started = undefined;
    throw error;
  });
  const port = await started;
  neonConfig.wsProxy = (host, targetPort) => `127.0.0.1:${port}/v1?address=${host}:${targetPort}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  return port;
}
