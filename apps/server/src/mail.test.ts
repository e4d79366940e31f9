// Where account mail goes without MAIL_URL: .eml files in MAIL_DIR and a log line, in
// development and on the embedded database in production (`pnpm start`); nowhere on a production
// PostgreSQL server without MAIL_DIR (said once at start, /healthz says so, and reset refuses
// instead of pretending). A failing SMTP server never changes what a reset request answers. The
// SMTP round trip itself is in account.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WORKSPACE_ROOT } from '@todo/db';
import { defaultTestDriver, testDrivers } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import {
  type ServerProcess,
  signIn,
  signUp,
  spawnServer,
  startTestServer,
  TEST_SECRET,
  type TestServer,
  uniqueEmail,
} from './testing.ts';
import { nextMailFile } from './testing-mail.ts';

const NEW_PASSWORD = 'a whole new passphrase';
const base = { PGLITE_DIR: 'memory', BETTER_AUTH_SECRET: TEST_SECRET };

const requestReset = (url: string, email: string) =>
  fetch(`${url}/api/auth/request-password-reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email, redirectTo: `${url}/reset-password` }),
  });

describe('mail configuration', () => {
  it('defaults: a sender name, .data/mail under the repository, verification off', () => {
    const config = loadConfig(base);
    expect(config.mail).toEqual({
      url: undefined,
      from: 'Todo <no-reply@localhost>',
      dir: resolve(WORKSPACE_ROOT, '.data/mail'),
    });
    expect(config.requireEmailVerification).toBe(false);
  });

  it('production on the embedded database (`pnpm start`) keeps the .data/mail default', () => {
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).mail.dir).toBe(
      resolve(WORKSPACE_ROOT, '.data/mail'),
    );
  });

  it('production on a PostgreSQL server has no mail folder unless MAIL_DIR names one', () => {
    const server = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://todo@db.internal/todo',
      BETTER_AUTH_SECRET: TEST_SECRET,
    };
    expect(loadConfig(server).mail.dir).toBeUndefined();
    expect(loadConfig({ ...server, MAIL_DIR: '/var/spool/todo-mail' }).mail.dir).toBe('/var/spool/todo-mail');
  });

  it('takes an smtp:// or smtps:// MAIL_URL and nothing else', () => {
    expect(loadConfig({ ...base, MAIL_URL: 'smtps://user:pw@mail.example.com:465' }).mail.url).toBe(
      'smtps://user:pw@mail.example.com:465',
    );
    expect(() => loadConfig({ ...base, MAIL_URL: 'https://mail.example.com' })).toThrow(
      'MAIL_URL: must be an smtp:// or smtps:// URL',
    );
    expect(() => loadConfig({ ...base, REQUIRE_EMAIL_VERIFICATION: 'yes' })).toThrow(ConfigError);
  });

  it('refuses to require verification in production with no way to send it', () => {
    const production = { ...base, NODE_ENV: 'production', REQUIRE_EMAIL_VERIFICATION: 'true' };
    expect(() => loadConfig(production)).toThrow('REQUIRE_EMAIL_VERIFICATION: needs MAIL_URL in production');
    expect(loadConfig({ ...production, MAIL_URL: 'smtp://127.0.0.1:25' }).requireEmailVerification).toBe(
      true,
    );
  });
});

describe.each(['development', 'production'])('%s on the embedded database without MAIL_URL', (mode) => {
  let server: ServerProcess;
  let mailDir: string;
  beforeAll(async () => {
    mailDir = mkdtempSync(join(tmpdir(), 'todo-mail-'));
    // JSON lines, to read the lines back (development prints them pretty).
    server = await spawnServer({
      env: { ...base, NODE_ENV: mode, LOG_FORMAT: 'json', MAIL_DIR: mailDir },
    });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(mailDir, { recursive: true, force: true });
  });

  it('writes each message to MAIL_DIR as an .eml file and logs its link in one line', async () => {
    // Said once at start, so that whoever runs it knows where to look.
    const startLines = () => server.stdout.filter((line) => line.includes('"mail: '));
    await expect.poll(startLines).toHaveLength(1);
    expect(JSON.parse(startLines()[0] as string).msg).toBe(
      `mail: no MAIL_URL, so account mail is written to ${mailDir} and its links logged here`,
    );
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok', mail: true });

    const user = await signUp(server.url);
    expect((await requestReset(server.url, user.email)).status).toBe(200);
    const mail = await nextMailFile(mailDir, user.email);
    expect(mail.subject).toBe('Reset your Todo password');
    expect(mail.text).toContain('The link works once, for 1 hour.');
    expect(mail.text).toContain('If you did not ask for this, you can ignore this message');

    // Log lines are written asynchronously: the file can be there a moment before its line.
    const mailLines = () => server.stdout.filter((line) => line.includes('"mail to '));
    await expect.poll(mailLines).toHaveLength(1);
    const logged = mailLines();
    expect(JSON.parse(logged[0] as string)).toEqual({
      level: 'info',
      time: expect.any(String),
      pid: expect.any(Number),
      msg: `mail to ${user.email}: Reset your Todo password: ${mail.link}`,
      file: mail.file,
    });

    const token = new URL(mail.link).searchParams.get('token');
    const reset = await fetch(`${server.url}/api/auth/reset-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ token, newPassword: NEW_PASSWORD }),
    });
    expect(reset.status).toBe(200);
    expect((await signIn(server.url, user.email, NEW_PASSWORD)).status).toBe(200);
  });
});

