/**
 * Writes to todos by the members of their list who may write (owner, editor): create, update
 * (a move to another list included), delete, and the list-wide ones. A write that changes
 * nothing says why: the todo or list is not the caller's to see (undefined, or NotFoundError),
 * or their role only reads it (ForbiddenError). The database fills in who wrote (migration 0015).
 */
import { type Kysely, sql } from 'kysely';
import type { Owner } from './caller.ts';
import {
  assertWritable,
  ForbiddenError,
  type ListRef,
  listIdOf,
  memberListOf,
  memberLists,
  WRITERS,
} from './list-access.ts';
import type { DB } from './schema.ts';
import { getTodo, storedPriority, type Todo, type TodoPriority, todoColumns, toTodo } from './todos.ts';

/** What create and update take besides the title; `dueAt` an ISO-8601 instant. */
export type TodoFields = {
  description?: string | null;
  dueAt?: string | null;
  priority?: TodoPriority;
};

/**
 * Thrown by createTodo for a proposed id that a todo the caller cannot see has; callers map it
 * to a conflict, and say nothing more about that todo.
 */
export class TodoIdTakenError extends Error {
  override name = 'TodoIdTakenError';
  constructor() {
    super('another todo has this id');
  }
}

const readOnly = () => new ForbiddenError('Viewers of this list cannot change its todos');

/**
 * Adds a todo at the end of the list's manual order (the caller's Inbox by default). With an
 * `id` (a client-proposed uuid, so that a client offline can refer to the todo before the server
 * has seen it), creating is idempotent: when the caller already sees a todo with that id, it is
 * returned as it is, and nothing is written (no second row, no change event; the rest of the
 * input is ignored). An id that a todo the caller cannot see has throws TodoIdTakenError; a list
 * they may not write, NotFoundError or ForbiddenError.
 *
 * @example const todo = await createTodo(db, owner, { listId, id: crypto.randomUUID(), title: 'Buy milk' })
 */
export async function createTodo(
  db: Kysely<DB>,
  owner: Owner,
  input: { listId?: ListRef; id?: string; title: string } & TodoFields,
): Promise<Todo> {
  // One statement: the row comes from the caller's membership, so none is inserted unless they
  // may write the list.
  const source = db
    .selectFrom('list_members')
    .select([
      'list_id',
      sql<string>`${input.title}::text`.as('title'),
      sql<string | null>`${input.description ?? null}::text`.as('description'),
      sql<string | null>`${input.dueAt ?? null}::timestamptz`.as('due_at'),
      sql<number>`${storedPriority(input.priority ?? 'none')}::smallint`.as('priority'),
      // The caller's id, which the database also sets itself when acting as a caller.
      sql<string>`${owner}::uuid`.as('created_by'),
      ...(input.id !== undefined ? [sql<string>`${input.id}::uuid`.as('id')] : []),
    ])
    .where('user_id', '=', owner)
    .where('list_id', '=', listIdOf(owner, input.listId))
    .where('role', 'in', WRITERS);
  const columns = ['list_id', 'title', 'description', 'due_at', 'priority', 'created_by'] as const;
  const insert = db
    .insertInto('todos')
    .columns(input.id !== undefined ? [...columns, 'id'] : [...columns])
    .expression(source);
  // The insert's statement triggers see no changed row when it does nothing: no event is logged.
  const row = await (input.id === undefined
    ? insert
    : insert.onConflict((conflict) => conflict.column('id').doNothing())
  )
    .returning(todoColumns)
    .executeTakeFirst();
  if (row) return toTodo(row);
  if (input.id !== undefined) {
    // Read as the caller: row-level security and the membership condition hide the rest.
    const existing = await getTodo(db, owner, input.id);
    if (existing) return existing;
  }
  await assertWritable(db, owner, input.listId);
  if (input.id !== undefined) throw new TodoIdTakenError();
  throw new Error('the insert returned no row');
}

export type TodoPatch = { title?: string; completed?: boolean; listId?: string } & TodoFields;

/**
 * Applies the patch to the todo; undefined when it does not exist or the caller does not see it.
 * A `listId` moves it to the end of that list, which the caller must be able to write too. An
 * empty patch changes nothing (not even `updated_at`) and answers with the todo as it is.
 *
 * @example const todo = await updateTodo(db, owner, id, { completed: true, listId: otherListId })
 */
export async function updateTodo(
  db: Kysely<DB>,
  owner: Owner,
  id: string,
  patch: TodoPatch,
): Promise<Todo | undefined> {
  const changes = {
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.completed !== undefined && { completed: patch.completed }),
    ...(patch.dueAt !== undefined && { due_at: patch.dueAt }),
    ...(patch.priority !== undefined && { priority: storedPriority(patch.priority) }),
    // The row trigger places a todo that changes list last in its new list (migration 0015).
    ...(patch.listId !== undefined && { list_id: patch.listId }),
  };
  if (Object.keys(changes).length === 0) return getTodo(db, owner, id);
  let query = db
    .updateTable('todos')
    .set(changes)
    .where('id', '=', id)
    .where('list_id', 'in', memberLists(owner, WRITERS));
  if (patch.listId !== undefined) {
    query = query.where(memberListOf(owner, patch.listId, WRITERS), 'is not', null);
  }
  const row = await query.returning(todoColumns).executeTakeFirst();
  if (row) return toTodo(row);
  const todo = await getTodo(db, owner, id);
  if (!todo) return undefined;
  await assertWritable(db, owner, todo.listId);
  if (patch.listId !== undefined) await assertWritable(db, owner, patch.listId);
  throw new Error('the update changed no row');
}

/**
 * Deletes the todo; false when it does not exist or the caller does not see it, ForbiddenError
 * when they only read its list.
 */
export async function deleteTodo(db: Kysely<DB>, owner: Owner, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('todos')
    .where('id', '=', id)
    .where('list_id', 'in', memberLists(owner, WRITERS))
    .executeTakeFirst();
  if (result.numDeletedRows > 0n) return true;
  if (await getTodo(db, owner, id)) throw readOnly();
  return false;
}

/**
 * Marks every todo of the list (the caller's Inbox by default) completed, or active; returns how
 * many changed.
 *
 * @example const updated = await setAllCompleted(db, owner, true, { listId })
 */
export async function setAllCompleted(
  db: Kysely<DB>,
  owner: Owner,
  completed: boolean,
  { listId }: { listId?: ListRef } = {},
): Promise<number> {
  const result = await db
    .updateTable('todos')
    .set({ completed })
    .where('list_id', '=', memberListOf(owner, listId, WRITERS))
    .where('completed', '=', !completed)
    .executeTakeFirst();
  const updated = Number(result.numUpdatedRows);
  if (updated === 0) await assertWritable(db, owner, listId);
  return updated;
}

/**
 * Deletes the list's completed todos (the caller's Inbox by default); returns how many.
 *
 * @example const deleted = await clearCompleted(db, owner, { listId })
 */
export async function clearCompleted(
  db: Kysely<DB>,
  owner: Owner,
  { listId }: { listId?: ListRef } = {},
): Promise<number> {
  const result = await db
    .deleteFrom('todos')
    .where('list_id', '=', memberListOf(owner, listId, WRITERS))
    .where('completed', '=', true)
    .executeTakeFirst();
  const deleted = Number(result.numDeletedRows);
  if (deleted === 0) await assertWritable(db, owner, listId);
  return deleted;
}
