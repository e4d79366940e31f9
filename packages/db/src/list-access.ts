/**
 * Who may do what in a list, as the app's own queries say it (row-level security says it again,
 * migrations/0015): a member reads, an owner or editor writes, the owner manages. The SQL pieces
 * every list and todo query filters by, and the errors a refusal throws, which the API turns
 * into its codes (NOT_FOUND, FORBIDDEN, BAD_REQUEST).
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Owner } from './caller.ts';
import type { DB } from './schema.ts';

export const LIST_ROLES = ['owner', 'editor', 'viewer'] as const;
export type ListRole = (typeof LIST_ROLES)[number];
/** The roles an invite or the owner may give: there is one owner, the list's maker. */
export const MEMBER_ROLES = ['editor', 'viewer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** A list named by id, or `undefined`/`null` for the caller's Inbox. */
export type ListRef = string | null | undefined;

/**
 * A list that does not exist, or whose caller is not a member: the two are one answer, so that
 * nobody learns which lists exist. Also a todo, invite or member the caller cannot see.
 */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
  constructor(readonly what: 'list' | 'todo' | 'invite' | 'member') {
    super(`${what[0]?.toUpperCase()}${what.slice(1)} not found`);
  }
}

/** The caller sees the list but their role does not allow this (a viewer's write, a non-owner managing). */
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}

/** A rule of lists says no: the Inbox's, a limit's, an invite's. Said in words for the caller. */
export class ListRuleError extends Error {
  override name = 'ListRuleError';
}

/** The id of the caller's Inbox, as an SQL expression (a scalar subquery). */
export const inboxOf = (owner: Owner) =>
  sql<string>`(select id from lists where owner_id = ${owner}::uuid and is_inbox)`;

/** The list `list` names, or the caller's Inbox, as an SQL expression. */
export const listIdOf = (owner: Owner, list: ListRef): RawBuilder<string> =>
  list ? sql<string>`${list}::uuid` : inboxOf(owner);

/**
 * The list, as an SQL expression, when the caller is a member of it (with one of `roles`, when
 * given); else null, which no `list_id` equals. One scalar subquery: the planner runs it once
 * and looks the list's rows up by its value in the (list_id, …) indexes.
 */
export function memberListOf(owner: Owner, list: ListRef, roles?: readonly ListRole[]): RawBuilder<string> {
  const role = roles ? sql` and role in (${sql.join(roles)})` : sql``;
  return sql<string>`(select list_id from list_members where user_id = ${owner}::uuid and list_id = ${listIdOf(owner, list)}${role})`;
}

/**
 * True when the caller is a member of the list `listId` (with one of `roles`, when given): a
 * condition that does not depend on the row, which PostgreSQL checks once per statement.
 */
export function isMember(owner: Owner, listId: string, roles?: readonly ListRole[]): RawBuilder<boolean> {
  const role = roles ? sql` and role in (${sql.join(roles)})` : sql``;
  return sql<boolean>`exists (select from list_members where user_id = ${owner}::uuid and list_id = ${listId}::uuid${role})`;
}

/** The lists the caller may read (any role) or write (owner, editor), as an SQL subquery. */
export const memberLists = (owner: Owner, roles?: readonly ListRole[]) =>
  roles
    ? sql<string>`(select list_id from list_members where user_id = ${owner}::uuid and role in (${sql.join(roles)}))`
    : sql<string>`(select list_id from list_members where user_id = ${owner}::uuid)`;

export const WRITERS: readonly ListRole[] = ['owner', 'editor'];

/**
 * The caller's role in the list (their Inbox when `list` is null), and its id; undefined when
 * they are not a member or it does not exist.
 *
 * @example const access = await listAccess(db, owner, listId); // { listId, role: 'editor' }
 */
export async function listAccess(
  db: Kysely<DB>,
  owner: Owner,
  list: ListRef,
): Promise<{ listId: string; role: ListRole; isInbox: boolean } | undefined> {
  const { rows } = await sql<{ list_id: string; role: ListRole; is_inbox: boolean }>`
    select m.list_id, m.role, l.is_inbox from list_members m join lists l on l.id = m.list_id
    where m.user_id = ${owner}::uuid and m.list_id = ${listIdOf(owner, list)}`.execute(db);
  const row = rows[0];
  return row && { listId: row.list_id, role: row.role, isInbox: row.is_inbox };
}

/**
 * Throws why a write to the list was refused: NotFoundError when the caller is not a member
 * (or there is no such list), ForbiddenError when they only read it. For after a write that
 * changed nothing; a caller who may write gets nothing thrown.
 */
export async function assertWritable(db: Kysely<DB>, owner: Owner, list: ListRef): Promise<void> {
  const access = await listAccess(db, owner, list);
  if (!access) throw new NotFoundError('list');
  if (!WRITERS.includes(access.role))
    throw new ForbiddenError('Viewers of this list cannot change its todos');
}
