/**
 * The one framework file of the API: what a procedure can see (the context), how errors look
 * on the wire, and the two kinds of procedure. Feature routers import `router`,
 * `authedProcedure` and nothing else from here.
 */
import {
  type Caller,
  type CallerDatabase,
  type ChangeFeed,
  callerDatabase,
  changeLogHead,
  type DB,
  NoSessionError,
  type Owner,
} from '@todo/db';
import { initTRPC, TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import { ZodError, z } from 'zod';

/**
 * Everything a procedure may use: the database as callers see it (packages/db caller.ts), and
 * who is calling. `caller` is lazy, so a request that never reaches a procedure costs no
 * session lookup, and the same router runs behind HTTP (a cookie or a bearer token) and
 * in-process through `createCaller` (a known user id).
 */
export type Context = {
  db: CallerDatabase;
  caller: () => Promise<Caller | null>;
  /** Production hides internal error messages; development shows them to help debugging. */
  exposeInternalErrors: boolean;
  /** Live sync, which only the HTTP server has; null refuses subscriptions. */
  live: Live | null;
};

/**
 * What event streams need: this process's change feed, and how often an open stream checks
 * that its session still lives (it closes within this of the session's end).
 */
export type Live = { feed: ChangeFeed; sessionCheckMs: number };

/** In-process calls don't check sessions, so the policy for sliding them is never used. */
const NO_SESSIONS = { expiresInSeconds: 0, updateAgeSeconds: 0 };

/** The context for in-process calls: no HTTP, no cookie, just who is calling. */
export function createInnerContext(options: {
  db: Kysely<DB>;
  userId: string | null;
  exposeInternalErrors?: boolean;
}): Context {
  const caller = options.userId ? { userId: options.userId } : null;
  return {
    db: callerDatabase({ db: options.db, pgPool: null }, NO_SESSIONS),
    caller: async () => caller,
    exposeInternalErrors: options.exposeInternalErrors ?? true,
    live: null,
  };
}

const t = initTRPC.context<Context>().create({
  // No data transformer: the wire format is plain JSON that any client can read; dates are
  // ISO strings by contract (docs/decisions).
  isDev: false,
  // Event streams (todo.changes): a ping every 15 s keeps an idle stream alive through proxies
  // that cut silent connections, and tells the client to reconnect after 40 s without one.
  sse: {
    ping: { enabled: true, intervalMs: 15_000 },
    client: { reconnectAfterInactivityMs: 40_000 },
  },
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

const unauthorized = () => new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });

/**
 * Refuses callers without a live session and runs the rest of the procedure as one transaction
 * acting as the caller: `ctx.db` is that transaction, under row-level security, so even a query
 * that forgot its `where user_id = …` cannot reach another user's rows, and `ctx.owner` names
 * the caller to the queries. A failed mutation rolls back; tRPC answers its error unchanged. A
 * query runs read-only: PostgreSQL refuses it any write.
 */
export const authedProcedure = t.procedure.use(async ({ ctx, next, type }) => {
  const caller = await ctx.caller();
  if (!caller) throw unauthorized();
  const proceed = (db: Kysely<DB>, owner: Owner) => next({ ctx: { db, owner } });
  let failed: Awaited<ReturnType<typeof proceed>> | undefined;
  try {
    const run = async (db: Kysely<DB>, owner: Owner) => {
      const result = await proceed(db, owner);
      if (result.ok) return result;
      failed = result;
      throw result.error; // rolls the transaction back
    };
    return await ctx.db.as(caller, run, { readOnly: type === 'query' });
  } catch (error) {
    if (error instanceof NoSessionError) throw unauthorized();
    if (failed) return failed;
    throw error;
  }
});

/** Who an open stream acts as, whose events it carries, and the newest event when it opened. */
type StreamCaller = { caller: Caller; userId: string; lastId: string };

const openedStreams = new WeakMap<Context, Promise<StreamCaller>>();

async function openStream(ctx: Context): Promise<StreamCaller> {
  const found = await ctx.caller();
  if (!found) throw unauthorized();
  // A stream outlives its request, so it acts as its session token, which the database checks
  // again on every read: when the session ends, the stream's next read fails and it closes.
  const caller: Caller = found.sessionToken ? { sessionToken: found.sessionToken } : found;
  try {
    return { caller, ...(await ctx.db.as(caller, changeLogHead, { readOnly: true })) };
  } catch (error) {
    if (error instanceof NoSessionError) throw unauthorized();
    throw error;
  }
}

/**
 * Refuses callers without a live session, as `authedProcedure` does, for subscriptions: they
 * cannot run in one transaction. The subscription reads as `ctx.caller` itself, through
 * `ctx.db`. Opening is remembered per context, so the server can open a stream once to answer
 * 401 before the stream starts, and tRPC's adapter reuses it (apps/server trpc-handler.ts).
 */
export const streamProcedure = t.procedure.use(async ({ ctx, next }) => {
  let opened = openedStreams.get(ctx);
  if (!opened) {
    opened = openStream(ctx);
    openedStreams.set(ctx, opened);
  }
  const stream = await opened;
  const { live } = ctx;
  if (!live) {
    throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: 'Subscriptions need the HTTP server' });
  }
  return next({ ctx: { live, ...stream } });
});
