/**
 * The one framework file of the API: what a procedure can see (the context), how errors look
 * on the wire, and the two kinds of procedure. Feature routers import `router`,
 * `authedProcedure` and nothing else from here.
 */
import { type DB, withUserScope } from '@todo/db';
import { initTRPC, TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import { ZodError, z } from 'zod';

/**
 * Everything a procedure may use. `resolveUserId` is lazy so that a public procedure costs no
 * session lookup, and so that the same router runs behind HTTP (cookie or bearer token,
 * resolved by Better Auth) and in-process through `createCaller` (a known user id).
 */
export type Context = {
  db: Kysely<DB>;
  resolveUserId: () => Promise<string | null>;
  /** Production hides internal error messages; development shows them to help debugging. */
  exposeInternalErrors: boolean;
};

/** The context for in-process calls: no HTTP, no cookie, just who is calling. */
export function createInnerContext(options: {
  db: Kysely<DB>;
  userId: string | null;
  exposeInternalErrors?: boolean;
}): Context {
  return {
    db: options.db,
    resolveUserId: async () => options.userId,
    exposeInternalErrors: options.exposeInternalErrors ?? true,
  };
}

const t = initTRPC.context<Context>().create({
  // No data transformer: the wire format is plain JSON that any client can read; dates are
  // ISO strings by contract (docs/decisions).
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const zodError = error.cause instanceof ZodError ? z.flattenError(error.cause) : null;
    // Anything unexpected (a driver error, a bug) must not leak SQL, stack or driver text.
    const hide = error.code === 'INTERNAL_SERVER_ERROR' && !ctx?.exposeInternalErrors;
    const message = zodError
      ? (error.cause as ZodError).issues
          .map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`)
          .join('; ')
      : hide
        ? 'Internal server error'
        : shape.message;
    return {
      message,
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        zodError,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

/**
 * Refuses callers without a live session and hands the rest their `userId`, with `ctx.db`
 * replaced by a transaction scoped to that user: it runs as the application role with
 * row-level security on (migrations/0004), so even a query that forgot its
 * `where user_id = …` cannot reach another user's rows. The procedure's error is rethrown
 * inside the transaction so that a failed mutation rolls back, then handed on unchanged.
 */
export const authedProcedure = t.procedure.use(async ({ ctx, next }) => {
  const userId = await ctx.resolveUserId();
  if (!userId) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });
  }
  const proceed = (db: Kysely<DB>) => next({ ctx: { userId, db } });
  let result: Awaited<ReturnType<typeof proceed>> | undefined;
  try {
    await withUserScope(ctx.db, userId, async (db) => {
      result = await proceed(db);
      if (!result.ok) throw result.error;
    });
  } catch (error) {
    if (result && !result.ok && error === result.error) return result;
    throw error;
  }
  return result as NonNullable<typeof result>;
});
