import { PGlite } from '@electric-sql/pglite';
import { Client as NeonClient, Pool as NeonPool, neonConfig } from '@neondatabase/serverless';
import { Kysely, PostgresDialect, type PostgresPool, sql } from 'kysely';
import pg from 'pg';
import ws from 'ws';
import type { DatabaseConfig } from './config.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { PipelinedPgClient } from './pg-pipeline.ts';
import { SerializedPGliteDialect } from './pglite-dialect.ts';
import type { DB } from './schema.ts';

export type { DB } from './schema.ts';

/**
 * Runs a multi-statement SQL script inside one transaction, then `after` in the same transaction.
 * Kysely's `sql` goes through the extended protocol, which accepts one statement per call,
 * so migrations need this escape hatch to the driver.
 */
export type ScriptRunner = {
  /** Holds a lock for the whole `fn` so that two processes never migrate at the same time. */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  query<R>(text: string, params?: unknown[]): Promise<R[]>;
  runScript(script: string, after: { text: string; params: unknown[] }): Promise<void>;
};

export type Database = {
  db: Kysely<DB>;
  driver: DatabaseConfig['driver'];
  /** Raw access for the migrator; application code uses `db`. */
  scripts: ScriptRunner;
  /** node-postgres only (else null): the pipelined pool behind `db`, for callers' transactions (caller.ts). */
  pgPool: pg.Pool | null;
  /**
   * The change feed's reads of the events that notices name (change-feed.ts): on a server, a
   * connection of its own, so that an event is read at once and never waits in the pool's queue
   * behind the requests of a busy process; PGlite, with its one connection: `db`.
   */
  feedDb: Kysely<DB>;
  /**
   * Calls `onPayload` with each NOTIFY on `channel`, through a connection of its own, outside
   * the pool (`DATABASE_URL_DIRECT` when set: a pooler cannot hold a LISTEN); PGlite: its
   * in-process listener. Resolves once listening; the answer stops it. `onLost` is called once
   * if that connection breaks (a database restart): listening has then stopped.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onLost?: (error: Error) => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
};

// Node 20 has no global WebSocket; Neon's driver needs one.
neonConfig.webSocketConstructor = ws;

// int8 (count(*), sums) arrives as a string from pg and as a number from PGlite; we keep
// counts well under 2^53, so both drivers return numbers.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

const MIGRATION_LOCK_KEY = 727_274_001;

/**
 * A node-postgres pool (Neon's, for `driver: 'neon'`) sized and bounded as `config` says: its
 * connect timeout, and a server-side `statement_timeout` so a runaway statement cannot hold a
 * connection forever. A connection that breaks (a database restart) is dropped by the pool,
 * never an uncaught error. `pipelined` (node-postgres only) makes its clients PipelinedPgClients.
 *
 * @example const probe = createPool({ ...config, poolMax: 1 });
 */
export function createPool(
  config: Extract<DatabaseConfig, { driver: 'pg' | 'neon' }>,
  { pipelined = false }: { pipelined?: boolean } = {},
): pg.Pool {
  const options = {
    connectionString: config.url,
    max: config.poolMax,
    connectionTimeoutMillis: config.connectTimeoutMs,
    idleTimeoutMillis: config.idleTimeoutMs,
    options: config.statementTimeoutMs ? `-c statement_timeout=${config.statementTimeoutMs}` : undefined,
  };
  const pool: pg.Pool =
    config.driver === 'neon'
      ? (new NeonPool(options) as unknown as pg.Pool)
      : new pg.Pool({
          ...options,
          query_timeout: config.statementTimeoutMs || undefined,
          ...(pipelined && { Client: PipelinedPgClient }),
        });
  // An idle client that loses its connection must not crash the process; the pool drops it and
  // the next checkout opens a fresh one.
  pool.on('error', () => {});
  // A checked-out client has no pool listener: losing its connection mid-query emits 'error'
  // on the client (an uncaught exception) besides failing the query. The query's caller
  // already gets the error, and the pool discards the broken client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export type DatabaseOptions = {
  /**
   * PGlite only: start from this dump of a data directory (`PGlite.dumpDataDir`) instead of an
   * empty one; the tests' migrated snapshot (testing-snapshot.ts).
   */
  loadDataDir?: Blob;
};

/**
 * Opens the database described by `config`: embedded PGlite (a directory, or memory when
 * `dataDir` is null), a node-postgres pool, or Neon's serverless pool.
 *
 * @example
 * const { db, close } = createDatabase({ driver: 'pglite', dataDir: null });
 */
export function createDatabase(config: DatabaseConfig, { loadDataDir }: DatabaseOptions = {}): Database {
  return config.driver === 'pglite' ? openPglite(config, loadDataDir) : openServerDatabase(config);
}

type PgliteConfig = Extract<DatabaseConfig, { driver: 'pglite' }>;
type ServerDatabaseConfig = Extract<DatabaseConfig, { driver: 'pg' | 'neon' }>;

/** PGlite in this process, on its one serialised connection (decision 3). */
function openPglite(config: PgliteConfig, loadDataDir: Blob | undefined): Database {
  // One process per folder (data-dir-lock.ts): throws DataDirInUseError naming the holder.
  const lock = config.dataDir ? lockDataDir(config.dataDir) : undefined;
  // One options object: PGlite ignores `loadDataDir` when it comes after a dataDir argument.
  const pglite = new PGlite({ dataDir: config.dataDir ?? undefined, loadDataDir });
  const dialect = new SerializedPGliteDialect(pglite);
  const db = new Kysely<DB>({ dialect });
  const exclusive = <T>(fn: () => Promise<T>) => dialect.driver.exclusive(fn);
  return {
    db,
    driver: 'pglite',
    pgPool: null,
    feedDb: db,
    scripts: pgliteScripts(pglite, exclusive),
    // Between transactions: a LISTEN inside one would end with it.
    listen: async (channel, onPayload) => {
      const unlisten = await exclusive(() => pglite.listen(channel, onPayload));
      return () => exclusive(() => unlisten());
    },
    close: () => db.destroy().finally(() => lock?.release()),
  };
}

/** The migrator's access to PGlite, each statement in its turn on the one connection. */
function pgliteScripts(pglite: PGlite, exclusive: <T>(fn: () => Promise<T>) => Promise<T>): ScriptRunner {
  let migrationTail: Promise<void> = Promise.resolve();
  return {
    // PGlite lives in this process, so the lock is an in-process queue. The single
    // connection alone is not enough: two migrators would interleave their statements,
    // both read an empty schema_migrations and both run the first file.
    async withLock(fn) {
      const previous = migrationTail;
      let release!: () => void;
      migrationTail = new Promise<void>((resolve) => {
        release = resolve;
      });
      await previous;
      try {
        return await fn();
      } finally {
        release();
      }
    },
    query: (text, params) =>
      exclusive(async () => {
        await pglite.waitReady;
        return (await pglite.query(text, params)).rows as never;
      }),
    runScript: (script, after) =>
      exclusive(async () => {
        await pglite.waitReady;
        await pglite.transaction(async (tx) => {
          await tx.exec(script);
          await tx.query(after.text, after.params);
        });
      }),
  };
}

/** A PostgreSQL server through node-postgres (pipelined) or Neon's serverless pool. */
function openServerDatabase(config: ServerDatabaseConfig): Database {
  // Pipelined clients: a caller's BEGIN, session check and first statement share one write and
  // one round trip (caller.ts).
  const pool = createPool(config, { pipelined: true });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as PostgresPool }) });
  // Opens its connection at the first read, and again after a restart or an idle timeout.
  const feedPool = createPool({ ...config, poolMax: 1 });
  const feedDb = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: feedPool as unknown as PostgresPool }),
  });
  return {
    db,
    driver: config.driver,
    pgPool: config.driver === 'pg' ? pool : null,
    feedDb,
    listen: (channel, onPayload, onLost) => listenOnOwnConnection(config, channel, onPayload, onLost),
    scripts: serverScripts(config, pool),
    close: async () => {
      await Promise.all([db.destroy(), feedDb.destroy()]);
    },
  };
}

