import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aTodo, type CliServer, EMAIL, PASSWORD, type Run, rows, startCliServer } from './testing.ts';

describe('todo watch', () => {
  let cli: CliServer;
  beforeAll(async () => {
    cli = await startCliServer();
    await cli.login();
  });
  afterAll(async () => {
    await cli?.close();
  });

  it('watch --json prints one JSON object per change made by another invocation, and stops on Ctrl-C', async () => {
    const { todo, startTodo, url } = cli;
    const watch = startTodo(['watch', '--json']);
    expect(await watch.lines('stderr', 1)).toEqual([`Watching ${url} for changes. Press Ctrl-C to stop.`]);

    const added = await todo(['add', 'Watched', 'milk']);
    expect(added.code).toBe(0);
    const [upsertLine] = await watch.lines('stdout', 1);
    const upsert = JSON.parse(upsertLine ?? '');
    expect(upsert).toEqual({
      id: expect.stringMatching(/^\d+$/),
      type: 'upsert',
      todo: aTodo({ title: 'Watched milk' }),
    });
    expect(added.stdout).toBe(`Added: ${upsert.todo.id.slice(0, 8)}  Watched milk\n`);

    expect((await todo(['rm', upsert.todo.id])).code).toBe(0);
    const deleted = JSON.parse((await watch.lines('stdout', 2))[1] ?? '');
    expect(deleted).toEqual({
      id: expect.stringMatching(/^\d+$/),
      type: 'delete',
      todoId: upsert.todo.id,
      listId: upsert.todo.listId,
    });
    expect(BigInt(deleted.id)).toBeGreaterThan(BigInt(upsert.id));

    expect(await watch.interrupt()).toBe(0);
    expect(watch.output.stdout.split('\n')).toHaveLength(3); // two lines and the last newline
    expect(watch.output.stderr).toBe(`Watching ${url} for changes. Press Ctrl-C to stop.\n`);
  });

  it('watch prints one readable line per change, a reset for a bulk change, and stops on Ctrl-C', async () => {
    const { todo, startTodo } = cli;
    const watch = startTodo(['watch']);
    await watch.lines('stderr', 1);
    const id = (run: Run) => /^Added: ([0-9a-f]{8}) /.exec(run.stdout)?.[1] ?? '';
    // Another list's events are not the Inbox's: the watch prints none of them.
    expect((await todo(['list', 'add', 'Elsewhere'])).code).toBe(0);
    expect((await todo(['add', '--list', 'Elsewhere', 'Not in the Inbox'])).code).toBe(0);
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
    const { todo, startTodo, tokenIn, url } = cli;
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
    const fresh = tokenIn();
    expect(await watch.exit).toBe(3);
    expect(watch.output.stderr.split('\n').slice(1)).toEqual([
      `todo: Your session at ${url} has ended. Run \`todo login\` again.`,
      '',
    ]);
    expect(tokenIn()).toBe(fresh);
    expect((await todo(['ls'])).code).toBe(0);
  });
});
