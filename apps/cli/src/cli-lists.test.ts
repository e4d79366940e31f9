import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailbox } from '@todo/server/testing-mail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliServer, json, MANY_RUNS, type Run, rows, startCliServer } from './testing.ts';

const ANY_ID = /^[0-9a-f-]{36}$/;

/** A List as `todo lists --json` prints each. */
const aList = (fields: Record<string, unknown>) => ({
  id: expect.stringMatching(ANY_ID),
  isInbox: false,
  role: 'owner',
  owner: { id: expect.stringMatching(ANY_ID), name: expect.any(String) },
  memberCount: 1,
  counts: { active: 0, completed: 0 },
  ...fields,
});

describe('todo lists, list, share, members, leave, invites, accept, and --list', () => {
  const mailDir = mkdtempSync(join(tmpdir(), 'todo-cli-mail-'));
  const mail = mailbox(mailDir);
  let cli: CliServer;
  /** `todo …` as Ada, who owns the lists, and as Grace, who is invited to them. */
  let ada: (args: string[], input?: string) => Promise<Run>;
  let grace: (args: string[], input?: string) => Promise<Run>;
  /** Grace's config directory, for a `todo watch` of hers. */
  let graceEnv: { XDG_CONFIG_HOME: string };

  /** An account made with `todo signup`, its address verified by the mailed link, signed in. */
  async function verifiedUser(name: string, email: string) {
    const password = `${name} has a password`;
    const env = await cli.newUser(name, email, password);
    // The link names the server's public origin (localhost); the test's server is 127.0.0.1.
    const link = new URL((await mail.next(email)).link);
    const verified = await fetch(`${cli.url}${link.pathname}${link.search}`, { redirect: 'manual' });
    expect(verified.status).toBe(302);
    const login = await cli.todo(['login', '--email', email], { input: password, env });
    expect(login.code, login.stderr).toBe(0);
    return { env, run: (args: string[], input = '') => cli.todo(args, { env, input }) };
  }

  beforeAll(async () => {
    // Invites need mail; `todo invites` lists them only for a verified address, so addresses are
    // verified here (REQUIRE_EMAIL_VERIFICATION also checks sign-in after the mailed link).
    cli = await startCliServer({ MAIL_DIR: mailDir, REQUIRE_EMAIL_VERIFICATION: 'true' });
    ada = (await verifiedUser('Ada Lovelace', 'ada@example.com')).run;
    ({ run: grace, env: graceEnv } = await verifiedUser('Grace Hopper', 'grace@example.com'));
  }, MANY_RUNS);
  afterAll(async () => {
    await cli?.close();
    rmSync(mailDir, { recursive: true, force: true });
  });

  /** The id of the todo titled `title`, as the database has it. */
  const todoId = async (title: string) =>
    (
      await cli.database.db
        .selectFrom('todos')
        .select('id')
        .where('title', '=', title)
        .executeTakeFirstOrThrow()
    ).id;

  it(
    'shares a list by mail: accepted by its link, written by an editor, refused to a viewer, left',
    async () => {
      expect(json(await ada(['lists', '--json']))).toEqual({
        lists: [
          aList({ name: 'Inbox', isInbox: true, owner: { id: expect.any(String), name: 'Ada Lovelace' } }),
        ],
      });
      const made = await ada(['list', 'add', 'Groceries']);
      expect(made).toMatchObject({ code: 0, stderr: '' });
      expect(made.stdout).toMatch(/^Made the list "Groceries" \([0-9a-f]{8}\)\.\n$/);
      expect(await ada(['add', '--list', 'groceries', 'Buy', 'milk'])).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^Added to "Groceries": [0-9a-f]{8} {2}Buy milk\n$/),
      });

      expect(await ada(['share', 'Groceries', 'grace@example.com'])).toEqual({
        code: 0,
        stdout:
          'Invited grace@example.com to "Groceries" as editor.\nThe invite was mailed to them; its link works once, for 7 days.\n',
        stderr: '',
      });
      const { link } = await mail.next('grace@example.com');
      expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{16,}$/);
      // The owner sees the invite pending; the invited person sees it addressed to them.
      const pending = await ada(['members', 'Groceries']);
      expect(pending.stdout).toMatch(/^NAME +EMAIL +ROLE\nAda Lovelace +ada@example\.com +owner\n\n/);
      expect(pending.stdout).toMatch(
        /Invited, not yet joined:\nEMAIL +ROLE +EXPIRES\ngrace@example\.com +editor +\d{4}-/,
      );
      expect(json(await grace(['invites', '--json']))).toEqual({
        invites: [
          {
            id: expect.stringMatching(ANY_ID),
            list: { name: 'Groceries' },
            invitedBy: { name: 'Ada Lovelace' },
            role: 'editor',
            expiresAt: expect.any(String),
          },
        ],
      });

      expect(await grace(['accept', link])).toEqual({
        code: 0,
        stdout: `Joined "Groceries", Ada Lovelace's list, as editor.\n`,
        stderr: '',
      });
      expect(await grace(['accept', link])).toEqual({
        code: 4,
        stdout: '',
        stderr: 'todo: This invite is unknown, used or expired; ask for a new one.\n',
      });
      const graces = await grace(['lists']);
      expect(graces.stdout.split('\n')).toEqual([
        expect.stringMatching(/^ID +NAME +ROLE +OWNER +MEMBERS +ACTIVE$/),
        expect.stringMatching(/^[0-9a-f]{8} +Inbox +owner +1 +0$/),
        expect.stringMatching(/^[0-9a-f]{8} +Groceries +editor +Ada Lovelace +2 +1$/),
        '',
      ]);

      // An editor writes to the list; its owner sees it there.
      expect((await grace(['add', '--list', 'Groceries', 'Bread'])).code).toBe(0);
      const listed = await ada(['ls', '--list', 'Groceries']);
      expect(rows(listed.stdout).map((row) => row.title)).toEqual(['Buy milk', 'Bread']);
      expect(listed.stdout).toContain('2 items left, 0 completed in "Groceries".');
      expect(rows((await ada(['ls'])).stdout)).toEqual([]);
      // Short ids work whichever list the todo is in.
      const bread = (await todoId('Bread')).slice(0, 8);
      expect(await ada(['done', bread])).toMatchObject({ code: 0, stdout: `Completed: ${bread}  Bread\n` });
      expect(await grace(['clear', '--list', 'groceries'])).toEqual({
        code: 0,
        stdout: 'Deleted 1 completed todo from "Groceries".\n',
        stderr: '',
      });
      expect(await grace(['list', 'rename', 'Groceries', 'Food'])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'todo: Only the owner of "Groceries" can rename it.\n',
      });

      // A viewer reads and is refused every write, which changes nothing.
      expect((await ada(['list', 'add', 'Trip', 'to', 'Lisbon'])).code).toBe(0);
      expect((await ada(['add', '--list', 'trip to lisbon', 'Book', 'flights'])).code).toBe(0);
      expect((await ada(['share', 'Trip to Lisbon', 'grace@example.com', '--role', 'viewer'])).code).toBe(0);
      const token = (await mail.next('grace@example.com')).link.split('/invite/')[1] ?? '';
      const accepted = await grace(['accept', token]);
      expect(accepted.stdout, accepted.stderr).toBe(
        `Joined "Trip to Lisbon", Ada Lovelace's list, as viewer.\n`,
      );
      expect(rows((await grace(['ls', '--list', 'Trip to Lisbon'])).stdout).map((row) => row.title)).toEqual([
        'Book flights',
      ]);
      const refused = {
        code: 1,
        stdout: '',
        stderr: 'todo: You can view "Trip to Lisbon" but not change it.\n',
      };
      expect(await grace(['add', '--list', 'Trip to Lisbon', 'Pack'])).toEqual(refused);
      expect(await grace(['clear', '--list', 'Trip to Lisbon'])).toEqual(refused);
      expect(await grace(['done', (await todoId('Book flights')).slice(0, 8)])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'todo: You can view this list but not change it.\n',
      });
      const flights = await cli.database.db.selectFrom('todos').select(['title', 'completed']).execute();
      expect(flights).toContainEqual({ title: 'Book flights', completed: false });
      expect(flights.map((row) => row.title)).not.toContain('Pack');

      // Two lists of one name: refused with their ids; an id (or its beginning) picks one.
      const own = await grace(['list', 'add', 'groceries']);
      const ownId = /\(([0-9a-f]{8})\)/.exec(own.stdout)?.[1] ?? '';
      const sharedId = (json(await grace(['lists', '--json'])).lists as { id: string; name: string }[])
        .find((list) => list.name === 'Groceries')
        ?.id.slice(0, 8);
      expect(await grace(['ls', '--list', 'GROCERIES'])).toEqual({
        code: 2,
        stdout: '',
        stderr: `todo: 2 of your lists are named "GROCERIES": ${sharedId} (Ada Lovelace's), ${ownId} (yours); give the id instead, as in --list ${sharedId}.\n`,
      });
      expect(rows((await grace(['ls', '--list', `${sharedId}`])).stdout).map((row) => row.title)).toEqual([
        'Buy milk',
      ]);
      expect(await grace(['add', '--list', 'Nowhere', 'x'])).toEqual({
        code: 4,
        stdout: '',
        stderr: 'todo: No list named "Nowhere" among yours (see `todo lists`).\n',
      });

      expect(await grace(['leave', `${sharedId}`])).toEqual({
        code: 0,
        stdout: 'You left "Groceries".\n',
        stderr: '',
      });
      expect((await grace(['ls', '--list', `${sharedId}`])).code).toBe(4);
      expect(json(await ada(['members', 'Groceries', '--json']))).toEqual({
        members: [
          {
            userId: expect.stringMatching(ANY_ID),
            name: 'Ada Lovelace',
            email: 'ada@example.com',
            role: 'owner',
          },
        ],
        invites: [],
      });
    },
    MANY_RUNS,
  );

  it(
    "refuses what the Inbox does not allow with the server's sentence; rm asks, or takes --yes; mv reorders",
    async () => {
      const refusal = (sentence: string) => ({ code: 2, stdout: '', stderr: `todo: ${sentence}\n` });
      expect(await ada(['list', 'rm', 'inbox'])).toEqual(refusal('The Inbox cannot be deleted.'));
      expect(await ada(['list', 'rename', 'Inbox', 'Box'])).toEqual(refusal('The Inbox cannot be renamed.'));
      expect(await ada(['share', 'Inbox', 'grace@example.com'])).toEqual(
        refusal('The Inbox cannot be shared.'),
      );
      expect(await ada(['leave', 'Inbox'])).toEqual(refusal('Nobody leaves their Inbox.'));

      for (const name of ['Work', 'Garden']) expect((await ada(['list', 'add', name])).code).toBe(0);
      const names = async () =>
        (json(await ada(['lists', '--json'])).lists as { name: string }[]).map((list) => list.name);
      expect(await names()).toEqual(['Inbox', 'Groceries', 'Trip to Lisbon', 'Work', 'Garden']);
      expect((await ada(['list', 'mv', 'garden', '--first'])).stdout).toBe(
        'Moved "Garden" to the top, after the Inbox.\n',
      );
      expect((await ada(['list', 'mv', 'Work', '--after', 'Garden'])).stdout).toBe(
        'Moved "Work" after "Garden".\n',
      );
      expect(await names()).toEqual(['Inbox', 'Garden', 'Work', 'Groceries', 'Trip to Lisbon']);

      // Without a terminal to ask on, deleting takes --yes.
      expect(await ada(['list', 'rm', 'Trip to Lisbon'])).toEqual(
        refusal('Give --yes to delete a list without being asked.'),
      );
      expect(await ada(['list', 'rm', 'Trip to Lisbon', '--yes'])).toEqual({
        code: 0,
        stdout: 'Deleted the list "Trip to Lisbon" and its 1 todo.\n',
        stderr: '',
      });
      expect(await names()).toEqual(['Inbox', 'Garden', 'Work', 'Groceries']);
      expect((await grace(['lists'])).stdout).not.toContain('Trip to Lisbon');
    },
    MANY_RUNS,
  );

  it(
    "watch --list prints the other member's changes to that list only, and stops when the list is gone",
    async () => {
      expect((await ada(['list', 'add', 'Shared'])).code).toBe(0);
      expect((await ada(['share', 'Shared', 'grace@example.com'])).code).toBe(0);
      expect((await grace(['accept', (await mail.next('grace@example.com')).link])).code).toBe(0);

      const watch = cli.startTodo(['watch', '--list', 'shared'], graceEnv);
      expect(await watch.lines('stderr', 1)).toEqual([
        `Watching "Shared" at ${cli.url} for changes. Press Ctrl-C to stop.`,
      ]);
      const id = (run: Run) => /: ([0-9a-f]{8}) /.exec(run.stdout)?.[1] ?? '';
      // Ada's todo in her Inbox is not in the list watched: the next line is the list's.
      expect((await ada(['add', 'Not', 'shared'])).code).toBe(0);
      const tea = id(await ada(['add', '--list', 'Shared', 'Buy', 'tea']));
      expect((await ada(['done', tea])).code).toBe(0);
      expect((await ada(['list', 'rename', 'Shared', 'Tea'])).code).toBe(0);
      expect((await ada(['list', 'rm', 'Tea', '--yes'])).code).toBe(0);
      expect(await watch.exit).toBe(4);
      expect(watch.output.stdout.split('\n')).toEqual([
        `+ added      ${tea}  Buy tea`,
        `✓ completed  ${tea}  Buy tea`,
        '~ renamed    the list "Tea" (was "Shared")',
        '✗ removed    the list "Tea"',
        '',
      ]);
      expect(watch.output.stderr.split('\n').slice(1)).toEqual([
        'todo: "Tea" was deleted, or you are no longer a member; the watch ends.',
        '',
      ]);

      // With --json, as one object a line; leaving the list ends the watch too.
      expect((await ada(['list', 'add', 'Kitchen'])).code).toBe(0);
      expect((await ada(['share', 'Kitchen', 'grace@example.com'])).code).toBe(0);
      const kitchen = json(await grace(['accept', (await mail.next('grace@example.com')).link, '--json']));
      const jsonWatch = cli.startTodo(['watch', '--list', 'kitchen', '--json'], graceEnv);
      await jsonWatch.lines('stderr', 1);
      const sponge = json(await ada(['add', '--list', 'Kitchen', 'Sponge', '--json']));
      const [added] = await jsonWatch.lines('stdout', 1);
      expect(JSON.parse(added ?? '')).toEqual({
        id: expect.stringMatching(/^\d+$/),
        type: 'upsert',
        todo: sponge,
      });
      expect((await grace(['leave', 'Kitchen'])).code).toBe(0);
      expect(await jsonWatch.exit).toBe(4);
      const removed = JSON.parse(jsonWatch.output.stdout.split('\n')[1] ?? '');
      expect(removed).toEqual({
        id: expect.stringMatching(/^\d+$/),
        type: 'listRemoved',
        listId: kitchen.id,
      });
      expect(jsonWatch.output.stdout.split('\n')).toHaveLength(3);
      expect(jsonWatch.output.stderr).toContain(
        'todo: "Kitchen" was deleted, or you are no longer a member; the watch ends.',
      );
    },
    MANY_RUNS,
  );
});
