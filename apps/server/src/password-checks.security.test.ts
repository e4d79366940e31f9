// Every password check over HTTP is counted, on the real server. Sign-in refused a guesser after
// 10 failures per account and client; change-password and delete-user never did, and
// /verify-password (meant for the server alone) answered any number of guesses. Now the last is
// not served, and the others share sign-in's per-account and per-client limit: a thief holding
// the owner's session gets 10 guesses in all from their client, while the owner, from another,
// is never refused. Each driver plays its clients from its own part of 127.0.0.0/8.
import { testDrivers } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Session, signUp, startTestServer, type TestServer, trpc } from './testing.ts';
import { postFrom, type Reply, signInFrom } from './testing-clients.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a whole new passphrase';

describe.each(testDrivers)('password checks on %s', (driver) => {
  const client = (host: number) => `127.${70 + testDrivers.indexOf(driver)}.0.${host}`;
  let server: TestServer;
  beforeAll(async () => {
    // Better Auth's per-address limits high, so that only the per-account limit answers.
    server = await startTestServer(driver, { AUTH_RATE_LIMIT_PER_MINUTE: '100' });
  });
  afterAll(() => server?.stop());

  /** `times` calls of `path` from `from` with the session's bearer and `body(n)`. */
  const callTimes = async (
    from: string,
    path: string,
    session: Session,
    times: number,
    body: (n: number) => unknown,
  ) => {
    const replies: Reply[] = [];
    for (let n = 0; n < times; n++)
      replies.push(await postFrom(from, server.url, path, body(n), bearer(session.token)));
    return replies;
  };
  const statuses = (replies: Reply[]) => replies.map((reply) => reply.status);
  const expectRefused = (reply: Reply | undefined) => {
    expect(reply?.status).toBe(429);
    expect(Number(reply?.headers['retry-after'])).toBeGreaterThan(0);
    expect(reply?.body).toMatch(/too many wrong passwords/i);
  };

  it('/verify-password is not served over HTTP, right password or wrong', async () => {
    const user = await signUp(server.url, { password: PASSWORD });
    for (const password of [PASSWORD, 'a wrong guess']) {
      const reply = await postFrom(
        client(1),
        server.url,
        '/api/auth/verify-password',
        { password },
        bearer(user.token),
      );
      expect(reply.status).toBe(404);
      expect(JSON.parse(reply.body)).toEqual({ error: { message: 'Not found', code: 'NOT_FOUND' } });
    }
  });

  it("change-password: the 11th wrong guess from one client is 429, the right one too; the owner's other client changes it", async () => {
    const owner = await signUp(server.url, { password: PASSWORD });
    const thief = client(10);
    const guesses = await callTimes(thief, '/api/auth/change-password', owner, 11, (n) => ({
      currentPassword: `guess ${n}`,
      newPassword: NEW_PASSWORD,
    }));
    expect(statuses(guesses)).toEqual([...Array(10).fill(400), 429]);
    expect(JSON.parse(guesses[0]?.body ?? '')).toMatchObject({ code: 'INVALID_PASSWORD' });
    expectRefused(guesses[10]);
    const right = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };
    expectRefused(await postFrom(thief, server.url, '/api/auth/change-password', right, bearer(owner.token)));

    const changed = await postFrom(
      client(11),
      server.url,
      '/api/auth/change-password',
      right,
      bearer(owner.token),
    );
    expect(changed.status).toBe(200);
    expect((await signInFrom(client(11), server.url, owner.email, NEW_PASSWORD)).status).toBe(200);
  });

  it("delete-user: the 11th wrong guess from one client is 429, the right one too; the owner's other client deletes", async () => {
    const owner = await signUp(server.url, { password: PASSWORD });
    const thief = client(20);
    // A browser's cookie this time, and an Origin of our own, as the web app sends them.
    const guesses: Reply[] = [];
    for (let n = 0; n < 11; n++) {
      guesses.push(
        await postFrom(
          thief,
          server.url,
          '/api/auth/delete-user',
          { password: `guess ${n}` },
          { cookie: owner.cookie },
        ),
      );
    }
    expect(statuses(guesses)).toEqual([...Array(10).fill(400), 429]);
    expectRefused(guesses[10]);
    expectRefused(
      await postFrom(
        thief,
        server.url,
        '/api/auth/delete-user',
        { password: PASSWORD },
        { cookie: owner.cookie },
      ),
    );
    expect((await trpc(server.url, 'me', { headers: bearer(owner.token) })).status).toBe(200);

    const deleted = await postFrom(
      client(21),
      server.url,
      '/api/auth/delete-user',
      { password: PASSWORD },
      { cookie: owner.cookie },
    );
    expect(deleted.status).toBe(200);
    expect((await trpc(server.url, 'me', { headers: bearer(owner.token) })).status).toBe(401);
  });

  it('the endpoints share one count: guesses through change-password lock that client out of sign-in too', async () => {
    const owner = await signUp(server.url, { password: PASSWORD });
    const thief = client(30);
    const guesses = await callTimes(thief, '/api/auth/change-password', owner, 6, (n) => ({
      currentPassword: `guess ${n}`,
      newPassword: NEW_PASSWORD,
    }));
    expect(statuses(guesses)).toEqual(Array(6).fill(400));
    const signIns: number[] = [];
    for (let n = 0; n < 5; n++)
      signIns.push((await signInFrom(thief, server.url, owner.email, `guess ${n}`)).status);
    expect(signIns).toEqual([401, 401, 401, 401, 429]);
    const refused = await signInFrom(thief, server.url, owner.email, PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatch(/too many failed sign-in attempts/i);
    expect((await signInFrom(client(31), server.url, owner.email, PASSWORD)).status).toBe(200);
  });
});
