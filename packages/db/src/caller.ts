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
 * On node-postgres the pool's clients are pipelined (pg's public `pipeline` option) and the
 * statements leave in one write (CallerClient): a query's BEGIN READ ONLY, act-as statement,
 * query and COMMIT in one round trip; a mutation's BEGIN, act-as statement and first query,
 * then COMMIT after its last. Queries there name their owner as `scopedOwner`, what the first
 * statement set. Elsewhere (PGlite, Neon) the first statement is awaited and the owner is the
 * user id itself. Why: docs/decisions/0008-one-caller-seam.md. */

import { Socket } from 'node:net';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Expression,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  sql,
} from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

/** The role the API acts as; row-level security applies to it (migrations/0004). */
export const APP_ROLE = 'todo_app';

/**
 * Who is calling: a user already known (an in-process caller, or a cookie session that Better
 * Auth resolved, whose token it keeps for later checks), or a session token that the database
 * checks in the caller's own transaction.
 */
export type Caller = { userId: string; sessionToken?: string } | { sessionToken: string };

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

/**
 * The database as callers see it: each call of `as` is one transaction as that caller. With
 * `readOnly` (tRPC queries), PostgreSQL refuses any write, and on node-postgres each statement
 * is a read-only transaction of its own, sent together with its COMMIT in one write.
 */
export type CallerDatabase = {
  as<T>(
    caller: Caller,
    fn: (db: Kysely<DB>, owner: Owner) => Promise<T>,
    options?: { readOnly?: boolean },
  ): Promise<T>;
};

