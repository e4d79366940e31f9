import { connect as connectTcp, createServer, type Server } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDatabase, ping, waitForDatabase } from './database.ts';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from './testing.ts';
import { localNeonProxyStats } from './testing-neon.ts';

const closedPortDatabase = () =>
  createDatabase({
    driver: 'pg',
    url: 'postgres://postgres@127.0.0.1:1/nothing',
    poolMax: 1,
    connectTimeoutMs: 1_000,
    idleTimeoutMs: 1_000,
    statementTimeoutMs: 1_000,
  });

describe('a database that does not answer', () => {
  test('waitForDatabase retries with backoff, then fails naming the attempts and the cause', async () => {
    const database = closedPortDatabase();
    try {
      const started = performance.now();
      const error: Error = await waitForDatabase(database.db, {
        attempts: 3,
        firstDelayMs: 40,
        maxDelayMs: 1_000,
      }).then(
        () => {
          throw new Error('expected waitForDatabase to fail');
        },
        (reason: Error) => reason,
      );
      // Two waits between three attempts: 40 ms, then 80 ms.
      expect(performance.now() - started).toBeGreaterThanOrEqual(115);
      expect(error.message).toMatch(/^database unreachable after 3 attempts: .*ECONNREFUSED/);
      expect(error.cause).toBeInstanceOf(Error);
    } finally {
      await database.close();
    }
  });

  test('ping answers false instead of throwing', async () => {
    const database = closedPortDatabase();
    try {
      expect(await ping(database.db)).toBe(false);
    } finally {
      await database.close();
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('a database that comes up while we wait', () => {
  let forwarder: Server | undefined;
  afterAll(() => forwarder?.close());

  test('waitForDatabase keeps retrying and succeeds once it answers', async () => {
    // Find a free port, leave it closed, and open a TCP forwarder to the real server on it later.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const target = new URL(process.env.TEST_DATABASE_URL ?? '');
    const url = new URL(target);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const database = createDatabase({
      driver: 'pg',
      url: url.toString(),
      poolMax: 1,
      connectTimeoutMs: 1_000,
      idleTimeoutMs: 1_000,
      statementTimeoutMs: 1_000,
    });
    try {
      expect(await ping(database.db)).toBe(false);
      setTimeout(() => {
        forwarder = createServer((socket) => {
          const upstream = connectTcp(Number(target.port || 5432), target.hostname);
          socket.pipe(upstream).pipe(socket);
          socket.on('error', () => upstream.destroy());
          upstream.on('error', () => socket.destroy());
        }).listen(port, '127.0.0.1');
      }, 150);
      await waitForDatabase(database.db, { attempts: 10, firstDelayMs: 50, maxDelayMs: 100 });
      expect(await ping(database.db)).toBe(true);
    } finally {
      await database.close();
    }
  });
});

describe.each(testDrivers)('%s connection', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database?.dispose());

  test('ping and waitForDatabase succeed at once', async () => {
    expect(await ping(database.db)).toBe(true);
    await expect(waitForDatabase(database.db, { attempts: 1 })).resolves.toBeUndefined();
  });

  test.runIf(driver === 'neon')("goes through Neon's serverless driver and the local proxy", async () => {
    const before = localNeonProxyStats();
    const { rows } = await sql<{ answer: string }>`select 'through the proxy' as answer`.execute(database.db);
    expect(rows).toEqual([{ answer: 'through the proxy' }]);
    const after = localNeonProxyStats();
    expect(after.connections).toBeGreaterThan(0);
    expect(after.bytesToServer).toBeGreaterThan(before.bytesToServer);
    expect(after.bytesToClient).toBeGreaterThan(before.bytesToClient);
  });

  test.runIf(driver !== 'neon')('does not touch the Neon proxy', () => {
    expect(localNeonProxyStats().connections).toBe(0);
  });

  test("a transaction's rollback never undoes a concurrent statement's committed row", async () => {
    const userId = await createTestUser(database.db, 'serial');
    let signal!: () => void;
    const insideTransaction = new Promise<void>((resolve) => {
      signal = resolve;
    });
    const failing = database.db.transaction().execute(async (trx) => {
      await trx.insertInto('todos').values({ created_by: userId, title: 'rolled back' }).execute();
      signal();
      // Give the concurrent insert every chance to run while this transaction is open.
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('abort');
    });
    await insideTransaction;
    const committed = database.db
      .insertInto('todos')
      .values({ created_by: userId, title: 'committed' })
      .execute();
    await expect(failing).rejects.toThrow('abort');
    await committed;
    const titles = await database.db
      .selectFrom('todos')
      .select('title')
      .where('created_by', '=', userId)
      .execute();
    expect(titles).toEqual([{ title: 'committed' }]);
  });
});
