import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CliServer, EMAIL, hasTmux, PASSWORD, startCliServer } from './testing.ts';

describe.skipIf(!hasTmux)('todo on a real terminal (tmux)', () => {
  let cli: CliServer;
  beforeAll(async () => {
    cli = await startCliServer();
  });
  afterAll(async () => {
    await cli?.close();
  });

  // A tmux server of the test's own, so that no one else's sessions are touched; its socket
  // lives in the test's directory and goes with it.
  const socket = () => join(cli.home, 'tmux.sock');
  let terminals = 0;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-S', socket(), '-f', tmuxConf(), ...args], { encoding: 'utf8' });
  const tmuxConf = () => {
    const path = join(cli.home, 'tmux.conf');
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
      HOME: cli.home,
      XDG_CONFIG_HOME: cli.home,
      TODO_URL: cli.url,
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
    const statusFile = join(cli.home, `${name}.status`);
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
    const here = cli.newHome();
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
    expect(login.screen()).toContain(`Signed in to ${cli.url} as ${EMAIL}.`);
    expect(login.screen()).not.toContain(PASSWORD);
    const me = await fetch(`${cli.url}/api/trpc/me`, {
      headers: { authorization: `Bearer ${cli.tokenIn(here)}` },
    });
    expect(await me.json()).toMatchObject({ result: { data: { id: cli.userId, email: EMAIL } } });
  });

  it('Ctrl-C at the password prompt cancels: exit code 130, one line, no stack trace, nothing stored', async () => {
    const here = cli.newHome();
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
    const here = cli.newHome();
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
    expect(signup.screen()).toContain(`Account created. Signed in to ${cli.url} as terminal@example.com.`);
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
    expect(await cli.signInStatus('terminal@example.com', 'terminal password')).toBe(200);

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
    expect(await cli.signInStatus('terminal@example.com', 'new terminal password')).toBe(200);
  });

  it('ls colours an overdue date red on a terminal, unless NO_COLOR is set', async () => {
    const here = await cli.newUser('Colour', 'colour@example.com', 'colour password');
    await cli.todo(['add', 'Late', '--due', 'yesterday'], { env: here });
    await cli.todo(['add', 'Fine', '--due', 'tomorrow'], { env: here });
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

  it('list rm asks first: no (the default) deletes nothing, yes deletes the list and its todos', async () => {
    await cli.login();
    expect((await cli.todo(['list', 'add', 'Old', 'papers'])).code).toBe(0);
    expect((await cli.todo(['add', '--list', 'old papers', 'Shred', 'them'])).code).toBe(0);
    const question = 'Delete the list "Old papers" and its 1 todo?';
    const kept = terminal(['list', 'rm', 'Old papers']);
    await kept.waitFor(question);
    kept.press('Enter');
    expect(await kept.exitCode(), kept.screen()).toBe(1);
    expect(kept.screen()).toContain('todo: Nothing was deleted.');
    expect((await cli.todo(['ls', '--list', 'Old papers'])).stdout).toContain('Shred them');

    const gone = terminal(['list', 'rm', 'Old papers']);
    await gone.waitFor(question);
    gone.press('Left');
    gone.press('Enter');
    expect(await gone.exitCode(), gone.screen()).toBe(0);
    expect(gone.screen()).toContain('Deleted the list "Old papers" and its 1 todo.');
    expect((await cli.todo(['ls', '--list', 'Old papers'])).code).toBe(4);
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
      const login = terminal(['login', '--email', EMAIL, '--url', remoteUrl], cli.newHome());
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
