/**
 * Who is in a list, and the owner's say over it: a member sees the members, the owner also the
 * pending invites; the owner changes a member's role or removes them; a member leaves.
 */
import { type Kysely, sql } from 'kysely';
import type { Owner } from './caller.ts';
import {
  ForbiddenError,
  type ListRole,
  ListRuleError,
  listAccess,
  type MemberRole,
  NotFoundError,
} from './list-access.ts';
import type { DB } from './schema.ts';

export type ListMember = { userId: string; name: string; email: string; role: ListRole };
export type PendingInvite = { id: string; email: string; role: MemberRole; expiresAt: string };

/** The most members a list has, its owner included (accept_list_invite, migration 0015, holds to it). */
export const MAX_LIST_MEMBERS = 50;

/**
 * The list's members, owner first, then by when they joined; and, for its owner only, the
 * invites still pending. NotFoundError when the caller is not a member.
 *
 * @example const { members, invites } = await listMembers(db, owner, listId)
 */
export async function listMembers(
  db: Kysely<DB>,
  owner: Owner,
  listId: string,
): Promise<{ members: ListMember[]; invites: PendingInvite[] }> {
  const access = await listAccess(db, owner, listId);
  if (!access) throw new NotFoundError('list');
  const { rows } = await sql<ListMember>`
    select m.user_id as "userId", u.name, u.email, m.role from list_members m join users u on u.id = m.user_id
    where m.list_id = ${listId}::uuid
    order by m.role = 'owner' desc, m.added_at, m.user_id`.execute(db);
  if (access.role !== 'owner') return { members: rows, invites: [] };
  const invites = await db
    .selectFrom('list_invites')
    .select(['id', 'email', 'role', 'expires_at'])
    .where('list_id', '=', listId)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return {
    members: rows,
    invites: invites.map((invite) => ({
      id: invite.id,
      email: invite.email,
      role: invite.role as MemberRole,
      expiresAt: invite.expires_at.toISOString(),
    })),
  };
}

/**
 * Throws unless the caller owns the list: NotFoundError when they are not a member, ForbiddenError
 * when they are one but not its owner. `action` says what they tried, in words.
 */
export async function assertOwner(db: Kysely<DB>, owner: Owner, listId: string, action: string) {
  const access = await listAccess(db, owner, listId);
  if (!access) throw new NotFoundError('list');
  if (access.role !== 'owner') throw new ForbiddenError(`Only the list's owner can ${action}`);
  return access;
}

/**
 * Gives a member of the caller's own list another role, editor or viewer. NotFoundError for a
 * user who is not a member; ListRuleError for the owner themself, whose role is fixed.
 *
 * @example await setMemberRole(db, owner, listId, userId, 'viewer')
 */
export async function setMemberRole(
  db: Kysely<DB>,
  owner: Owner,
  listId: string,
  userId: string,
  role: MemberRole,
): Promise<{ userId: string; role: MemberRole }> {
  await assertOwner(db, owner, listId, "change a member's role");
  const row = await db
    .updateTable('list_members')
    .set({ role })
    .where('list_id', '=', listId)
    .where('user_id', '=', userId)
    .where('role', '<>', 'owner')
    .returning('user_id')
    .executeTakeFirst();
  if (!row) await refuseOnMember(db, listId, userId, "The owner's role cannot change");
  return { userId, role };
}

/**
 * Takes a member out of the caller's own list; they see nothing of it from then on.
 *
 * @example await removeMember(db, owner, listId, userId)
 */
export async function removeMember(
  db: Kysely<DB>,
  owner: Owner,
  listId: string,
  userId: string,
): Promise<void> {
  await assertOwner(db, owner, listId, 'remove a member');
  const result = await db
    .deleteFrom('list_members')
    .where('list_id', '=', listId)
    .where('user_id', '=', userId)
    .where('role', '<>', 'owner')
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) {
    await refuseOnMember(db, listId, userId, 'The owner cannot be removed; delete the list instead');
  }
}

/** After a change to `userId`'s membership changed nothing: they are the owner, or no member. */
async function refuseOnMember(db: Kysely<DB>, listId: string, userId: string, ownerMessage: string) {
  const member = await db
    .selectFrom('list_members')
    .select('role')
    .where('list_id', '=', listId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (member?.role === 'owner') throw new ListRuleError(ownerMessage);
  throw new NotFoundError('member');
}

/**
 * The caller leaves a list someone else owns. Not their Inbox, nor a list of their own, which
 * they delete instead.
 *
 * @example await leaveList(db, owner, listId)
 */
export async function leaveList(db: Kysely<DB>, owner: Owner, listId: string): Promise<void> {
  const access = await listAccess(db, owner, listId);
  if (!access) throw new NotFoundError('list');
  if (access.isInbox) throw new ListRuleError('Nobody leaves their Inbox');
  if (access.role === 'owner')
    throw new ListRuleError('The owner cannot leave their list; delete it instead');
  await db.deleteFrom('list_members').where('list_id', '=', listId).where('user_id', '=', owner).execute();
}
