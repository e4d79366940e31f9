import { request } from 'node:http';
import { testDrivers } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  cookieHeader,
  INDEX_HTML,
  type Session,
  signIn,
  signUp,
  startTestServer,
  type TestServer,
  trpc,
  uniqueEmail,
} from './testing.ts';

const EVIL = 'https://evil.example';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

type Item = {
  result?: { data: unknown };
  error?: { message: string; data: { code: string; httpStatus: number } };
};

describe.each(testDrivers)('the server over HTTP on %s', (driver) => {
  let server: TestServer;
  let url: string;
  let alice: Session;

  beforeAll(async () => {
    server = await startTestServer(driver);
    url = server.url;
    alice = await signUp(url, { name: 'Alice' });
  });
  afterAll(() => server?.stop());

  const todoCount = async (userId: string) =>
    Number(
      (
        await server.testDatabase.db
          .selectFrom('todos')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('created_by', '=', userId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe('authentication', () => {
    it('sign-up answers with a bearer token and an httpOnly, SameSite=Lax cookie (not Secure over http)', async () => {
      const email = uniqueEmail('signup');
      const response = await fetch(`${url}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ name: 'Sam', email, password: 'a long password' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('set-auth-token')).toMatch(/\S{20,}/);
      const sessionCookie = response.headers
        .getSetCookie()
        .find((cookie) => cookie.includes('session_token='));
      expect(sessionCookie).toMatch(/HttpOnly/i);
      expect(sessionCookie).toMatch(/SameSite=Lax/i);
      expect(sessionCookie).not.toMatch(/Secure/i);
      expect(await response.json()).toMatchObject({ user: { email, name: 'Sam' } });
    });

    it('sign-up refuses passwords shorter than 8 or longer than 128 characters', async () => {
      for (const password of ['1234567', 'x'.repeat(129)]) {
        const response = await fetch(`${url}/api/auth/sign-up/email`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: url },
          body: JSON.stringify({ name: 'Short', email: uniqueEmail('short'), password }),
        });
        expect(response.status, `${password.length} characters`).toBe(400);
      }
      const ok = await signUp(url, { password: 'x'.repeat(128) });
      expect(ok.token).not.toBe('');
    });

    it('sign-in answers a program with a bearer token; a wrong password and an unknown email look alike', async () => {
      const ok = await signIn(url, alice.email.toUpperCase());
      expect(ok.status).toBe(200);
      const token = ok.headers.get('set-auth-token');
      expect(token).toBeTruthy();
      expect((await trpc(url, 'me', { headers: bearer(token ?? '') })).body).toMatchObject({
        result: { data: { id: alice.userId, email: alice.email, name: 'Alice' } },
      });

      const wrongPassword = await signIn(url, alice.email, 'not the password');
      const unknownEmail = await signIn(url, uniqueEmail('nobody'), 'not the password');
      expect(wrongPassword.status).toBe(401);
      expect(unknownEmail.status).toBe(401);
      expect(await wrongPassword.json()).toEqual(await unknownEmail.json());
    });

    it('sign-in from a plain HTTP client (no Origin, no Sec-Fetch headers, like curl) needs no Origin', async () => {
      const body = JSON.stringify({ email: alice.email, password: 'correct horse battery' });
      const { status, token } = await new Promise<{ status: number; token: unknown }>((resolve, reject) => {
        const req = request(`${url}/api/auth/sign-in/email`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        });
        req.on('response', (response) => {
          response.resume();
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, token: response.headers['set-auth-token'] }),
          );
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(status).toBe(200);
      expect(typeof token).toBe('string');
      expect((await trpc(url, 'todo.counts', { headers: bearer(token as string) })).status).toBe(200);
    });

    it('the cookie and the bearer token both identify the user; neither is UNAUTHORIZED', async () => {
      const byCookie = await trpc(url, 'me', { headers: { cookie: alice.cookie } });
      const byToken = await trpc(url, 'me', { headers: bearer(alice.token) });
      expect(byCookie.status).toBe(200);
      expect(byCookie.body).toEqual(byToken.body);
      const anonymous = await trpc(url, 'todo.list');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ error: { data: { code: 'UNAUTHORIZED', httpStatus: 401 } } });
      const forged = await trpc(url, 'me', { headers: bearer('forged-token') });
      expect(forged.status).toBe(401);
      const session = await fetch(`${url}/api/auth/get-session`, { headers: bearer(alice.token) });
      expect(await session.json()).toMatchObject({ user: { id: alice.userId } });
    });

    it('sign-out by cookie ends that session at once: the cookie and its token get 401, other sessions live', async () => {
      const bob = await signUp(url, { name: 'Bob' });
      const second = await signIn(url, bob.email);
      const otherToken = second.headers.get('set-auth-token') ?? '';
      expect((await trpc(url, 'me', { headers: { cookie: bob.cookie } })).status).toBe(200);

      const signOut = await fetch(`${url}/api/auth/sign-out`, {
        method: 'POST',
        headers: { cookie: bob.cookie, origin: url },
      });
      expect(signOut.status).toBe(200);
      expect(signOut.headers.getSetCookie().join('\n')).toMatch(/session_token=;|Max-Age=0/i);

      expect((await trpc(url, 'me', { headers: { cookie: bob.cookie } })).status).toBe(401);
      expect((await trpc(url, 'me', { headers: bearer(bob.token) })).status).toBe(401);
      expect((await trpc(url, 'me', { headers: bearer(otherToken) })).status).toBe(200);
    });

    it('sign-out by bearer token ends that session at once', async () => {
      const carol = await signUp(url, { name: 'Carol' });
      const signOut = await fetch(`${url}/api/auth/sign-out`, {
        method: 'POST',
        headers: bearer(carol.token),
      });
      expect(signOut.status).toBe(200);
      expect((await trpc(url, 'todo.counts', { headers: bearer(carol.token) })).status).toBe(401);
      const session = await fetch(`${url}/api/auth/get-session`, { headers: bearer(carol.token) });
      expect(await session.json()).toBeNull();
    });
  });

  describe('cross-site request refusal', () => {
    const create = (headers: Record<string, string>, title = 'csrf probe') =>
      trpc(url, 'todo.create', { mutation: true, input: { title }, headers });

    it('refuses a cookie-carrying mutation from a foreign Origin or Referer, or with neither, with 403', async () => {
      const before = await todoCount(alice.userId);
      const attempts: Record<string, string>[] = [
        { cookie: alice.cookie, origin: EVIL },
        { cookie: alice.cookie, referer: `${EVIL}/page` },
        { cookie: alice.cookie },
        { cookie: alice.cookie, origin: 'null' },
      ];
      for (const headers of attempts) {
        const { status, body } = await create(headers);
        expect(status, JSON.stringify(headers)).toBe(403);
        expect(body).toMatchObject({ error: { code: 'FORBIDDEN' } });
      }
      // A batch is refused as a whole.
      const batch = await fetch(`${url}/api/trpc/todo.create,todo.create?batch=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: alice.cookie, origin: EVIL },
        body: JSON.stringify({ 0: { title: 'a' }, 1: { title: 'b' } }),
      });
      expect(batch.status).toBe(403);
      expect(await todoCount(alice.userId)).toBe(before);
    });

    it('lets the app’s own origins through with the cookie, and bearer callers without any Origin', async () => {
      const before = await todoCount(alice.userId);
      expect((await create({ cookie: alice.cookie, origin: url })).status).toBe(200);
      const port = new URL(url).port;
      expect((await create({ cookie: alice.cookie, origin: `http://localhost:${port}` })).status).toBe(200);
      expect((await create({ cookie: alice.cookie, referer: `${url}/todos` })).status).toBe(200);
      expect((await create(bearer(alice.token))).status).toBe(200);
      expect(await todoCount(alice.userId)).toBe(before + 4);
    });

    it('refuses a request body that is not JSON, whatever the credentials (415)', async () => {
      const before = await todoCount(alice.userId);
      const bodies: [string, string][] = [
        ['text/plain', JSON.stringify({ title: 'plain' })],
        ['application/x-www-form-urlencoded', 'title=form'],
      ];
      for (const [type, body] of bodies) {
        for (const headers of [bearer(alice.token), { cookie: alice.cookie, origin: url }]) {
          const response = await fetch(`${url}/api/trpc/todo.create`, {
            method: 'POST',
            headers: { ...headers, 'content-type': type },
            body,
          });
          expect(response.status, type).toBe(415);
        }
      }
      const form = new FormData();
      form.set('title', 'multipart');
      const multipart = await fetch(`${url}/api/trpc/todo.create`, {
        method: 'POST',
        headers: bearer(alice.token),
        body: form,
      });
      expect(multipart.status).toBe(415);
      expect(await todoCount(alice.userId)).toBe(before);
    });

    it('Better Auth refuses a cookie-carrying /api/auth POST from a foreign origin, and the session survives', async () => {
      const signOut = await fetch(`${url}/api/auth/sign-out`, {
        method: 'POST',
        headers: { cookie: alice.cookie, origin: EVIL },
      });
      expect(signOut.status).toBe(403);
      const signIn = await fetch(`${url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: alice.cookie, origin: EVIL },
        body: JSON.stringify({ email: alice.email, password: 'correct horse battery' }),
      });
      expect(signIn.status).toBe(403);
      expect((await trpc(url, 'me', { headers: { cookie: alice.cookie } })).status).toBe(200);
    });
  });

  describe('tRPC over HTTP', () => {
    it('a batch mixing success and NOT_FOUND answers 207 with a status per item', async () => {
      const mine = (await trpc(url, 'todo.create', {
        mutation: true,
        input: { title: 'batched' },
        headers: bearer(alice.token),
      })) as { body: { result: { data: { id: string } } } };
      const id = mine.body.result.data.id;

      const input = { 0: { id }, 1: { id: MISSING_ID }, 2: undefined };
      const query = await fetch(
        `${url}/api/trpc/todo.get,todo.get,todo.counts?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`,
        { headers: bearer(alice.token) },
      );
      expect(query.status).toBe(207);
      const items = (await query.json()) as Item[];
      expect(items).toHaveLength(3);
      expect(items[0]?.result?.data).toMatchObject({ id, title: 'batched' });
      expect(items[1]?.error).toMatchObject({
        message: 'Todo not found',
        data: { code: 'NOT_FOUND', httpStatus: 404 },
      });
      expect(items[2]?.result?.data).toMatchObject({ all: expect.any(Number) });

      const mutation = await fetch(`${url}/api/trpc/todo.update,todo.delete?batch=1`, {
        method: 'POST',
        headers: { ...bearer(alice.token), 'content-type': 'application/json' },
        body: JSON.stringify({ 0: { id, completed: true }, 1: { id: MISSING_ID } }),
      });
      expect(mutation.status).toBe(207);
      const results = (await mutation.json()) as Item[];
      expect(results[0]?.result?.data).toMatchObject({ id, completed: true });
      expect(results[1]?.error?.data).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
    });

    it('a batch of successes is 200; a single bad input is 400 with zodError per field', async () => {
      const both = await fetch(`${url}/api/trpc/me,todo.counts?batch=1&input=${encodeURIComponent('{}')}`, {
        headers: bearer(alice.token),
      });
      expect(both.status).toBe(200);
      const bad = await trpc(url, 'todo.create', {
        mutation: true,
        input: { title: '' },
        headers: bearer(alice.token),
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({
        error: { data: { code: 'BAD_REQUEST', zodError: { fieldErrors: { title: [expect.any(String)] } } } },
      });
    });

    it('another user’s todo is 404 over HTTP, like a missing one', async () => {
      const dave = await signUp(url, { name: 'Dave' });
      const created = (await trpc(url, 'todo.create', {
        mutation: true,
        input: { title: 'dave only' },
        headers: bearer(dave.token),
      })) as { body: { result: { data: { id: string } } } };
      const foreign = await trpc(url, 'todo.get', {
        input: { id: created.body.result.data.id },
        headers: bearer(alice.token),
      });
      const missing = await trpc(url, 'todo.get', {
        input: { id: MISSING_ID },
        headers: bearer(alice.token),
      });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(missing.body);
    });
  });

  describe('health, unknown paths and the web app', () => {
    it('/healthz and /readyz answer 200', async () => {
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', mail: true });
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
    });

    it('unknown /api paths are 404 JSON, never the web app', async () => {
      for (const path of ['/api', '/api/', '/api/nope', '/api/trpc', '/api/v2/todos']) {
        const response = await fetch(`${url}${path}`);
        expect(response.status, path).toBe(404);
        expect(response.headers.get('content-type'), path).toMatch(/application\/json/);
        expect(await response.text(), path).not.toContain('<!doctype');
      }
      const post = await fetch(`${url}/api/nope`, { method: 'POST', headers: bearer(alice.token) });
      expect(post.status).toBe(404);
      const procedure = await trpc(url, 'todo.nope', { headers: bearer(alice.token) });
      expect(procedure.status).toBe(404);
      expect(procedure.body).toMatchObject({ error: { data: { code: 'NOT_FOUND' } } });
    });

    it('client routes get index.html, files are served as they are, with security headers', async () => {
      for (const path of ['/', '/active', '/completed', '/sign-in', '/some/deep/route?x=1']) {
        const response = await fetch(`${url}${path}`);
        expect(response.status, path).toBe(200);
        expect(response.headers.get('content-type'), path).toMatch(/text\/html/);
        expect(await response.text(), path).toBe(INDEX_HTML);
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      }
      const script = await fetch(`${url}/app.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toMatch(/javascript/);
      expect(await script.text()).toContain('console.log');
    });

    it('session cookies from sign-in can be reused as a Cookie header', async () => {
      const response = await signIn(url, alice.email);
      const cookie = cookieHeader(response);
      expect(cookie).toMatch(/session_token=/);
      expect((await trpc(url, 'todo.counts', { headers: { cookie } })).status).toBe(200);
    });
  });
});
