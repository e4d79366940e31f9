/**
 * A caller's lists: the ones they are a member of, in their own order with the Inbox first, and
 * the owner's changes to one (make, rename, delete). Members and invites: list-members.ts and
 * list-invites.ts.
 */
import { type Kysely, sql } from 'kysely';
import type { Owner } from './caller.ts';
import { ForbiddenError, type ListRole, ListRuleError, listAccess, NotFoundError } from './list-access.ts';
import type { DB } from './schema.ts';

/** A list as its member sees it: their role, its owner, how many members and todos it has. */
export type List = {
  id: string;
  name: string;
  isInbox: boolean;
  role: ListRole;
  owner: { id: string; name: string };
  memberCount: number;
  counts: { active: number; completed: number };
};

/** The most lists an account owns, its Inbox included (migration 0015 counts them too). */
export const MAX_OWNED_LISTS = 100;

type ListRow = {
  id: string;
  name: string;
  is_inbox: boolean;
  role: ListRole;
  owner_id: string;
  owner_name: string;
  member_count: number | string;
  active: number | string;
  completed: number | string;
};

const toList = (row: ListRow): List => ({
  id: row.id,
  name: row.name,
  isInbox: row.is_inbox,
  role: row.role,
  owner: { id: row.owner_id, name: row.owner_name },
  memberCount: Number(row.member_count),
  counts: { active: Number(row.active), completed: Number(row.completed) },
});

/** The caller's lists (all, or the one `listId`), Inbox first, then in the caller's order. */
function listsQuery(owner: Owner, listId?: string) {
  return sql<ListRow>`
    select l.id, l.name, l.is_inbox, m.role, l.owner_id, o.name as owner_name,
      (select count(*) from list_members x where x.list_id = l.id) as member_count,
      (select count(*) from todos t where t.list_id = l.id and not t.completed) as active,
      (select count(*) from todos t where t.list_id = l.id and t.completed) as completed
    from list_members m join lists l on l.id = m.list_id join users o on o.id = l.owner_id
    where m.user_id = ${owner}::uuid${listId === undefined ? sql`` : sql` and m.list_id = ${listId}::uuid`}
    order by l.is_inbox desc, m.position`;
}

/**
 * Every list the caller is a member of: the Inbox first, then the caller's own order.
 *
 * @example const lists = await listLists(db, owner)
 */
export async function listLists(db: Kysely<DB>, owner: Owner): Promise<List[]> {
  const { rows } = await listsQuery(owner).execute(db);
  return rows.map(toList);
}

/** The list, as the caller sees it; NotFoundError when they are not a member or it does not exist. */
export async function getList(db: Kysely<DB>, owner: Owner, listId: string): Promise<List> {
  const { rows } = await listsQuery(owner, listId).execute(db);
  const row = rows[0];
  if (!row) throw new NotFoundError('list');
  return toList(row);
}

// Raised by migration 0015's trigger past the limit.
const isListLimit = (error: unknown) => (error as { code?: unknown } | null)?.code === 'TL001';

/**
 * Makes a list, owned by the caller, last in their order. ListRuleError past MAX_OWNED_LISTS.
 *
 * @example const list = await createList(db, owner, 'Groceries')
 */
export async function createList(db: Kysely<DB>, owner: Owner, name: string): Promise<List> {
  const row = await db
    .insertInto('lists')
    .values({ owner_id: owner, name })
    .returning('id')
    .executeTakeFirstOrThrow()
    .catch((error: unknown) => {
      if (isListLimit(error)) {
        throw new ListRuleError(`An account owns at most ${MAX_OWNED_LISTS} lists, its Inbox included`);
      }
      throw error;
    });
  return getList(db, owner, row.id);
}

/**
 * Throws why the caller may not manage the list `listId` (`action`, in words: 'rename'): it is
 * not theirs to see, they are not its owner, or it is an Inbox.
 */
async function refuseManaging(db: Kysely<DB>, owner: Owner, listId: string, action: string): Promise<never> {
  const access = await listAccess(db, owner, listId);
  if (!access) throw new NotFoundError('list');
  if (access.role !== 'owner') throw new ForbiddenError(`Only the list's owner can ${action} it`);
  if (access.isInbox) throw new ListRuleError(`The Inbox cannot be ${action}d`);
  throw new Error(`the ${action} changed no row`);
}

/**
 * Renames the caller's own list (not the Inbox).
 *
 * @example const list = await renameList(db, owner, listId, 'Weekend')
 */
