// MAX_CONNECTIONS_PER_IP with real sockets: a direct peer's connections past the cap are
// answered 429 and closed as they connect; behind a trusted proxy, a forwarded client's open
// requests and streams are counted, past the cap 429 with Retry-After, the proxy's connection
// kept. Other addresses are served throughout. 127.0.0.2 is another loopback address on Linux.
import { once } from 'node:events';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { testDrivers } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Session, signUp, startTestServer, type TestServer } from './testing.ts';
import { changesUrl, type EventStream, openEventStream } from './testing-sse.ts';

/** Opens a raw connection from `localAddress`; resolves once connected. */
async function rawConnection(url: string, localAddress = '127.0.0.1'): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), localAddress });
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

/** Everything the server sends on a new connection that sends nothing, until it closes it. */
async function answerToIdle(url: string): Promise<string> {
  const socket = await rawConnection(url);
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  await once(socket, 'close');
  return text;
}

/** GET `path` from `localAddress` on a fresh connection. */
function getFrom(url: string, path: string, localAddress: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(url);
  return new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
    const req = request({ host: hostname, port, path, localAddress, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string, body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(testDrivers)('%s: connections per client address', (driver) => {
  describe('a direct peer', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(driver, { MAX_CONNECTIONS_PER_IP: '5' });
    });
    afterAll(() => server?.stop());

    it('holds at most the cap; one more is answered 429 with Retry-After and closed; others are served', async () => {
      const held = await Promise.all(Array.from({ length: 5 }, () => rawConnection(server.url)));
      const refused = await answerToIdle(server.url);
      const [head = '', body = ''] = refused.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
      expect(head).toMatch(/\r\nretry-after: 5\r\n/);
      expect(head).toMatch(/\r\nconnection: close(\r\n|$)/);
      expect(JSON.parse(body)).toMatchObject({
        error: {
          data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429 },
          message: expect.stringMatching(/at most 5/),
        },
      });
      // Another address is not held back by this one's connections.
      expect((await getFrom(server.url, '/healthz', '127.0.0.2')).status).toBe(200);

      held[0]?.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await getFrom(server.url, '/healthz', '127.0.0.1')).status).toBe(200);
      for (const socket of held) socket.destroy();
    });
  });

  describe('a flood from one address', () => {
    let server: TestServer;
    let victim: Session;
    beforeAll(async () => {
      server = await startTestServer(driver, { MAX_CONNECTIONS_PER_IP: '8' });
      victim = await signUp(server.url);
    });
    afterAll(() => server?.stop());

    it('gets 429s past the cap while another address’s calls all succeed (timings: BENCH_ONLY=siege)', async () => {
      // 40 sign-ins that send their headers and hold back their body: each holds its connection.
      const flood = await Promise.all(Array.from({ length: 40 }, () => rawConnection(server.url)));
      const answers = flood.map((socket) => {
        let text = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        socket.write(
          'POST /api/auth/sign-in/email HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n',
        );
        return () => text;
      });
      const calls = [];
      for (let n = 0; n < 10; n++) {
        calls.push(await getFrom(server.url, '/api/trpc/todo.list', '127.0.0.2', bearer(victim.token)));
      }
      expect(calls.map((call) => call.status)).toEqual(calls.map(() => 200));
      const refused = answers.filter((text) => text().startsWith('HTTP/1.1 429 ')).length;
      // At most 8 held: fewer when a connection of the sign-up's is still open.
      expect(refused).toBeGreaterThanOrEqual(32);
      for (const socket of flood) socket.destroy();
    });
  });

  describe('behind a trusted proxy', () => {
    let server: TestServer;
    let session: Session;
    const streams: EventStream[] = [];
    beforeAll(async () => {
      server = await startTestServer(driver, { MAX_CONNECTIONS_PER_IP: '3', TRUSTED_PROXIES: 'loopback' });
      session = await signUp(server.url);
    });
    afterAll(async () => {
      for (const stream of streams) stream.close();
      await server?.stop();
    });

    it('counts a forwarded client’s open streams; past the cap 429 with Retry-After, other clients served', async () => {
      const from = (client: string) => ({ ...bearer(session.token), 'x-forwarded-for': client });
      for (let n = 0; n < 3; n++) {
        const stream = await openEventStream(changesUrl(server.url), { headers: from('203.0.113.7') });
        expect(stream.status).toBe(200);
        streams.push(stream);
      }
      const over = await getFrom(server.url, '/api/trpc/todo.counts', '127.0.0.1', from('203.0.113.7'));
      expect([over.status, over.retryAfter]).toEqual([429, '5']);
      expect(JSON.parse(over.body)).toMatchObject({ error: { data: { code: 'TOO_MANY_REQUESTS' } } });
      // The proxy itself (127.0.0.1) holds more than 3 connections: it is not counted as one client.
      const other = await getFrom(server.url, '/api/trpc/todo.counts', '127.0.0.1', from('203.0.113.8'));
      expect(other.status).toBe(200);

      streams.pop()?.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const freed = await getFrom(server.url, '/api/trpc/todo.counts', '127.0.0.1', from('203.0.113.7'));
      expect(freed.status).toBe(200);
    });
  });
});