/**
 * A connection of its own, outside the pool and without the application's statement timeout,
 * for migrations and listeners: building an index on a large table may rightly take minutes.
 */
async function openOwnClient(config: ServerDatabaseConfig, url = config.url): Promise<pg.Client> {
  const clientOptions = { connectionString: url, connectionTimeoutMillis: config.connectTimeoutMs };
  const client =
    config.driver === 'neon'
      ? (new NeonClient(clientOptions) as unknown as pg.Client)
      : new pg.Client(clientOptions);
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Database.listen on a server: LISTEN on a connection of its own (`directUrl` when set). */
async function listenOnOwnConnection(
  config: ServerDatabaseConfig,
  channel: string,
  onPayload: (payload: string) => void,
  onLost?: (error: Error) => void,
): Promise<() => Promise<void>> {
  const client = await openOwnClient(config, config.directUrl ?? config.url);
  let stopped = false;
  const lost = (error: Error) => {
    if (stopped) return;
    stopped = true;
    client.end().catch(() => {});
    onLost?.(error);
  };
  client.on('error', lost);
  client.on('end', () => lost(new Error('the listening connection closed')));
  client.on('notification', (message) => {
    if (message.channel === channel) onPayload(message.payload ?? '');
  });
  try {
    await client.query(`listen ${client.escapeIdentifier(channel)}`);
  } catch (error) {
    stopped = true;
    await client.end().catch(() => {});
    throw error;
  }
  return async () => {
    stopped = true;
    await client.end().catch(() => {});
  };
}

/** The migrator's access to a server: under the advisory lock, every statement on the lock's connection. */
function serverScripts(config: ServerDatabaseConfig, pool: pg.Pool): ScriptRunner {
  let lockedClient: pg.ClientBase | undefined;
  const withClient = async <T>(fn: (client: pg.ClientBase) => Promise<T>) => {
    if (lockedClient) return fn(lockedClient);
    const client = await pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  };
  return {
    async withLock(fn) {
      const client = await openOwnClient(config);
      try {
        // A session lock: it also ends if this process dies and its connection drops.
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        lockedClient = client;
        return await fn();
      } finally {
        lockedClient = undefined;
        // Closing the session releases the lock; no unlock query that could fail and hide fn's error.
        await client.end().catch(() => {});
      }
    },
    query: (text, params) => withClient(async (client) => (await client.query(text, params)).rows),
    runScript: (script, after) =>
      withClient(async (client) => {
        await client.query('begin');
        try {
          await client.query(script);
          await client.query(after.text, after.params);
          await client.query('commit');
        } catch (error) {
          await client.query('rollback').catch(() => {});
          throw error;
        }
      }),
  };
}

/** Answers whether the database runs a trivial query; used by `/readyz`. */
export async function ping(db: Kysely<DB>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/** Thrown by waitForDatabase when every attempt failed; `reason` is the last attempt's error message. */
export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
  constructor(
    readonly attempts: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`database unreachable after ${attempts} attempts: ${reason}`, options);
  }
}

/**
 * Waits until the database answers, retrying with exponential backoff (a Neon compute waking
 * up, a container starting), then fails with a DatabaseUnreachableError that names the cause.
 *
 * @example await waitForDatabase(database.db, { attempts: 1 });
 */
export async function waitForDatabase(
  db: Kysely<DB>,
  { attempts = 8, firstDelayMs = 250, maxDelayMs = 4_000 } = {},
): Promise<void> {
  let delay = firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`.execute(db);
      return;
    } catch (error) {
      if (attempt >= attempts) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new DatabaseUnreachableError(attempts, reason, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
}
