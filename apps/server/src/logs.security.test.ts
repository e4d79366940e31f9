// No secret in any log line: the real server process (src/start.ts, production, request log
// on) through a whole session, then its stdout and stderr searched for every credential.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, cookieHeader, type ServerProcess, spawnServer, trpc } from './testing.ts';

const SECRET = 'log-test-secret-3f9a0c7d1e2b4a6c8e0f1a2b3c4d5e6f';
const PASSWORD = 'hunter2-but-much-longer';
const NEW_PASSWORD = 'an entirely new passphrase';
const METRICS_TOKEN = 'metrics-scrape-token-5e1d9c0b7a3f';
const QUERY_SECRET = 'query-string-secret-8d2f4b6a';

describe('the server logs no secret', () => {
  let child: ServerProcess;
  let url = '';
  // stdout, then stderr: every line the process printed.
  const output = () => [...child.stdout, ...child.stderr].join('\n');

  beforeAll(async () => {
    // The embedded database, whatever the surrounding environment points at.
    child = await spawnServer({
      env: {
        NODE_ENV: 'production',
        PGLITE_DIR: 'memory',
        BETTER_AUTH_SECRET: SECRET,
        LOG_REQUESTS: 'true',
        // Every level: a secret must not hide in a debug line either.
        LOG_LEVEL: 'trace',
        TRUSTED_PROXIES: 'loopback',
        METRICS_TOKEN,
        AUTH_RATE_LIMIT_PER_MINUTE: '100',
      },
    });
    url = child.url;
  }, 90_000);

  afterAll(async () => {
    await child?.stop();
  });

  it('through sign-up, failed and good sign-in, API calls, a password change and sign-out', async () => {
    const origin = url;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const email = 'logged@example.com';
    const signUp = await post('/api/auth/sign-up/email', { name: 'Log', email, password: PASSWORD });
    expect(signUp.status).toBe(200);
    const token = signUp.headers.get('set-auth-token') ?? '';
    const cookie = cookieHeader(signUp);
    expect((await post('/api/auth/sign-in/email', { email, password: `${PASSWORD}x` })).status).toBe(401);
    const signIn = await post('/api/auth/sign-in/email', { email, password: PASSWORD });
    expect(signIn.status).toBe(200);
    const secondToken = signIn.headers.get('set-auth-token') ?? '';

    expect(
      (await trpc(url, 'todo.create', { mutation: true, input: { title: 'x' }, headers: bearer(token) }))
        .status,
    ).toBe(200);
    expect(
      (await trpc(url, 'todo.list', { input: { search: PASSWORD }, headers: bearer(token) })).status,
    ).toBe(200);
    expect((await trpc(url, 'todo.list', { headers: { cookie } })).status).toBe(200);
    expect(
      (await trpc(url, 'todo.get', { input: { id: 'nope' }, headers: bearer(secondToken) })).status,
    ).toBe(400);
    expect((await trpc(url, 'me', { headers: bearer('forged-token-value') })).status).toBe(401);
    const change = await post(
      '/api/auth/change-password',
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, revokeOtherSessions: true },
      bearer(token),
    );
    expect(change.status).toBe(200);
    const changedToken = change.headers.get('set-auth-token') ?? token;
    expect((await post('/api/auth/sign-out', {}, bearer(changedToken))).status).toBe(200);

    // Credentials where a careless logger would pick them up: the query string, a cookie and a
    // bearer on requests that fail, a password in a body that is refused, the metrics token.
    const withQuery = await fetch(`${url}/healthz?token=${QUERY_SECRET}`, {
      headers: { cookie, 'x-request-id': 'trusted-proxy-id-1' },
    });
    expect(withQuery.headers.get('x-request-id')).toBe('trusted-proxy-id-1');
    const refused = await fetch(`${url}/api/trpc/todo.list?input=${QUERY_SECRET}`, {
      headers: bearer(token),
    });
    expect([400, 401]).toContain(refused.status);
    expect(
      (await post('/api/auth/sign-in/email', `{"email":"${email}","password":"${PASSWORD}"`)).status,
    ).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${url}/metrics?${QUERY_SECRET}`, { headers: bearer(METRICS_TOKEN) })).status).toBe(
      200,
    );
    expect((await fetch(`${url}/metrics`, { headers: bearer(`${METRICS_TOKEN}-wrong`) })).status).toBe(401);

    await child.stop();

    const lines = output().split('\n').filter(Boolean);
    const requests = lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === 'request');
    expect(requests.filter((line) => line.path.startsWith('/api/')).length).toBeGreaterThanOrEqual(8);
    // The lines exist, with their ids: the searches below look where the credentials would be.
    expect(requests.find((line) => line.reqId === 'trusted-proxy-id-1')).toMatchObject({ path: '/healthz' });
    expect(requests.filter((line) => line.path === '/metrics').map((line) => line.status)).toEqual([
      200, 401,
    ]);
    const sessionCookieValue = cookie.split('=').slice(1).join('=');
    const secrets = {
      SECRET,
      PASSWORD,
      NEW_PASSWORD,
      token,
      secondToken,
      changedToken,
      sessionCookieValue,
      'forged-token-value': 'forged-token-value',
      METRICS_TOKEN,
      QUERY_SECRET,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThan(8);
      // A token is `<id>.<signature>`: neither half may appear either.
      for (const part of [value, ...value.split('.')].filter((piece) => piece.length >= 8)) {
        expect(output().includes(part), `${name} appears in the log`).toBe(false);
        expect(output().includes(encodeURIComponent(part)), `${name} (URL-encoded) appears in the log`).toBe(
          false,
        );
      }
    }
  }, 60_000);
});
