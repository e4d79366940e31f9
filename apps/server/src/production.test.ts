import { testDrivers } from '@todo/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  type Session,
  signUp,
  startTestServer,
  type TestServer,
  trpc,
  uniqueEmail,
} from './testing.ts';

describe.each(testDrivers)('a production server on %s', (driver) => {
  let server: TestServer;
  let origin: string;
  let user: Session;

  beforeAll(async () => {
    server = await startTestServer(driver, {
      NODE_ENV: 'production',
      // Served over https behind a proxy: cookies must be Secure.
      PUBLIC_URL: 'https://localhost:0',
      AUTH_RATE_LIMIT_PER_MINUTE: '3',
    });
    origin = `https://localhost:${new URL(server.url).port}`;
    const response = await fetch(`${server.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ name: 'Prod', email: uniqueEmail('prod'), password: 'correct horse battery' }),
    });
    expect(response.status).toBe(200);
    const cookies = response.headers.getSetCookie();
    expect(cookies.find((cookie) => cookie.includes('session_token='))).toMatch(/;\s*Secure/i);
    user = {
      token: response.headers.get('set-auth-token') ?? '',
      cookie: '',
      userId: ((await response.json()) as { user: { id: string } }).user.id,
      email: '',
    };
  });
  afterAll(() => server?.stop());

  it('refuses sign-up from the plain-http origin it does not serve', async () => {
    await expect(signUp(server.url.replace('127.0.0.1', 'localhost'))).rejects.toThrow(/403/);
  });

  it('limits sign-in attempts per client with 429', async () => {
    const attempt = () =>
      fetch(`${server.url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ email: uniqueEmail('guess'), password: 'guessing-password' }),
      });
    const statuses = [];
    for (let index = 0; index < 4; index++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  // Last: it breaks this server's database on purpose.
  it('answers an internal error with a generic 500: no SQL, stack or driver text', async () => {
    expect((await trpc(server.url, 'todo.list', { headers: bearer(user.token) })).status).toBe(200);
    await sql`drop table todos cascade`.execute(server.testDatabase.db);

    const { status, body, response } = await trpc(server.url, 'todo.list', {
      input: { search: 'secret' },
      headers: bearer(user.token),
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
      headers: bearer(user.token),
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
