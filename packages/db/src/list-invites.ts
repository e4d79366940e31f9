/**
 * Invites to a list: the owner invites an email with a role; the invite's token goes out only
 * in a mail, and the database keeps its sha-256. The token is good once, for 7 days, and only
 * for the account whose verified email the invite names (accept_list_invite, migration 0015).
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Owner } from './caller.ts';
import { ForbiddenError, ListRuleError, type MemberRole, NotFoundError } from './list-access.ts';
import { assertOwner, MAX_LIST_MEMBERS } from './list-members.ts';
import { getList, type List } from './lists.ts';
import type { DB } from './schema.ts';

/** The most invites a list has pending (migration 0015 counts them too). */
export const MAX_PENDING_INVITES = 20;

/** What the invite mail needs: the token (nowhere else), and the names it shows. */
export type CreatedInvite = { inviteId: string; token: string; listName: string; inviterName: string };

/** What an invite page shows of a live invite. */
export type InvitePreview = {
  list: { name: string };
  invitedBy: { name: string };
  role: MemberRole;
  email: string;
};

/** An invite addressed to the caller's verified email. */
export type IncomingInvite = {
  id: string;
  list: { name: string };
  invitedBy: { name: string };
  role: MemberRole;
  expiresAt: string;
};

/** The sha-256 (hex) of a token: what the database keeps and looks it up by. */
export const hashInviteToken = (token: string) => createHash('sha256').update(token).digest('hex');

// Raised by migration 0015's trigger past the limit.
const isInviteLimit = (error: unknown) => (error as { code?: unknown } | null)?.code === 'TL003';

/**
 * Invites `email` (lower-cased) to the caller's own list with `role`, replacing a pending invite
 * of the same address. Refused for an Inbox, an address already a member, a full list, and past
 * MAX_PENDING_INVITES.
 *
 * @example const { inviteId, token } = await createInvite(db, owner, { listId, email: 'ada@example.com', role: 'editor' })
 */
export async function createInvite(
  db: Kysely<DB>,
  owner: Owner,
  input: { listId: string; email: string; role: MemberRole },
): Promise<CreatedInvite> {
  const access = await assertOwner(db, owner, input.listId, 'invite people');
  if (access.isInbox) throw new ListRuleError('The Inbox cannot be shared');
  const email = input.email.toLowerCase();
  const { rows } = await sql<{ members: number | string; is_member: boolean }>`
    select count(*) as members, coalesce(bool_or(lower(u.email) = ${email}), false) as is_member
    from list_members m join users u on u.id = m.user_id where m.list_id = ${input.listId}::uuid`.execute(db);
  if (rows[0]?.is_member) throw new ListRuleError(`${email} is already a member of this list`);
  if (Number(rows[0]?.members) >= MAX_LIST_MEMBERS) {
    throw new ListRuleError(`A list has at most ${MAX_LIST_MEMBERS} members`);
  }
  await db
    .deleteFrom('list_invites')
    .where('list_id', '=', input.listId)
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .execute();
  const token = randomBytes(32).toString('base64url');
  const { rows: made } = await sql<{ id: string; list_name: string; inviter_name: string }>`
    with invite as (
      insert into list_invites (list_id, email, role, token_hash, invited_by)
      values (${input.listId}::uuid, ${email}, ${input.role}, ${hashInviteToken(token)}, ${owner}::uuid)
      returning id
    )
    select invite.id, l.name as list_name, u.name as inviter_name
    from invite, lists l, users u where l.id = ${input.listId}::uuid and u.id = ${owner}::uuid`
    .execute(db)
    .catch((error: unknown) => {
      if (isInviteLimit(error)) {
        throw new ListRuleError(`A list has at most ${MAX_PENDING_INVITES} pending invites`);
      }
      throw error;
    });
  const row = made[0];
  if (!row) throw new Error('the invite was not made');
  return { inviteId: row.id, token, listName: row.list_name, inviterName: row.inviter_name };
}

