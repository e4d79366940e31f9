// Real errors from each driver, on real sockets: a PostgreSQL that goes away behind a TCP proxy
// (testing-fault-proxy.ts), a backend an administrator ends, a pool with no connection free;
// and errors that are a statement's own, which must not pass for an outage.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { createDatabase, type Database } from './database.ts';
import {
  createTestDatabase,
  type FaultProxy,
  startFaultProxy,
  type TestDatabase,
  testDrivers,
} from './testing.ts';
import { isDatabaseUnavailable } from './unavailable.ts';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('the statement succeeded'),
    (error: unknown) => error,
  );

describe.each(testDrivers.filter((driver) => driver !== 'pglite'))(
  '%s: an unreachable database',
  (driver) => {
    let test_: TestDatabase;
    let proxy: FaultProxy;
    let proxied: Database;
    const open = async () => {
      test_ ??= await createTestDatabase(driver);
      proxy ??= await startFaultProxy(test_.url ?? '');
      const config = test_.config as Extract<TestDatabase['config'], { driver: 'pg' | 'neon' }>;
      proxied ??= createDatabase({
        ...config,
        url: proxy.through(config.url),
        poolMax: 2,
        connectTimeoutMs: 500,
      });
      await proxy.restore();
      return proxied;
    };
    afterAll(async () => {
      await proxied?.close();
      await proxy?.close();
      await test_?.dispose();
    });

    test('refused, reset mid-statement, or silent until the connect timeout', async () => {
      const { db } = await open();
      await sql`select 1`.execute(db);
      const inFlight = failure(sql`select pg_sleep(5)`.execute(db));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await proxy.refuse();
      expect(isDatabaseUnavailable(await inFlight)).toBe(true);
      expect(isDatabaseUnavailable(await failure(sql`select 1`.execute(db)))).toBe(true);
      await proxy.hang();
      expect(isDatabaseUnavailable(await failure(sql`select 1`.execute(db)))).toBe(true);
    });

    test('its backend ended by an administrator (57P01), or no connection free in the pool', async () => {
      const { db } = await open();
      await sql`select 1`.execute(db);
      const admin = new pg.Client({ connectionString: test_.url ?? '' });
      await admin.connect();
      try {
        // Its own words: the first test's statement may still be sleeping on the server, its
        // client long gone, and ending that one instead would prove nothing.
        const inFlight = failure(sql`select pg_sleep(5) as ended_by_an_administrator`.execute(db));
        // Terminated once it runs: waiting a fixed time would miss it on a busy machine.
        const deadline = Date.now() + 10_000;
        for (;;) {
          const { rows } = await admin.query(
            `select pg_terminate_backend(pid) as ended from pg_stat_activity
            where datname = current_database() and state = 'active' and pid <> pg_backend_pid()
              and query like '%ended_by_an_administrator%'`,
          );
          if (rows.some((row: { ended: boolean }) => row.ended) || Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(isDatabaseUnavailable(await inFlight)).toBe(true);

        // The ended connection may still sit idle in the pool until its socket's end is read;
        // the next statement on it fails. Once a statement succeeds, the pool is whole again.
        for (let tries = 0; ; tries++) {
          const ok = await sql`select 1`.execute(db).then(
            () => true,
            () => false,
          );
          if (ok || tries === 5) break;
        }
        // Both connections held (seen running, so a busy machine cannot start the check early):
        // the next statement finds none free.
        const held = [sql`select pg_sleep(3)`.execute(db), sql`select pg_sleep(3)`.execute(db)];
        await expect
          .poll(
            async () =>
              (
                await admin.query(
                  `select count(*)::int as n from pg_stat_activity
                  where datname = current_database() and state = 'active' and query like 'select pg_sleep(3)%'`,
                )
              ).rows[0].n,
            { timeout: 10_000 },
          )
          .toBe(2);
        expect(isDatabaseUnavailable(await failure(sql`select 1`.execute(db)))).toBe(true);
        await Promise.allSettled(held);
      } finally {
        await admin.end();
      }
    });

    test('a statement’s own errors are not an outage: syntax, bad input, the statement timeout', async () => {
      const { db } = await open();
      expect(isDatabaseUnavailable(await failure(sql`selec 1`.execute(db)))).toBe(false);
      expect(isDatabaseUnavailable(await failure(sql`select 'x'::int`.execute(db)))).toBe(false);
      const timedOut = failure(
        db.transaction().execute(async (trx) => {
          await sql`set local statement_timeout = 50`.execute(trx);
          await sql`select pg_sleep(1)`.execute(trx);
        }),
      );
      expect(isDatabaseUnavailable(await timedOut)).toBe(false);
    });
  },
);

describe('pglite: its errors are statements’ errors', () => {
  test('a syntax error, and a closed instance, are not an outage', async () => {
    const database = createDatabase({ driver: 'pglite', dataDir: null });
    expect(isDatabaseUnavailable(await failure(sql`selec 1`.execute(database.db)))).toBe(false);
    await database.close();
    expect(isDatabaseUnavailable(await failure(sql`select 1`.execute(database.db)))).toBe(false);
  });

  test('a cause two levels down counts; an unrelated ECONNREFUSED-looking message does not', () => {
    const driver = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(new Error('outer', { cause: new Error('middle', { cause: driver }) }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(new AggregateError([driver], 'all addresses failed'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('connect ECONNREFUSED (a message is not a code)'))).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});
