import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@todo/db/testing';
import { loadConfig, type RunningServer, startServer } from '@todo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/todo.js', import.meta.url));
/** The compiled command (build.ts), made by vitest.config.ts's globalSetup: what BIN runs here. */
const BUILT = fileURLToPath(new URL('../dist/todo.js', import.meta.url));
const EMAIL = 'cli-user@example.com';
const PASSWORD = 'a password for the cli';

type Run = { code: number | null; stdout: string; stderr: string };

// The prompts are tested on a real pseudo-terminal, driven through tmux.
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux)
  console.warn('tmux is not installed: the terminal prompt tests are skipped (apt-get install tmux).');

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
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          XDG_CONFIG_HOME: home,
          TODO_URL: url,
          TZ: 'UTC',
          ...env,
        },
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

  /** The rows of `todo ls` output, cut at the columns of its header line. */
  const rows = (stdout: string) => {
    const lines = stdout.split('\n');
    const header = lines.find((line) => /^ID +DONE {2}DUE +PRIORITY {2}TITLE$/.test(line));
    if (!header) return [];
    const [due, priority, title] = ['DUE', 'PRIORITY', 'TITLE'].map((name) => header.indexOf(name)) as [
      number,
      number,
      number,
    ];
    return lines
      .filter((line) => /^[0-9a-f-]{8,36} {2}\[[ x]\] {3}/.test(line))
      .map((line) => ({
        id: line.slice(0, line.indexOf(' ')),
        done: line.slice(line.indexOf('[') + 1, line.indexOf(']')) === 'x',
        due: line.slice(due, priority).trim(),
        priority: line.slice(priority, title).trim(),
        title: line.slice(title),
      }));
  };

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
    for (const command of [
      'signup',
      'login',
      'logout',
      'whoami',
      'passwd',
      'add',
      'ls',
      'show',
      'edit',
      'mv',
      'done',
      'reopen',
      'rm',
      'clear',
      'export',
      'import',
      'watch',
    ]) {
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
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID +DONE {2}DUE +PRIORITY {2}TITLE$/);
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
    // `undo` is the old name of `reopen`, and still works.
    const undo = await todo(['undo', fullId.toUpperCase()]);
    expect(undo.code).toBe(0);
    expect(undo.stdout).toBe(`Reopened: ${water.id}  Water plants\n`);
    expect((await todo(['done', water.id])).code).toBe(0);
    const reopen = await todo(['reopen', water.id]);
    expect(reopen.code).toBe(0);
    expect(reopen.stdout).toBe(`Reopened: ${water.id}  Water plants\n`);

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
        { id: 'abcdef00-0000-4000-8000-000000000001', created_by: userId, title: 'twin one' },
        { id: 'abcdef00-0000-4000-8000-000000000002', created_by: userId, title: 'twin two' },
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
    const missingUuid = await todo(['reopen', '00000000-0000-4000-8000-000000000000']);
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
        dueAt: null,
        priority: 'none',
        position: expect.any(Number),
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
    await todo(['reopen', bread]);
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

  /** The JSON a `--json` run printed, once it has succeeded quietly. */
  const json = (run: Run) => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.endsWith('\n')).toBe(true);
    return JSON.parse(run.stdout);
  };
  /** What `todo show` and `whoami` print for a moment (TZ=UTC in every run). */
  const minute = (iso: string | Date) => new Date(iso).toISOString().slice(0, 16).replace('T', ' ');
  const aTodo = (fields: Record<string, unknown> = {}) => ({
    id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    title: expect.any(String),
    description: null,
    completed: false,
    dueAt: null,
    priority: 'none',
    position: expect.any(Number),
    createdAt: expect.any(String),
    updatedAt: expect.any(String),
    ...fields,
  });
  /** A config directory of its own: another user, or another terminal of the same one. */
  const newHome = () => {
    const dir = mkdtempSync(join(tmpdir(), 'todo-cli-other-'));
    homes.push(dir);
    return { XDG_CONFIG_HOME: dir };
  };
  const homes: string[] = [];
  afterAll(() => {
    for (const dir of homes) rmSync(dir, { recursive: true, force: true });
  });
  /** A config directory of its own (plus `env`), signed up there as a new user. */
  const newUser = async (name: string, email: string, password: string, env: Record<string, string> = {}) => {
    const home = { ...newHome(), ...env };
    const signup = await todo(['signup', '--name', name, '--email', email], {
      input: `${password}\n`,
      env: home,
    });
    expect(signup.code, signup.stderr).toBe(0);
    return home;
  };
  const tokenIn = (env: { XDG_CONFIG_HOME: string }): string | undefined =>
    JSON.parse(readFileSync(join(env.XDG_CONFIG_HOME, 'todo', 'config.json'), 'utf8')).servers[url]?.token;
  const signInStatus = async (email: string, password: string) =>
    (
      await fetch(`${url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ email, password }),
      })
    ).status;

  it('--version prints the version of package.json, and the bin entry runs without pnpm', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(pkg.bin).toEqual({ todo: './bin/todo.js' });
    expect(await todo(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    // Executed as a program (its #! line), as a linked `todo` on the PATH is.
    expect(statSync(BIN).mode & 0o111).not.toBe(0);
    const direct = spawnSync(BIN, ['--version'], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(direct.status).toBe(0);
    expect(direct.stdout).toBe(`${pkg.version}\n`);
    // What these tests run is the compiled file, and it needs nothing from node_modules.
    expect(existsSync(BUILT)).toBe(true);
    expect(readFileSync(BUILT, 'utf8')).not.toMatch(/from ["'](?!node:)[^"']+["']/);
  });

  it('without a build (a fresh clone) the bin runs the TypeScript sources', () => {
    const clone = mkdtempSync(join(tmpdir(), 'todo-cli-unbuilt-'));
    try {
      const cli = fileURLToPath(new URL('..', import.meta.url));
      mkdirSync(join(clone, 'bin'));
      copyFileSync(BIN, join(clone, 'bin', 'todo.js'));
      copyFileSync(join(cli, 'package.json'), join(clone, 'package.json'));
      symlinkSync(join(cli, 'src'), join(clone, 'src'));
      symlinkSync(join(cli, 'node_modules'), join(clone, 'node_modules'));
      expect(existsSync(join(clone, 'dist'))).toBe(false);
      const run = spawnSync(process.execPath, [join(clone, 'bin', 'todo.js'), '--help'], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('todo signup');
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('signup creates an account from --name, --email and stdin, signs in, and whoami says who', async () => {
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
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^todo: .*too short/i);
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
    const mailDir = mkdtempSync(join(tmpdir(), 'todo-cli-mail-'));
    homes.push(mailDir);
    const verifying = await startServer(
      loadConfig({
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        BETTER_AUTH_SECRET: 'a-test-secret-that-is-long-enough-for-auth',
        AUTH_RATE_LIMIT_PER_MINUTE: '0',
        LOG_REQUESTS: 'false',
        WEB_DIST: home,
        MAIL_DIR: mailDir,
        REQUIRE_EMAIL_VERIFICATION: 'true',
      }),
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

  it('show prints a todo in full; edit changes its title and clears its description', async () => {
    expect((await todo(['login', '--email', EMAIL], { input: PASSWORD })).code).toBe(0);
    // An escape sequence in a description must not reach the terminal as one.
    const added = json(
      await todo([
        'add',
        'Call',
        'the',
        'bank',
        '--description',
        'About the mortgage\nand the \u001b[31mrate',
        '--json',
      ]),
    );
    expect(added).toEqual(
      aTodo({ title: 'Call the bank', description: 'About the mortgage\nand the \u001b[31mrate' }),
    );
    const short = added.id.slice(0, 8);

    const show = await todo(['show', short]);
    expect(show).toEqual({
      code: 0,
      stdout: [
        `ID           ${added.id}`,
        'Title        Call the bank',
        'Status       active',
        'Due          (none)',
        'Priority     none',
        'Description  About the mortgage',
        '             and the  [31mrate',
        `Created      ${minute(added.createdAt)}`,
        `Updated      ${minute(added.updatedAt)}`,
        '',
      ].join('\n'),
      stderr: '',
    });
    expect(json(await todo(['show', added.id, '--json']))).toEqual(added);

    const renamed = await todo(['edit', short, '--title', 'Call the bank today']);
    expect(renamed).toEqual({ code: 0, stdout: `Edited: ${short}  Call the bank today\n`, stderr: '' });
    const cleared = json(await todo(['edit', short, '--description', '', '--json']));
    expect(cleared).toEqual(aTodo({ id: added.id, title: 'Call the bank today', description: null }));
    expect((await todo(['show', short])).stdout).toContain('Description  (none)\n');
    const both = json(await todo(['edit', short, '--title', 'Bank', '--description', 'Rate', '--json']));
    expect(both).toMatchObject({ title: 'Bank', description: 'Rate', completed: false });
    expect(await todo(['done', short])).toMatchObject({ code: 0 });
    expect((await todo(['show', short])).stdout).toContain('Status       completed\n');

    for (const args of [['edit', short], ['edit', '--title', 'x'], ['show'], ['show', short, short]]) {
      const run = await todo(args);
      expect(run.code, args.join(' ')).toBe(2);
    }
    const empty = await todo(['edit', short, '--title', ' ']);
    expect(empty).toEqual({ code: 2, stdout: '', stderr: 'todo: Not accepted: title: must not be empty\n' });

    // Another user's todo is not there for this one, by full id or by prefix.
    const grace = await newUser('Other', 'other-show@example.com', 'other password');
    const theirs = json(await todo(['add', 'Private', '--description', 'secret', '--json'], { env: grace }));
    for (const args of [
      ['show', theirs.id],
      ['edit', theirs.id, '--title', 'Mine now'],
      ['show', theirs.id.slice(0, 8)],
    ]) {
      const run = await todo(args);
      expect(run.code, args.join(' ')).toBe(4);
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toContain('secret');
    }
    expect(json(await todo(['show', theirs.id, '--json'], { env: grace }))).toEqual(theirs);
  });

  it('prints one stable JSON shape per command with --json', async () => {
    const first = json(await todo(['add', 'JSON one', '--json']));
    expect(first).toEqual(aTodo({ title: 'JSON one' }));
    const second = json(await todo(['add', 'JSON two', '--description', 'two', '--json']));

    const listed = json(await todo(['ls', '--json']));
    const rows = await database.db
      .selectFrom('todos')
      .select(['id', 'completed'])
      .where('created_by', '=', userId)
      .execute();
    expect(Object.keys(listed)).toEqual(['todos', 'counts']);
    expect(listed.todos.map((row: { id: string }) => row.id).sort()).toEqual(
      rows.map((row) => row.id).sort(),
    );
    for (const row of listed.todos)
      expect(row).toEqual(aTodo({ description: row.description, completed: row.completed }));
    expect(listed.todos.at(-2)).toEqual(first);
    expect(listed.todos.at(-1)).toEqual(second);
    const completed = rows.filter((row) => row.completed).length;
    expect(listed.counts).toEqual({ all: rows.length, active: rows.length - completed, completed });
    expect(json(await todo(['ls', '--search', 'json two', '--json'])).todos).toEqual([second]);
    expect(json(await todo(['ls', '--search', 'nothing like it', '--json'])).todos).toEqual([]);

    const done = json(await todo(['done', first.id, second.id.slice(0, 8), '--json']));
    expect(done).toEqual({
      todos: [
        aTodo({ id: first.id, title: 'JSON one', completed: true }),
        aTodo({ id: second.id, title: 'JSON two', description: 'two', completed: true }),
      ],
    });
    const reopened = json(await todo(['reopen', first.id, '--json']));
    expect(reopened).toEqual({ todos: [aTodo({ id: first.id, title: 'JSON one', completed: false })] });
    const undone = json(await todo(['undo', first.id, '--json']));
    expect(undone).toEqual({ todos: [aTodo({ id: first.id, title: 'JSON one', completed: false })] });
    const removed = json(await todo(['rm', first.id, '--json']));
    expect(removed).toEqual({ deleted: undone.todos });
    const completedNow = await database.db
      .selectFrom('todos')
      .select('id')
      .where('created_by', '=', userId)
      .where('completed', '=', true)
      .execute();
    expect(completedNow.map((row) => row.id)).toContain(second.id);
    expect(json(await todo(['clear', '--json']))).toEqual({ deleted: completedNow.length });
    expect(json(await todo(['clear', '--json']))).toEqual({ deleted: 0 });
    expect(json(await todo(['ls', '--completed', '--json'])).todos).toEqual([]);
  });

  it('export prints everything as JSON; import adds the todos of a file and skips ids already there', async () => {
    const exported = await todo(['export']);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const data = JSON.parse(exported.stdout);
    const profile = await database.db
      .selectFrom('users')
      .select(['name', 'created_at'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(data).toEqual({
      exportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      user: { id: userId, email: EMAIL, name: profile.name, createdAt: profile.created_at.toISOString() },
      todos: expect.any(Array),
    });
    const mine = await database.db
      .selectFrom('todos')
      .select('id')
      .where('created_by', '=', userId)
      .execute();
    expect(data.todos.map((row: { id: string }) => row.id).sort()).toEqual(mine.map((row) => row.id).sort());
    expect(data.todos.length).toBeGreaterThan(0);
    for (const row of data.todos)
      expect(row).toEqual(aTodo({ description: row.description, completed: row.completed }));
    const { exportedAt: _, ...withJson } = json(await todo(['export', '--json']));
    const { exportedAt: __, ...without } = data;
    expect(withJson).toEqual(without);

    // The same file on a fresh account: its ids exist (this user's), so nothing is added, and
    // this user's todos stay as they were.
    const file = join(home, 'mine.json');
    writeFileSync(file, exported.stdout);
    const other = await newUser('Importer', 'importer@example.com', 'importer password');
    const sameIds = await todo(['import', file], { env: other });
    expect(sameIds).toEqual({
      code: 0,
      stdout: `Imported 0 todos; skipped ${data.todos.length} already there.\n`,
      stderr: '',
    });
    expect(
      await database.db.selectFrom('todos').select('id').where('created_by', '=', userId).execute(),
    ).toHaveLength(mine.length);

    // As if from another server: new ids. Added once, skipped the second time.
    const moved = { ...data, todos: data.todos.map((row: object) => ({ ...row, id: randomUUID() })) };
    writeFileSync(file, JSON.stringify(moved));
    expect(json(await todo(['import', file, '--json'], { env: other }))).toEqual({
      added: moved.todos.length,
      skipped: 0,
    });
    expect(json(await todo(['import', '-', '--json'], { input: JSON.stringify(moved), env: other }))).toEqual(
      {
        added: 0,
        skipped: moved.todos.length,
      },
    );
    const imported = json(await todo(['ls', '--json'], { env: other })).todos;
    expect(imported.map((row: { id: string }) => row.id).sort()).toEqual(
      moved.todos.map((row: { id: string }) => row.id).sort(),
    );
    for (const row of moved.todos) {
      expect(imported.find((todo: { id: string }) => todo.id === row.id)).toMatchObject({
        title: row.title,
        description: row.description,
        completed: row.completed,
        createdAt: row.createdAt,
      });
    }

    // A bad file changes nothing and says what is wrong.
    writeFileSync(
      file,
      JSON.stringify({
        todos: [
          { id: randomUUID(), title: 'Fine' },
          { id: 'nope', title: '' },
        ],
      }),
    );
    const bad = await todo(['import', file], { env: other });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^todo: Not accepted: .*todos\.1\.id/);
    writeFileSync(file, '{ "todos": [ ');
    const notJson = await todo(['import', file], { env: other });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(new RegExp(`^todo: ${file.replaceAll('.', '\\.')} is not JSON`));
    const missing = await todo(['import', join(home, 'no-such-file.json')], { env: other });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^todo: Cannot read /);
    expect(json(await todo(['ls', '--json'], { env: other })).todos).toHaveLength(moved.todos.length);
    expect((await todo(['import'], { env: other })).code).toBe(2);
  });

  it('passwd changes the password (from stdin), refuses a wrong one, and can sign out the other sessions', async () => {
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
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/too short/i);
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
          stderr: `${warning}todo: Give --yes to send a password over plain http anyway.\nSee \`todo --help\`.\n`,
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

  // Tests that run the command a few dozen times: each run is its own Node process, seconds
  // apiece on a busy machine.
  const MANY_RUNS = 300_000;
  /** The wall clock of an instant in a time zone: { date: '2026-12-24', weekday: 'Thu', time: '17:00' }. */
  const wallClock = (instant: string | number, timeZone: string) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(new Date(instant))
        .map((part) => [part.type, part.value]),
    );
    return {
      date: `${parts.year}-${parts.month}-${parts.day}`,
      weekday: parts.weekday,
      time: `${parts.hour}:${parts.minute}`,
    };
  };
  /** The date `days` after today's in a time zone, as YYYY-MM-DD. */
  const dayInZone = (days: number, timeZone: string) => {
    const [year, month, day] = wallClock(Date.now(), timeZone).date.split('-').map(Number) as [
      number,
      number,
      number,
    ];
    return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
  };

  it(
    'add and edit take --due in the local time zone (TZ) and --priority; show prints both',
    async () => {
      const zone = 'Pacific/Auckland';
      const here = await newUser('Due Dates', 'due@example.com', 'due password', { TZ: zone });

      // A date alone is local midnight (all day): Auckland is 13 hours ahead of UTC in December.
      const christmas = json(
        await todo(['add', 'Christmas', '--due', '2026-12-24', '--priority', 'high', '--json'], {
          env: here,
        }),
      );
      expect(christmas).toEqual(
        aTodo({ title: 'Christmas', dueAt: '2026-12-23T11:00:00.000Z', priority: 'high' }),
      );
      const timed = json(await todo(['add', 'Timed', '--due', '2026-12-24 17:00', '--json'], { env: here }));
      expect(timed).toMatchObject({ dueAt: '2026-12-24T04:00:00.000Z', priority: 'none' });
      // The same words in another zone are another instant.
      const newYork = json(
        await todo(['add', 'Timed', '--due', '2026-12-24 17:00', '--json'], {
          env: { ...here, TZ: 'America/New_York' },
        }),
      );
      expect(newYork.dueAt).toBe('2026-12-24T22:00:00.000Z');

      const tomorrow = json(await todo(['add', 'Tomorrow', '--due', 'tomorrow', '--json'], { env: here }));
      expect(wallClock(tomorrow.dueAt, zone)).toMatchObject({ date: dayInZone(1, zone), time: '00:00' });
      const friday = json(await todo(['add', 'Friday', '--due', 'friday 17:00', '--json'], { env: here }));
      expect(wallClock(friday.dueAt, zone)).toMatchObject({ weekday: 'Fri', time: '17:00' });
      expect(Date.parse(friday.dueAt)).toBeGreaterThan(Date.now());
      expect(Date.parse(friday.dueAt)).toBeLessThanOrEqual(Date.now() + 7 * 86_400_000);
      // Other natural phrases: a day without a time is all day, one with a time keeps it.
      // (The parsing of many more phrases is unit-tested in due.test.ts.)
      const inThreeDays = json(await todo(['add', 'Later', '--due', 'in 3 days', '--json'], { env: here }));
      expect(wallClock(inThreeDays.dueAt, zone)).toMatchObject({ date: dayInZone(3, zone), time: '00:00' });
      for (const [phrase, time] of [
        ['dec 24 5pm', '17:00'],
        ['Monday 8am', '08:00'],
      ] as const) {
        const added = json(await todo(['add', phrase, '--due', phrase, '--json'], { env: here }));
        expect(wallClock(added.dueAt, zone).time, phrase).toBe(time);
      }

      const show = await todo(['show', christmas.id], { env: here });
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(
        /\nDue {10}Thu 24 Dec 2026, all day \((in \d+ days|tomorrow|today|overdue)\)\n/,
      );
      expect(show.stdout).toContain('\nPriority     high\n');
      expect((await todo(['show', timed.id], { env: here })).stdout).toMatch(
        /\nDue {10}Thu 24 Dec 2026 17:00 \(/,
      );

      // edit: a new due date and priority, then none.
      const edited = json(
        await todo(
          ['edit', christmas.id.slice(0, 8), '--due', '2026-12-25 08:00', '--priority', 'low', '--json'],
          { env: here },
        ),
      );
      expect(edited).toMatchObject({
        id: christmas.id,
        title: 'Christmas',
        dueAt: '2026-12-24T19:00:00.000Z',
        priority: 'low',
      });
      const cleared = json(
        await todo(['edit', christmas.id, '--due', 'none', '--priority', 'none', '--json'], { env: here }),
      );
      expect(cleared).toMatchObject({ id: christmas.id, dueAt: null, priority: 'none' });
      expect((await todo(['show', christmas.id], { env: here })).stdout).toContain(
        '\nDue          (none)\nPriority     none\n',
      );
      // --json carries the API's Todo as it is.
      expect(json(await todo(['show', christmas.id, '--json'], { env: here }))).toEqual(cleared);
      const plain = await todo(['edit', christmas.id, '--due', 'tomorrow'], { env: here });
      expect(plain).toEqual({
        code: 0,
        stdout: `Edited: ${christmas.id.slice(0, 8)}  Christmas\n`,
        stderr: '',
      });
    },
    MANY_RUNS,
  );

  it(
    'refuses a --due that is not a date, and an unknown --priority or --sort, with exit code 2 and nothing changed',
    async () => {
      const here = await newUser('Bad Input', 'bad-due@example.com', 'bad due password', {
        TZ: 'Europe/Berlin',
      });
      const kept = json(
        await todo(['add', 'Kept', '--due', 'tomorrow', '--priority', 'medium', '--json'], { env: here }),
      );

      for (const value of ['someday', 'buy milk tomorrow', '2026-13-45', '']) {
        const run = await todo(['add', 'Never', '--due', value], { env: here });
        expect(run, value).toEqual({
          code: 2,
          stdout: '',
          stderr: `todo: --due "${value}" is not a date. Try 2026-12-24, tomorrow, "friday 17:00" or none.\nSee \`todo --help\`.\n`,
        });
      }
      expect((await todo(['edit', kept.id, '--due', 'someday'], { env: here })).code).toBe(2);
      for (const value of ['urgent', 'HIGH', '']) {
        const run = await todo(['add', 'Never', '--priority', value], { env: here });
        expect(run, value).toEqual({
          code: 2,
          stdout: '',
          stderr: `todo: --priority must be none, low, medium or high, not "${value}".\nSee \`todo --help\`.\n`,
        });
      }
      expect((await todo(['edit', kept.id, '--priority', 'urgent'], { env: here })).code).toBe(2);
      const sort = await todo(['ls', '--sort', 'random'], { env: here });
      expect(sort).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'todo: --sort must be manual, due, priority, newest or oldest, not "random".\nSee `todo --help`.\n',
      });
      expect((await todo(['edit', kept.id], { env: here })).stderr).toContain(
        'Give --title, --description, --due or --priority.',
      );
      // --due and --priority belong to add and edit only.
      expect((await todo(['ls', '--due', 'tomorrow'], { env: here })).code).toBe(2);
      expect(json(await todo(['ls', '--json'], { env: here })).todos).toEqual([kept]);
    },
    MANY_RUNS,
  );

  it(
    'ls shows due and priority columns, marks overdue todos, and sorts by manual, due, priority, newest or oldest; mv moves',
    async () => {
      const here = await newUser('Sorting', 'sorting@example.com', 'sorting password', {
        TZ: 'America/New_York',
      });
      const add = async (...args: string[]) => json(await todo(['add', ...args, '--json'], { env: here }));
      const rent = await add('Pay rent', '--due', 'yesterday', '--priority', 'high');
      const milk = await add('Buy milk');
      const bank = await add('Call the bank', '--due', 'tomorrow 09:30', '--priority', 'medium');
      const far = await add('Renew passport', '--due', '2099-01-05', '--priority', 'low');
      const plants = await add('Water plants', '--due', 'tomorrow');
      const titles = async (...args: string[]) => {
        const run = await todo(['ls', ...args], { env: here });
        expect(run.code).toBe(0);
        return rows(run.stdout).map((row) => row.title);
      };

      // Manual, the default, is the order they were added in until one is moved.
      const listed = await todo(['ls'], { env: here });
      expect(rows(listed.stdout)).toEqual([
        { id: rent.id.slice(0, 8), done: false, due: 'Yesterday !', priority: 'high', title: 'Pay rent' },
        { id: milk.id.slice(0, 8), done: false, due: '', priority: '', title: 'Buy milk' },
        {
          id: bank.id.slice(0, 8),
          done: false,
          due: 'Tomorrow 09:30',
          priority: 'medium',
          title: 'Call the bank',
        },
        { id: far.id.slice(0, 8), done: false, due: '2099-01-05', priority: 'low', title: 'Renew passport' },
        { id: plants.id.slice(0, 8), done: false, due: 'Tomorrow', priority: '', title: 'Water plants' },
      ]);
      // Columns line up: every row's title starts where the header's TITLE does.
      const lines = listed.stdout.split('\n');
      const titleAt = (lines[0] ?? '').indexOf('TITLE');
      for (const line of lines.slice(1, 6)) expect(line.slice(titleAt - 2, titleAt)).toBe('  ');
      expect(lines.slice(1, 6).map((line) => line.slice(titleAt))).toEqual([
        'Pay rent',
        'Buy milk',
        'Call the bank',
        'Renew passport',
        'Water plants',
      ]);
      expect(listed.stdout).not.toContain('\u001b['); // no colour when stdout is not a terminal
      expect(await titles('--sort', 'manual')).toEqual(await titles());

      expect(await titles('--sort', 'due')).toEqual([
        'Pay rent',
        'Water plants',
        'Call the bank',
        'Renew passport',
        'Buy milk',
      ]);
      expect(await titles('--sort', 'priority')).toEqual([
        'Pay rent',
        'Call the bank',
        'Renew passport',
        'Buy milk',
        'Water plants',
      ]);
      expect(await titles('--sort', 'newest')).toEqual([
        'Water plants',
        'Renew passport',
        'Call the bank',
        'Buy milk',
        'Pay rent',
      ]);
      expect(await titles('--sort', 'oldest')).toEqual([
        'Pay rent',
        'Buy milk',
        'Call the bank',
        'Renew passport',
        'Water plants',
      ]);
      const byDue = json(await todo(['ls', '--sort', 'due', '--json'], { env: here }));
      expect(byDue.todos.map((row: { id: string }) => row.id)).toEqual([
        rent.id,
        plants.id,
        bank.id,
        far.id,
        milk.id,
      ]);
      expect(byDue.todos[0]).toEqual(rent);

      // mv: to the top, and after another todo; manual order (and ties in the priority order) follow.
      const top = await todo(['mv', plants.id.slice(0, 8), '--top'], { env: here });
      expect(top).toEqual({
        code: 0,
        stdout: `Moved to the top: ${plants.id.slice(0, 8)}  Water plants\n`,
        stderr: '',
      });
      const after = await todo(['mv', milk.id.slice(0, 8), '--after', far.id.slice(0, 8)], { env: here });
      expect(after).toEqual({
        code: 0,
        stdout: `Moved: ${milk.id.slice(0, 8)}  Buy milk, after ${far.id.slice(0, 8)}  Renew passport\n`,
        stderr: '',
      });
      expect(await titles()).toEqual([
        'Water plants',
        'Pay rent',
        'Call the bank',
        'Renew passport',
        'Buy milk',
      ]);
      expect(await titles('--sort', 'priority')).toEqual([
        'Pay rent',
        'Call the bank',
        'Renew passport',
        'Water plants',
        'Buy milk',
      ]);
      expect(json(await todo(['mv', rent.id, '--after', plants.id, '--json'], { env: here }))).toMatchObject({
        id: rent.id,
      });
      for (const args of [
        ['mv', rent.id],
        ['mv', rent.id, '--top', '--after', milk.id],
        ['mv', rent.id, '--after', rent.id.slice(0, 8)],
      ]) {
        const run = await todo(args, { env: here });
        expect(run.code, args.join(' ')).toBe(2);
      }
      // Another user's todo is no place to move to.
      const elsewhere = await newUser('Stranger', 'stranger@example.com', 'stranger password');
      const stranger = json(await todo(['add', 'Not yours', '--json'], { env: elsewhere }));
      const theirs = await todo(['mv', rent.id, '--after', stranger.id], { env: here });
      expect(theirs.code).toBe(4);

      // A completed todo is not overdue.
      await todo(['done', rent.id], { env: here });
      const done = rows((await todo(['ls'], { env: here })).stdout).find((row) => row.title === 'Pay rent');
      expect(done).toMatchObject({ done: true, due: 'Yesterday' });
    },
    MANY_RUNS,
  );

  describe.skipIf(!hasTmux)('on a real terminal (tmux)', () => {
    // A tmux server of the test's own, so that no one else's sessions are touched; its socket
    // lives in the test's directory and goes with it.
    const socket = () => join(home, 'tmux.sock');
    let terminals = 0;
    const tmux = (...args: string[]) =>
      execFileSync('tmux', ['-S', socket(), '-f', tmuxConf(), ...args], { encoding: 'utf8' });
    const tmuxConf = () => {
      const path = join(home, 'tmux.conf');
      if (!existsSync(path)) writeFileSync(path, 'set -g remain-on-exit on\n');
      return path;
    };
    afterAll(() => {
      spawnSync('tmux', ['-S', socket(), 'kill-server']);
    });
    const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

    /** Runs `todo …` in a 100×30 terminal: what it shows, keys to type, and its exit code. */
    function terminal(args: string[], env: Record<string, string> = {}) {
      const name = `t${++terminals}`;
      const vars = {
        PATH: process.env.PATH ?? '',
        HOME: home,
        XDG_CONFIG_HOME: home,
        TODO_URL: url,
        TZ: 'UTC',
        TERM: 'xterm-256color',
        ...env,
      };
      const command = [
        'env',
        '-i',
        ...Object.entries(vars).map(([key, value]) => `${key}=${value}`),
        process.execPath,
        BIN,
        ...args,
      ]
        .map(quote)
        .join(' ');
      // The shell around it writes its exit code down: tmux's own pane_dead_status is at times
      // never filled in (tmux 3.3).
      const statusFile = join(home, `${name}.status`);
      tmux(
        'new-session',
        '-d',
        '-s',
        name,
        '-x',
        '100',
        '-y',
        '30',
        `${command}; echo $? > ${quote(statusFile)}`,
      );
      const screen = () =>
        tmux('capture-pane', '-p', '-t', name)
          .split('\n')
          .filter((line) => !line.startsWith('Pane is dead'))
          .join('\n')
          .trimEnd();
      const waitUntil = async <T>(what: string, check: () => T | undefined): Promise<T> => {
        for (let tries = 0; ; tries++) {
          const value = check();
          if (value !== undefined) return value;
          if (tries > 300) throw new Error(`waited for ${what}; the screen: \n${screen()}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      return {
        screen,
        /** The screen with its colours, as escape sequences. */
        colouredScreen: () => tmux('capture-pane', '-p', '-e', '-t', name),
        /** Waits until the screen shows `text`. */
        waitFor: (text: string) => waitUntil(`"${text}"`, () => (screen().includes(text) ? true : undefined)),
        type: (text: string) => tmux('send-keys', '-t', name, '-l', text),
        press: (...keys: string[]) => tmux('send-keys', '-t', name, ...keys),
        /** The exit code, once it has ended. */
        exitCode: () =>
          waitUntil('the command to end', () => {
            const status = existsSync(statusFile) ? readFileSync(statusFile, 'utf8') : '';
            return /^\d+\n$/.test(status) ? Number(status) : undefined;
          }),
      };
    }

    it('login: arrows move the cursor, Backspace deletes, Up and Down type nothing, the password is masked', async () => {
      const here = newHome();
      const login = terminal(['login'], here);
      await login.waitFor('Email');
      login.type(EMAIL);
      login.press('Enter');
      await login.waitFor('Password');
      // "a passwordd", Backspace, " for the li", two lefts, "c": "a password for the cli".
      login.type('a passwordd');
      login.press('BSpace');
      login.type(' for the li');
      login.press('Left', 'Left', 'Up', 'Down');
      login.type('c');
      await login.waitFor('▪'.repeat(PASSWORD.length));
      expect(login.screen()).not.toContain('password for');
      login.press('Enter');
      expect(await login.exitCode(), login.screen()).toBe(0);
      expect(login.screen()).toContain(EMAIL);
      expect(login.screen()).toContain(`Signed in to ${url} as ${EMAIL}.`);
      expect(login.screen()).not.toContain(PASSWORD);
      const me = await fetch(`${url}/api/trpc/me`, { headers: { authorization: `Bearer ${tokenIn(here)}` } });
      expect(await me.json()).toMatchObject({ result: { data: { id: userId, email: EMAIL } } });
    });

    it('Ctrl-C at the password prompt cancels: exit code 130, one line, no stack trace, nothing stored', async () => {
      const here = newHome();
      const login = terminal(['login', '--email', EMAIL], here);
      await login.waitFor('Password');
      login.type('a pass');
      login.press('C-c');
      expect(await login.exitCode(), login.screen()).toBe(130);
      const screen = login.screen();
      expect(screen).toContain('todo: Cancelled.');
      expect(screen).not.toMatch(/Error|\n\s+at /);
      expect(existsSync(join(here.XDG_CONFIG_HOME, 'todo', 'config.json'))).toBe(false);
    });

    it('signup and passwd ask twice for the password, and refuse two that differ', async () => {
      const here = newHome();
      const signup = terminal(['signup'], here);
      for (const [question, answer] of [
        ['Name', 'Terminal User'],
        ['Email', 'terminal@example.com'],
        ['Password', 'terminal password'],
        ['Password again', 'terminal password'],
      ] as const) {
        await signup.waitFor(question);
        signup.type(answer);
        signup.press('Enter');
      }
      expect(await signup.exitCode(), signup.screen()).toBe(0);
      expect(signup.screen()).toContain(`Account created. Signed in to ${url} as terminal@example.com.`);
      expect(signup.screen()).not.toContain('terminal password');

      const differ = terminal(['passwd'], here);
      for (const [question, answer] of [
        ['Current password', 'terminal password'],
        ['New password', 'new terminal password'],
        ['New password again', 'another one'],
      ] as const) {
        await differ.waitFor(question);
        differ.type(answer);
        differ.press('Enter');
      }
      expect(await differ.exitCode(), differ.screen()).toBe(2);
      expect(differ.screen()).toContain('todo: The two new passwords differ; nothing was changed.');
      expect(await signInStatus('terminal@example.com', 'terminal password')).toBe(200);

      const passwd = terminal(['passwd'], here);
      for (const [question, answer] of [
        ['Current password', 'terminal password'],
        ['New password', 'new terminal password'],
        ['New password again', 'new terminal password'],
      ] as const) {
        await passwd.waitFor(question);
        passwd.type(answer);
        passwd.press('Enter');
      }
      expect(await passwd.exitCode(), passwd.screen()).toBe(0);
      expect(passwd.screen()).toContain('Password changed.');
      expect(await signInStatus('terminal@example.com', 'new terminal password')).toBe(200);
    });

    it('ls colours an overdue date red on a terminal, unless NO_COLOR is set', async () => {
      const here = await newUser('Colour', 'colour@example.com', 'colour password');
      await todo(['add', 'Late', '--due', 'yesterday'], { env: here });
      await todo(['add', 'Fine', '--due', 'tomorrow'], { env: here });
      const coloured = terminal(['ls'], here);
      expect(await coloured.exitCode(), coloured.screen()).toBe(0);
      expect(coloured.screen()).toMatch(/\[ \] {3}Yesterday ! +Late\n/);
      expect(coloured.colouredScreen()).toContain('\u001b[31mYesterday !');
      expect(
        coloured
          .colouredScreen()
          .split('\n')
          .find((line) => line.includes('Fine')),
      ).not.toContain('\u001b[');
      const plain = terminal(['ls'], { ...here, NO_COLOR: '1' });
      expect(await plain.exitCode(), plain.screen()).toBe(0);
      expect(plain.screen()).toContain('Yesterday !');
      expect(plain.colouredScreen()).not.toContain('\u001b[31m');
    });

    it('over plain http to another machine, asks first; no (the default) sends nothing', async (test) => {
      const address = Object.values(networkInterfaces())
        .flat()
        .find((face) => face && face.family === 'IPv4' && !face.internal)?.address;
      if (!address) return test.skip('this machine has no non-loopback IPv4 address to send to');
      const received: string[] = [];
      const remote = createServer((request, response) => {
        received.push(`${request.method} ${request.url}`);
        response.writeHead(401).end();
      });
      await new Promise<void>((resolve) => remote.listen(0, '0.0.0.0', resolve));
      try {
        const remoteUrl = `http://${address}:${(remote.address() as AddressInfo).port}`;
        const login = terminal(['login', '--email', EMAIL, '--url', remoteUrl], newHome());
        await login.waitFor(`Send your password to ${address} unencrypted?`);
        expect(login.screen()).toContain(`todo: warning: ${remoteUrl} is plain http;`);
        login.press('Enter');
        expect(await login.exitCode(), login.screen()).toBe(1);
        expect(login.screen()).toContain('todo: Nothing was sent.');
        expect(login.screen()).not.toContain('Password');
        expect(received).toEqual([]);
      } finally {
        await new Promise((resolve) => remote.close(resolve));
      }
    });
  });
});