/**
 * Revokes a pending invite of a list the caller owns; NotFoundError for any other (nobody else
 * sees a list's invites).
 *
 * @example await revokeInvite(db, owner, inviteId)
 */
export async function revokeInvite(db: Kysely<DB>, owner: Owner, inviteId: string): Promise<void> {
  const result = await db
    .deleteFrom('list_invites')
    .where('id', '=', inviteId)
    .where('accepted_at', 'is', null)
    .where('list_id', 'in', (eb) => eb.selectFrom('lists').select('id').where('owner_id', '=', owner))
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw new NotFoundError('invite');
}

/**
 * What the live invite with this token shows: the list's and the inviter's names, the role and
 * the address it is for. NotFoundError for an unknown, used or expired token.
 *
 * @example const { list, invitedBy } = await previewInvite(db, token)
 */
export async function previewInvite(db: Kysely<DB>, token: string): Promise<InvitePreview> {
  const { rows } = await sql<{ list_name: string; inviter_name: string; role: MemberRole; email: string }>`
    select list_name, inviter_name, role, email from list_invite_preview(${hashInviteToken(token)})`.execute(
    db,
  );
  const row = rows[0];
  if (!row) throw new NotFoundError('invite');
  return {
    list: { name: row.list_name },
    invitedBy: { name: row.inviter_name },
    role: row.role,
    email: row.email,
  };
}

/**
 * The caller joins the list with the invite's role, and the token is used up. NotFoundError for
 * an unknown, used or expired token; ForbiddenError unless the invite names the caller's email;
 * ListRuleError for a full list. Already a member: the list as it is. An unverified address is
 * verified by it: the token was mailed there.
 *
 * @example const list = await acceptInvite(db, owner, token)
 */
export async function acceptInvite(db: Kysely<DB>, owner: Owner, token: string): Promise<List> {
  const { rows } = await sql<{ outcome: string; list_id: string | null }>`
    select outcome, list_id from accept_list_invite(${hashInviteToken(token)})`.execute(db);
  const { outcome, list_id: listId } = rows[0] ?? { outcome: 'not_found', list_id: null };
  if ((outcome === 'joined' || outcome === 'member') && listId) return getList(db, owner, listId);
  if (outcome === 'other_email') throw new ForbiddenError('This invite is for another email address');
  if (outcome === 'full')
    throw new ListRuleError(`This list has ${MAX_LIST_MEMBERS} members, the most it may have`);
  throw new NotFoundError('invite');
}

/**
 * The live invites addressed to the caller's email, while it is verified (none otherwise).
 *
 * @example const invites = await pendingInvites(db)
 */
export async function pendingInvites(db: Kysely<DB>): Promise<IncomingInvite[]> {
  const { rows } = await sql<{
    id: string;
    list_name: string;
    inviter_name: string;
    role: MemberRole;
    expires_at: Date | string;
  }>`select id, list_name, inviter_name, role, expires_at from pending_list_invites()`.execute(db);
  return rows.map((row) => ({
    id: row.id,
    list: { name: row.list_name },
    invitedBy: { name: row.inviter_name },
    role: row.role,
    expiresAt: new Date(row.expires_at).toISOString(),
  }));
}

/** Invites an account may send per hour (migration 0015's take_list_invite_quota counts them). */
export const INVITES_PER_HOUR = 30;

/**
 * Counts one invite against the caller's hourly quota: null when it is allowed, else how many
 * seconds until the next one is.
 *
 * @example const retryAfter = await takeInviteQuota(db); // null, or 1234
 */
export async function takeInviteQuota(db: Kysely<DB>, perHour = INVITES_PER_HOUR): Promise<number | null> {
  const { rows } = await sql<{ wait: number }>`
    select take_list_invite_quota(${perHour}::int, interval '1 hour') as wait`.execute(db);
  const wait = Number(rows[0]?.wait ?? 0);
  return wait > 0 ? wait : null;
}
