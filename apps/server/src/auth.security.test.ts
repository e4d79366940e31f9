// Auth hardening on the real HTTP server: brute force limited per IP and per account and client,
// sessions that expire and revoke, cookie attributes, security headers.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WORKSPACE_ROOT } from '@todo/db';
import { defaultTestDriver } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp, startTestServer, type TestServer, trpc, uniqueEmail } from './testing.ts';
import { signInFrom } from './testing-clients.ts';

const PASSWORD = 'correct horse battery';

// On one driver: each attempt hashes a password (scrypt), the slowest thing in the server's
// tests, and what these count is stored through the same tables on every driver, which
// packages/db's sign-in-failures and rate-limits tests check on each.
describe.each([defaultTestDriver])('sign-in attempts on %s', (driver) => {
  const client = (host: number) => `127.10.0.${host}`;

  describe('per IP', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(driver, { AUTH_RATE_LIMIT_PER_MINUTE: '3' });
    });
    afterAll(() => server?.stop());

    it('the fourth attempt in a minute is 429, spoofed client-IP headers do not reset it, other IPs are unaffected', async () => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        const spoof = { 'x-forwarded-for': `10.0.0.${attempt}`, 'x-todo-client-ip': `10.0.1.${attempt}` };
        const reply = await signInFrom(client(21), server.url, uniqueEmail('ip'), 'wrong password', spoof);
        statuses.push(reply.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect((await signInFrom(client(22), server.url, uniqueEmail('ip'), 'wrong password')).status).toBe(
        401,
      );
    });
  });

  // Better Auth's per-IP limit is set high here so that only the per-account limit answers.
  describe('per account and client', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(driver, { AUTH_RATE_LIMIT_PER_MINUTE: '100' });
    });
    afterAll(() => server?.stop());

    const failTimes = async (from: string, email: string, times: number) => {
      const statuses: number[] = [];
      for (let n = 0; n < times; n++)
        statuses.push((await signInFrom(from, server.url, email, `guess ${n}`)).status);
      return statuses;
    };

    it("a stranger's failures lock only the stranger's client out; the owner signs in from theirs", async () => {
      const owner = await signUp(server.url, { email: uniqueEmail('owner'), password: PASSWORD });
      const neighbour = await signUp(server.url, { email: uniqueEmail('neighbour'), password: PASSWORD });
      const stranger = client(31);
      const ownersClient = client(32);

      expect(await failTimes(stranger, owner.email, 12)).toEqual([...Array(10).fill(401), 429, 429]);

      // From the stranger's client even the right password is refused, in any letter case.
      const refused = await signInFrom(stranger, server.url, owner.email.toUpperCase(), PASSWORD);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body).toMatch(/too many failed sign-in attempts/i);
      expect(refused.body).not.toContain(owner.email);

      const signedIn = await signInFrom(ownersClient, server.url, owner.email, PASSWORD);
      expect(signedIn.status).toBe(200);
      const token = String(signedIn.headers['set-auth-token']);
      expect((await trpc(server.url, 'me', { headers: bearer(token) })).status).toBe(200);

      // The owner's success does not clear the stranger's count; the stranger's client is
      // refused for this account only.
      expect((await signInFrom(stranger, server.url, owner.email, PASSWORD)).status).toBe(429);
      expect((await signInFrom(stranger, server.url, neighbour.email, PASSWORD)).status).toBe(200);
    });

    it('the owner keeps signing in while strangers on many clients fail', async () => {
      const owner = await signUp(server.url, { email: uniqueEmail('besieged'), password: PASSWORD });
      for (let ip = 41; ip < 45; ip++) {
        expect((await failTimes(client(ip), owner.email, 11)).at(-1)).toBe(429);
      }
      expect((await signInFrom(client(45), server.url, owner.email, PASSWORD)).status).toBe(200);
    });

    it('answers an unknown email exactly like a known one (no account enumeration)', async () => {
      const known = await signUp(server.url, { email: uniqueEmail('known'), password: PASSWORD });
      const unknown = uniqueEmail('nobody');
      const replies = async (from: string, email: string) => {
        const all: { status: number; body: string; retryAfter: boolean }[] = [];
        for (let n = 0; n < 11; n++) {
          const reply = await signInFrom(from, server.url, email, `guessing ${n}`);
          all.push({ status: reply.status, body: reply.body, retryAfter: 'retry-after' in reply.headers });
        }
        return all;
      };
      const forKnown = await replies(client(51), known.email);
      const forUnknown = await replies(client(52), unknown);
      expect(forUnknown).toEqual(forKnown);
      expect(forUnknown.map((reply) => reply.status)).toEqual([...Array(10).fill(401), 429]);
      expect(forUnknown[0]?.body).toMatch(/invalid email or password/i);
      expect(forUnknown[10]?.retryAfter).toBe(true);
    });

    it("a success clears the client's count for the account", async () => {
      const user = await signUp(server.url, { email: uniqueEmail('clears'), password: PASSWORD });
      const from = client(61);
      expect(await failTimes(from, user.email, 9)).toEqual(Array(9).fill(401));
      expect((await signInFrom(from, server.url, user.email, PASSWORD)).status).toBe(200);
      expect(await failTimes(from, user.email, 9)).toEqual(Array(9).fill(401));
      expect((await signInFrom(from, server.url, user.email, PASSWORD)).status).toBe(200);
    });
  });
});

