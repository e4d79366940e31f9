import { randomBytes } from 'node:crypto';
import { type KyselyPlugin, PostgresQueryCompiler, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from './config.ts';
import { createDatabase, type Database } from './database.ts';
import { migrate } from './migrate.ts';
import { readPgliteSnapshot } from './testing-snapshot.ts';
import { migratedTemplate } from './testing-template.ts';

export { type FaultProxy, startFaultProxy } from './testing-fault-proxy.ts';

export type TestDriver = 'pglite' | 'pg' | 'neon';

/** In-memory PGlite always; with TEST_DATABASE_URL set, also that PostgreSQL (pg, then Neon's driver). */
export const testDrivers: TestDriver[] = process.env.TEST_DATABASE_URL
  ? ['pglite', 'pg', 'neon']
  : ['pglite'];

/**
 * The one driver for a test whose subject is not the database (HTTP edges, mail, the CLI):
 * PostgreSQL when TEST_DATABASE_URL gives one, else in-memory PGlite. Booting a PGlite costs the
 * test's process about 3 s of CPU even from the migrated snapshot, and runs every query in that
 * process besides; on a shared 2-core machine those seconds add up across files. The tests about
 * the database itself run on every driver (`testDrivers`).
 */
export const defaultTestDriver: 'pg' | 'pglite' = process.env.TEST_DATABASE_URL ? 'pg' : 'pglite';

export type TestDatabase = Database & {
  /** The fresh database's URL on the server, null for PGlite. */
  url: string | null;
  /** How it was opened: `createDatabase(config)` opens a second, independent pool to it (not for PGlite). */
  config: DatabaseConfig;
  /** Closes the connection and drops the throwaway database. */
  dispose(): Promise<void>;
};

const adminUrl = () => {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  return url;
};

/**
 * A fresh, migrated database for one test file: in-memory PGlite (loaded from the migrated
 * snapshot that testing-setup.ts makes once per run, when there is one), or a throwaway
 * database on the TEST_DATABASE_URL server, cloned from its migrated template
 * (testing-template.ts) and dropped again by `dispose`. `migrated: false` always starts from an
 * empty database.
 */
export async function createTestDatabase(
  driver: TestDriver,
  { migrated = true }: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const config: DatabaseConfig = { driver: 'pglite', dataDir: null };
    // Migrated: from the run's snapshot when its globalSetup made one; migrate() then only
    // checks that every migration is recorded with its checksum, and applies none.
    const snapshot = migrated ? await readPgliteSnapshot() : null;
    const database = createDatabase(config, snapshot ? { loadDataDir: snapshot } : {});
    if (migrated) await migrate(database.scripts);
    return { ...database, url: null, config, dispose: database.close };
  }
  if (driver === 'neon') {
    const { useLocalNeonProxy } = await import('./testing-neon.ts');
    await useLocalNeonProxy();
  }
  const name = `todo_test_${randomBytes(6).toString('hex')}`;
  // Migrated: cloned from the server's migrated template; migrate() then only checks that every
  // migration is recorded with its checksum, and applies none.
  const template = migrated ? await migratedTemplate(adminUrl()) : null;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const config: DatabaseConfig = {
    driver,
    url: url.toString(),
    poolMax: 10,
    connectTimeoutMs: 5_000,
    idleTimeoutMs: 10_000,
    statementTimeoutMs: 30_000,
  };
  const database = createDatabase(config);
  if (migrated) await migrate(database.scripts);
  return {
    ...database,
    url: url.toString(),
    config,
    async dispose() {
      await database.close();
      const admin = new pg.Client({ connectionString: adminUrl() });
      await admin.connect();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/**
 * Inserts a user the way Better Auth would (uuid key, lower-case email) and returns its id. The
 * email is unique unless given; `id` fixes the key when a test needs it before the insert.
 *
 * @example
 * const alice = await createTestUser(db, 'alice');
 * await createTestUser(db, 'Carol', { email: 'carol@example.com' });
 * await createTestUser(db, 'bob', { id: randomUUID() });
 */
export async function createTestUser(
  db: Database['db'],
  name: string,
  { id, email }: { id?: string; email?: string } = {},
): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({
      ...(id ? { id } : {}),
      name,
      email: email ?? `${name.toLowerCase()}-${randomBytes(4).toString('hex')}@example.com`,
      email_verified: false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Runs `text` on the database and returns its rows; for tests that check what the SQL did. */
export async function queryRows<R = Record<string, unknown>>(db: Database['db'], text: string): Promise<R[]> {
  const result = await sql.raw<R>(text).execute(db);
  return result.rows;
}

export type StatementCount = {
  /** Statements whose SQL matched and that the database answered. */
  total: number;
  /** The most that were under way at once (from compiled to answered, waiting for a connection included). */
  mostAtOnce: number;
};

/**
 * Counts the statements run through the returned `db` whose SQL matches `pattern`, and how many
 * of them were under way at once. It changes no query: a server given this `db` runs exactly as
 * it would, and the test sees how often it went to the database for, say, one table. `reset`
 * starts again from nothing (also forgetting queries compiled but never run, as Better Auth's
 * schema check compiles some).
 *
 * @example
 * const counted = countStatements(database.db, /\brate_limits\b/);
 * const server = await startTestServer(driver, {}, { ...database, db: counted.db });
 * counted.reset();
 * expect(counted.count().total).toBeLessThan(20);
 */
export function countStatements(db: Database['db'], pattern: RegExp) {
  const compiler = new PostgresQueryCompiler();
  const underWay = new Set<unknown>();
  const count: StatementCount = { total: 0, mostAtOnce: 0 };
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      if (pattern.test(compiler.compileQuery(node, queryId).sql)) {
        underWay.add(queryId);
        count.mostAtOnce = Math.max(count.mostAtOnce, underWay.size);
      }
      return node;
    },
    async transformResult({ result, queryId }) {
      if (underWay.delete(queryId)) count.total++;
      return result;
    },
  };
  return {
    db: db.withPlugin(plugin),
    count: (): StatementCount => ({ ...count }),
    reset() {
      underWay.clear();
      Object.assign(count, { total: 0, mostAtOnce: 0 });
    },
  };
}
