// The /api/auth router on the real HTTP server, limits on as in production. Better Auth runs its
// rate limiter before it matches a route, keyed on the raw path: every made-up path cost a row
// in rate_limits, a 3 KB one a 500 (too long for the key's index), and rows went only when the
// same key came round again. Here only Better Auth's own endpoints reach the limiter, its keys
// are hashes, and the server prunes on its timer.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { queryRows, testDrivers } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './testing.ts';
import { postFrom } from './testing-clients.ts';

/** Sends `bytes` on a fresh connection and resolves with the status line's code (0: none). */
function rawStatus(url: string, bytes: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    // The server may answer and close before it has read all we sent: a reset then is fine.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' || error.code === 'EPIPE'
        ? resolve(Number(received.slice(9, 12)))
        : reject(error),
    );
    socket.on('close', () => resolve(Number(received.slice(9, 12))));
    socket.write(bytes);
  });
}

describe.each(testDrivers)('the /api/auth router on %s', (driver) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(driver, { AUTH_RATE_LIMIT_PER_MINUTE: '10' }, undefined, {
      pruneIntervalMs: 200,
    });
  });
  afterAll(() => server?.stop());

  const rows = () =>
    queryRows<{ key: string; count: number; last_request: string }>(
      server.testDatabase.db,
      'select key, count, last_request from rate_limits',
    );

  it('answers an unknown path with a JSON 404 that no cache keeps, and stores nothing', async () => {
    const before = await rows();
    for (const method of ['GET', 'POST']) {
      const response = await fetch(`${server.url}/api/auth/no-such-endpoint`, {
        method,
        headers: { 'content-type': 'application/json', origin: server.url },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect(response.status, method).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ error: { message: 'Not found', code: 'NOT_FOUND' } });
    }
    expect(await rows()).toEqual(before);
  });

  it('10,000 distinct unknown paths are all 404 and leave rate_limits as it was', async () => {
    const before = await rows();
    const statuses = new Map<number, number>();
    let next = 0;
    // Sixteen keep-alive clients, one request after another each.
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let n = next++; n < 10_000; n = next++) {
          const response = await fetch(`${server.url}/api/auth/made-up/${n}-${'x'.repeat(n % 50)}`);
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 404: 10_000 });
    expect(await rows()).toEqual(before);
  });

  it('a 3 KB path is 404 and a 64 KB request line 431 (Node refuses it), never a 500', async () => {
    // Random characters: a repeated one compresses to nothing and would fit any index.
    const long = await fetch(`${server.url}/api/auth/${randomBytes(2_250).toString('base64url')}`);
    expect(long.status).toBe(404);
    const huge = `/api/auth/${'b'.repeat(64 * 1024)}`;
    expect(await rawStatus(server.url, `GET ${huge} HTTP/1.1\r\nhost: x\r\n\r\n`)).toBe(431);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('a known path with a method it does not take is 405 naming those it does, and stores nothing', async () => {
    const before = await rows();
    const response = await fetch(`${server.url}/api/auth/sign-in/email`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toEqual({
      error: { message: 'Method not allowed', code: 'METHOD_NOT_SUPPORTED' },
    });
    expect(await rows()).toEqual(before);
  });

  it("keys a known endpoint's count by a hash: a fixed length, no address or path in it", async () => {
    const from = `127.${40 + testDrivers.indexOf(driver)}.0.1`;
    const before = new Set((await rows()).map((row) => row.key));
    const reply = await postFrom(from, server.url, '/api/auth/sign-in/email', {
      email: 'nobody@example.com',
      password: 'wrong password',
    });
    expect(reply.status).toBe(401);
    const added = (await rows()).filter((row) => !before.has(row.key));
    expect(added).toHaveLength(1);
    expect(added[0]?.key).toMatch(/^[\w-]{43}$/);
  });

  it('prunes rows whose window has ended on its timer, and keeps live ones', async () => {
    const old = Date.now() - 10 * 60_000;
    await queryRows(
      server.testDatabase.db,
      `insert into rate_limits (key, count, last_request) values ('ended-window', 3, ${old})`,
    );
    await postFrom(`127.${40 + testDrivers.indexOf(driver)}.0.2`, server.url, '/api/auth/sign-in/email', {
      email: 'nobody@example.com',
      password: 'wrong password',
    });
    const deadline = Date.now() + 10_000;
    while ((await rows()).some((row) => row.key === 'ended-window') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const left = await rows();
    expect(left.map((row) => row.key)).not.toContain('ended-window');
    expect(left.length).toBeGreaterThan(0);
  });
});
