/** Todos from an export file, added to one list in one statement (`account.import`). */
import { type Kysely, sql } from 'kysely';
import type { Owner } from './caller.ts';
import { assertWritable, type ListRef, memberListOf, WRITERS } from './list-access.ts';
import type { DB } from './schema.ts';
import { storedPriority, type TodoPriority } from './todos.ts';

/** A todo as an import file holds it; `createdAt` is an ISO-8601 instant, now when absent. */
export type ImportedTodo = {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  dueAt: string | null;
  priority: TodoPriority;
  createdAt: string | null;
};

/**
 * Adds the todos to the list (the caller's Inbox by default) in one statement, keeping their ids
 * and creation times, at the end of its manual order in the file's order. An id that exists
 * already, seen by the caller or not, is skipped and its row left as it is. A list the caller may
 * not write throws (NotFoundError, ForbiddenError). The arrays travel as seven parameters, so
 * the statement's size does not grow with the file.
 *
 * @example const { added, skipped } = await importTodos(db, owner, [{ id, title: 'Tea', description: null, completed: false, dueAt: null, priority: 'none', createdAt: null }], { listId })
 */
export async function importTodos(
  db: Kysely<DB>,
  owner: Owner,
  todos: readonly ImportedTodo[],
  { listId }: { listId?: ListRef } = {},
): Promise<{ added: number; skipped: number }> {
  if (todos.length === 0) return { added: 0, skipped: 0 };
  const list = memberListOf(owner, listId, WRITERS);
  const { rows } = await sql<{ id: string }>`
    insert into todos (id, list_id, created_by, title, description, completed, due_at, priority, created_at)
    select id, ${list}, ${owner}::uuid, title, description, completed, due_at, priority, coalesce(created_at, now())
    from unnest(
      ${todos.map((todo) => todo.id)}::uuid[],
      ${todos.map((todo) => todo.title)}::text[],
      ${todos.map((todo) => todo.description)}::text[],
      ${todos.map((todo) => todo.completed)}::boolean[],
      ${todos.map((todo) => todo.dueAt)}::timestamptz[],
      ${todos.map((todo) => storedPriority(todo.priority))}::smallint[],
      ${todos.map((todo) => todo.createdAt)}::timestamptz[]
    ) with ordinality as file (id, title, description, completed, due_at, priority, created_at, n)
    where ${list} is not null
    order by n
    on conflict (id) do nothing
    returning id
  `.execute(db);
  if (rows.length === 0) await assertWritable(db, owner, listId);
  return { added: rows.length, skipped: todos.length - rows.length };
}
