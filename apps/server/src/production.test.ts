import { request } from 'node:http';
import { testDrivers } from '@todo/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer, trpc, uniqueEmail } from './testing.ts';

type Answer = { status: number; headers: import('node:http').IncomingHttpHeaders; body: string };

/**
 * A JSON POST from a chosen loopback address. Better Auth keeps its rate-limit counters in one
 * module-level map for the whole process, keyed by client IP: each server of this file is
 * spoken to from its own address, so their limits do not add up.
 */
function post(url: string, body: unknown, headers: Record<string, string>, localAddress: string) {
  const text = JSON.stringify(body);
  return new Promise<Answer>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      localAddress,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
    });
    req.on('response', (response) => {
      let answer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        answer += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: answer }),
      );
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe.each(testDrivers)('a production server on %s', (driver) => {
  let server: TestServer;
  let origin: string;
  let token: string;
  const from = `127.0.0.${10 + testDrivers.indexOf(driver)}`;

  beforeAll(async () => {
    server = await startTestServer(driver, {
      NODE_ENV: 'production',
      // Served over https behind a proxy: cookies must be Secure.
      PUBLIC_URL: 'https://localhost:0',
      AUTH_RATE_LIMIT_PER_MINUTE: '3',
    });
    origin = `https://localhost:${new URL(server.url).port}`;
    const response = await post(
      `${server.url}/api/auth/sign-up/email`,
      { name: 'Prod', email: uniqueEmail('prod'), password: 'correct horse battery' },
      { origin },
      from,
    );
    expect(response.status).toBe(200);
    const cookies = [response.headers['set-cookie'] ?? []].flat();
    expect(cookies.find((cookie) => cookie.includes('session_token='))).toMatch(/;\s*Secure/i);
    token = String(response.headers['set-auth-token']);
  });
  afterAll(() => server?.stop());

  it('refuses sign-up from the plain-http origin it does not serve', async () => {
    const response = await post(
      `${server.url}/api/auth/sign-up/email`,
      { name: 'Plain', email: uniqueEmail('plain'), password: 'correct horse battery' },
      { origin: server.url.replace('127.0.0.1', 'localhost') },
      from,
    );
    expect(response.status).toBe(403);
  });

  it('limits sign-in attempts per client with 429', async () => {
    const statuses = [];
    for (let index = 0; index < 4; index++) {
      const attempt = { email: uniqueEmail('guess'), password: 'guessing-password' };
      statuses.push((await post(`${server.url}/api/auth/sign-in/email`, attempt, { origin }, from)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  // Last: it breaks this server's database on purpose.
  it('answers an internal error with a generic 500: no SQL, stack or driver text', async () => {
    expect((await trpc(server.url, 'todo.list', { headers: bearer(token) })).status).toBe(200);
    await sql`drop table todos cascade`.execute(server.testDatabase.db);

    const { status, body, response } = await trpc(server.url, 'todo.list', {
      input: { search: 'secret' },
      headers: bearer(token),
    });
    expect(status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(body).toEqual({
      error: {
        message: 'Internal server error',
        code: -32603,
        data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, path: 'todo.list', zodError: null },
      },
    });

    const mutation = await trpc(server.url, 'todo.create', {
      mutation: true,
      input: { title: 'x' },
      headers: bearer(token),
    });
    expect(mutation.status).toBe(500);
    const text = JSON.stringify(mutation.body);
    expect(text).toContain('Internal server error');
    for (const leak of [
      'todos',
      'relation',
      'insert',
      'select',
      'stack',
      'node_modules',
      '.ts',
      'pglite',
      'pg',
    ]) {
      expect(text.toLowerCase(), leak).not.toContain(leak);
    }
  });
});
