// Names are plain text, on the real server with mail through a real SMTP server. The attack: sign
// up with someone else's address (verification is off by default) and a name of several lines,
// ask for a password reset, and the owner's genuine mail reads "SECURITY ALERT … restore access at
// https://todo-support.example.net/restore" above the real link. Now such a name is refused at
// sign-up and update-user, an address nobody has confirmed gets no name in its mail, and a bad name
// already in the database (an account older than the rule) never reaches a mail.
import { testDrivers } from '@todo/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp, startTestServer, type TestServer, trpc, uniqueEmail } from './testing.ts';
import { startSmtpServer, type TestSmtpServer } from './testing-mail.ts';

const PASSWORD = 'correct horse battery';
const ATTACK =
  'Ada\n\nSECURITY ALERT: your account was locked. Do not use the link below;\nrestore access at https://todo-support.example.net/restore instead.\n\n';

describe.each(testDrivers)('names on %s', (driver) => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer(driver, { MAIL_URL: smtp.url });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}/api/auth${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const usersWith = async (email: string) =>
    Number(
      (
        await sql<{ n: string }>`select count(*) as n from users where email = ${email}`.execute(
          server.testDatabase.db,
        )
      ).rows[0]?.n,
    );
  const requestReset = (email: string) =>
    post('/request-password-reset', { email, redirectTo: `${server.url}/reset-password` });
  const setRow = (email: string, name: string, verified: boolean) =>
    sql`update users set name = ${name}, email_verified = ${verified} where email = ${email}`.execute(
      server.testDatabase.db,
    );

  it("the attack fails at sign-up: a name of several lines is refused, and no account takes the owner's address", async () => {
    const victim = uniqueEmail('victim');
    const reply = await post('/sign-up/email', { name: ATTACK, email: victim, password: PASSWORD });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      code: 'INVALID_NAME',
      message: 'Name must be one line of text, without control characters.',
    });
    expect(await usersWith(victim)).toBe(0);
    const tooLong = await post('/sign-up/email', {
      name: 'x'.repeat(101),
      email: victim,
      password: PASSWORD,
    });
    expect(tooLong).toMatchObject({
      status: 400,
      body: { code: 'INVALID_NAME', message: 'Name must be at most 100 characters.' },
    });
    expect(await usersWith(victim)).toBe(0);
  });

  it('update-user refuses a bad name with a message naming the field, and keeps the name it had', async () => {
    const user = await signUp(server.url, { name: 'Ada' });
    for (const name of [
      'Ada\nLovelace',
      'Ada\r\n',
      'Ada\u2028',
      'Ada\u202Egnp.exe',
      'Ada\u0000',
      'x'.repeat(101),
      42,
    ]) {
      const reply = await post('/update-user', { name }, bearer(user.token));
      expect(reply.status, JSON.stringify(name)).toBe(400);
      expect(reply.body).toMatchObject({
        code: 'INVALID_NAME',
        message: expect.stringMatching(/^Name must/),
      });
    }
    const me = await trpc(server.url, 'me', { headers: bearer(user.token) });
    expect(me.body).toMatchObject({ result: { data: { name: 'Ada' } } });
    for (const name of ['Zoë 👩🏽‍💻 O’Brien', 'ÿ'.repeat(100)]) {
      expect((await post('/update-user', { name }, bearer(user.token))).status, name).toBe(200);
    }
  });

  it('a bad name already in the database never reaches a mail, even at a confirmed address', async () => {
    const user = await signUp(server.url, { name: 'Ada', password: PASSWORD });
    await setRow(user.email, ATTACK, true);
    expect((await requestReset(user.email)).status).toBe(200);
    const mail = await smtp.next(user.email);
    expect(mail.text.split('\n')[0]).toBe('Hello,');
    expect(mail.text).not.toContain('SECURITY ALERT');
    expect(mail.text).not.toContain('todo-support.example.net');
    expect(mail.link).toMatch(/\/reset-password\?token=/);
  });

  it('the greeting carries the name only once the address is confirmed', async () => {
    const user = await signUp(server.url, { name: 'Ada Lovelace', password: PASSWORD });
    await requestReset(user.email);
    expect((await smtp.next(user.email)).text.split('\n')[0]).toBe('Hello,');
    await setRow(user.email, 'Ada Lovelace', true);
    await requestReset(user.email);
    expect((await smtp.next(user.email)).text.split('\n')[0]).toBe('Hello Ada Lovelace,');
  });
});