// The configuration names a PostgreSQL server, as a deployment's does; the test hands the server
// its throwaway database (in-memory PGlite on a run without TEST_DATABASE_URL).
describe.each(testDrivers.filter((driver) => driver !== 'neon'))(
  'production on a PostgreSQL server without MAIL_URL or MAIL_DIR (%s)',
  (driver) => {
    let server: TestServer;
    /** What the server logged at warn and above while it started (testLogger: console.error). */
    let startLines: string[] = [];
    beforeAll(async () => {
      const errors = vi.spyOn(console, 'error');
      try {
        server = await startTestServer(driver, {
          NODE_ENV: 'production',
          DATABASE_URL: 'postgres://todo@db.internal/todo',
        });
      } finally {
        startLines = errors.mock.calls.map(([line]) => String(line));
        errors.mockRestore();
      }
    });
    afterAll(() => server?.stop());

    it('says once at start that reset and verification are off, /healthz says so, and reset refuses instead of pretending', async () => {
      expect(startLines.map((line) => JSON.parse(line).msg)).toEqual([
        'mail: neither MAIL_URL nor MAIL_DIR is set, so password reset and email verification are off',
      ]);
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok', mail: false });
      const user = await signUp(server.url);
      const reply = await requestReset(server.url, user.email);
      expect(reply.status).toBe(400);
      expect(await reply.json()).toMatchObject({ code: 'RESET_PASSWORD_DISABLED' });
      // The same answer for an unknown address: nothing to tell the two apart.
      const unknown = await requestReset(server.url, uniqueEmail('nobody'));
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toMatchObject({ code: 'RESET_PASSWORD_DISABLED' });
      expect((await signIn(server.url, user.email)).status).toBe(200);
    });
  },
);

describe('mail requests per client', () => {
  let server: TestServer;
  let mailDir: string;
  beforeAll(async () => {
    mailDir = mkdtempSync(join(tmpdir(), 'todo-mail-'));
    server = await startTestServer(defaultTestDriver, {
      AUTH_RATE_LIMIT_PER_MINUTE: '10',
      MAIL_DIR: mailDir,
    });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(mailDir, { recursive: true, force: true });
  });

  it('three reset requests a minute, then 429: the app cannot flood an inbox', async () => {
    const user = await signUp(server.url);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      statuses.push((await requestReset(server.url, user.email)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    await nextMailFile(mailDir, user.email, { seen: 2 });
  });
});

describe('an SMTP server that is down', () => {
  let server: TestServer;
  beforeAll(async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const { port } = probe.address() as { port: number };
    await new Promise((done) => probe.close(done));
    server = await startTestServer(defaultTestDriver, { MAIL_URL: `smtp://127.0.0.1:${port}` });
  });
  afterAll(() => server?.stop());

  it('does not change what a reset request answers', async () => {
    const user = await signUp(server.url);
    const known = await requestReset(server.url, user.email);
    const unknown = await requestReset(server.url, uniqueEmail('nobody'));
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(await known.json()).toEqual(await unknown.json());
  });
});
