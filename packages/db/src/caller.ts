/**
 * "Who is calling, and make the database act as them": the one place that knows it.
 *
 * An authenticated procedure runs as one transaction as its caller, on every driver alike:
 *   1. its first statement makes the transaction act as the caller: the transaction-local role
 *      `todo_app` and `app.user_id`, which row-level security reads (migrations/0004). For a
 *      session token that statement also checks the session, and fails when there is no live
 *      session (ACT_AS_SESSION); its expiry slides in a statement of its own, when due;
 *   2. then the procedure's own statements;
 *   3. then COMMIT, or ROLLBACK when the procedure failed: a mutation is all or nothing.
 * When the check fails, PostgreSQL runs nothing after it in that transaction. A read-only
 * procedure (a tRPC query) may write nothing: PostgreSQL refuses it.
 *
 * On node-postgres the transaction is pipelined (pg-pipeline.ts): a query's BEGIN READ ONLY,
 * act-as statement, query and COMMIT in one round trip; a mutation's BEGIN, act-as statement and
 * first query, then COMMIT after its last. Queries there name their owner as `scopedOwner`, what the first
 * statement set. Elsewhere (PGlite, Neon) the first statement is awaited and the owner is the
 * user id itself. Why: docs/decisions/0008-one-caller-seam.md. */

import { CompiledQuery, type Expression, type Kysely, type QueryResult, sql } from 'kysely';
import type pg from 'pg';
import { openPipelined, type Statement } from './pg-pipeline.ts';
import type { DB } from './schema.ts';

/** The role the API acts as; row-level security applies to it (migrations/0004). */
export const APP_ROLE = 'todo_app';

/**
 * Who is calling: a user already known (an in-process caller, or a cookie session that Better
 * Auth resolved, whose token it keeps for later checks), or a session token that the database
 * checks in the caller's own transaction.
 */
export type Caller = { userId: string; sessionToken?: string } | { sessionToken: string };

/**
 * Nobody signed in: the app's role with no `app.user_id`, under which row-level security shows
 * no row at all. Only the database's functions made for a stranger answer it (an invite's
 * preview, which its token entitles). Its queries get no owner to name.
 */
export const GUEST = { guest: true } as const;

/** Whom a transaction acts as: a caller, or a guest. */
export type ActingAs = Caller | typeof GUEST;

/** How sessions live, as Better Auth is configured: their lifetime, and how often it slides. */
export type SessionPolicy = { expiresInSeconds: number; updateAgeSeconds: number };

/**
 * Whose rows a query may touch: a user id, or an SQL expression that yields one inside the
 * statement (`scopedOwner`).
 */
export type Owner = string | Expression<string>;

/** The caller's user id as this transaction holds it; fails outside a caller's transaction. */
export const scopedOwner = sql<string>`current_setting('app.user_id')::uuid`;

/** No live session has the caller's token: answer 401. Nothing else ran in the database. */
export class NoSessionError extends Error {
  override name = 'NoSessionError';
  constructor() {
    super('no live session has this token');
  }
}

/** How a caller's transaction runs. */
export type CallerOptions = {
  /** PostgreSQL refuses any write (tRPC queries). */
  readOnly?: boolean;
  /**
   * On node-postgres, each statement commits on its own, in the write that sends it: one round
   * trip for a procedure whose only write is one statement (its other statements only read),
   * and its row locks held only while that statement runs. Elsewhere `fn` is one transaction.
   */
  commitEach?: boolean;
};

/**
 * The database as callers see it: each call of `as` is one transaction as that caller. With
 * `readOnly` (tRPC queries), PostgreSQL refuses any write, and on node-postgres each statement
 * is a read-only transaction of its own, sent together with its COMMIT in one write.
 */
export type CallerDatabase = {
  as<T>(
    caller: ActingAs,
    fn: (db: Kysely<DB>, owner: Owner) => Promise<T>,
    options?: CallerOptions,
  ): Promise<T>;
};

