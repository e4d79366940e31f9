/**
 * Pipelined transactions on node-postgres (pg's public `pipeline` option): a transaction's BEGIN,
 * its opening statement and its first query leave in one write, and a read-only one's COMMIT
 * with them, so a query costs one round trip. The caller seam (caller.ts) opens each caller's
 * transaction with its act-as statement through this; the opening statement may refuse (no live
 * session), and then PostgreSQL runs nothing after it in that transaction (25P02).
 * Why: docs/decisions/0008-one-caller-seam.md.
 */
import { Socket } from 'node:net';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

/** One SQL text and its parameters. */
export type Statement = { text: string; values: unknown[] };

/**
 * How a pipelined transaction opens: its first statement, which may refuse it (`refused`
 * recognises the error), and a statement to run after it when the first asks for one (it
 * answers `refresh_due`).
 */
export type Opening = {
  first: Statement;
  refresh: Statement | null;
  readOnly: boolean;
  /**
   * Each statement is a transaction of its own, committed in the write that sends it (always so
   * when `readOnly`): for a procedure whose one write is one statement.
   */
  commitEach?: boolean;
  refused(error: unknown): boolean;
};

/**
 * A pipelined pg client on a socket of its own (pg's `stream` option), so that a transaction's
 * BEGIN, first statement and first query leave in one write: the socket is corked while they
 * are queued. The pool of node-postgres databases makes its clients with this class.
 */
export class PipelinedPgClient extends pg.Client {
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

/** What an opening statement answered: whether it let the transaction run, and whether a refresh is due. */
type Opened = { live: boolean; refreshDue: boolean };
const ignore = () => {};

/**
 * One transaction on one pipelined pool client, taken by its first query. Read-write:
 * BEGIN, the first statement and that query leave in one write, the rest follow, and `end`
 * commits. Read-only, or `commitEach`: each query leaves in one write between BEGIN (READ
 * ONLY), the first statement, and COMMIT. Whenever the first statement fails, PostgreSQL
 * refuses everything after it in that transaction (25P02) instead of running it.
 */
class PipelinedTransaction implements DatabaseConnection {
  #client: Promise<pg.PoolClient> | null = null;
  /** A read-write transaction is open on the client. */
  #open = false;
  /** The answers to each opening statement sent: did it let the transaction run, is a refresh due. */
  readonly #opened: Promise<Opened>[] = [];

  private readonly first: Statement;
  private readonly refresh: Statement | null;
  private readonly readOnly: boolean;
  private readonly commitEach: boolean;
  private readonly refused: (error: unknown) => boolean;

  constructor(
    private readonly pool: pg.Pool,
    opening: Opening,
  ) {
    this.first = opening.first;
    this.refresh = opening.refresh;
    this.readOnly = opening.readOnly;
    this.commitEach = opening.readOnly || opening.commitEach === true;
    this.refused = opening.refused;
  }

  #sendOpening(client: pg.PoolClient): Promise<Opened> {
    const begun = client.query(this.readOnly ? 'begin read only' : 'begin');
    const first = client.query(named(this.first.text, this.first.values));
    first.catch(ignore); // observed through the promise below
    const answer = begun
      .then(() => first)
      .then(
        (result): Opened => ({ live: true, refreshDue: result.rows[0]?.refresh_due === true }),
        (error: unknown) =>
          this.refused(error) ? { live: false, refreshDue: false } : Promise.reject(error),
      );
    answer.catch(ignore); // observed by the query that follows and by end()
    this.#opened.push(answer);
    return answer;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    this.#client ??= this.pool.connect();
    const client = await this.#client;
    const socket = client instanceof PipelinedPgClient ? client.socket : null;
    let opened: Promise<Opened> | undefined;
    let answer: Promise<pg.QueryResult>;
    let committed: Promise<unknown> | undefined;
    socket?.cork(); // everything below leaves in one write
    try {
      if (this.commitEach || !this.#open) opened = this.#sendOpening(client);
      this.#open = !this.commitEach;
      answer = client.query(named(compiled.sql, compiled.parameters));
      if (this.commitEach) {
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
      if (opened && !(await opened.catch(() => ({ live: true }))).live) throw new RefusedError();
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
      const answers = await Promise.all(this.#opened);
      const live = answers.every((answer) => answer.live);
      if (this.#open) await client.query(commit && live ? 'commit' : 'rollback');
      if (live && this.refresh && answers.some((answer) => answer.refreshDue)) {
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
      if (this.refused(error)) return false;
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

/** A query of a transaction whose opening statement refused it: nothing ran. */
class RefusedError extends Error {}

/**
 * One pipelined transaction on `pool`, opened by `opening`: `db` runs its statements (the first
 * takes a client), and `end(commit)` commits it or rolls it back, slides the session when due and
 * releases the client. `end` answers false when the opening statement refused the transaction:
 * then nothing that `db` was given ran in the database.
 *
 * @example
 * const { db, end } = openPipelined(pool, opening);
 * const rows = await db.selectFrom('todos').selectAll().execute();
 * if (!(await end(true))) throw new Error('refused');
 */
export function openPipelined(
  pool: pg.Pool,
  opening: Opening,
): { db: Kysely<DB>; end(commit: boolean): Promise<boolean> } {
  const transaction = new PipelinedTransaction(pool, opening);
  return { db: pipelinedKysely(transaction), end: (commit) => transaction.end(commit) };
}
