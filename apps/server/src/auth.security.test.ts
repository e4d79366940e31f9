// Auth hardening on the real HTTP server: brute force limited per IP and per account,
// sessions that expire and revoke, cookie attributes, security headers.
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from './config.ts';
import { bearer, signUp, startTestServer, type TestServer, trpc, uniqueEmail } from './testing.ts';

const PASSWORD = 'correct horse battery';

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/**
 * A POST from a chosen loopback address: Linux routes all of 127.0.0.0/8 to the loopback
 * interface, so one machine can play many clients and the server sees each as its own peer.
 */
function postFrom(
  localAddress: string,
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const target = new URL(path, url);
    const req = request(
      target,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', origin: new URL(url).origin, ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const signInFrom = (localAddress: string, url: string, email: string, password: string, headers = {}) =>
  postFrom(localAddress, url, '/api/auth/sign-in/email', { email, password }, headers);

describe('sign-in brute force is limited', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { AUTH_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => server?.stop());

  it('per IP: the fourth attempt in a minute is 429, spoofed client-IP headers do not reset it, other IPs are unaffected', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const spoof = { 'x-forwarded-for': `10.0.0.${attempt}`, 'x-todo-client-ip': `10.0.1.${attempt}` };
      const reply = await signInFrom('127.0.0.21', server.url, uniqueEmail('ip'), 'wrong password', spoof);
      statuses.push(reply.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await signInFrom('127.0.0.22', server.url, uniqueEmail('ip'), 'wrong password')).status).toBe(
      401,
    );
  });

  it('per account: failures from many IPs lock the account, the right password included; other accounts still sign in', async () => {
    const victim = await signUp(server.url, { email: uniqueEmail('victim'), password: PASSWORD });
    const bystander = await signUp(server.url, { email: uniqueEmail('bystander'), password: PASSWORD });
    const statuses: number[] = [];
    for (let ip = 31; ip < 35; ip++) {
      statuses.push((await signInFrom(`127.0.0.${ip}`, server.url, victim.email, `guess ${ip}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);

    // The same address spelled in another case counts as the same account.
    const locked = await signInFrom('127.0.0.35', server.url, victim.email.toUpperCase(), PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body).not.toContain(victim.email);

    expect((await signInFrom('127.0.0.36', server.url, bystander.email, PASSWORD)).status).toBe(200);
  });

  it('answers an unknown email exactly like a known one (no account enumeration)', async () => {
    const nobody = uniqueEmail('nobody');
    const statuses: number[] = [];
    const bodies: string[] = [];
    for (let ip = 41; ip < 45; ip++) {
      const reply = await signInFrom(`127.0.0.${ip}`, server.url, nobody, 'guessing');
      statuses.push(reply.status);
      bodies.push(reply.body);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(bodies[0]).toMatch(/invalid email or password/i);
  });

  it('a success clears the account count', async () => {
    const user = await signUp(server.url, { email: uniqueEmail('clears'), password: PASSWORD });
    expect((await signInFrom('127.0.0.51', server.url, user.email, 'typo 1')).status).toBe(401);
    expect((await signInFrom('127.0.0.52', server.url, user.email, 'typo 2')).status).toBe(401);
    expect((await signInFrom('127.0.0.53', server.url, user.email, PASSWORD)).status).toBe(200);
    expect((await signInFrom('127.0.0.54', server.url, user.email, 'typo 3')).status).toBe(401);
    expect((await signInFrom('127.0.0.55', server.url, user.email, 'typo 4')).status).toBe(401);
    expect((await signInFrom('127.0.0.56', server.url, user.email, PASSWORD)).status).toBe(200);
  });
});

describe('sessions end', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { SESSION_EXPIRES_IN_SECONDS: '2' });
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
    const server = await startTestServer('pglite');
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
    const server = await startTestServer('pglite', { PUBLIC_URL: 'https://todo.example' });
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
    server = await startTestServer('pglite');
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
