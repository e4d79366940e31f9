import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@todo/db/testing';
import { loadConfig, type RunningServer, startServer } from '@todo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/todo.js', import.meta.url));
const EMAIL = 'cli-user@example.com';
const PASSWORD = 'a password for the cli';

type Run = { code: number | null; stdout: string; stderr: string };

describe('the todo command against a running server', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let url: string;
  let home: string;
  let userId: string;

  const configFile = () => join(home, 'todo', 'config.json');
  const storedToken = (): string | undefined =>
    existsSync(configFile()) ? JSON.parse(readFileSync(configFile(), 'utf8')).servers[url]?.token : undefined;

  /** Runs `todo …` as its own process, in the test's config directory, pointed at the server. */
  function todo(
    args: string[],
    { input = '', env = {} }: { input?: string; env?: Record<string, string> } = {},
  ) {
    return new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: home, TODO_URL: url, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input);
    });
  }

  /** Starts a long-running `todo …` (watch): its output so far, a wait for a line, a signal. */
  function startTodo(args: string[], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: home, TODO_URL: url, ...env },
    });
    const output = { stdout: '', stderr: '' };
    let changed = () => {};
    child.stdout.on('data', (chunk) => {
      output.stdout += chunk;
      changed();
    });
    child.stderr.on('data', (chunk) => {
      output.stderr += chunk;
      changed();
    });
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    return {
      output,
      exit,
      /** Resolves with the output once `stream` holds `count` lines; rejects if it exits first. */
      lines(stream: 'stdout' | 'stderr', count: number) {
        return new Promise<string[]>((resolve, reject) => {
          const check = () => {
            const lines = output[stream].split('\n').slice(0, -1);
            if (lines.length >= count) resolve(lines);
          };
          changed = check;
          check();
          void exit.then((code) =>
            reject(new Error(`todo ${args.join(' ')} exited with ${code}: ${JSON.stringify(output)}`)),
          );
        });
      },
      interrupt() {
        child.kill('SIGINT');
        return exit;
      },
    };
  }

  /** The short ids and titles of `todo ls` output. */
  const rows = (stdout: string) =>
    stdout
      .split('\n')
      .map((line) => /^([0-9a-f-]{8,36}) {2}\[([ x])\] {3}(.*)$/.exec(line))
      .filter((match) => match !== null)
      .map(([, id, done, title]) => ({ id: id ?? '', done: done === 'x', title }));

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    home = mkdtempSync(join(tmpdir(), 'todo-cli-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      BETTER_AUTH_SECRET: 'a-test-secret-that-is-long-enough-for-auth',
      AUTH_RATE_LIMIT_PER_MINUTE: '0',
      LOG_REQUESTS: 'false',
      WEB_DIST: home,
      // An open `todo watch` notices an ended session this soon.
      STREAM_SESSION_CHECK_MS: '200',
    });
    server = await startServer(config, { ...database, close: async () => {} });
    url = server.url;
    const signUp = await fetch(`${url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ name: 'Cli User', email: EMAIL, password: PASSWORD }),
    });
    expect(signUp.status).toBe(200);
    userId = ((await signUp.json()) as { user: { id: string } }).user.id;
  });
  afterAll(async () => {
    await server?.close(1_000);
    await database?.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  it('explains itself: --help overall and per command', async () => {
    const help = await todo(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['login', 'logout', 'add', 'ls', 'done', 'undo', 'rm', 'clear', 'watch']) {
      expect(help.stdout).toContain(`todo ${command}`);
    }
    const done = await todo(['done', '--help']);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^Usage: todo done <id>/);
    expect(done.stdout).toContain('--url');
    const nothing = await todo([]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('Usage:');
  });

  it('refuses to work before login, and refuses a wrong password without saving anything', async () => {
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
    const login = await todo(['login', '--email', EMAIL], { input: `${PASSWORD}\n` });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toBe(`Signed in to ${url} as ${EMAIL}.\n`);
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'todo')).mode & 0o777).toBe(0o700);
    const token = storedToken();
    expect(token).toBeTruthy();
    const me = await fetch(`${url}/api/trpc/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ result: { data: { id: userId, email: EMAIL } } });
    expect(readFileSync(configFile(), 'utf8')).not.toContain(PASSWORD);
  });

  it('adds, lists, completes, reopens, removes and clears todos by short id', async () => {
    expect((await todo(['ls'])).stdout).toContain('No todos yet.');

    const milk = await todo(['add', 'Buy', 'milk']);
    expect(milk.code).toBe(0);
    expect(milk.stdout).toMatch(/^Added: [0-9a-f]{8} {2}Buy milk\n$/);
    await todo(['add', 'Call the bank', '--description', 'about the mortgage']);
    await todo(['add', 'Water plants']);

    const listed = await todo(['ls']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID +DONE {2}TITLE$/);
    const todos = rows(listed.stdout);
    expect(todos.map((row) => row.title)).toEqual(['Buy milk', 'Call the bank', 'Water plants']);
    expect(todos.every((row) => !row.done && row.id.length === 8)).toBe(true);
    expect(listed.stdout).toContain('3 items left, 0 completed.');
    const [buyMilk, callBank, water] = todos as [(typeof todos)[0], (typeof todos)[0], (typeof todos)[0]];

    const done = await todo(['done', buyMilk.id, water.id]);
    expect(done.code).toBe(0);
    expect(done.stdout).toBe(`Completed: ${buyMilk.id}  Buy milk\nCompleted: ${water.id}  Water plants\n`);
    expect(rows((await todo(['ls', '--completed'])).stdout).map((row) => row.title)).toEqual([
      'Buy milk',
      'Water plants',
    ]);
    const active = await todo(['ls', '--active']);
    expect(rows(active.stdout).map((row) => row.title)).toEqual(['Call the bank']);
    expect(active.stdout).toContain('1 item left, 2 completed.');
    // Search covers the description too, ignoring case.
    expect(rows((await todo(['ls', '--search', 'MORTGAGE'])).stdout).map((row) => row.title)).toEqual([
      'Call the bank',
    ]);
    expect((await todo(['ls', '--search', 'nothing like this'])).stdout).toContain('No matching todos.');

    const fullId = (
      await database.db
        .selectFrom('todos')
        .select('id')
        .where('title', '=', 'Water plants')
        .executeTakeFirstOrThrow()
    ).id;
    const undo = await todo(['undo', fullId.toUpperCase()]);
    expect(undo.code).toBe(0);
    expect(undo.stdout).toBe(`Reopened: ${water.id}  Water plants\n`);

    const rm = await todo(['rm', callBank.id.slice(0, 6)]);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toBe(`Deleted: ${callBank.id}  Call the bank\n`);

    const clear = await todo(['clear']);
    expect(clear.stdout).toBe('Deleted 1 completed todo.\n');
    const after = await todo(['ls']);
    expect(rows(after.stdout).map((row) => row.title)).toEqual(['Water plants']);
    expect(after.stdout).toContain('1 item left, 0 completed.');
  });

  it('says plainly when an id matches nothing, matches several, or is not an id', async () => {
    await database.db
      .insertInto('todos')
      .values([
        { id: 'abcdef00-0000-4000-8000-000000000001', user_id: userId, title: 'twin one' },
        { id: 'abcdef00-0000-4000-8000-000000000002', user_id: userId, title: 'twin two' },
      ])
      .execute();
    const ambiguous = await todo(['done', 'abcdef00']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toBe('todo: abcdef00 matches 2 todos; give more of the id.\n');
    // ls lengthens short ids until they tell the todos apart.
    const ids = rows((await todo(['ls'])).stdout).map((row) => row.id);
    expect(ids).toContain('abcdef00-0000-4000-8000-000000000001');

    const missingPrefix = await todo(['rm', 'ffffffff']);
    expect(missingPrefix.code).toBe(4);
    expect(missingPrefix.stderr).toBe('todo: No todo with an id starting with ffffffff.\n');
    const missingUuid = await todo(['undo', '00000000-0000-4000-8000-000000000000']);
    expect(missingUuid.code).toBe(4);
    expect(missingUuid.stderr).toBe('todo: No todo with id 00000000-0000-4000-8000-000000000000.\n');
    const notAnId = await todo(['rm', 'milk']);
    expect(notAnId.code).toBe(2);
    expect(notAnId.stderr).toContain('"milk" is not a todo id');
    expect(
      await database.db.selectFrom('todos').select('title').where('title', 'like', 'twin%').execute(),
    ).toHaveLength(2);
  });

  it('refuses bad usage and invalid titles with exit code 2', async () => {
    for (const args of [['add'], ['ls', '--active', '--completed'], ['ls', '--email', 'x'], ['frobnicate']]) {
      const run = await todo(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(/^todo: /);
    }
    const tooLong = await todo(['add', 'x'.repeat(501)]);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toBe('todo: Not accepted: title: must be at most 500 characters\n');
  });

  it('says when the server cannot be reached, for --url and TODO_URL', async () => {
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

  it('watch --json prints one JSON object per change made by another invocation, and stops on Ctrl-C', async () => {
    const watch = startTodo(['watch', '--json']);
    expect(await watch.lines('stderr', 1)).toEqual([`Watching ${url} for changes. Press Ctrl-C to stop.`]);

    const added = await todo(['add', 'Watched', 'milk']);
    expect(added.code).toBe(0);
    const [upsertLine] = await watch.lines('stdout', 1);
    const upsert = JSON.parse(upsertLine ?? '');
    expect(upsert).toEqual({
      id: expect.stringMatching(/^\d+$/),
      type: 'upsert',
      todo: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        title: 'Watched milk',
        description: null,
        completed: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
    expect(added.stdout).toBe(`Added: ${upsert.todo.id.slice(0, 8)}  Watched milk\n`);

    expect((await todo(['rm', upsert.todo.id])).code).toBe(0);
    const deleted = JSON.parse((await watch.lines('stdout', 2))[1] ?? '');
    expect(deleted).toEqual({ id: expect.stringMatching(/^\d+$/), type: 'delete', todoId: upsert.todo.id });
    expect(BigInt(deleted.id)).toBeGreaterThan(BigInt(upsert.id));

    expect(await watch.interrupt()).toBe(0);
    expect(watch.output.stdout.split('\n')).toHaveLength(3); // two lines and the last newline
    expect(watch.output.stderr).toBe(`Watching ${url} for changes. Press Ctrl-C to stop.\n`);
  });

  it('watch prints one readable line per change, a reset for a bulk change, and stops on Ctrl-C', async () => {
    const watch = startTodo(['watch']);
    await watch.lines('stderr', 1);
    const id = (run: Run) => /^Added: ([0-9a-f]{8}) /.exec(run.stdout)?.[1] ?? '';
    const bread = id(await todo(['add', 'Buy bread']));
    await todo(['done', bread]);
    await todo(['undo', bread]);
    await todo(['rm', bread]);
    const [first, second] = [id(await todo(['add', 'First'])), id(await todo(['add', 'Second']))];
    await todo(['done', first, second]);
    await todo(['clear']);
    const lines = await watch.lines('stdout', 9);
    expect(lines).toEqual([
      `+ added      ${bread}  Buy bread`,
      `✓ completed  ${bread}  Buy bread`,
      `○ reopened   ${bread}  Buy bread`,
      `✗ deleted    ${bread}  Buy bread`,
      `+ added      ${first}  First`,
      `+ added      ${second}  Second`,
      `✓ completed  ${first}  First`,
      `✓ completed  ${second}  Second`,
      expect.stringMatching(/^↻ reset {6}refetched: \d+ todos?, \d+ active$/),
    ]);
    // The reset's count is the list as it is after the clear.
    const listed = rows((await todo(['ls'])).stdout);
    expect(lines[8]).toBe(
      `↻ reset      refetched: ${listed.length} todo${listed.length === 1 ? '' : 's'}, ${listed.filter((row) => !row.done).length} active`,
    );
    expect(await watch.interrupt()).toBe(0);
    expect(watch.output.stdout.split('\n')).toHaveLength(10);
  });

  it('watch refuses without a session, and ends with the usual message when the session ends', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'todo-cli-empty-'));
    try {
      const anonymous = startTodo(['watch'], { XDG_CONFIG_HOME: elsewhere });
      expect(await anonymous.exit).toBe(3);
      expect(anonymous.output.stderr).toBe(`todo: Not signed in to ${url}. Run \`todo login\` first.\n`);
      expect(anonymous.output.stdout).toBe('');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }

    expect((await todo(['login', '--email', EMAIL], { input: PASSWORD })).code).toBe(0);
    const watch = startTodo(['watch', '--json']);
    await watch.lines('stderr', 1);
    // Logging in again ends the session the watch uses: it stops, and leaves the new one stored.
    expect((await todo(['login', '--email', EMAIL], { input: PASSWORD })).code).toBe(0);
    const fresh = storedToken();
    expect(await watch.exit).toBe(3);
    expect(watch.output.stderr.split('\n').slice(1)).toEqual([
      `todo: Your session at ${url} has ended. Run \`todo login\` again.`,
      '',
    ]);
    expect(storedToken()).toBe(fresh);
    expect((await todo(['ls'])).code).toBe(0);
  });

  it('notices a session ended elsewhere, forgets its token, and logs out for good', async () => {
    const token = storedToken();
    await fetch(`${url}/api/auth/sign-out`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const ended = await todo(['ls']);
    expect(ended.code).toBe(3);
    expect(ended.stderr).toBe(`todo: Your session at ${url} has ended. Run \`todo login\` again.\n`);
    expect(storedToken()).toBeUndefined();

    expect((await todo(['login', '--email', EMAIL], { input: PASSWORD })).code).toBe(0);
    const fresh = storedToken();
    const logout = await todo(['logout']);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toBe(`Signed out of ${url}.\n`);
    expect(storedToken()).toBeUndefined();
    const me = await fetch(`${url}/api/trpc/me`, { headers: { authorization: `Bearer ${fresh}` } });
    expect(me.status).toBe(401);
    expect((await todo(['ls'])).code).toBe(3);
    expect((await todo(['logout'])).stdout).toBe(`Not signed in to ${url}.\n`);
  });

  it.skipIf(!existsSync('/usr/bin/script'))(
    'on a terminal, asks for the email and the password without echoing the password',
    async () => {
      await mkdir(home, { recursive: true });
      // `script` gives the CLI a real pseudo-terminal; keys are typed only once it asks.
      const child = spawn('script', ['-qfec', `"${process.execPath}" "${BIN}" login`, '/dev/null'], {
        env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: home, TODO_URL: url, TERM: 'dumb' },
      });
      let screen = '';
      child.stdout.on('data', (chunk) => {
        screen += chunk;
      });
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      const waitFor = async (text: string) => {
        for (let waited = 0; !screen.includes(text); waited += 50) {
          if (waited > 20_000) throw new Error(`no "${text}" on the terminal: ${JSON.stringify(screen)}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      await waitFor('Email: ');
      child.stdin.write(`${EMAIL}\r`);
      await waitFor('Password: ');
      child.stdin.write(`${PASSWORD}\r`);
      expect(await closed).toBe(0);
      expect(screen).toContain(EMAIL);
      expect(screen).toContain(`Signed in to ${url} as ${EMAIL}.`);
      expect(screen).not.toContain(PASSWORD);
      expect(storedToken()).toBeTruthy();
    },
  );
});
