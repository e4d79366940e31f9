// Better Auth's account endpoints on the real HTTP server, with mail received by a real SMTP
// server: each one's success, its wrong password, another user's session, and for password
// reset a replayed and an expired token. (account.export and account.import: account.test.ts.)
//
// Over 400 lines, kept together: one server and one SMTP server per driver serve every
// endpoint's tests; split, each file would start and sign up its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDrivers } from '@todo/db/testing';
import { sql } from 'kysely';
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
import { mailFiles, nextMailFile, startSmtpServer, type TestSmtpServer } from './testing-mail.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a whole new passphrase';

type Reply = { status: number; body: unknown; response: Response };

/** A call to /api/auth as a program makes it (bearer) or a browser (cookie, same origin). */
async function call(
  url: string,
  path: string,
  { body, headers = {} }: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const response = await fetch(`${url}/api/auth${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      origin: url,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, body: parsed, response };
}

const cookie = (session: Session) => ({ cookie: session.cookie });
const raw = (session: Session) => decodeURIComponent(session.token).split('.')[0] as string;

describe.each(testDrivers)('account endpoints on %s', (driver) => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let url: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer(driver, { MAIL_URL: smtp.url });
    url = server.url;
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  /** Who the server thinks these credentials are: a user id, or null. */
  const whoIs = async (headers: Record<string, string>) => {
    const reply = await call(url, '/get-session', { headers });
    return (reply.body as { user?: { id: string } } | null)?.user?.id ?? null;
  };

  /** One more session of the same user, as another device would sign in. */
  const anotherDevice = async (user: Session, password = PASSWORD): Promise<Session> => {
    const response = await signIn(url, user.email, password);
    expect(response.status).toBe(200);
    return {
      ...user,
      token: response.headers.get('set-auth-token') ?? '',
      cookie: cookieHeader(response),
    };
  };

  describe('change-password', () => {
    it('changes it with the current password; the old one stops working', async () => {
      const user = await signUp(url);
      const reply = await call(url, '/change-password', {
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
        headers: bearer(user.token),
      });
      expect(reply.status).toBe(200);
      expect((await signIn(url, user.email, PASSWORD)).status).toBe(401);
      expect((await signIn(url, user.email, NEW_PASSWORD)).status).toBe(200);
      // Without revokeOtherSessions the session it was changed from stays.
      expect(await whoIs(bearer(user.token))).toBe(user.userId);
    });

    it('refuses a wrong current password and changes nothing', async () => {
      const user = await signUp(url);
      const reply = await call(url, '/change-password', {
        body: { currentPassword: 'not the password', newPassword: NEW_PASSWORD },
        headers: cookie(user),
      });
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ code: 'INVALID_PASSWORD' });
      expect((await signIn(url, user.email, PASSWORD)).status).toBe(200);
      expect((await signIn(url, user.email, NEW_PASSWORD)).status).toBe(401);
    });

    it('with revokeOtherSessions ends every other session and answers with a new one', async () => {
      const user = await signUp(url);
      const laptop = await anotherDevice(user);
      const reply = await call(url, '/change-password', {
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, revokeOtherSessions: true },
        headers: bearer(user.token),
      });
      expect(reply.status).toBe(200);
      const fresh = (reply.body as { token: string }).token;
      expect(fresh).toEqual(expect.any(String));
      expect(await whoIs(bearer(laptop.token))).toBeNull();
      expect(await whoIs(cookie(laptop))).toBeNull();
      expect(await whoIs(bearer(fresh))).toBe(user.userId);
    });

    it("another user's session changes that user's password, never this one's", async () => {
      const alice = await signUp(url);
      const mallory = await signUp(url);
      const reply = await call(url, '/change-password', {
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
        headers: bearer(mallory.token),
      });
      expect(reply.status).toBe(200);
      expect((await signIn(url, alice.email, PASSWORD)).status).toBe(200);
      expect((await signIn(url, mallory.email, NEW_PASSWORD)).status).toBe(200);
    });

    it('needs a session', async () => {
      const reply = await call(url, '/change-password', {
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      });
      expect(reply.status).toBe(401);
    });
  });

  describe('sessions', () => {
    it("lists the caller's sessions only, with the tokens to revoke them by", async () => {
      const user = await signUp(url);
      const phone = await anotherDevice(user);
      const other = await signUp(url);
      const reply = await call(url, '/list-sessions', { headers: bearer(user.token) });
      expect(reply.status).toBe(200);
      const sessions = reply.body as { token: string; userId: string }[];
      expect(sessions.map((session) => session.token).sort()).toEqual([raw(user), raw(phone)].sort());
      expect(sessions.every((session) => session.userId === user.userId)).toBe(true);
      expect(sessions.map((session) => session.token)).not.toContain(raw(other));
      expect((await call(url, '/list-sessions')).status).toBe(401);
    });

    it('revoke-session ends one of my own sessions, bearer and cookie alike', async () => {
      const user = await signUp(url);
      const phone = await anotherDevice(user);
      const reply = await call(url, '/revoke-session', {
        body: { token: raw(phone) },
        headers: cookie(user),
      });
      expect(reply.status).toBe(200);
      expect(await whoIs(bearer(phone.token))).toBeNull();
      expect(await whoIs(cookie(phone))).toBeNull();
      expect(await whoIs(cookie(user))).toBe(user.userId);
    });

    it("revoke-session with another user's session token leaves that session alone", async () => {
      const alice = await signUp(url);
      const mallory = await signUp(url);
      const reply = await call(url, '/revoke-session', {
        body: { token: raw(alice) },
        headers: bearer(mallory.token),
      });
      // Better Auth answers as if done, so the answer does not confirm that the token exists.
      expect(reply.status).toBe(200);
      expect(await whoIs(bearer(alice.token))).toBe(alice.userId);
      expect(await whoIs(bearer(mallory.token))).toBe(mallory.userId);
      const sessions = await call(url, '/list-sessions', { headers: bearer(alice.token) });
      expect((sessions.body as { token: string }[]).map((session) => session.token)).toEqual([raw(alice)]);
    });

    it('revoke-other-sessions keeps only the calling one; revoke-sessions ends them all', async () => {
      const user = await signUp(url);
      const phone = await anotherDevice(user);
      const laptop = await anotherDevice(user);
      const bystander = await signUp(url);
      const others = await call(url, '/revoke-other-sessions', { body: {}, headers: bearer(laptop.token) });
      expect(others.status).toBe(200);
      expect(await whoIs(bearer(user.token))).toBeNull();
      expect(await whoIs(bearer(phone.token))).toBeNull();
      expect(await whoIs(bearer(laptop.token))).toBe(user.userId);

      const all = await call(url, '/revoke-sessions', { body: {}, headers: bearer(laptop.token) });
      expect(all.status).toBe(200);
      expect(await whoIs(bearer(laptop.token))).toBeNull();
      expect(await whoIs(bearer(bystander.token))).toBe(bystander.userId);
    });
  });

  describe('update-user', () => {
    it("changes the caller's name, seen by the API; another user's is untouched", async () => {
      const user = await signUp(url, { name: 'Old Name' });
      const other = await signUp(url, { name: 'Other' });
      const reply = await call(url, '/update-user', {
        body: { name: 'New Name' },
        headers: bearer(user.token),
      });
      expect(reply.status).toBe(200);
      const me = await trpc(url, 'me', { headers: bearer(user.token) });
      expect(me.body).toMatchObject({ result: { data: { name: 'New Name', email: user.email } } });
      const them = await trpc(url, 'me', { headers: bearer(other.token) });
      expect(them.body).toMatchObject({ result: { data: { name: 'Other' } } });
    });

    it('does not change the email address, and needs a session', async () => {
      const user = await signUp(url);
      const reply = await call(url, '/update-user', {
        body: { email: uniqueEmail('taken') },
        headers: bearer(user.token),
      });
      expect(reply.status).toBe(400);
      const me = await trpc(url, 'me', { headers: bearer(user.token) });
      expect(me.body).toMatchObject({ result: { data: { email: user.email } } });
      expect((await call(url, '/update-user', { body: { name: 'Nobody' } })).status).toBe(401);
    });
  });

  describe('delete-user', () => {
    const rowsOf = async (userId: string) => {
      const { rows } = await sql<{ table: string; count: number | string }>`
        select 'users' as table, count(*) from users where id = ${userId}
        union all select 'sessions', count(*) from sessions where user_id = ${userId}
        union all select 'accounts', count(*) from accounts where user_id = ${userId}
        union all select 'lists', count(*) from lists where owner_id = ${userId}
        union all select 'memberships', count(*) from list_members where user_id = ${userId}
        union all select 'todos', count(*) from todos where list_id in (select id from lists where owner_id = ${userId})
        union all select 'todo_changes', count(*) from todo_changes where user_id = ${userId}`.execute(
        server.testDatabase.db,
      );
      return Object.fromEntries(rows.map((row) => [row.table, Number(row.count)]));
    };
    const withTodos = async () => {
      const user = await signUp(url);
      await anotherDevice(user);
      for (const title of ['one', 'two']) {
        const created = await trpc(url, 'todo.create', {
          mutation: true,
          input: { title },
          headers: bearer(user.token),
        });
        expect(created.status).toBe(200);
      }
      return user;
    };

    it('with the password removes the user, sessions, accounts, todos and change log at once', async () => {
      const user = await withTodos();
      const bystander = await withTodos();
      const rows = await rowsOf(user.userId);
      expect(rows).toMatchObject({ users: 1, sessions: 2, accounts: 1, lists: 1, memberships: 1, todos: 2 });
      expect(rows.todo_changes).toBeGreaterThan(0);
      const before = await rowsOf(bystander.userId);

      const reply = await call(url, '/delete-user', { body: { password: PASSWORD }, headers: cookie(user) });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ success: true, message: 'User deleted' });
      expect(await rowsOf(user.userId)).toEqual({
        users: 0,
        sessions: 0,
        accounts: 0,
        lists: 0,
        memberships: 0,
        todos: 0,
        todo_changes: 0,
      });
      expect(await rowsOf(bystander.userId)).toEqual(before);
      expect(await whoIs(bearer(user.token))).toBeNull();
      expect((await signIn(url, user.email, PASSWORD)).status).toBe(401);
    });

    it("deletes the lists it owns with their todos and ends its memberships; its todos in others' lists stay, without an author", async () => {
      const leaving = await withTodos();
      const staying = await withTodos();
      const data = (reply: { body: unknown }) =>
        (reply.body as { result: { data: { id: string } } }).result.data;
      const as = (user: Session, path: string, input: unknown, mutation = true) =>
        trpc(url, path, { mutation, input, headers: bearer(user.token) });
      const mine = data(await as(leaving, 'list.create', { name: 'Mine' }));
      const theirs = data(await as(staying, 'list.create', { name: 'Theirs' }));
      // Each an editor of the other's list (set up in the database: invites are mail.test.ts's).
      await sql`insert into list_members (list_id, user_id, role, position) values
        (${mine.id}, ${staying.userId}, 'editor', 100), (${theirs.id}, ${leaving.userId}, 'editor', 100)`.execute(
        server.testDatabase.db,
      );
      const left = data(await as(leaving, 'todo.create', { listId: theirs.id, title: 'left behind' }));
      await as(leaving, 'todo.create', { listId: mine.id, title: 'goes with the list' });
      expect((await as(staying, 'todo.list', { listId: mine.id }, false)).status).toBe(200);

      const reply = await call(url, '/delete-user', {
        body: { password: PASSWORD },
        headers: cookie(leaving),
      });
      expect(reply.status).toBe(200);
      expect((await as(staying, 'todo.list', { listId: mine.id }, false)).status).toBe(404);
      const members = await as(staying, 'list.members', { id: theirs.id }, false);
      expect(
        (members.body as { result: { data: { members: { userId: string }[] } } }).result.data.members.map(
          (member) => member.userId,
        ),
      ).toEqual([staying.userId]);
      const kept = await as(staying, 'todo.get', { id: left.id }, false);
      expect(kept.body).toMatchObject({
        result: { data: { title: 'left behind', createdBy: null, updatedBy: null } },
      });
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from todos where list_id = ${mine.id}`.execute(server.testDatabase.db);
      expect(rows).toEqual([{ n: 0 }]);
    });

    it('refuses without the password, even from a fresh session, and with a wrong one', async () => {
      const user = await withTodos();
      const before = await rowsOf(user.userId);
      const none = await call(url, '/delete-user', { body: {}, headers: bearer(user.token) });
      expect(none.status).toBe(400);
      expect(none.body).toMatchObject({ code: 'PASSWORD_REQUIRED' });
      const wrong = await call(url, '/delete-user', {
        body: { password: 'not the password' },
        headers: bearer(user.token),
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body).toMatchObject({ code: 'INVALID_PASSWORD' });
      expect(await rowsOf(user.userId)).toEqual(before);
    });

    it("another user's session with its own password deletes that user only; no session, nothing", async () => {
      const alice = await withTodos();
      const mallory = await signUp(url);
      const before = await rowsOf(alice.userId);
      expect((await call(url, '/delete-user', { body: { password: PASSWORD } })).status).toBe(401);
      const reply = await call(url, '/delete-user', {
        body: { password: PASSWORD },
        headers: bearer(mallory.token),
      });
      expect(reply.status).toBe(200);
      expect((await rowsOf(mallory.userId)).users).toBe(0);
      expect(await rowsOf(alice.userId)).toEqual(before);
    });
  });

  describe('password reset', () => {
    const requestReset = (email: string) =>
      call(url, '/request-password-reset', { body: { email, redirectTo: `${url}/reset-password` } });
    const tokenIn = (link: string) => new URL(link).searchParams.get('token') ?? '';

    it('answers the same whether or not the address has an account, and mails only the account', async () => {
      const user = await signUp(url);
      const known = await requestReset(user.email);
      const unknown = await requestReset(uniqueEmail('nobody'));
      expect(known.status).toBe(200);
      expect(unknown.status).toBe(known.status);
      expect(unknown.body).toEqual(known.body);
      const mail = await smtp.next(user.email);
      expect(mail.subject).toBe('Reset your Todo password');
      expect(smtp.received.filter((item) => item.to.startsWith('nobody-'))).toEqual([]);
    });

    it('the mailed link opens the web app and its token sets a new password, once, ending every session', async () => {
      const user = await signUp(url);
      const laptop = await anotherDevice(user);
      await requestReset(user.email);
      const mail = await smtp.next(user.email);
      expect(mail.text).toContain('reset the password of your Todo account');
      expect(mail.text).toContain('1 hour');
      // PUBLIC_URL, which defaults to http://localhost:<port>.
      const link = new URL(mail.link);
      expect(`${link.origin}${link.pathname}`).toBe(`http://localhost:${new URL(url).port}/reset-password`);
      const token = tokenIn(mail.link);
      expect(token).not.toBe('');
      // The web app's page, served like every client route.
      const page = await fetch(`${url}${link.pathname}${link.search}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(INDEX_HTML);

      const reset = await call(url, '/reset-password', { body: { newPassword: NEW_PASSWORD, token } });
      expect(reset.status).toBe(200);
      expect(await whoIs(bearer(user.token))).toBeNull();
      expect(await whoIs(cookie(user))).toBeNull();
      expect(await whoIs(bearer(laptop.token))).toBeNull();
      expect(await whoIs(cookie(laptop))).toBeNull();
      expect((await signIn(url, user.email, PASSWORD)).status).toBe(401);
      expect((await signIn(url, user.email, NEW_PASSWORD)).status).toBe(200);

      const replayed = await call(url, '/reset-password', {
        body: { newPassword: 'replayed password', token },
      });
      expect(replayed.status).toBe(400);
      expect(replayed.body).toMatchObject({ code: 'INVALID_TOKEN' });
      expect((await signIn(url, user.email, NEW_PASSWORD)).status).toBe(200);
    });

    it('refuses an expired token, an unknown one, and a too short new password', async () => {
      const user = await signUp(url);
      await requestReset(user.email);
      const token = tokenIn((await smtp.next(user.email)).link);

      const short = await call(url, '/reset-password', { body: { newPassword: 'short', token } });
      expect(short.status).toBe(400);
      const unknown = await call(url, '/reset-password', {
        body: { newPassword: NEW_PASSWORD, token: `${token}x` },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ code: 'INVALID_TOKEN' });

      await sql`update verifications set expires_at = now() - interval '1 second'
                where identifier = ${`reset-password:${token}`}`.execute(server.testDatabase.db);
      const expired = await call(url, '/reset-password', { body: { newPassword: NEW_PASSWORD, token } });
      expect(expired.status).toBe(400);
      expect(expired.body).toMatchObject({ code: 'INVALID_TOKEN' });
      expect(await whoIs(bearer(user.token))).toBe(user.userId);
      expect((await signIn(url, user.email, PASSWORD)).status).toBe(200);
    });

    it("a token resets only its own account, whoever's session sends it", async () => {
      const alice = await signUp(url);
      const mallory = await signUp(url);
      await requestReset(mallory.email);
      const token = tokenIn((await smtp.next(mallory.email)).link);
      const reply = await call(url, '/reset-password', {
        body: { newPassword: NEW_PASSWORD, token },
        headers: bearer(alice.token),
      });
      expect(reply.status).toBe(200);
      expect((await signIn(url, alice.email, PASSWORD)).status).toBe(200);
      expect(await whoIs(bearer(alice.token))).toBe(alice.userId);
      expect((await signIn(url, mallory.email, NEW_PASSWORD)).status).toBe(200);
    });
  });
});

describe.each(testDrivers)(
  'email verification (REQUIRE_EMAIL_VERIFICATION=true, mail as .eml files) on %s',
  (driver) => {
    let server: TestServer;
    let url: string;
    let mailDir: string;

    beforeAll(async () => {
      mailDir = mkdtempSync(join(tmpdir(), 'todo-mail-'));
      server = await startTestServer(driver, { REQUIRE_EMAIL_VERIFICATION: 'true', MAIL_DIR: mailDir });
      url = server.url;
    });
    afterAll(async () => {
      await server?.stop();
      rmSync(mailDir, { recursive: true, force: true });
    });

    const signUpUnverified = async (email: string) => {
      const response = await fetch(`${url}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ name: 'Ada', email, password: PASSWORD }),
      });
      return { status: response.status, body: (await response.json()) as { token: string | null } };
    };

    it('sign-up mails a link and signs nobody in; sign-in is refused until the link is followed', async () => {
      const email = uniqueEmail('verify');
      const signedUp = await signUpUnverified(email);
      expect(signedUp.status).toBe(200);
      expect(signedUp.body.token).toBeNull();
      const mail = await nextMailFile(mailDir, email);
      expect(mail.subject).toBe('Confirm your email address for Todo');
      // Nobody has confirmed this address yet: the mail does not carry the name it was given.
      expect(mail.text.split('\n')[0]).toBe('Hello,');
      const link = new URL(mail.link);
      expect(`${link.origin}${link.pathname}`).toBe(
        `http://localhost:${new URL(url).port}/api/auth/verify-email`,
      );
      expect(link.searchParams.get('callbackURL')).toBe('/');

      const refused = await signIn(url, email, PASSWORD);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({
        code: 'EMAIL_NOT_VERIFIED',
        message: expect.stringContaining('confirm your email address'),
      });
      // The refusal sends a fresh link, for whoever lost the first.
      await nextMailFile(mailDir, email, { seen: 1 });

      const followed = await fetch(`${url}${link.pathname}${link.search}`, { redirect: 'manual' });
      expect(followed.status).toBe(302);
      expect(followed.headers.get('location')).toBe('/');
      // Following the link signs that browser in.
      const session = await call(url, '/get-session', { headers: { cookie: cookieHeader(followed) } });
      expect(session.body).toMatchObject({ user: { email, emailVerified: true } });
      expect((await signIn(url, email, PASSWORD)).status).toBe(200);
    });

    it('signing up with an address that has an account answers as for a new one', async () => {
      const email = uniqueEmail('verify');
      const first = await signUpUnverified(email);
      await nextMailFile(mailDir, email);
      const again = await signUpUnverified(email);
      expect(again.status).toBe(first.status);
      expect(again.body.token).toBeNull();
      expect(Object.keys(again.body).sort()).toEqual(Object.keys(first.body).sort());
    });

    it('a wrong password is 401 as always and sends nothing; a forged link verifies nothing', async () => {
      const email = uniqueEmail('verify');
      await signUpUnverified(email);
      await nextMailFile(mailDir, email);
      expect((await signIn(url, email, 'not the password')).status).toBe(401);
      const forged = await fetch(`${url}/api/auth/verify-email?token=not-a-token&callbackURL=/`, {
        redirect: 'manual',
      });
      expect(forged.headers.get('location')).toContain('error=');
      expect((await signIn(url, email, PASSWORD)).status).toBe(403);
      // The sign-up's mail and the one from this last refusal: none from the wrong password.
      await nextMailFile(mailDir, email, { seen: 1 });
      expect((await mailFiles(mailDir)).filter((mail) => mail.to === email)).toHaveLength(2);
    });
  },
);
