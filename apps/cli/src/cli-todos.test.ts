import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aTodo,
  type CliServer,
  EMAIL,
  json,
  MANY_RUNS,
  minute,
  PASSWORD,
  rows,
  startCliServer,
} from './testing.ts';

describe('todo add, ls, show, edit, mv, done, reopen, rm and clear', () => {
  let cli: CliServer;
  beforeAll(async () => {
    cli = await startCliServer();
    await cli.login();
  });
  afterAll(async () => {
    await cli?.close();
  });

  it('adds, lists, completes, reopens, removes and clears todos by short id', async () => {
    const { todo, database } = cli;
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
    const { todo, database, userId } = cli;
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
    const { todo } = cli;
    for (const args of [['add'], ['ls', '--active', '--completed'], ['ls', '--email', 'x'], ['frobnicate']]) {
      const run = await todo(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(/^todo: /);
    }
    const tooLong = await todo(['add', 'x'.repeat(501)]);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toBe('todo: Not accepted: title: must be at most 500 characters\n');
  });

  it('show prints a todo in full; edit changes its title and clears its description', async () => {
    const { todo, newUser } = cli;
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
    const { todo, database, userId } = cli;
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

  it(
    'ls shows due and priority columns, marks overdue todos, and sorts by manual, due, priority, newest or oldest; mv moves',
    async () => {
      const { todo, newUser } = cli;
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
});