export async function renameList(db: Kysely<DB>, owner: Owner, listId: string, name: string): Promise<List> {
  const row = await db
    .updateTable('lists')
    .set({ name })
    .where('id', '=', listId)
    .where('owner_id', '=', owner)
    .where('is_inbox', '=', false)
    .returning('id')
    .executeTakeFirst();
  if (!row) return refuseManaging(db, owner, listId, 'rename');
  return getList(db, owner, listId);
}

/**
 * Deletes the caller's own list (not the Inbox), its todos, members and invites with it.
 *
 * @example await deleteList(db, owner, listId)
 */
export async function deleteList(db: Kysely<DB>, owner: Owner, listId: string): Promise<void> {
  const result = await db
    .deleteFrom('lists')
    .where('id', '=', listId)
    .where('owner_id', '=', owner)
    .where('is_inbox', '=', false)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) await refuseManaging(db, owner, listId, 'delete');
}

/**
 * Puts the list right after `afterId` in the caller's own order of their lists (`null`: first,
 * after the Inbox, which always leads), writing the caller's one membership row, as moveTodo
 * does for todos: the midpoint of its new neighbours, renumbering the caller's lists 1, 2, 3…
 * when a gap runs out. Under the caller's lock, which every change of their lists' order takes.
 *
 * @example const list = await moveList(db, owner, listId, previousListId)
 */
export async function moveList(
  db: Kysely<DB>,
  owner: Owner,
  listId: string,
  afterId: string | null,
): Promise<List> {
  const access = await listAccess(db, owner, listId);
  if (!access) throw new NotFoundError('list');
  if (access.isInbox) throw new ListRuleError('The Inbox is always first');
  if (afterId === listId) return getList(db, owner, listId);
  if (afterId !== null && !(await listAccess(db, owner, afterId))) throw new NotFoundError('list');
  await sql`select todo_changes_lock(${owner}::uuid)`.execute(db);
  const mine = sql`select position from list_members where user_id = ${owner}::uuid`;
  for (let renumbered = false; ; renumbered = true) {
    const { rows } = await sql<{ before: number | null; after: number | null }>`
      with anchor as (${mine} and list_id = ${afterId}::uuid)
      select (select position from anchor) as before,
        (${mine} and list_id <> ${listId}::uuid
          and position > coalesce((select position from anchor), '-infinity')
          order by position limit 1) as after`.execute(db);
    const before = rows[0]?.before ?? null;
    const after = rows[0]?.after ?? null;
    // After the anchor and before the next; or one below the first; or one above the last.
    let position = before === null ? (after ?? 2) - 1 : before + 1;
    if (before !== null && after !== null) {
      position = (before + after) / 2;
      if (!(before < position && position < after)) {
        if (renumbered) throw new Error('no room between two positions, even after renumbering');
        await sql`
          update list_members set position = ordered.n
          from (select list_id, row_number() over (order by position) as n from list_members
                where user_id = ${owner}::uuid) as ordered
          where list_members.user_id = ${owner}::uuid and list_members.list_id = ordered.list_id`.execute(db);
        continue;
      }
    }
    await db
      .updateTable('list_members')
      .set({ position })
      .where('user_id', '=', owner)
      .where('list_id', '=', listId)
      .execute();
    return getList(db, owner, listId);
  }
}

/** A list as an import file names it. */
export type ImportedList = { name: string; isInbox: boolean };

/**
 * The caller's own list for each list of an import file, made when missing: the Inbox for the
 * Inbox, else the first of their lists with that name, else a new one. Answers their ids in the
 * file's order. ListRuleError when making them would pass MAX_OWNED_LISTS.
 *
 * @example const [inboxId, groceriesId] = await ownListsNamed(db, owner, [{ name: 'Inbox', isInbox: true }, { name: 'Groceries', isInbox: false }])
 */
export async function ownListsNamed(
  db: Kysely<DB>,
  owner: Owner,
  lists: readonly ImportedList[],
): Promise<string[]> {
  const { rows: mine } = await sql<{ id: string; name: string; is_inbox: boolean }>`
    select l.id, l.name, l.is_inbox from lists l join list_members m on m.list_id = l.id and m.user_id = l.owner_id
    where l.owner_id = ${owner}::uuid order by m.position`.execute(db);
  const ids: string[] = [];
  for (const list of lists) {
    const found = mine.find((row) => (list.isInbox ? row.is_inbox : !row.is_inbox && row.name === list.name));
    if (found) {
      ids.push(found.id);
      continue;
    }
    const made = await createList(db, owner, list.name);
    mine.push({ id: made.id, name: made.name, is_inbox: false });
    ids.push(made.id);
  }
  return ids;
}
