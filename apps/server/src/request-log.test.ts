// Request ids and request lines, through the whole app in-process with its logger's lines kept.
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { defaultTestDriver } from '@todo/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requestLog, requestLogger } from './request-log.ts';
import { startTestServer, type TestServer } from './testing.ts';

type Line = Record<string, unknown>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A GET with exactly these headers (fetch would refuse some of the hostile values). */
function get(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; requestId: string | undefined }>((resolve, reject) => {
    request(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          requestId: res.headers['x-request-id'] as string | undefined,
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

function linesLogger() {
  const lines: Line[] = [];
  const logger = pino(
    { level: 'info', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => lines.push(JSON.parse(line)) },
  );
  return { lines, logger };
}

async function serverLogging(env: Record<string, string>) {
  const { lines, logger } = linesLogger();
  const server = await startTestServer(defaultTestDriver, { LOG_REQUESTS: 'true', ...env }, undefined, {
    logger,
  });
  return { server, lines };
}

describe('request ids', () => {
  describe('behind a trusted proxy (TRUSTED_PROXIES=loopback)', () => {
    let server: TestServer;
    let lines: Line[];
    beforeAll(async () => {
      ({ server, lines } = await serverLogging({ TRUSTED_PROXIES: 'loopback' }));
    }, 60_000);
    afterAll(() => server?.stop());

    it("keeps the proxy's id when it is short and printable, on the response and the log line", async () => {
      const answer = await get(`${server.url}/healthz`, { 'x-request-id': 'lb-7f3a/42:Z' });
      expect(answer).toEqual({ status: 200, requestId: 'lb-7f3a/42:Z' });
      expect(lines.find((line) => line.reqId === 'lb-7f3a/42:Z')).toMatchObject({
        msg: 'request',
        method: 'GET',
        path: '/healthz',
        status: 200,
      });
    });

    it('makes a fresh id instead of one that is too long, or holds spaces or control bytes', async () => {
      for (const hostile of ['x'.repeat(129), 'two words', 'tab\there', 'é-not-ascii', '']) {
        const answer = await get(`${server.url}/healthz`, { 'x-request-id': hostile });
        expect(answer.requestId, JSON.stringify(hostile)).toMatch(UUID);
      }
      expect(lines.some((line) => String(line.reqId).includes('x'.repeat(129)))).toBe(false);
    });
  });

  describe('without trusted proxies (the default)', () => {
    let server: TestServer;
    let lines: Line[];
    beforeAll(async () => {
      ({ server, lines } = await serverLogging({}));
    }, 60_000);
    afterAll(() => server?.stop());

    it("ignores a client's x-request-id: every request gets its own UUID", async () => {
      const first = await get(`${server.url}/readyz`, { 'x-request-id': 'chosen-by-client' });
      const second = await get(`${server.url}/readyz`, { 'x-request-id': 'chosen-by-client' });
      expect(first.requestId).toMatch(UUID);
      expect(second.requestId).toMatch(UUID);
      expect(first.requestId).not.toBe(second.requestId);
      expect(lines.some((line) => line.reqId === 'chosen-by-client')).toBe(false);
    });

    it('names the id on every answer, the 404s and 405s of the edge included, and logs each once', async () => {
      for (const [path, method, status] of [
        ['/api/nothing-here', 'GET', 404],
        ['/healthz', 'DELETE', 405],
        ['/api/trpc/todo.list', 'GET', 401],
      ] as const) {
        const response = await fetch(`${server.url}${path}`, { method });
        expect(response.status).toBe(status);
        const id = response.headers.get('x-request-id') ?? '';
        expect(id).toMatch(UUID);
        expect(lines.filter((line) => line.reqId === id)).toEqual([
          expect.objectContaining({ level: 'info', method, path, status, ms: expect.any(Number) }),
        ]);
      }
    });
  });

  it('a client that leaves half-way through its body gets one line, aborted and without a status', async () => {
    const { server, lines } = await serverLogging({});
    try {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write(
        'POST /api/trpc/todo.create HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
          'content-length: 100\r\n\r\n{"text":',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
      await vi.waitFor(() =>
        expect(lines.filter((line) => line.path === '/api/trpc/todo.create')).toHaveLength(1),
      );
      const [line] = lines.filter((entry) => entry.path === '/api/trpc/todo.create');
      expect(line).toMatchObject({ level: 'info', msg: 'request', method: 'POST', aborted: true });
      expect(line).not.toHaveProperty('status');
      expect(line?.reqId).toMatch(UUID);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it("logs a 5xx answer at error, and a handler's own error line carries the request's id", async () => {
    const { lines, logger } = linesLogger();
    const log = requestLogger({ logger, trustedProxies: [], logRequests: true });
    const server = createServer((req, res) => {
      log(req, res);
      requestLog(req, logger).error({ err: new Error('broken') }, 'procedure failed');
      res.writeHead(500).end();
    }).listen(0, '127.0.0.1');
    try {
      await once(server, 'listening');
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const answer = await get(`http://127.0.0.1:${port}/anything?token=secret`, {});
      expect(answer.status).toBe(500);
      await vi.waitFor(() => expect(lines).toHaveLength(2));
      expect(lines).toEqual([
        expect.objectContaining({ level: 'error', msg: 'procedure failed', reqId: answer.requestId }),
        expect.objectContaining({
          level: 'error',
          msg: 'request',
          status: 500,
          path: '/anything',
          reqId: answer.requestId,
        }),
      ]);
      expect(JSON.stringify(lines)).not.toContain('secret');
    } finally {
      server.close();
    }
  });

  it("the web build's files get no line, only an id; the API calls beside them get theirs", async () => {
    const { server, lines } = await serverLogging({});
    try {
      for (const path of ['/', '/app.js', '/some/client/route']) {
        const response = await fetch(`${server.url}${path}`);
        expect(response.status, path).toBe(200);
        expect(response.headers.get('x-request-id'), path).toMatch(UUID);
      }
      const health = await fetch(`${server.url}/healthz`);
      const id = health.headers.get('x-request-id');
      await vi.waitFor(() => expect(lines.filter((line) => line.msg === 'request')).toHaveLength(1));
      expect(lines.filter((line) => line.msg === 'request')).toEqual([
        expect.objectContaining({ reqId: id, method: 'GET', path: '/healthz', status: 200 }),
      ]);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('LOG_REQUESTS=false writes no request line, and still names an id on every answer', async () => {
    const { server, lines } = await serverLogging({ LOG_REQUESTS: 'false' });
    try {
      const response = await fetch(`${server.url}/healthz`);
      expect(response.headers.get('x-request-id')).toMatch(UUID);
      expect(lines.filter((line) => line.msg === 'request')).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
