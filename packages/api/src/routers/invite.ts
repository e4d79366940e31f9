import { acceptInvite, pendingInvites, previewInvite } from '@todo/db';
import { z } from 'zod';
import { authedProcedure, guestProcedure, router } from '../trpc.ts';

// What list.invite mails: 32 random bytes in base64url. Anything else is no token of ours.
const token = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be the token of an invite link');

export const inviteRouter = router({
  /** What an invite shows before it is accepted; to anyone holding its token, signed in or not. */
  get: guestProcedure
    .input(z.strictObject({ token }))
    .query(({ ctx, input }) => previewInvite(ctx.db, input.token)),

  accept: authedProcedure
    .input(z.strictObject({ token }))
    .mutation(({ ctx, input }) => acceptInvite(ctx.db, ctx.owner, input.token)),

  pending: authedProcedure.query(async ({ ctx }) => ({ invites: await pendingInvites(ctx.db) })),
});