describe('sessions end', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(defaultTestDriver, { SESSION_EXPIRES_IN_SECONDS: '2' });
  });
  afterAll(() => server?.stop());

  const me = (token: string) => trpc(server.url, 'me', { headers: bearer(token) });
  const meByCookie = (cookie: string) => trpc(server.url, 'me', { headers: { cookie } });

  it('when they expire', async () => {
    const user = await signUp(server.url);
    expect((await me(user.token)).status).toBe(200);
    await new Promise((done) => setTimeout(done, 2_500));
    expect((await me(user.token)).status).toBe(401);
    expect((await meByCookie(user.cookie)).status).toBe(401);
  });

  it('at sign-out, for the token and the cookie alike', async () => {
    const user = await signUp(server.url);
    expect((await meByCookie(user.cookie)).status).toBe(200);
    const out = await fetch(`${server.url}/api/auth/sign-out`, {
      method: 'POST',
      headers: { ...bearer(user.token), 'content-type': 'application/json', origin: server.url },
      body: '{}',
    });
    expect(out.status).toBe(200);
    expect((await me(user.token)).status).toBe(401);
    expect((await meByCookie(user.cookie)).status).toBe(401);
  });

  it('everywhere else when the password changes with revokeOtherSessions', async () => {
    const user = await signUp(server.url, { password: PASSWORD });
    const other = await signInFrom('127.0.0.1', server.url, user.email, PASSWORD);
    const otherToken = String(other.headers['set-auth-token']);
    expect((await me(otherToken)).status).toBe(200);

    const change = await fetch(`${server.url}/api/auth/change-password`, {
      method: 'POST',
      headers: { ...bearer(user.token), 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({
        currentPassword: PASSWORD,
        newPassword: 'a brand new passphrase',
        revokeOtherSessions: true,
      }),
    });
    expect(change.status).toBe(200);
    expect((await me(otherToken)).status).toBe(401);
    const kept = change.headers.get('set-auth-token') ?? user.token;
    expect((await me(kept)).status).toBe(200);

    expect((await signInFrom('127.0.0.1', server.url, user.email, PASSWORD)).status).toBe(401);
    expect((await signInFrom('127.0.0.1', server.url, user.email, 'a brand new passphrase')).status).toBe(
      200,
    );
  });
});

describe('cookies', () => {
  const sessionCookie = async (server: TestServer, origin: string) => {
    const response = await fetch(`${server.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ name: 'C', email: uniqueEmail('cookie'), password: PASSWORD }),
    });
    expect(response.status).toBe(200);
    const cookie = response.headers.getSetCookie().find((value) => value.includes('session_token='));
    if (!cookie) throw new Error('no session cookie');
    return cookie;
  };

  it('are httpOnly and SameSite=Lax over http, without Secure', async () => {
    const server = await startTestServer(defaultTestDriver);
    try {
      const cookie = await sessionCookie(server, server.url);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).not.toMatch(/;\s*Secure/i);
    } finally {
      await server.stop();
    }
  });

  it('are also Secure (and __Secure- prefixed) when PUBLIC_URL is https', async () => {
    const server = await startTestServer(defaultTestDriver, { PUBLIC_URL: 'https://todo.example' });
    try {
      const cookie = await sessionCookie(server, 'https://todo.example');
      expect(cookie).toMatch(/^__Secure-/);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Secure/i);
    } finally {
      await server.stop();
    }
  });
});

describe('security headers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(defaultTestDriver);
  });
  afterAll(() => server?.stop());

  it.each(['/', '/some/client/route', '/app.js', '/healthz', '/api/trpc/todo.list', '/api/auth/get-session'])(
    'on %s: a strict CSP, nosniff, no framing, a referrer policy',
    async (path) => {
      const response = await fetch(`${server.url}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp.split(';').map((part) => {
          const [name = '', ...values] = part.trim().split(/\s+/);
          return [name, values] as const;
        }),
      );
      expect(directives.get('default-src')).toEqual(["'self'"]);
      expect(directives.get('script-src')).toEqual(["'self'"]);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(directives.get('object-src')).toEqual(["'none'"]);
      expect(directives.get('base-uri')).toEqual(["'self'"]);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    },
  );

  // The built SPA must work under that policy: no inline script or style, nothing from
  // another origin. (apps/web's browser tests run the real thing under the same server.)
  const built = resolve(WORKSPACE_ROOT, 'apps/web/dist/index.html');
  it.skipIf(!existsSync(built))('the built web app needs nothing the CSP forbids', () => {
    const html = readFileSync(built, 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes = '', content = ''] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(content.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\s(?:src|href)=["']?(?:https?:)?\/\//i);
  });
});
