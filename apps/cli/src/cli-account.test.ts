import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@todo/server';
import { testServerConfig } from '@todo/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliServer, EMAIL, json, minute, PASSWORD, startCliServer } from './testing.ts';

describe('todo signup, login, logout, whoami and passwd', () => {
  let cli: CliServer;
  beforeAll(async () => {
    cli = await startCliServer();
  });
  afterAll(async () => {
    await cli?.close();
  });

  it('refuses to work before login, and refuses a wrong password without saving anything', async () => {
    const { todo, configFile, url } = cli;
    const ls = await todo(['ls']);
    expect(ls.code).toBe(3);
    expect(ls.stderr).toBe(`todo: Not signed in to ${url}. Run \`todo login\` first.\n`);

    const wrong = await todo(['login', '--email', EMAIL], { input: 'not the password\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe('todo: Wrong email or password.\n');
    expect(existsSync(configFile())).toBe(false);

    const noEmail = await todo(['login'], { input: `${PASSWORD}\n` });
    expect(noEmail.code).toBe(2);
    expect(noEmail.stderr).toContain('--email');
  });

  it('logs in with the password from stdin and keeps the token in a 0600 file', async () => {
    const { todo, configFile, tokenIn, url, home, userId } = cli;
    const login = await todo(['login', '--email', EMAIL], { input: `${PASSWORD}\n` });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toBe(`Signed in to ${url} as ${EMAIL}.\n`);
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'todo')).mode & 0o777).toBe(0o700);
    const token = tokenIn();
    expect(token).toBeTruthy();
    const me = await fetch(`${url}/api/trpc/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ result: { data: { id: userId, email: EMAIL } } });
    expect(readFileSync(configFile(), 'utf8')).not.toContain(PASSWORD);
  });

  it('says when the server cannot be reached, for --url and TODO_URL', async () => {
    const { todo, configFile } = cli;
    const dead = 'http://127.0.0.1:9';
    const login = await todo(['login', '--email', EMAIL, '--url', dead], { input: PASSWORD });
    expect(login.code).toBe(5);
    expect(login.stderr).toContain(`Cannot reach the server at ${dead}`);

    const config = JSON.parse(readFileSync(configFile(), 'utf8'));
    config.servers[dead] = { token: 'some-token', email: EMAIL };
    writeFileSync(configFile(), JSON.stringify(config));
    const ls = await todo(['ls'], { env: { TODO_URL: dead } });
    expect(ls.code).toBe(5);
    expect(ls.stderr).toContain(`Cannot reach the server at ${dead}`);

    const badUrl = await todo(['ls', '--url', 'localhost:3000']);
    expect(badUrl.code).toBe(2);
  });

  it('notices a session ended elsewhere, forgets its token, and logs out for good', async () => {
    const { todo, tokenIn, url } = cli;
    const token = tokenIn();
    await fetch(`${url}/api/auth/sign-out`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const ended = await todo(['ls']);
    expect(ended.code).toBe(3);
    expect(ended.stderr).toBe(`todo: Your session at ${url} has ended. Run \`todo login\` again.\n`);
    expect(tokenIn()).toBeUndefined();

    expect((await todo(['login', '--email', EMAIL], { input: PASSWORD })).code).toBe(0);
    const fresh = tokenIn();
    const logout = await todo(['logout']);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toBe(`Signed out of ${url}.\n`);
    expect(tokenIn()).toBeUndefined();
    const me = await fetch(`${url}/api/trpc/me`, { headers: { authorization: `Bearer ${fresh}` } });
    expect(me.status).toBe(401);
    expect((await todo(['ls'])).code).toBe(3);
    expect((await todo(['logout'])).stdout).toBe(`Not signed in to ${url}.\n`);
  });

  it('signup creates an account from --name, --email and stdin, signs in, and whoami says who', async () => {
    const { todo, newHome, database, url } = cli;
    const grace = newHome();
    const signup = await todo(['signup', '--name', 'Grace Hopper', '--email', 'grace@example.com'], {
      input: 'grace password 1\n',
      env: grace,
    });
    expect(signup).toEqual({
      code: 0,
      stdout: `Account created. Signed in to ${url} as grace@example.com.\n`,
      stderr: '',
    });
    const row = await database.db
      .selectFrom('users')
      .select(['id', 'name', 'created_at'])
      .where('email', '=', 'grace@example.com')
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('Grace Hopper');
    expect(statSync(join(grace.XDG_CONFIG_HOME, 'todo', 'config.json')).mode & 0o777).toBe(0o600);

    const whoami = await todo(['whoami'], { env: grace });
    expect(whoami).toEqual({
      code: 0,
      stdout: `Name    Grace Hopper\nEmail   grace@example.com\nServer  ${url}\nJoined  ${minute(row.created_at)}\n`,
      stderr: '',
    });
    expect(json(await todo(['whoami', '--json'], { env: grace }))).toEqual({
      url,
      user: {
        id: row.id,
        email: 'grace@example.com',
        name: 'Grace Hopper',
        createdAt: row.created_at.toISOString(),
      },
    });

    const again = await todo(['signup', '--name', 'Someone', '--email', 'grace@example.com'], {
      input: 'another password\n',
      env: newHome(),
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^todo: .*already exists/i);
    const short = await todo(['signup', '--name', 'Short', '--email', 'short@example.com'], {
      input: 'short\n',
      env: newHome(),
    });
    // What was typed is wrong: a usage error (2), in the words the web app uses.
    expect(short).toEqual({
      code: 2,
      stdout: '',
      stderr: 'todo: The password must be at least 8 characters.\n',
    });
    for (const args of [
      ['signup', '--name', 'Bad Email', '--email', 'not-an-email'],
      ['login', '--email', 'not-an-email'],
    ]) {
      const badEmail = await todo(args, { input: 'a fine password\n', env: newHome() });
      expect(badEmail, args[0]).toEqual({
        code: 2,
        stdout: '',
        stderr: 'todo: "not-an-email" is not a valid email address.\n',
      });
    }
    const noName = await todo(['signup', '--email', 'noname@example.com'], { input: 'a fine password\n' });
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--name and --email');
    expect(
      await database.db
        .selectFrom('users')
        .select('email')
        .where('email', 'in', ['short@example.com', 'noname@example.com'])
        .execute(),
    ).toEqual([]);

    const nobody = await todo(['whoami'], { env: newHome() });
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toBe(`todo: Not signed in to ${url}. Run \`todo login\` first.\n`);
  });

  it('signup on a server that wants the address verified signs in nothing, and login waits for the link', async () => {
    const { todo, database, server, newHome } = cli;
    // The mail goes to files nobody reads: the test marks the address verified itself.
    const mailDir = newHome().XDG_CONFIG_HOME;
    const verifying = await startServer(
      testServerConfig({ WEB_DIST: server.webDist, MAIL_DIR: mailDir, REQUIRE_EMAIL_VERIFICATION: 'true' }),
      { ...database, close: async () => {} },
    );
    try {
      const here = { ...newHome(), TODO_URL: verifying.url };
      const signup = await todo(['signup', '--name', 'Unverified', '--email', 'unverified@example.com'], {
        input: 'unverified password\n',
        env: here,
      });
      expect(signup).toEqual({
        code: 0,
        stdout:
          'Account created for unverified@example.com. Follow the link in the mail sent to it, then `todo login`.\n',
        stderr: '',
      });
      expect(existsSync(join(here.XDG_CONFIG_HOME, 'todo', 'config.json'))).toBe(false);
      const early = await todo(['login', '--email', 'unverified@example.com'], {
        input: 'unverified password',
        env: here,
      });
      expect(early.code).toBe(1);
      expect(early.stderr).toMatch(/^todo: .*confirm your email/i);
      expect(existsSync(join(here.XDG_CONFIG_HOME, 'todo', 'config.json'))).toBe(false);

      // Verified (as the link in the mail does): now login works.
      await database.db
        .updateTable('users')
        .set({ email_verified: true })
        .where('email', '=', 'unverified@example.com')
        .execute();
      const login = await todo(['login', '--email', 'unverified@example.com'], {
        input: 'unverified password',
        env: here,
      });
      expect(login).toEqual({
        code: 0,
        stdout: `Signed in to ${verifying.url} as unverified@example.com.\n`,
        stderr: '',
      });
    } finally {
      await verifying.close(1_000);
    }
  });

  it('passwd changes the password (from stdin), refuses a wrong one, and can sign out the other sessions', async () => {
    const { todo, newHome, tokenIn, signInStatus, url } = cli;
    const here = newHome();
    const elsewhere = newHome();
    const email = 'passwd@example.com';
    expect(
      (
        await todo(['signup', '--name', 'Pass Word', '--email', email], {
          input: 'first password\n',
          env: here,
        })
      ).code,
    ).toBe(0);
    expect((await todo(['login', '--email', email], { input: 'first password', env: elsewhere })).code).toBe(
      0,
    );

    const wrong = await todo(['passwd'], { input: 'not my password\nsecond password\n', env: here });
    expect(wrong).toEqual({
      code: 1,
      stdout: '',
      stderr: 'todo: The current password is wrong; nothing was changed.\n',
    });
    const short = await todo(['passwd'], { input: 'first password\nshort\n', env: here });
    expect(short).toEqual({
      code: 2,
      stdout: '',
      stderr: 'todo: The new password must be at least 8 characters.\n',
    });
    const missing = await todo(['passwd'], { input: 'first password\n', env: here });
    expect(missing.code).toBe(2);
    expect(await signInStatus(email, 'first password')).toBe(200);

    const changed = await todo(['passwd'], { input: 'first password\nsecond password\n', env: here });
    expect(changed).toEqual({ code: 0, stdout: 'Password changed.\n', stderr: '' });
    expect(await signInStatus(email, 'first password')).toBe(401);
    expect(await signInStatus(email, 'second password')).toBe(200);
    // Without --sign-out-others every session goes on.
    expect((await todo(['ls'], { env: here })).code).toBe(0);
    expect((await todo(['ls'], { env: elsewhere })).code).toBe(0);

    const before = tokenIn(here);
    const everywhere = await todo(['passwd', '--sign-out-others'], {
      input: 'second password\nthird password\n',
      env: here,
    });
    expect(everywhere).toEqual({
      code: 0,
      stdout: 'Password changed. Every other session is signed out.\n',
      stderr: '',
    });
    // This terminal goes on with the session that replaced its own; the other one has ended.
    expect(tokenIn(here)).not.toBe(before);
    expect(json(await todo(['whoami', '--json'], { env: here })).user.email).toBe(email);
    const old = await fetch(`${url}/api/trpc/me`, { headers: { authorization: `Bearer ${before}` } });
    expect(old.status).toBe(401);
    const ended = await todo(['passwd'], { input: 'third password\nfourth password\n', env: elsewhere });
    expect(ended).toEqual({
      code: 3,
      stdout: '',
      stderr: `todo: Your session at ${url} has ended. Run \`todo login\` again.\n`,
    });
    expect(tokenIn(elsewhere)).toBeUndefined();
    expect(await signInStatus(email, 'third password')).toBe(200);
  });

  it('warns before a password goes over plain http to another machine, and sends it only with --yes', async (test) => {
    const { todo, newHome, url } = cli;
    const address = Object.values(networkInterfaces())
      .flat()
      .find((face) => face && face.family === 'IPv4' && !face.internal)?.address;
    if (!address) return test.skip('this machine has no non-loopback IPv4 address to send to');
    const received: string[] = [];
    const remote = createServer((request, response) => {
      received.push(`${request.method} ${request.url}`);
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' }),
      );
    });
    await new Promise<void>((resolve) => remote.listen(0, '0.0.0.0', resolve));
    try {
      const remoteUrl = `http://${address}:${(remote.address() as AddressInfo).port}`;
      const warning = `todo: warning: ${remoteUrl} is plain http; your password would cross the network unencrypted (use https).\n`;
      for (const args of [
        ['login', '--email', EMAIL],
        ['signup', '--name', 'N', '--email', EMAIL],
      ]) {
        const refused = await todo([...args, '--url', remoteUrl], { input: PASSWORD, env: newHome() });
        expect(refused).toEqual({
          code: 2,
          stdout: '',
          stderr: `${warning}todo: Give --yes to send a password over plain http anyway.\n`,
        });
      }
      expect(received).toEqual([]);

      const sent = await todo(['login', '--email', EMAIL, '--url', remoteUrl, '--yes'], { input: PASSWORD });
      expect(sent).toEqual({ code: 1, stdout: '', stderr: `${warning}todo: Wrong email or password.\n` });
      expect(received).toEqual(['POST /api/auth/sign-in/email']);
      // Loopback (this test's server) and https get no warning.
      const local = await todo(['login', '--email', EMAIL, '--url', url.replace('127.0.0.1', 'localhost')], {
        input: PASSWORD,
        env: newHome(),
      });
      expect(local.stderr).toBe('');
    } finally {
      await new Promise((resolve) => remote.close(resolve));
    }
  });
});
