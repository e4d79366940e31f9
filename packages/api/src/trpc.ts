/**
 * The one framework file of the API: what a procedure can see (the context), how errors look
 * on the wire, and the two kinds of procedure. Feature routers import `router`,
 * `authedProcedure` and nothing else from here.
 */
import { type DB, withUserScope } from '@todo/db';
import { initTRPC, TRPCError } from '@trpc/server';
import type { Kysely, Transaction } from 'kysely';
import { ZodError, z } from 'zod';
import { type BearerSession, withSessionScope } from './session.ts';

/**
 * Everything a procedure may use. `resolveUserId` is lazy so that a public procedure costs no
 * session lookup, and so that the same router runs behind HTTP (cookie or bearer token,
 * resolved by Better Auth) and in-process through `createCaller` (a known user id).
 */
export type Context = {
  db: Kysely<DB>;
  resolveUserId: () => Promise<string | null>;
  /**
   * Set for a request authenticated by `Authorization: Bearer` alone: the token, checked by
   * the same statement that opens the user's scope (session.ts) instead of by `resolveUserId`;
   * null when the header holds a token that can never be valid (a wrong signature).
   */
  bearerSession?: BearerSession | null;
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
 * Runs `fn` in a transaction scoped to the caller, or answers null when there is no live
 * session. A bearer token is checked by the statement that opens the scope (one statement
 * instead of two lookups); a cookie session, or an in-process caller, is resolved first.
 */
async function withCallerScope<T>(
  ctx: Context,
  fn: (trx: Transaction<DB>, userId: string) => Promise<T>,
): Promise<{ value: T } | null> {
  if (ctx.bearerSession !== undefined) {
    return ctx.bearerSession ? withSessionScope(ctx.db, ctx.bearerSession, fn) : null;
  }
  const userId = await ctx.resolveUserId();
  if (!userId) return null;
  return { value: await withUserScope(ctx.db, userId, (trx) => fn(trx, userId)) };
}

/**
 * Refuses callers without a live session and hands the rest their `userId`, with `ctx.db`
 * replaced by a transaction scoped to that user: it runs as the application role with
 * row-level security on (migrations/0004), so even a query that forgot its
 * `where user_id = …` cannot reach another user's rows. The procedure's error is rethrown
 * inside the transaction so that a failed mutation rolls back, then handed on unchanged.
 */
export const authedProcedure = t.procedure.use(async ({ ctx, next }) => {
  const proceed = (db: Kysely<DB>, userId: string) => next({ ctx: { userId, db } });
  let result: Awaited<ReturnType<typeof proceed>> | undefined;
  let scoped: { value: unknown } | null;
  try {
    scoped = await withCallerScope(ctx, async (db, userId) => {
      result = await proceed(db, userId);
      if (!result.ok) throw result.error;
    });
  } catch (error) {
    if (result && !result.ok && error === result.error) return result;
    throw error;
  }
  if (!scoped || !result) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });
  }
  return result;
});
