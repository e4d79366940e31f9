import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aTodo, type CliServer, EMAIL, json, pnpmIn, ROOT, startCliServer } from './testing.ts';

describe('todo export and import', () => {
  let cli: CliServer;
  beforeAll(async () => {
    cli = await startCliServer();
    await cli.login();
    await cli.todo(['add', 'Exported']);
    await cli.todo(['add', 'Exported too', '--description', 'with a description']);
  });
  afterAll(async () => {
    await cli?.close();
  });

  it('export prints everything as JSON; import adds the todos of a file and skips ids already there', async () => {
    const { todo, newUser, database, home, userId } = cli;
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
      lists: [{ id: expect.any(String), name: 'Inbox', isInbox: true, role: 'owner' }],
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

  it("the README's `pnpm todo export > mine.json` writes only the JSON, and `pnpm todo import` reads it back", async () => {
    const { home, url, newHome } = cli;
    const bin = pnpmIn(newHome().XDG_CONFIG_HOME);
    const file = join(home, 'through-pnpm.json');
    /** A line of shell, run at the repository's root as a person would type it. (Not spawnSync:
     * the server runs in this process, and must answer meanwhile.) */
    const shell = (line: string) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn('sh', ['-c', line], {
          cwd: ROOT,
          env: {
            PATH: `${bin}:${process.env.PATH ?? ''}`,
            // pnpm and npx keep their caches under the real home; the CLI its token under XDG_CONFIG_HOME.
            HOME: homedir(),
            XDG_CONFIG_HOME: home,
            TODO_URL: url,
            FILE: file,
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
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });

    const exported = await shell('pnpm todo export > "$FILE"');
    expect(exported.status, exported.stderr).toBe(0);
    const data = JSON.parse(readFileSync(file, 'utf8'));
    expect(data.todos.length).toBeGreaterThan(1);
    const [gone] = data.todos;
    expect((await shell(`pnpm todo rm ${gone.id}`)).status).toBe(0);
    const imported = await shell('pnpm todo import "$FILE"');
    expect(imported).toMatchObject({
      status: 0,
      stdout: `Imported 1 todo; skipped ${data.todos.length - 1} already there.\n`,
    });

    // What `pnpm todo ls --json | jq` reads: one JSON value, nothing else.
    const listed = await shell('pnpm todo ls --json');
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout).counts.all).toBe(data.todos.length);
  });
});