type Statement = { text: string; values: unknown[] };

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
  caller: Caller,
  policy: SessionPolicy,
): { first: Statement; refresh: Statement | null } {
  const { expiresInSeconds, updateAgeSeconds } = policy;
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
  const as: CallerDatabase['as'] = async (caller, fn, { readOnly = false } = {}) => {
    const { first, refresh } = statementsFor(caller, policy);
    if (pgPool) return pipelined(new PipelinedTransaction(pgPool, first, refresh, readOnly), fn);
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

/**
 * A pipelined pg client on a socket of its own (pg's `stream` option), so that a caller's
 * BEGIN, first statement and first query leave in one write: the socket is corked while they
 * are queued. The pool of node-postgres databases makes its clients with this class.
 */
export class CallerClient extends pg.Client {
  readonly socket: Socket;
  constructor(config: pg.ClientConfig = {}) {
    const socket = new Socket();
    super({ ...config, pipeline: true, stream: () => socket });
    this.socket = socket;
  }
}

/** Statement texts are prepared once per connection under a name; see `named`. */
const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 500;

/**
 * A query that node-postgres prepares once per connection under a name kept for its text:
 * Kysely puts every value in a parameter, so the texts are the app's few query shapes. Past the
 * cap a text runs unnamed (parsed each time) rather than grow the server's memory.
 */
function named(text: string, values: readonly unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `todo_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name ? { name, text, values: [...values] } : { text, values: [...values] };
}

function toQueryResult<R>(result: pg.QueryResult): QueryResult<R> {
  const { command, rowCount, rows } = result;
  const changed = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
  return { rows: (rows ?? []) as R[], ...(changed && { numAffectedRows: BigInt(rowCount ?? 0) }) };
}

type Acted = { live: boolean; refreshDue: boolean };
const ignore = () => {};

/**
 * One caller's procedure on one pipelined pool client, taken by its first query. Read-write:
 * BEGIN, the first statement and that query leave in one write, the rest follow, and `end`
 * commits. Read-only: each query leaves in one write between BEGIN READ ONLY, the first
 * statement, and COMMIT. Whenever the first statement fails, PostgreSQL refuses everything
 * after it in that transaction (25P02) instead of running it.
 */
class PipelinedTransaction implements DatabaseConnection {
  #client: Promise<pg.PoolClient> | null = null;
  /** A read-write transaction is open on the client. */
  #open = false;
  /** The answers to each first statement sent: was the session live, is its refresh due. */
  readonly #acted: Promise<Acted>[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly first: Statement,
    private readonly refresh: Statement | null,
    private readonly readOnly: boolean,
  ) {}

  #act(client: pg.PoolClient): Promise<Acted> {
    const begun = client.query(this.readOnly ? 'begin read only' : 'begin');
    const acted = client.query(named(this.first.text, this.first.values));
    acted.catch(ignore); // observed through the promise below
    const answer = begun
      .then(() => acted)
      .then(
        (result): Acted => ({ live: true, refreshDue: result.rows[0]?.refresh_due === true }),
        (error: unknown) => (isNoSession(error) ? { live: false, refreshDue: false } : Promise.reject(error)),
      );
    answer.catch(ignore); // observed by the query that follows and by end()
    this.#acted.push(answer);
    return answer;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    this.#client ??= this.pool.connect();
    const client = await this.#client;
    const socket = client instanceof CallerClient ? client.socket : null;
    let acted: Promise<Acted> | undefined;
    let answer: Promise<pg.QueryResult>;
    let committed: Promise<unknown> | undefined;
    socket?.cork(); // everything below leaves in one write
    try {
      if (this.readOnly || !this.#open) acted = this.#act(client);
      this.#open = !this.readOnly;
      answer = client.query(named(compiled.sql, compiled.parameters));
      if (this.readOnly) {
        committed = client.query('commit');
        committed.catch(ignore); // awaited below; on an aborted transaction it rolls back
      }
    } finally {
      socket?.uncork();
    }
    try {
      const result = await answer;
      await committed;
      return toQueryResult<R>(result);
    } catch (error) {
      if (acted && !(await acted.catch(() => ({ live: true }))).live) throw new NoSessionError();
      throw error;
    }
  }

  // biome-ignore lint/correctness/useYield: a caller's transaction is pipelined, which cannot stream
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported in a pipelined transaction');
  }

  /**
   * Ends the procedure: commits its open transaction (or rolls it back), slides the session's
   * expiry when due, and releases the client. False when there was no live session.
   */
  async end(commit: boolean): Promise<boolean> {
    if (!this.#client) return this.#checkAlone();
    const client = await this.#client;
    try {
      const acted = await Promise.all(this.#acted);
      const live = acted.every((answer) => answer.live);
      if (this.#open) await client.query(commit && live ? 'commit' : 'rollback');
      if (live && this.refresh && acted.some((answer) => answer.refreshDue)) {
        await client.query(named(this.refresh.text, this.refresh.values));
      }
      client.release();
      return live;
    } catch (error) {
      client.release(error as Error); // a client in an unknown state is closed, not reused
      throw error;
    }
  }

  /** The procedure ran no statement (say, its input was refused): the session still decides. */
  async #checkAlone(): Promise<boolean> {
    try {
      const { rows } = await this.pool.query(named(this.first.text, this.first.values));
      if (this.refresh && rows[0]?.refresh_due === true) {
        await this.pool.query(named(this.refresh.text, this.refresh.values));
      }
      return true;
    } catch (error) {
      if (isNoSession(error)) return false;
      throw error;
    }
  }
}

// What every pipelined Kysely shares: the adapter and the query compiler, which keeps no state
// between the synchronous compiles it does (one Kysely compiles all of its queries with one).
const adapter = new PostgresAdapter();
const compiler = new PostgresQueryCompiler();

/** A Kysely over one pipelined transaction; `db.transaction()` inside it is refused. */
function pipelinedKysely(transaction: PipelinedTransaction): Kysely<DB> {
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => transaction,
    beginTransaction: async () => {
      throw new Error('a procedure already runs in one transaction');
    },
    commitTransaction: async () => {},
    rollbackTransaction: async () => {},
    releaseConnection: async () => {},
    destroy: async () => {},
  };
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => adapter,
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => compiler,
    },
  });
}

async function pipelined<T>(
  transaction: PipelinedTransaction,
  fn: (db: Kysely<DB>, owner: Owner) => Promise<T>,
): Promise<T> {
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: await fn(pipelinedKysely(transaction), scopedOwner) };
  } catch (error) {
    outcome = { error };
  }
  if (!(await transaction.end('value' in outcome))) throw new NoSessionError();
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