/**
 * The first statement of a session token's transaction: it finds the live session with exactly
 * this token and sets the transaction-local `app.user_id` and role. Without a live session,
 * `todo_no_session()` (migrations/0006) fails it, so that nothing after it runs. `refresh_due`
 * says the session is older than the update age, so its expiry slides forward (REFRESH_SESSION),
 * as Better Auth's getSession does, at most once a day.
 */
const ACT_AS_SESSION = `select set_config('app.user_id', coalesce(s.user_id::text, todo_no_session()), true) as user_id,
  set_config('role', $3, true) as role,
  s.expires_at <= now() + make_interval(secs => $2) as refresh_due
from (select) as one left join sessions s on s.token = $1 and s.expires_at > now()`;

const REFRESH_SESSION = `update sessions set expires_at = now() + make_interval(secs => $2), updated_at = now()
where token = $1 and expires_at > now()`;

/** The first statement of a caller's transaction, and the refresh of a session token. */
function statementsFor(
  caller: ActingAs,
  policy: SessionPolicy,
): { first: Statement; refresh: Statement | null } {
  const { expiresInSeconds, updateAgeSeconds } = policy;
  if ('guest' in caller) {
    return { first: { text: `select set_config('role', $1, true)`, values: [APP_ROLE] }, refresh: null };
  }
  if ('userId' in caller) {
    // One statement for both: set_config('role', …, true) is `set local role`.
    return {
      first: {
        text: `select set_config('role', $1, true), set_config('app.user_id', $2, true)`,
        values: [APP_ROLE, caller.userId],
      },
      refresh: null,
    };
  }
  return {
    first: {
      text: ACT_AS_SESSION,
      values: [caller.sessionToken, expiresInSeconds - updateAgeSeconds, APP_ROLE],
    },
    refresh: { text: REFRESH_SESSION, values: [caller.sessionToken, expiresInSeconds] },
  };
}

// SQLSTATE 28000, raised by todo_no_session(); both drivers put it on `code`.
const isNoSession = (error: unknown) => (error as { code?: unknown } | null)?.code === '28000';

/**
 * `as(caller, fn)` runs `fn` in one transaction as `caller`, or throws NoSessionError having run nothing
 * of it. `fn` must use only the `db` it is given; when it rejects, everything rolls back.
 *
 * @example
 * const db = callerDatabase(database, { expiresInSeconds: 604_800, updateAgeSeconds: 86_400 });
 * const page = await db.as({ sessionToken }, (db, owner) => listTodos(db, owner));
 */
export function callerDatabase(
  database: { db: Kysely<DB>; pgPool: pg.Pool | null },
  policy: SessionPolicy,
): CallerDatabase {
  const { db, pgPool } = database;
  const as: CallerDatabase['as'] = async (caller, fn, { readOnly = false, commitEach = false } = {}) => {
    const { first, refresh } = statementsFor(caller, policy);
    if (pgPool) {
      const opening = { first, refresh, readOnly, commitEach, refused: isNoSession };
      const pipelined = openPipelined(pgPool, opening);
      let outcome: { value: Awaited<ReturnType<typeof fn>> } | { error: unknown };
      try {
        outcome = { value: await fn(pipelined.db, scopedOwner) };
      } catch (error) {
        outcome = { error };
      }
      // Committed when `fn` resolved, rolled back when it threw; false: no live session, nothing ran.
      if (!(await pipelined.end('value' in outcome))) throw new NoSessionError();
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    }
    let refreshDue = false;
    const value = await db.transaction().execute(async (trx) => {
      // Not Kysely's setAccessMode: its PGlite driver ignores it.
      if (readOnly) await sql`set transaction read only`.execute(trx);
      let result: QueryResult<{ user_id?: string; refresh_due?: boolean }>;
      try {
        result = await trx.executeQuery(CompiledQuery.raw(first.text, first.values));
      } catch (error) {
        throw isNoSession(error) ? new NoSessionError() : error;
      }
      refreshDue = result.rows[0]?.refresh_due === true;
      return fn(trx, 'userId' in caller ? caller.userId : (result.rows[0]?.user_id ?? scopedOwner));
    });
    if (refresh && refreshDue) await db.executeQuery(CompiledQuery.raw(refresh.text, refresh.values));
    return value;
  };
  return { as };
}
