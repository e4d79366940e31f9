import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import type { DatabaseConfig } from './config.ts';
import { createPool } from './database.ts';
import type { DB } from './schema.ts';

export type ReadinessCheck = {
  /** Whether the database answers; never rejects. Concurrent calls share one probe. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
};

/** A readiness probe must answer quickly: a load balancer polls it and has its own timeout. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Readiness on a path of its own to the database, so that a pool busy with requests does not
 * read as "not ready". node-postgres and Neon: a one-connection pool of its own, opened on the
 * first probe, with a short connect and statement timeout; a broken connection is dropped by
 * the pool and the next probe opens a fresh one. PGlite: the database lives in this process,
 * so it is ready while it is open. Its one connection is serialised (decision 3), so a probe
 * that is still waiting its turn behind a transaction means "open and busy": ready. Only a
 * failure (closed, broken) is "not ready".
 *
 * @example
 * const readiness = createReadinessCheck(config.database, database.db);
 * const ok = await readiness.ready();
 */
export function createReadinessCheck(config: DatabaseConfig, db: Kysely<DB>): ReadinessCheck {
  if (config.driver === 'pglite') {
    const probe = singleFlight(() => sql`select 1`.execute(db).then(() => true));
    return {
      async ready() {
        let timer: NodeJS.Timeout | undefined;
        const queued = new Promise<'queued'>((resolve) => {
          timer = setTimeout(() => resolve('queued'), 100);
        });
        const result = await Promise.race([probe(), queued]);
        clearTimeout(timer);
        return result !== false;
      },
      async close() {},
    };
  }

  const timeoutMs = Math.min(config.connectTimeoutMs, PROBE_TIMEOUT_MS);
  let pool: pg.Pool | undefined;
  return {
    ready: singleFlight(async () => {
      // One connection with a probe's short timeouts; when it breaks, the next probe opens another.
      pool ??= createPool({
        ...config,
        poolMax: 1,
        connectTimeoutMs: timeoutMs,
        statementTimeoutMs: timeoutMs,
      });
      await pool.query('select 1');
      return true;
    }),
    async close() {
      await pool?.end().catch(() => {});
      pool = undefined;
    },
  };
}

/** `fn`, with concurrent calls sharing the one in flight; a failure resolves to false. */
function singleFlight(fn: () => Promise<boolean>): () => Promise<boolean> {
  let inFlight: Promise<boolean> | undefined;
  return () => {
    if (inFlight) return inFlight;
    const current = Promise.resolve()
      .then(fn)
      .catch(() => false);
    inFlight = current;
    void current.then(() => {
      if (inFlight === current) inFlight = undefined;
    });
    return current;
  };
}
