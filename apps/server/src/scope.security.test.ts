// Every procedure over HTTP, with a bearer token and with a cookie, really runs as the
// application role with the caller's id set: row-level security is in force, not just
// present. A test-only restrictive policy on the test database reports, for every row a
// statement touches, the role and app.user_id it ran with (superusers bypass policies, so a
// procedure that forgot the scope reports nothing). It reports by NOTIFY, which read-only
// transactions (every query procedure's) allow and which arrives only once they commit.
import { randomUUID } from 'node:crypto';
import { testDrivers } from '@todo/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, type Session, signUp, startTestServer, type TestServer, trpc } from './testing.ts';

type Call = { path: string; mutation?: boolean; input?: (todoId: string) => unknown };

/** A list of the user's own, made once: what the list procedures work on. */
let listId = '';

const calls: Call[] = [
  { path: 'todo.list', input: () => ({ search: 'a' }) },
  { path: 'todo.counts' },
  { path: 'todo.get', input: (id) => ({ id }) },
  { path: 'todo.create', mutation: true, input: () => ({ title: 'another' }) },
  { path: 'todo.update', mutation: true, input: (id) => ({ id, completed: true }) },
  { path: 'todo.move', mutation: true, input: (id) => ({ id, afterId: null }) },
  { path: 'todo.setAllCompleted', mutation: true, input: () => ({ completed: false }) },
  { path: 'todo.delete', mutation: true, input: (id) => ({ id }) },
  { path: 'todo.clearCompleted', mutation: true },
  { path: 'list.all' },
  { path: 'list.create', mutation: true, input: () => ({ name: 'Another' }) },
  { path: 'list.rename', mutation: true, input: () => ({ id: listId, name: 'Renamed' }) },
  { path: 'list.move', mutation: true, input: () => ({ id: listId, afterId: null }) },
  { path: 'list.members', input: () => ({ id: listId }) },
  { path: 'me' },
  { path: 'account.export' },
  {
    path: 'account.import',
    mutation: true,
    input: (id) => ({
      todos: [
        { id: randomUUID(), title: 'imported' },
        { id, title: 'exists' },
      ],
    }),
  },
];

describe.each(testDrivers)('procedures run under row-level security (%s)', (driver) => {
  let server: TestServer;
  let user: Session;

  let reports: string[] = [];
  let unlisten: () => Promise<void>;

  /**
   * Every report since the last call: a sentinel sent after the statements under test comes
   * back after all of theirs, since notifications arrive in commit order.
   */
  const collect = async () => {
    const sentinel = `sentinel ${Math.random()}`;
    await sql`select pg_notify('scope_log', ${sentinel})`.execute(server.testDatabase.db);
    for (let waited = 0; !reports.includes(sentinel); waited += 10) {
      if (waited > 10_000) throw new Error('the sentinel notification never arrived');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seen = [...new Set(reports.filter((report) => report !== sentinel))];
    reports = [];
    return seen;
  };

  beforeAll(async () => {
    server = await startTestServer(driver);
    const { db } = server.testDatabase;
    await sql`
      create function log_scope() returns boolean language plpgsql volatile as $$
      begin
        perform pg_notify('scope_log', current_user || ' ' || coalesce(current_setting('app.user_id', true), ''));
        return true;
      end $$`.execute(db);
    await sql`grant execute on function log_scope() to todo_app`.execute(db);
    await sql`create policy audit on todos as restrictive for all using (log_scope()) with check (log_scope())`.execute(
      db,
    );
    await sql`create policy audit on users as restrictive for select to todo_app using (log_scope())`.execute(
      db,
    );
    for (const table of ['lists', 'list_members']) {
      await sql`create policy audit on ${sql.table(table)} as restrictive for all to todo_app using (log_scope()) with check (log_scope())`.execute(
        db,
      );
    }
    unlisten = await server.testDatabase.listen('scope_log', (payload) => reports.push(payload));
    user = await signUp(server.url);
    const made = await trpc(server.url, 'list.create', {
      mutation: true,
      input: { name: 'Mine' },
      headers: bearer(user.token),
    });
    listId = (made.body as { result: { data: { id: string } } }).result.data.id;
  });
  afterAll(async () => {
    await unlisten?.();
    await server?.stop();
  });

  let todoId: string;
  beforeEach(async () => {
    const made = await trpc(server.url, 'todo.create', {
      mutation: true,
      input: { title: 'a todo' },
      headers: bearer(user.token),
    });
    todoId = (made.body as { result: { data: { id: string } } }).result.data.id;
    await sql`update todos set completed = true where id = ${todoId}`.execute(server.testDatabase.db);
    await collect();
  });

  it('the probe itself: a statement outside the scope (the owner, a superuser here) reports nothing', async () => {
    const { db } = server.testDatabase;
    await sql`select count(*) from todos`.execute(db);
    await sql`update todos set completed = false`.execute(db);
    expect(await collect()).toEqual([]);
  });

  const credentials = [
    ['a bearer token', () => bearer(user.token)],
    ['a cookie', () => ({ cookie: user.cookie, origin: server.url })],
  ] as const;

  for (const [kind, headers] of credentials) {
    it.each(calls)(`$path with ${kind}`, async ({ path, mutation, input }) => {
      const { status } = await trpc(server.url, path, {
        mutation,
        input: input?.(todoId),
        headers: headers(),
      });
      expect(status).toBe(200);
      expect(await collect()).toEqual([`todo_app ${user.userId}`]);
    });
  }
});
