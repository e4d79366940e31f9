/**
 * One round trip per statement for a caller known only by a session token (node-postgres).
 *
 * Each statement goes out in one write together with the statement that checks the session:
 * Parse/Bind/Execute of the check, Parse/Bind/Execute of the statement, then a single Sync.
 * PostgreSQL runs everything before a Sync as one implicit transaction, so the check's
 * transaction-local `role` and `app.user_id` (see withUserScope) are in force for the
 * statement and gone after it, exactly as in an explicit transaction, minus the BEGIN and
 * COMMIT round trips. The statement names its owner with `scopedOwner`, which reads that
 * setting and fails when the check found no live session; row-level security confines it
 * as well. Where the statement runs inside `db.transaction()`, the pair opens the transaction
 * and the rest follow on the same connection.
 */
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  sql,
  type TransactionSettings,
} from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';
import { APP_ROLE } from './user-scope.ts';

/** The owner of the rows a session-scoped statement touches: the session's user, or an error. */
export const scopedOwner = sql<string>`current_setting('app.user_id')::uuid`;

/** Thrown by a session-scoped statement when no live session has the token. */
export class NoSessionError extends Error {
  override name = 'NoSessionError';
}

export type SessionCheck = {
  token: string;
  expiresInSeconds: number;
  updateAgeSeconds: number;
};

// Exact token, unexpired; `refresh_due` once the session is older than updateAge, as Better
// Auth's getSession decides before it slides the expiry forward.
const CHECK_SQL = `select set_config('app.user_id', user_id::text, true) as user_id,
  set_config('role', $2, true) as role,
  expires_at <= now() + make_interval(secs => $3) as refresh_due
from sessions where token = $1 and expires_at > now()`;

const CHECK_ONLY_SQL = `select expires_at <= now() + make_interval(secs => $2) as refresh_due
from sessions where token = $1 and expires_at > now()`;

const REFRESH_SQL = `update sessions set expires_at = now() + make_interval(secs => $2), updated_at = now()
where token = $1 and expires_at > now()`;

type Connection = {
  stream: { cork?(): void; uncork?(): void };
  /** node-postgres's record of the named statements this connection has prepared: name → text. */
  parsedStatements: Record<string, string>;
  on(event: 'parseComplete', listener: () => void): void;
  off(event: 'parseComplete', listener: () => void): void;
  parse(options: { text: string; name: string }): void;
  bind(options: {
    statement: string;
    values: readonly unknown[];
    valueMapper: (value: unknown) => unknown;
  }): void;
  describe(options: { type: 'P' }): void;
  execute(options: object): void;
  sync(): void;
};
type CommandComplete = (this: pg.Query, message: { text: string }, connection: Connection) => void;
const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils
  .prepareValue;
const baseCommandComplete = (pg.Query.prototype as unknown as { handleCommandComplete: CommandComplete })
  .handleCommandComplete;

/**
 * The name each statement text is prepared under on every connection: statements are parsed
 * and planned by PostgreSQL once per connection, then only bound and executed. Kysely puts
 * every value in a parameter, so the texts are the app's few query shapes; past the cap, a
 * text runs unnamed (parsed each time) rather than grow the map and the server's memory.
 */
