/**
 * The one framework file of the API: what a procedure can see (the context), how errors look
 * on the wire, and the three procedures that a feature router uses: `authedProcedure` for
 * queries and mutations, `guestProcedure` for the one query a stranger may make (an invite's
 * preview) and `streamProcedure` for the event stream. Each has one middleware, which also
 * answers a database that cannot be reached with 503. Feature routers import `router` and those
 * three, and nothing else from here.
 */
import {
  type Caller,
  type CallerDatabase,
  type ChangeFeed,
  callerDatabase,
  type DB,
  ForbiddenError,
  GUEST,
  isDatabaseUnavailable,
  ListRuleError,
  NoSessionError,
  NotFoundError,
  type Owner,
} from '@todo/db';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { initTRPC, TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import { ZodError, z } from 'zod';
import type { MailMessage } from './auth-mail.ts';

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
  /** The server's handle on this request's event stream: set for a `todo.changes` request only. */
  stream: StreamSlot | null;
  /** Mail that procedures send (invites); null where the server cannot send any. */
  mail: ProcedureMail | null;
};

/** How a procedure mails someone, and the app's own origin, which its links start with. */
export type ProcedureMail = { send(message: MailMessage): Promise<void>; publicUrl: string };

/**
 * What event streams share in a process: its change feed, and the share of the pool their
 * reads of the log may take (at most half of it, however many streams replay at once).
 */
export type Live = { feed: ChangeFeed; read<T>(fn: () => Promise<T>): Promise<T> };

/**
 * One event stream's place on the server (apps/server event-streams.ts), made for its request
 * before the procedure runs: the procedure opens it once, and the server ends it (the client
 * left, its session ended, it stopped reading, the server shuts down) by aborting `signal`.
 */
export type StreamSlot = {
  readonly signal: AbortSignal;
  /**
   * Finds the live session with this token, admits the stream under its account's cap, and
   * says whose log it carries and where that log stands. Throws UNAUTHORIZED without a live
   * session, TOO_MANY_REQUESTS past the cap.
   */
  open(sessionToken: string): Promise<{ userId: string; lastId: string }>;
};

/** In-process calls don't check sessions, so the policy for sliding them is never used. */
const NO_SESSIONS = { expiresInSeconds: 0, updateAgeSeconds: 0 };

/** The context for in-process calls: no HTTP, no cookie, just who is calling. */
export function createInnerContext(options: {
  db: Kysely<DB>;
  userId: string | null;
  exposeInternalErrors?: boolean;
  mail?: ProcedureMail;
}): Context {
  const caller = options.userId ? { userId: options.userId } : null;
  return {
    db: callerDatabase({ db: options.db, pgPool: null }, NO_SESSIONS),
    caller: async () => caller,
    exposeInternalErrors: options.exposeInternalErrors ?? true,
    live: null,
    stream: null,
    mail: options.mail ?? null,
  };
}

/**
 * What a procedure declares about itself. `oneStatement`: a mutation whose one write is one
 * statement, and whose other statements (if any) only read, to say why nothing was written. Each
 * of its statements then commits on its own, in the write that sends it (caller.ts
 * `commitEach`): one round trip instead of two, and its row locks held only while it runs.
 */
export type Meta = { oneStatement?: boolean };

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
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

/** What a caller is told while the database is away; the server answers it with `Retry-After`. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The server cannot reach its database; try again shortly';

/**
 * A call that fails because the database cannot be reached (packages/db unavailable.ts) is
 * `SERVICE_UNAVAILABLE` (503), "come back shortly", not a 500 that load balancers and clients
 * take for a bug. Its message is fixed, so no driver text leaves; the cause stays for the logs.
 * Each procedure's one middleware applies it to its outcome (a middleware of its own would be one
 * more step, and one more copy of the context, on every call).
 */
function unavailableAs503(error: unknown): unknown {
  if (error instanceof TRPCError && error.code === 'SERVICE_UNAVAILABLE') return error;
  if (!isDatabaseUnavailable(error)) return error;
  const cause = error instanceof TRPCError ? (error.cause ?? error) : error;
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: DATABASE_UNAVAILABLE_MESSAGE, cause });
}

/** Runs a procedure's middleware, answering a failure for want of the database with 503. */
async function availably<R extends { ok: true } | { ok: false; error: TRPCError }>(
  run: () => Promise<R>,
): Promise<R> {
  let result: R;
  try {
    result = await run();
  } catch (error) {
    throw unavailableAs503(error);
  }
  if (result.ok) return result;
  const error = unavailableAs503(result.error);
  if (error !== result.error) throw error;
  return result;
}

