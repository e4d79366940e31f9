import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createDatabase, type DatabaseConfig } from '@todo/db';
import { createTestDatabase, type TestDatabase } from '@todo/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp, startTestServer, type TestServer, trpc } from './testing.ts';

const readyz = async (url: string) => {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: await response.json() };
};

/**
 * A TCP proxy in front of PostgreSQL that a test can cut and restore, so the server's pool
 * loses its database for real (refused connections, dropped sockets) without touching the
 * shared PostgreSQL itself.
 */
function tcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  return {
    get port() {
      return port;
    },
    async start() {
      server = createServer((client) => {
        const upstream = createConnection(target);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    },
    async stop() {
      const closed = new Promise((resolve) => server?.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  '/readyz while PostgreSQL is unreachable (needs TEST_DATABASE_URL; skipped on PGlite-only runs)',
  () => {
    const proxy = tcpProxy({
      host: new URL(process.env.TEST_DATABASE_URL ?? 'postgres://x').hostname,
      port: Number(new URL(process.env.TEST_DATABASE_URL ?? 'postgres://x').port || 5432),
    });
    let server: TestServer;
    let direct: TestDatabase;

    beforeAll(async () => {
      direct = await createTestDatabase('pg');
      await proxy.start();
      const url = new URL(direct.url ?? '');
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      const config: DatabaseConfig = {
        driver: 'pg',
        url: url.toString(),
        poolMax: 4,
        connectTimeoutMs: 1_000,
        idleTimeoutMs: 30_000,
        statementTimeoutMs: 5_000,
      };
      const proxied = createDatabase(config);
      server = await startTestServer(
        'pg',
        {},
        {
          ...direct,
          ...proxied,
          // /readyz opens its own connection from this: through the proxy too.
          config,
          async dispose() {
            await proxied.close();
            await direct.dispose();
          },
        },
      );
    });
    afterAll(async () => {
      await proxy.stop();
      await server?.stop();
    });

    it('answers 503 while the database is cut off and 200 again once it is back', async () => {
      const user = await signUp(server.url);
      expect(await readyz(server.url)).toEqual({ status: 200, body: { status: 'ready' } });

      // Cut it mid-query: the query fails, and nothing else (no uncaught 'error' event from the
      // checked-out pg client, which vitest would report and which would end a real server).
      const inFlight = sql`select pg_sleep(2)`.execute(server.database.db);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await proxy.stop();
      await expect(inFlight).rejects.toThrow();
      expect(await readyz(server.url)).toEqual({ status: 503, body: { status: 'database unavailable' } });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      // A call meanwhile is "come back shortly", not a bug: 503 with Retry-After.
      const away = await trpc(server.url, 'todo.counts', { headers: bearer(user.token) });
      expect([away.status, away.response.headers.get('retry-after')]).toEqual([503, '5']);

      await proxy.start();
      expect(await readyz(server.url)).toEqual({ status: 200, body: { status: 'ready' } });
      expect((await trpc(server.url, 'todo.counts', { headers: bearer(user.token) })).status).toBe(200);
    });
  },
);

describe('/readyz on the embedded database', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(() => server?.stop());

  it('answers 503 once the database is closed, while /healthz stays 200', async () => {
    expect((await readyz(server.url)).status).toBe(200);
    await server.testDatabase.close();
    expect(await readyz(server.url)).toEqual({ status: 503, body: { status: 'database unavailable' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
