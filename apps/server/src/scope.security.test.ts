// Every procedure over HTTP, with a bearer token and with a cookie, really runs as the
// application role with the caller's id set: row-level security is in force, not just
// present. A test-only restrictive policy on the test database records, for every row a
// statement touches, the role and app.user_id it ran with (superusers bypass policies, so a
// procedure that forgot the scope leaves no record at all).
import { testDrivers } from '@todo/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, type Session, signUp, startTestServer, type TestServer, trpc } from './testing.ts';

type Call = { path: string; mutation?: boolean; input?: (todoId: string) => unknown };

const calls: Call[] = [
  { path: 'todo.list', input: () => ({ search: 'a' }) },
  { path: 'todo.counts' },
  { path: 'todo.get', input: (id) => ({ id }) },
  { path: 'todo.create', mutation: true, input: () => ({ title: 'another' }) },
  { path: 'todo.update', mutation: true, input: (id) => ({ id, completed: true }) },
  { path: 'todo.setAllCompleted', mutation: true, input: () => ({ completed: false }) },
  { path: 'todo.delete', mutation: true, input: (id) => ({ id }) },
  { path: 'todo.clearCompleted', mutation: true },
  { path: 'me' },
];

describe.each(testDrivers)('procedures run under row-level security (%s)', (driver) => {
  let server: TestServer;
  let user: Session;

  beforeAll(async () => {
    server = await startTestServer(driver);
    const { db } = server.testDatabase;
    await sql`create table scope_log (role text, user_id text)`.execute(db);
    await sql`grant insert on scope_log to todo_app`.execute(db);
    await sql`
      create function log_scope() returns boolean language plpgsql volatile as $$
      begin
        insert into scope_log values (current_user, current_setting('app.user_id', true));
        return true;
      end $$`.execute(db);
    await sql`grant execute on function log_scope() to todo_app`.execute(db);
    await sql`create policy audit on todos as restrictive for all using (log_scope()) with check (log_scope())`.execute(
      db,
    );
    await sql`create policy audit on users as restrictive for select to todo_app using (log_scope())`.execute(
      db,
    );
    user = await signUp(server.url);
  });
  afterAll(() => server?.stop());

  let todoId: string;
  beforeEach(async () => {
    const made = await trpc(server.url, 'todo.create', {
      mutation: true,
      input: { title: 'a todo' },
      headers: bearer(user.token),
    });
    todoId = (made.body as { result: { data: { id: string } } }).result.data.id;
    await sql`update todos set completed = true where id = ${todoId}`.execute(server.testDatabase.db);
    await sql`delete from scope_log`.execute(server.testDatabase.db);
  });

  it('the probe itself: a statement outside the scope (the owner, a superuser here) leaves no record', async () => {
    const { db } = server.testDatabase;
    await sql`select count(*) from todos`.execute(db);
    await sql`update todos set completed = false`.execute(db);
    expect((await sql`select * from scope_log`.execute(db)).rows).toEqual([]);
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
      const log = await sql<{
        role: string;
        user_id: string;
      }>`select distinct role, user_id from scope_log`.execute(server.testDatabase.db);
      expect(log.rows).toEqual([{ role: 'todo_app', user_id: user.userId }]);
    });
  }
});
