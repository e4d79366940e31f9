import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real PostgreSQL, which a test can take away and bring
 * back, so the drivers meet a real outage on real sockets: `refuse` resets every connection
 * and refuses new ones (a database stopped or restarting), `hang` accepts connections and
 * never answers (a database or network that does not respond), `restore` forwards again.
 */
export type FaultProxy = {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  through(url: string): string;
  refuse(): Promise<void>;
  hang(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
};

/** Forwards 127.0.0.1:<port> to the host and port of `targetUrl` (loopback only). */
export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!['127.0.0.1', 'localhost', '::1'].includes(host))
    throw new Error('the fault proxy forwards to loopback only');
  const targetPort = Number(target.port || 5432);
  let mode: 'forward' | 'hang' = 'forward';
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (mode === 'hang') return;
    const upstream = new (client.constructor as typeof Socket)();
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.connect(targetPort, host, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  const port = await listen(0);
  const stopListening = () =>
    new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  const cutAll = () => {
    for (const socket of sockets) socket.resetAndDestroy();
    sockets.clear();
  };

  return {
    port,
    through(url) {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(port);
      return proxied.toString();
    },
    async refuse() {
      const closed = stopListening();
      cutAll();
      await closed;
    },
    async hang() {
      mode = 'hang';
      cutAll();
      if (!server.listening) await listen(port);
    },
    async restore() {
      mode = 'forward';
      if (!server.listening) await listen(port);
    },
    async close() {
      const closed = stopListening();
      cutAll();
      await closed;
    },
  };
}