const unauthorized = () => new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });

/** The TRPCError code of each refusal the db package throws (list-access.ts). */
const REFUSALS: [new (...args: never[]) => Error, TRPC_ERROR_CODE_KEY][] = [
  [NotFoundError, 'NOT_FOUND'],
  [ForbiddenError, 'FORBIDDEN'],
  [ListRuleError, 'BAD_REQUEST'],
];

/**
 * A refusal from the database's rules (not a member, a viewer's write, the Inbox's rules, a
 * limit) as its TRPCError, with the words the db package chose; undefined for anything else.
 */
function refusalOf(error: TRPCError): TRPCError | undefined {
  const { cause } = error;
  const refusal = REFUSALS.find(([kind]) => cause instanceof kind);
  return refusal && cause ? new TRPCError({ code: refusal[1], message: cause.message, cause }) : undefined;
}

/** A middleware's result, with a refusal of the database's rules thrown as its TRPCError. */
function answeringRefusals<R extends { ok: true } | { ok: false; error: TRPCError }>(result: R): R {
  const refusal = result.ok ? undefined : refusalOf(result.error);
  if (refusal) throw refusal;
  return result;
}

/**
 * Refuses callers without a live session and runs the rest of the procedure as one transaction
 * acting as the caller: `ctx.db` is that transaction, under row-level security, so even a query
 * that forgot its membership condition cannot reach another user's rows, and `ctx.owner` names
 * the caller to the queries. A failed mutation rolls back; tRPC answers its error unchanged,
 * except that a mutation declared `oneStatement` (Meta) commits each statement on its own. A
 * query runs read-only: PostgreSQL refuses it any write. A refusal of the database's rules is
 * answered with its code (`answeringRefusals`). `ctx.afterCommit(fn)` runs `fn` once the
 * transaction has committed, never for one that rolled back: a mail about a write goes out only
 * when the write holds.
 */
export const authedProcedure = t.procedure.use(({ ctx, next, type, meta }) =>
  availably(async () => {
    const caller = await ctx.caller();
    if (!caller) throw unauthorized();
    const committed: (() => Promise<void>)[] = [];
    const afterCommit = (fn: () => Promise<void>) => {
      committed.push(fn);
    };
    const proceed = (db: Kysely<DB>, owner: Owner) => next({ ctx: { db, owner, afterCommit } });
    let failed: Awaited<ReturnType<typeof proceed>> | undefined;
    let result: Awaited<ReturnType<typeof proceed>>;
    try {
      const run = async (db: Kysely<DB>, owner: Owner) => {
        const outcome = await proceed(db, owner);
        if (outcome.ok) return outcome;
        failed = outcome;
        throw outcome.error; // rolls the transaction back
      };
      const readOnly = type === 'query';
      result = await ctx.db.as(caller, run, { readOnly, commitEach: meta?.oneStatement === true });
    } catch (error) {
      if (error instanceof NoSessionError) throw unauthorized();
      if (failed) return answeringRefusals(failed);
      throw error;
    }
    for (const fn of committed) await fn();
    return result;
  }),
);

/**
 * For anyone, signed in or not: one read-only transaction as a guest (packages/db caller.ts
 * GUEST), under which row-level security shows no row, so the procedure can only call the
 * database's functions made for strangers. `ctx.db` is that transaction. Refusals map to their
 * codes as for `authedProcedure`.
 */
export const guestProcedure = t.procedure.use(({ ctx, next }) =>
  availably(async () =>
    answeringRefusals(await ctx.db.as(GUEST, (db) => next({ ctx: { db } }), { readOnly: true })),
  ),
);

/**
 * Opens an event stream for callers with a live session: the server's slot checks the session
 * and the account's cap, and the stream then reads as that session, which the database checks
 * again on every read. Subscriptions cannot run in one transaction, so there is none here.
 */
export const streamProcedure = t.procedure.use(({ ctx, next }) =>
  availably(async () => {
    const found = await ctx.caller();
    if (!found) throw unauthorized();
    const { live, stream } = ctx;
    if (!live || !stream || !found.sessionToken) {
      throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: 'Subscriptions need the HTTP server' });
    }
    const caller: Caller = { sessionToken: found.sessionToken };
    const { userId, lastId } = await stream.open(found.sessionToken);
    return next({ ctx: { live, caller, userId, lastId } });
  }),
);
