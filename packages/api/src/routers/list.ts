/**
 * The list procedures (`list.*`): making, renaming, ordering and deleting lists, their members,
 * and invites by mail. Each is a named procedure below, and `listRouter` lists them under the
 * names clients call.
 */
import {
  createInvite,
  createList,
  deleteList,
  leaveList,
  listLists,
  listMembers,
  MEMBER_ROLES,
  moveList,
  removeMember,
  renameList,
  revokeInvite,
  setMemberRole,
  takeInviteQuota,
} from '@todo/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { listInviteMail } from '../invite-mail.ts';
import { authedProcedure, router } from '../trpc.ts';
import { listId, listName } from './fields.ts';

const userId = z.uuid({ error: 'must be a user id (uuid)' });
const role = z.enum(MEMBER_ROLES, { error: 'must be editor or viewer' });
const email = z.email({ error: 'must be an email address' }).max(320, 'must be at most 320 characters');
/** The list a call is about, by its id. */
const theList = z.strictObject({ id: listId });

/** How long an invite's link works (list_invites.expires_at, migration 0015). */
const INVITE_DAYS = 7;

const allProcedure = authedProcedure.query(async ({ ctx }) => ({
  lists: await listLists(ctx.db, ctx.owner),
}));

const createProcedure = authedProcedure
  .input(z.strictObject({ name: listName }))
  .mutation(({ ctx, input }) => createList(ctx.db, ctx.owner, input.name));

const renameProcedure = authedProcedure
  .input(z.strictObject({ id: listId, name: listName }))
  .mutation(({ ctx, input }) => renameList(ctx.db, ctx.owner, input.id, input.name));

const deleteProcedure = authedProcedure.input(theList).mutation(async ({ ctx, input }) => {
  await deleteList(ctx.db, ctx.owner, input.id);
  return { id: input.id };
});

const moveProcedure = authedProcedure
  .input(z.strictObject({ id: listId, afterId: listId.nullable() }))
  .mutation(({ ctx, input }) => moveList(ctx.db, ctx.owner, input.id, input.afterId));

const membersProcedure = authedProcedure
  .input(theList)
  .query(({ ctx, input }) => listMembers(ctx.db, ctx.owner, input.id));

/**
 * Invites `email` to the list as `role`: refused when this server sends no mail, or past the
 * account's invite quota; the mail with the link goes out once the invite is committed.
 */
const inviteProcedure = authedProcedure
  .input(z.strictObject({ id: listId, email, role }))
  .mutation(async ({ ctx, input }) => {
    const { mail } = ctx;
    if (!mail) {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: 'This server cannot send mail, so it sends no invites',
      });
    }
    const wait = await takeInviteQuota(ctx.db);
    if (wait !== null) {
      const minutes = Math.ceil(wait / 60);
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `Too many invites from this account: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
      });
    }
    const invite = await createInvite(ctx.db, ctx.owner, {
      listId: input.id,
      email: input.email,
      role: input.role,
    });
    const link = `${mail.publicUrl}/invite/${invite.token}`;
    const message = listInviteMail({
      ...invite,
      to: input.email.toLowerCase(),
      role: input.role,
      link,
      expiresInDays: INVITE_DAYS,
    });
    ctx.afterCommit(() => mail.send(message));
    return { inviteId: invite.inviteId };
  });

const revokeInviteProcedure = authedProcedure
  .input(z.strictObject({ inviteId: z.uuid({ error: 'must be an invite id (uuid)' }) }))
  .mutation(async ({ ctx, input }) => {
    await revokeInvite(ctx.db, ctx.owner, input.inviteId);
    return { inviteId: input.inviteId };
  });

const setRoleProcedure = authedProcedure
  .input(z.strictObject({ id: listId, userId, role }))
  .mutation(({ ctx, input }) => setMemberRole(ctx.db, ctx.owner, input.id, input.userId, input.role));

const removeMemberProcedure = authedProcedure
  .input(z.strictObject({ id: listId, userId }))
  .mutation(async ({ ctx, input }) => {
    await removeMember(ctx.db, ctx.owner, input.id, input.userId);
    return { userId: input.userId };
  });

const leaveProcedure = authedProcedure.input(theList).mutation(async ({ ctx, input }) => {
  await leaveList(ctx.db, ctx.owner, input.id);
  return { id: input.id };
});

export const listRouter = router({
  all: allProcedure,
  create: createProcedure,
  rename: renameProcedure,
  delete: deleteProcedure,
  move: moveProcedure,
  members: membersProcedure,
  invite: inviteProcedure,
  revokeInvite: revokeInviteProcedure,
  setRole: setRoleProcedure,
  removeMember: removeMemberProcedure,
  leave: leaveProcedure,
});
