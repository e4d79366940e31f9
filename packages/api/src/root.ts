import type { DB } from '@todo/db';
import { getUserProfile } from '@todo/db';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import { accountRouter } from './routers/account.ts';
import { inviteRouter } from './routers/invite.ts';
import { listRouter } from './routers/list.ts';
import { todoRouter } from './routers/todo.ts';
import {
  authedProcedure,
  createCallerFactory,
  createInnerContext,
  type ProcedureMail,
  router,
} from './trpc.ts';

export const appRouter = router({
  me: authedProcedure.query(async ({ ctx }) => {
    const profile = await getUserProfile(ctx.db, ctx.owner);
    // The session outlived its user (deleted meanwhile): treat as signed out.
    if (!profile) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });
    return profile;
  }),
  todo: todoRouter,
  list: listRouter,
  invite: inviteRouter,
  account: accountRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

const callerFactory = createCallerFactory(appRouter);

/**
 * Calls the API in-process as a given user, with no HTTP: scripts, jobs, other services.
 *
 * @example
 * const api = createCaller({ db, userId });
 * const todo = await api.todo.create({ title: 'Write the report' });
 */
export function createCaller(options: { db: Kysely<DB>; userId: string | null; mail?: ProcedureMail }) {
  return callerFactory(createInnerContext(options));
}
