// The bearer check (packages/api/src/context.ts, then todo_act_as_session in the database)
// must accept exactly the tokens Better Auth's own getSession accepts: each case asks both,
// over HTTP, with the same header.
import { testDrivers } from '@todo/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Session, signUp, startTestServer, type TestServer, trpc } from './testing.ts';

describe.each(testDrivers)('bearer sessions on %s', (driver) => {
  let server: TestServer;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer(driver);
    url = server.url;
  });
  afterAll(() => server?.stop());

  const rawToken = (session: Session) => decodeURIComponent(session.token).split('.')[0]!;

  /** Whether Better Auth's getSession and the tRPC API each see a signed-in user for this header. */
  const verdicts = async (authorization: string) => {
    const auth = await fetch(`${url}/api/auth/get-session`, { headers: { authorization } });
    const session = (await auth.json()) as { user?: { id: string } } | null;
    const api = await trpc(url, 'me', { headers: { authorization } });
    return {
      betterAuth: session?.user?.id ?? null,
      api:
        api.status === 200 ? (api.body as { result: { data: { id: string } } }).result.data.id : api.status,
    };
  };

  const setExpiry = (token: string, interval: string) =>
    sql`update sessions set expires_at = now() + ${interval}::interval where token = ${token}`.execute(
      server.testDatabase.db,
    );

  it('accepts the signed token from set-auth-token, URL-encoded or not, and the bare token', async () => {
    const user = await signUp(url);
    const signed = decodeURIComponent(user.token);
    expect(signed).toMatch(/^[^.]+\.[A-Za-z0-9+/]{43}=$/);
    for (const token of [user.token, signed, encodeURIComponent(signed), rawToken(user)]) {
      expect(await verdicts(`Bearer ${token}`)).toEqual({ betterAuth: user.userId, api: user.userId });
    }
    expect(await verdicts(`bearer ${signed}`)).toEqual({ betterAuth: user.userId, api: user.userId });
  });

  it('refuses a wrong signature, an extra dot, an unknown token and an empty one, as Better Auth does', async () => {
    const user = await signUp(url);
    const [token, signature] = decodeURIComponent(user.token).split('.') as [string, string];
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    for (const header of [
      `Bearer ${token}.${flipped}`,
      `Bearer ${token}.${signature.slice(0, -2)}=`,
      `Bearer ${token}.x.${signature}`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}x`,
      'Bearer  ',
      `Basic ${token}`,
    ]) {
      expect({ header, ...(await verdicts(header)) }).toEqual({ header, betterAuth: null, api: 401 });
    }
  });

  it('refuses an expired session and one that signed out', async () => {
    const expired = await signUp(url);
    await setExpiry(rawToken(expired), '-1 second');
    expect(await verdicts(`Bearer ${expired.token}`)).toEqual({ betterAuth: null, api: 401 });

    const gone = await signUp(url);
    const signOut = await fetch(`${url}/api/auth/sign-out`, { method: 'POST', headers: bearer(gone.token) });
    expect(signOut.status).toBe(200);
    expect(await verdicts(`Bearer ${gone.token}`)).toEqual({ betterAuth: null, api: 401 });
  });

  it('slides the expiry forward once the session is older than updateAge, as getSession does', async () => {
    const user = await signUp(url);
    const expiry = async () =>
      (
        await sql<{
          days: number;
        }>`select extract(epoch from expires_at - now()) / 86400 as days from sessions where token = ${rawToken(user)}`.execute(
          server.testDatabase.db,
        )
      ).rows[0]!.days;

    await setExpiry(rawToken(user), '6 days 12 hours');
    await trpc(url, 'todo.counts', { headers: bearer(user.token) });
    expect(Number(await expiry())).toBeCloseTo(6.5, 1); // younger than a day: left alone

    await setExpiry(rawToken(user), '2 days');
    expect((await trpc(url, 'todo.counts', { headers: bearer(user.token) })).status).toBe(200);
    expect(Number(await expiry())).toBeCloseTo(7, 1);
  });

  it('with a cookie as well, leaves the decision to Better Auth', async () => {
    const user = await signUp(url);
    const other = await signUp(url);
    const api = await trpc(url, 'me', {
      headers: { cookie: other.cookie, authorization: `Bearer ${user.token}` },
    });
    const auth = await fetch(`${url}/api/auth/get-session`, {
      headers: { cookie: other.cookie, authorization: `Bearer ${user.token}` },
    });
    const session = (await auth.json()) as { user: { id: string } };
    expect((api.body as { result: { data: { id: string } } }).result.data.id).toBe(session.user.id);
  });
});
