/**
 * "Who is calling, and make the database act as them": the one place that knows it.
 *
 * An authenticated procedure runs as one transaction, on every driver alike:
 *   1. its first statement makes the transaction act as the caller: the transaction-local role
 *      `todo_app` and `app.user_id`, which row-level security reads (migrations/0004). For a
 *      session token that statement is `todo_act_as_session` (migrations/0006), which also
 *      checks the session, slides its expiry, and fails when there is no live session;
 *   2. then the procedure's own statements;
 *   3. then COMMIT, or ROLLBACK when the procedure failed: a procedure is all or nothing.
 * When the check fails, PostgreSQL runs nothing after it in that transaction.
 *
 * On node-postgres the pool's clients are pipelined (pg's public `pipeline` option): BEGIN, the
 * first statement and the procedure's first query leave together, without waiting for each
 * other's answers, so a one-statement procedure costs two round trips (that, then COMMIT).
 * Its queries name their owner as `scopedOwner`, what the first statement set. Elsewhere
 * (PGlite, Neon) the first statement is awaited and the owner is the user id itself.
 * Why: docs/decisions/0008-one-caller-seam.md.
 */
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
import type pg from 'pg';
import type { DB } from './schema.ts';

/** The role the API acts as; row-level security applies to it (migrations/0004). */
export const APP_ROLE = 'todo_app';

/**
 * Who is calling: a user already known (an in-process caller, or a cookie session that Better
 * Auth resolved), or a session token that the database checks in the caller's own transaction.
 */
export type Caller = { userId: string } | { sessionToken: string };

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

/** The database as callers see it: each call of `as` is one transaction as that caller. */
export type CallerDatabase = {
  as<T>(caller: Caller, fn: (db: Kysely<DB>, owner: Owner) => Promise<T>): Promise<T>;
};

type Statement = { text: string; values: unknown[] };

/** The first statement of a caller's transaction. */
function actAsStatement(caller: Caller, policy: SessionPolicy): Statement {
  return 'userId' in caller
    ? // One statement for both: set_config('role', …, true) is `set local role`.
      {
        text: `select set_config('role', $1, true), set_config('app.user_id', $2, true)`,
        values: [APP_ROLE, caller.userId],
      }
    : {
        text: 'select todo_act_as_session($1, $2, $3) as user_id',
        values: [caller.sessionToken, policy.expiresInSeconds, policy.updateAgeSeconds],
      };
}

// SQLSTATE 28000, raised by todo_act_as_session; both drivers put it on `code`.
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
  const as: CallerDatabase['as'] = (caller, fn) => {
    const first = actAsStatement(caller, policy);
    if (pgPool) return pipelined(pgPool, first, fn);
    return db.transaction().execute(async (trx) => {
      let result: QueryResult<{ user_id?: string }>;
      try {
        result = await trx.executeQuery(CompiledQuery.raw(first.text, first.values));
      } catch (error) {
        throw isNoSession(error) ? new NoSessionError() : error;
      }
      return fn(trx, 'userId' in caller ? caller.userId : (result.rows[0]?.user_id ?? scopedOwner));
    });
  };
  return { as };
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

/** One caller's transaction on one pipelined pool client, opened by its first query. */
class PipelinedTransaction implements DatabaseConnection {
  #client: Promise<pg.PoolClient> | null = null;
  /** Settles once BEGIN and the first statement were answered: false when there was no session. */
  #live: Promise<boolean> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly first: Statement,
  ) {}

  #open(): Promise<pg.PoolClient> {
    this.#client ??= this.pool.connect().then((client) => {
      // Written at once, answered in order. When the first statement fails, PostgreSQL refuses
      // everything after it in the transaction (25P02) instead of running it.
      const begun = client.query('begin');
      const acted = client.query(named(this.first.text, this.first.values));
      acted.catch(() => {}); // observed through #live
      this.#live = begun
        .then(() => acted)
        .then(
          () => true,
          (error: unknown) => (isNoSession(error) ? false : Promise.reject(error)),
        );
      this.#live.catch(() => {}); // observed by every query and by end()
      return client;
    });
    return this.#client;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const client = await this.#open();
    try {
      return toQueryResult<R>(await client.query(named(compiled.sql, compiled.parameters)));
    } catch (error) {
      if ((await this.#live?.catch(() => true)) === false) throw new NoSessionError();
      throw error;
    }
  }

  // biome-ignore lint/correctness/useYield: a caller's transaction is pipelined, which cannot stream
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported in a pipelined transaction');
  }

  /** Commits (or rolls back) and releases the client; false when there was no live session. */
  async end(commit: boolean): Promise<boolean> {
    if (!this.#client) {
      // The procedure ran no statement (say, its input was refused): the session still decides
      // between 401 and the procedure's own answer.
      try {
        await this.pool.query(named(this.first.text, this.first.values));
        return true;
      } catch (error) {
        if (isNoSession(error)) return false;
        throw error;
      }
    }
    const client = await this.#client;
    let live = false;
    try {
      live = (await this.#live) ?? false;
      await client.query(commit && live ? 'commit' : 'rollback');
    } catch (error) {
      client.release(error as Error); // a client in an unknown state is closed, not reused
      throw error;
    }
    client.release();
    return live;
  }
}

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
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

async function pipelined<T>(
  pool: pg.Pool,
  first: Statement,
  fn: (db: Kysely<DB>, owner: Owner) => Promise<T>,
): Promise<T> {
  const transaction = new PipelinedTransaction(pool, first);
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
