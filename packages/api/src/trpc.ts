/**
 * The one framework file of the API: what a procedure can see (the context), how errors look
 * on the wire, and the two kinds of procedure. Feature routers import `router`,
 * `authedProcedure` and nothing else from here.
 */
import {
  type Database,
  type DB,
  NoSessionError,
  type Owner,
  scopedOwner,
  sessionScope,
  withUserScope,
} from '@todo/db';
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
  /**
   * node-postgres only: the pool on which a bearer session is checked in the same round trip
   * as each statement (packages/db session-batch.ts) instead of in a transaction of its own.
   */
  pgPool?: Database['pgPool'];
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

const unauthorized = () => new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });

/**
 * Refuses callers without a live session and hands the rest their `owner`, with `ctx.db`
 * confined to that user: it runs as the application role with row-level security on
 * (migrations/0004), so even a query that forgot its `where user_id = …` cannot reach another
 * user's rows.
 *
 * On node-postgres, a bearer token is checked in the same round trip as each statement: the
 * check and the statement share one implicit transaction, and `owner` is `scopedOwner`, the
 * checked user as the statement itself sees it (session-batch.ts). A procedure whose
 * statements must succeed or fail together wraps them in `ctx.db.transaction()`. Otherwise
 * (PGlite, Neon, cookies, in-process calls) the whole procedure runs in one scoped
 * transaction, its error rethrown inside so that a failed mutation rolls back, then handed on
 * unchanged.
 */
export const authedProcedure = t.procedure.use(async ({ ctx, next }) => {
  const proceed = (db: Kysely<DB>, owner: Owner) => next({ ctx: { owner, db } });
  if (ctx.bearerSession && ctx.pgPool) {
    const scope = sessionScope(ctx.pgPool, ctx.bearerSession);
    const result = await proceed(scope.db, scopedOwner);
    if (!result.ok && result.error.cause instanceof NoSessionError) throw unauthorized();
    // Also when the procedure ran no statement (say, its input was refused): 401 comes first.
    if (!(await scope.finish())) throw unauthorized();
    return result;
  }
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
  if (!scoped || !result) throw unauthorized();
  return result;
});