const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 500;

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `todo_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name ?? '';
}

/** The check and one statement in one write; pg.Query collects both results. */
class CheckedStatement extends pg.Query {
  /** Rows the check found (0 or 1), known once it completed, even when the statement failed. */
  checkRows: number | null = null;
  private completed = 0;

  constructor(
    private readonly check: unknown[],
    private readonly statement: CompiledQuery,
  ) {
    super(statement.sql);
  }

  /** Named statements sent for parsing, in order, until PostgreSQL confirms each. */
  private parsing: [name: string, text: string][] = [];
  private connection: Connection | null = null;
  private readonly onParseComplete = () => {
    const parsed = this.parsing.shift();
    if (parsed && this.connection) this.connection.parsedStatements[parsed[0]] = parsed[1];
  };

  override submit = (connection: pg.Connection) => {
    const con = connection as unknown as Connection;
    this.connection = con;
    con.on('parseComplete', this.onParseComplete);
    con.stream.cork?.();
    try {
      for (const [text, values] of [
        [CHECK_SQL, this.check],
        [this.statement.sql, [...this.statement.parameters]],
      ] as const) {
        const name = statementName(text);
        // Recorded as prepared only once PostgreSQL says so: if the batch fails before this
        // Parse is reached, the next use parses it again.
        if (!name || con.parsedStatements[name] === undefined) {
          con.parse({ text, name });
          if (name) this.parsing.push([name, text]);
        }
        con.bind({ statement: name, values, valueMapper: prepareValue });
        con.describe({ type: 'P' });
        con.execute({});
      }
      con.sync();
    } finally {
      con.stream.uncork?.();
    }
  };

  /** Sends it on `client`; both results, in order, once PostgreSQL reached the Sync. */
  run(client: pg.PoolClient): Promise<pg.QueryResult<Row>[]> {
    return new Promise((resolve, reject) => {
      // pg.Query answers through its callback; pg hands a submittable back as is, not a promise.
      (this as unknown as { callback: (error?: Error, results?: unknown) => void }).callback = (
        error,
        results,
      ) => {
        this.connection?.off('parseComplete', this.onParseComplete);
        this.connection = null;
        if (error) reject(error);
        else resolve(results as pg.QueryResult<Row>[]);
      };
      client.query(this);
    });
  }

  handleCommandComplete(message: { text: string }, connection: Connection) {
    if (this.completed++ === 0) this.checkRows = Number(message.text.split(' ').at(-1));
    baseCommandComplete.call(this, message, connection);
  }
}

type Row = Record<string, unknown>;

/** A query node-postgres prepares once per connection under the text's name (see statementName). */
function named(text: string, values: unknown[]): pg.QueryConfig {
  const name = statementName(text);
  return name ? { name, text, values } : { text, values };
}

function toQueryResult(result: pg.QueryResult<Row>): QueryResult<Row> {
  const { command, rowCount, rows } = result;
  const changed = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
  return { rows: rows ?? [], ...(changed && { numAffectedRows: BigInt(rowCount ?? 0) }) };
}

class SessionScopedConnection implements DatabaseConnection {
  /** Set from `beginTransaction` to its commit or rollback: the connection the transaction holds. */
  private client: pg.PoolClient | null = null;
  private inTransaction = false;
  private checked = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly session: SessionCheck,
    private readonly state: { checked: boolean; refreshDue: boolean },
  ) {}

  async begin() {
    this.client = await this.pool.connect();
    await this.client.query('begin');
    this.inTransaction = true;
  }

  async end(command: 'commit' | 'rollback') {
    const client = this.client;
    this.client = null;
    this.checked = false;
    if (!client) return;
    try {
      await client.query(command);
      client.release();
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction && this.checked && this.client) {
      const result = await this.client.query(named(compiled.sql, [...compiled.parameters]));
      return toQueryResult(result) as QueryResult<R>;
    }
    const { token, expiresInSeconds, updateAgeSeconds } = this.session;
    const statement = new CheckedStatement([token, APP_ROLE, expiresInSeconds - updateAgeSeconds], compiled);
    const client = this.client ?? (await this.pool.connect());
    let results: pg.QueryResult<Row>[];
    try {
      results = await statement.run(client);
    } catch (error) {
      if (!this.client) client.release();
      if (statement.checkRows === 0) throw new NoSessionError('no live session has this token');
      throw error;
    }
    if (!this.client) client.release();
    const [check, result] = results;
    if (!check || !result || statement.checkRows !== 1)
      throw new NoSessionError('no live session has this token');
    this.checked = true;
    this.state.checked = true;
    if (check.rows[0]?.refresh_due) this.state.refreshDue = true;
    return toQueryResult(result) as QueryResult<R>;
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered on this connection
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported in a session-scoped query');
  }
}

class SessionScopedDriver implements Driver {
  private readonly connection: SessionScopedConnection;
  constructor(pool: pg.Pool, session: SessionCheck, state: { checked: boolean; refreshDue: boolean }) {
    this.connection = new SessionScopedConnection(pool, session, state);
  }
  async init() {}
  async acquireConnection() {
    return this.connection;
  }
  async beginTransaction(_connection: DatabaseConnection, settings: TransactionSettings) {
    if (settings.isolationLevel || settings.accessMode) {
      throw new Error('session-scoped transactions run at the default isolation level');
    }
    await this.connection.begin();
  }
  async commitTransaction() {
    await this.connection.end('commit');
  }
  async rollbackTransaction() {
    await this.connection.end('rollback');
  }
  async releaseConnection() {}
  async destroy() {}
}

export type SessionScope = {
  /** Every statement through it runs as the session's user (see `scopedOwner`). */
  db: Kysely<DB>;
  /**
   * After the request's statements: whether the session was found (checking it with one
   * statement when none ran), sliding its expiry forward when due. False means: answer 401.
   */
  finish(): Promise<boolean>;
};

/**
 * A Kysely instance for one request whose statements each carry the session check (see the
 * top of this file). Cheap to create: no connection is taken until a statement runs.
 *
 * @example
 * const scope = sessionScope(pool, { token, expiresInSeconds, updateAgeSeconds });
 * const page = await listTodos(scope.db, scopedOwner, { limit: 50 });
 * if (!(await scope.finish())) throw unauthorized;
 */
export function sessionScope(pool: pg.Pool, session: SessionCheck): SessionScope {
  const state = { checked: false, refreshDue: false };
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new SessionScopedDriver(pool, session, state),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return {
    db,
    async finish() {
      if (!state.checked) {
        const { rows } = await pool.query(
          named(CHECK_ONLY_SQL, [session.token, session.expiresInSeconds - session.updateAgeSeconds]),
        );
        if (rows.length === 0) return false;
        state.refreshDue = rows[0].refresh_due === true;
      }
      if (state.refreshDue) await pool.query(named(REFRESH_SQL, [session.token, session.expiresInSeconds]));
      return true;
    },
  };
}
