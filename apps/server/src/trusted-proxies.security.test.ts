// Whose address the sign-in limits count against, on the real HTTP server: the socket's peer,
// unless TRUSTED_PROXIES names that peer as a proxy, and then the address that proxy says it
// received the request from (client-address.ts). Each driver plays its clients from its own part
// of 127.0.0.0/8.
import { testDrivers } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestServer, type TestServer, uniqueEmail } from './testing.ts';
import { signInFrom } from './testing-clients.ts';

const PASSWORD = 'correct horse battery';
const OUR_REFUSAL = /too many failed sign-in attempts/i;

describe.each(testDrivers)('client addresses on %s', (driver) => {
  const client = (host: number) => `127.${20 + testDrivers.indexOf(driver)}.0.${host}`;

  /** Statuses of `times` wrong-password sign-ins for `email` from `from`, with `headers(n)`. */
  const failTimes = async (
    server: TestServer,
    from: string,
    email: string,
    times: number,
    headers: (n: number) => Record<string, string> = () => ({}),
  ) => {
    const statuses: number[] = [];
    for (let n = 0; n < times; n++)
      statuses.push((await signInFrom(from, server.url, email, `guess ${n}`, headers(n))).status);
    return statuses;
  };

  describe('with no trusted proxy (the default)', () => {
    let server: TestServer;
    beforeAll(async () => {
      // Better Auth's per-IP limit high, so that the per-account limit answers.
      server = await startTestServer(driver, { AUTH_RATE_LIMIT_PER_MINUTE: '100' });
    });
    afterAll(() => server?.stop());

    it('a new X-Forwarded-For on every attempt does not dodge the limit: the failures count against the peer', async () => {
      const owner = await signUp(server.url, { email: uniqueEmail('dodged'), password: PASSWORD });
      const attacker = client(1);
      const spoofs = (n: number) => ({ 'x-forwarded-for': `198.51.100.${n}` });
      expect(await failTimes(server, attacker, owner.email, 11, spoofs)).toEqual([
        ...Array(10).fill(401),
        429,
      ]);
      const refused = await signInFrom(attacker, server.url, owner.email, PASSWORD, spoofs(99));
      expect(refused.status).toBe(429);
      expect(refused.body).toMatch(OUR_REFUSAL);
    });

    it("a forwarded address of another client's does not redirect the limit onto that client", async () => {
      const owner = await signUp(server.url, { email: uniqueEmail('framed'), password: PASSWORD });
      const [attacker, victim] = [client(2), client(3)];
      expect(
        await failTimes(server, attacker, owner.email, 11, () => ({ 'x-forwarded-for': victim })),
      ).toEqual([...Array(10).fill(401), 429]);
      expect((await signInFrom(victim, server.url, owner.email, 'one wrong guess')).status).toBe(401);
      expect((await signInFrom(victim, server.url, owner.email, PASSWORD)).status).toBe(200);
    });
  });

  describe('with TRUSTED_PROXIES=loopback (a proxy on this machine)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(driver, {
        AUTH_RATE_LIMIT_PER_MINUTE: '100',
        TRUSTED_PROXIES: 'loopback',
      });
    });
    afterAll(() => server?.stop());

    const proxy = client(10);
    const via = (address: string) => () => ({ 'x-forwarded-for': address });

    it('limits two clients behind the one proxy separately, for one account', async () => {
      const owner = await signUp(server.url, { email: uniqueEmail('proxied'), password: PASSWORD });
      expect(await failTimes(server, proxy, owner.email, 11, via('203.0.113.1'))).toEqual([
        ...Array(10).fill(401),
        429,
      ]);
      expect((await signInFrom(proxy, server.url, owner.email, PASSWORD, via('203.0.113.1')())).status).toBe(
        429,
      );
      // Same proxy socket, another client: its own count, so the owner signs in.
      expect((await signInFrom(proxy, server.url, owner.email, 'wrong', via('203.0.113.2')())).status).toBe(
        401,
      );
      expect((await signInFrom(proxy, server.url, owner.email, PASSWORD, via('203.0.113.2')())).status).toBe(
        200,
      );
    });

    it('believes only what the trusted hop appended: an address the client prepended changes nothing', async () => {
      const owner = await signUp(server.url, { email: uniqueEmail('prepended'), password: PASSWORD });
      // The proxy appends the address it saw (203.0.113.3) to whatever the client sent.
      const chain = (n: number) => ({ 'x-forwarded-for': `198.51.100.${n}, 203.0.113.3` });
      expect(await failTimes(server, proxy, owner.email, 11, chain)).toEqual([...Array(10).fill(401), 429]);
    });
  });

  describe("Better Auth's per-IP limit behind a trusted proxy", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(driver, {
        AUTH_RATE_LIMIT_PER_MINUTE: '3',
        TRUSTED_PROXIES: 'loopback',
      });
    });
    afterAll(() => server?.stop());

    it('counts each forwarded client on its own', async () => {
      const proxy = client(20);
      const attempt = (forwarded: string) =>
        signInFrom(proxy, server.url, uniqueEmail('per-ip'), 'wrong password', {
          'x-forwarded-for': forwarded,
        });
      const statuses: number[] = [];
      for (let n = 0; n < 4; n++) statuses.push((await attempt('203.0.113.20')).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      expect((await attempt('203.0.113.21')).status).toBe(401);
    });
  });
});
