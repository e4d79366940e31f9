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
import { plainText } from '../user-name.ts';
import { listId, text } from './todo.ts';

const userId = z.uuid({ error: 'must be a user id (uuid)' });
// A list's name is shown to its members and mailed in invites: one line of plain text.
export const listName = text()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine(
    (value) => plainText(value) === value,
    'must be one line of plain text, without control characters',
  );
const role = z.enum(MEMBER_ROLES, { error: 'must be editor or viewer' });
const email = z.email({ error: 'must be an email address' }).max(320, 'must be at most 320 characters');

/** How long an invite's link works (list_invites.expires_at, migration 0015). */
const INVITE_DAYS = 7;

export const listRouter = router({
  all: authedProcedure.query(async ({ ctx }) => ({ lists: await listLists(ctx.db, ctx.owner) })),

  create: authedProcedure
    .input(z.strictObject({ name: listName }))
    .mutation(({ ctx, input }) => createList(ctx.db, ctx.owner, input.name)),

  rename: authedProcedure
    .input(z.strictObject({ id: listId, name: listName }))
    .mutation(({ ctx, input }) => renameList(ctx.db, ctx.owner, input.id, input.name)),

  delete: authedProcedure.input(z.strictObject({ id: listId })).mutation(async ({ ctx, input }) => {
    await deleteList(ctx.db, ctx.owner, input.id);
    return { id: input.id };
  }),

  move: authedProcedure
    .input(z.strictObject({ id: listId, afterId: listId.nullable() }))
    .mutation(({ ctx, input }) => moveList(ctx.db, ctx.owner, input.id, input.afterId)),

  members: authedProcedure
    .input(z.strictObject({ id: listId }))
    .query(({ ctx, input }) => listMembers(ctx.db, ctx.owner, input.id)),

  invite: authedProcedure
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
    }),

  revokeInvite: authedProcedure
    .input(z.strictObject({ inviteId: z.uuid({ error: 'must be an invite id (uuid)' }) }))
    .mutation(async ({ ctx, input }) => {
      await revokeInvite(ctx.db, ctx.owner, input.inviteId);
      return { inviteId: input.inviteId };
    }),

  setRole: authedProcedure
    .input(z.strictObject({ id: listId, userId, role }))
    .mutation(({ ctx, input }) => setMemberRole(ctx.db, ctx.owner, input.id, input.userId, input.role)),

  removeMember: authedProcedure
    .input(z.strictObject({ id: listId, userId }))
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx.db, ctx.owner, input.id, input.userId);
      return { userId: input.userId };
    }),

  leave: authedProcedure.input(z.strictObject({ id: listId })).mutation(async ({ ctx, input }) => {
    await leaveList(ctx.db, ctx.owner, input.id);
    return { id: input.id };
  }),
});
