/**
 * A todo's place in its list's manual order (`todo.move`): a fractional key between its new
 * neighbours, written in one row (decisions 12 and 17).
 */
import { type Kysely, sql } from 'kysely';
import type { Owner } from './caller.ts';
import { ForbiddenError, ListRuleError, memberLists, WRITERS } from './list-access.ts';
import type { DB } from './schema.ts';
import { getTodo, type Todo, todoColumns, toTodo } from './todos.ts';

/**
 * Puts the todo right after `afterId` in its list's manual order (`null`: first), writing that
 * one row: its new position is the midpoint of its new neighbours, one more than the largest at
 * the end (`todo_next_position`, migration 0015), or one less than the first at the top.
 * Undefined when either todo does not exist or the caller does not see it; ForbiddenError when
 * they only read the list; ListRuleError when `afterId` is a todo of another list.
 *
 * Two moves in one list at once must not compute the same midpoint: the first statement takes
 * the caller's lock and then the list's (in the order every write takes them, migrations 0007
 * and 0015), so the neighbours read next are not about to change. A gap too narrow for a float8
 * midpoint (about 50 moves into one gap) first renumbers the list 1, 2, 3… in one statement,
 * keeping its order.
 *
 * @example const todo = await moveTodo(db, owner, id, previousId)
 */
export async function moveTodo(
  db: Kysely<DB>,
  owner: Owner,
  id: string,
  afterId: string | null,
): Promise<Todo | undefined> {
  if (afterId === id) return getTodo(db, owner, id);
  const { rows: locked } = await sql<{ list_id: string }>`
    select list_id, todo_changes_lock(${owner}::uuid), todo_list_lock(list_id) from todos
    where id = ${id}::uuid and list_id in ${memberLists(owner, WRITERS)}`.execute(db);
  const list = locked[0]?.list_id;
  if (!list) {
    if (await getTodo(db, owner, id))
      throw new ForbiddenError('Viewers of this list cannot change its todos');
    return undefined;
  }
  const inList = sql`select position from todos where list_id = ${list}::uuid`;
  for (let renumbered = false; ; renumbered = true) {
    const { rows } = await sql<{ current: number | null; before: number | null; after: number | null }>`
      with anchor as (${inList} and id = ${afterId}::uuid)
      select
        (${inList} and id = ${id}) as current,
        (select position from anchor) as before,
        (${inList} and id <> ${id}
          and position > coalesce((select position from anchor), '-infinity')
          order by position limit 1) as after
    `.execute(db);
    const keys = rows[0];
    if (!keys || keys.current === null) return undefined;
    if (afterId !== null && keys.before === null) {
      if (await getTodo(db, owner, afterId))
        throw new ListRuleError('afterId must be a todo of the same list');
      return undefined;
    }
    const { current, before, after } = keys;
    // Already there: nothing to write.
    if ((before ?? -Infinity) < current && current < (after ?? Infinity)) return getTodo(db, owner, id);
    let position: number | null = null; // null: the end
    if (before === null && after !== null) position = after - 1;
    if (before !== null && after !== null) {
      position = (before + after) / 2;
      if (!(before < position && position < after)) {
        if (renumbered) throw new Error('no room between two positions, even after renumbering');
        await renumberPositions(db, list);
        continue;
      }
    }
    const row = await db
      .updateTable('todos')
      .set({ position: position === null ? sql<number>`todo_next_position(${list}::uuid)` : position })
      .where('list_id', '=', list)
      .where('id', '=', id)
      .returning(todoColumns)
      .executeTakeFirst();
    return row && toTodo(row);
  }
}

/** Renumbers the list's positions 1, 2, 3… in their current order, in one statement. */
async function renumberPositions(db: Kysely<DB>, list: string): Promise<void> {
  await sql`
    update todos set position = ordered.n
    from (select id, row_number() over (order by position) as n from todos where list_id = ${list}::uuid) as ordered
    where todos.list_id = ${list}::uuid and todos.id = ordered.id
  `.execute(db);
}
