// `runCli` in this process, without a server: the help, the parser and its refusals. (The
// commands themselves run against a real server in cli-*.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { type Io, runCli } from './cli.ts';

const config = mkdtempSync(join(tmpdir(), 'todo-cli-parse-'));
afterAll(() => rmSync(config, { recursive: true, force: true }));

/** Runs `todo …` here, its streams caught; the server is one that is not there. */
async function todo(...argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const io: Io = {
    env: { TODO_URL: 'http://127.0.0.1:9', XDG_CONFIG_HOME: config },
    stdin: Readable.from([]) as unknown as NodeJS.ReadStream,
    stdout,
    stderr,
    onInterrupt: () => () => {},
  };
  const code = await runCli(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** Each command's own flags (besides --url and --help, which every command takes). */
const FLAGS: Record<string, string[]> = {
  signup: ['--name', '--email', '--yes'],
  login: ['--email', '--yes'],
  logout: [],
  whoami: ['--json'],
  passwd: ['--sign-out-others', '--yes'],
  add: ['--due', '--priority', '--description', '--list', '--json'],
  ls: ['--active', '--completed', '--search', '--sort', '--list', '--json'],
  show: ['--json'],
  edit: ['--title', '--description', '--due', '--priority', '--json'],
  mv: ['--after', '--top', '--json'],
  done: ['--json'],
  reopen: ['--json'],
  rm: ['--json'],
  clear: ['--list', '--json'],
  lists: ['--json'],
  'list add': ['--json'],
  'list rename': ['--json'],
  'list rm': ['--yes', '--json'],
  'list mv': ['--after', '--first', '--json'],
  share: ['--role', '--json'],
  members: ['--json'],
  leave: [],
  invites: ['--json'],
  accept: ['--json'],
  export: ['--json'],
  import: ['--json'],
  watch: ['--list', '--json'],
};

/** The flags in the Options part of a help, with the value each names (`--due <date>`). */
const listed = (help: string) =>
  [...(help.split('\nOptions:\n')[1]?.split('\n\n')[0] ?? '').matchAll(/(--[a-z-]+)( <[a-z]+>)?/g)].map(
    ([, name, value]) => ({ name: name as string, value: Boolean(value) }),
  );

describe('todo --help', () => {
  it('lists every command, and each command lists its own flags', async () => {
    const main = await todo('--help');
    expect(main.code).toBe(0);
    for (const name of Object.keys(FLAGS)) expect(main.stdout).toContain(`\n  todo ${name}`);

    for (const [name, flags] of Object.entries(FLAGS)) {
      const help = await todo(...name.split(' '), '--help');
      expect(help.code, name).toBe(0);
      expect(help.stdout, name).toMatch(new RegExp(`^Usage: todo ${name}`));
      expect(
        listed(help.stdout)
          .map((flag) => flag.name)
          .sort(),
        name,
      ).toEqual([...flags, '--url', '--help'].sort());
    }
    const add = (await todo('add', '--help')).stdout;
    for (const flag of ['--due <date>', '--priority <level>', '--description <text>', '--json'])
      expect(add).toContain(flag);
    expect((await todo('help', 'add')).stdout).toBe(add);
    expect((await todo('undo', '--help')).stdout).toBe((await todo('reopen', '--help')).stdout);
    // A command with commands under it lists them; `help` reaches each of them too.
    const list = await todo('list', '--help');
    expect(list.code).toBe(0);
    for (const sub of ['add <name>', 'rename <list> <name>', 'rm <list>', 'mv <list>'])
      expect(list.stdout).toContain(`\n  todo list ${sub}`);
    expect((await todo('help', 'list', 'mv')).stdout).toBe((await todo('list', 'mv', '--help')).stdout);
  });

  it('takes every flag it lists: the help and the parser read one definition', async () => {
    for (const name of Object.keys(FLAGS)) {
      const help = (await todo(...name.split(' '), '--help')).stdout;
      const given = listed(help).flatMap((flag) => (flag.value ? [flag.name, 'x'] : [flag.name]));
      // --help after the flags: the parser checks them all, then the help is printed.
      const run = await todo(...name.split(' '), ...given, '--help');
      expect(run, `todo ${name} ${given.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
    }
  });

  it('fits 80 columns', async () => {
    for (const args of [
      ['--help'],
      ['list', '--help'],
      ...Object.keys(FLAGS).map((name) => [...name.split(' '), '--help']),
    ]) {
      for (const line of (await todo(...args)).stdout.split('\n'))
        expect(line.length, `todo ${args.join(' ')}: ${line}`).toBeLessThanOrEqual(80);
    }
  });
});

describe('a command line it cannot take', () => {
  it('is refused in one sentence that names the flag, with exit code 2', async () => {
    const cases: [string[], string][] = [
      [['add', 'Buy milk', '--frobnicate'], 'todo add does not take --frobnicate (see `todo add --help`).'],
      [['ls', '--due', 'tomorrow'], 'todo ls does not take --due (see `todo ls --help`).'],
      [['ls', '-x'], 'todo ls does not take -x (see `todo ls --help`).'],
      [['--frobnicate'], 'todo does not take --frobnicate (see `todo --help`).'],
      [['add', 'Buy milk', '--due'], '--due needs a value: --due <date> (see `todo add --help`).'],
      [['add', 'Buy milk', '--due', '--json'], '--due needs a value: --due <date> (see `todo add --help`).'],
      [['ls', '--json=yes'], '--json takes no value (see `todo ls --help`).'],
      [['frobnicate'], 'There is no command "frobnicate" (see `todo --help` for the list).'],
      [['help', 'frobnicate'], 'There is no command "frobnicate" (see `todo --help` for the list).'],
      [['ls', '--version'], 'todo ls does not take --version (see `todo ls --help`).'],
      [['list'], 'todo list needs one of add, rename, rm, mv (see `todo list --help`).'],
      [['list', 'remove', 'Work'], 'There is no command "list remove" (see `todo --help` for the list).'],
      [
        ['list', 'rm', 'Work', '--after', 'Home'],
        'todo list rm does not take --after (see `todo list rm --help`).',
      ],
      [['add', 'Buy milk', '--list'], '--list needs a value: --list <list> (see `todo add --help`).'],
    ];
    for (const [argv, sentence] of cases) {
      const run = await todo(...argv);
      expect(run, argv.join(' ')).toEqual({ code: 2, stdout: '', stderr: `todo: ${sentence}\n` });
    }
  });

  it('is refused before anything is sent: a date that reads two ways, a priority, a role, a link', async () => {
    const cases: [string[], string][] = [
      [
        ['add', 'Pay rent', '--due', '03/04/2026'],
        '--due "03/04/2026" could be 3 April or 4 March; write 2026-04-03 or 2026-03-04.',
      ],
      [
        ['add', 'Pay rent', '--due', '3/4'],
        '--due "3/4" could be 3 April or 4 March; write "3 apr" or "4 mar".',
      ],
      [
        ['edit', '3f2a9c1b', '--due', '05.06.27 9:00'],
        '--due "05.06.27 9:00" could be 5 June or 6 May; write 2027-06-05 or 2027-05-06.',
      ],
      [
        ['add', 'Pay rent', '--due', 'someday'],
        '--due "someday" is not a date; try 2026-12-24, tomorrow, "friday 17:00" or none.',
      ],
      [
        ['add', 'Pay rent', '--priority', 'urgent'],
        '--priority must be none, low, medium or high, not "urgent".',
      ],
      [['list', 'add'], 'Give the list a name: todo list add <name>'],
      [['list', 'mv', 'Work'], 'Give --after <list> or --first.'],
      [
        ['share', 'Work', 'ada@example.com', '--role', 'owner'],
        '--role must be editor or viewer, not "owner".',
      ],
      [
        ['accept', 'https://todo.example.com/invite/short'],
        '"https://todo.example.com/invite/short" is not an invite link or token; copy the link from the invite mail.',
      ],
    ];
    for (const [argv, sentence] of cases) {
      // The server here is not there: a refusal that needed it would be exit code 5.
      const run = await todo(...argv);
      expect(run, argv.join(' ')).toEqual({ code: 2, stdout: '', stderr: `todo: ${sentence}\n` });
    }
  });
});
