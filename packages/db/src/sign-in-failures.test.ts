// The sign-in limiter's counts in PostgreSQL (migrations/0010, sign-in-failures.ts) on every
// driver: windows open, count, end and restart in one statement, and increments from separate
// connections at the same time each count exactly once.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from './database.ts';
import {
  deleteSignInFailures,
  getSignInFailures,
  incrementSignInFailures,
  pruneSignInFailures,
} from './sign-in-failures.ts';
import { createTestDatabase, queryRows, type TestDatabase, testDrivers } from './testing.ts';

const WINDOW = 15 * 60_000;
const T0 = 1_700_000_000_000;
let keys = 0;
const newKey = () => `client:test-${++keys}`;

describe.each(testDrivers)('sign-in failure counts (%s)', (driver) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database?.dispose());

  it('opens a window on the first failure and counts within it, the window unchanged', async () => {
    const key = newKey();
    expect(await getSignInFailures(database.db, key, T0)).toBeUndefined();
    expect(await incrementSignInFailures(database.db, key, T0, WINDOW)).toEqual({
      count: 1,
      expiresAt: T0 + WINDOW,
    });
    expect(await incrementSignInFailures(database.db, key, T0 + 60_000, WINDOW)).toEqual({
      count: 2,
      expiresAt: T0 + WINDOW,
    });
    expect(await getSignInFailures(database.db, key, T0 + WINDOW - 1)).toEqual({
      count: 2,
      expiresAt: T0 + WINDOW,
    });
  });

  it('an ended window reads as none, and the next failure starts a new one at 1 in the same row', async () => {
    const key = newKey();
    for (let i = 0; i < 5; i++) await incrementSignInFailures(database.db, key, T0, WINDOW);
    expect(await getSignInFailures(database.db, key, T0 + WINDOW)).toBeUndefined();
    expect(await incrementSignInFailures(database.db, key, T0 + WINDOW, WINDOW)).toEqual({
      count: 1,
      expiresAt: T0 + 2 * WINDOW,
    });
    const rows = await queryRows(database.db, `select count from sign_in_failures where key = '${key}'`);
    expect(rows).toEqual([{ count: 1 }]);
  });

  it('delete clears one key and no other', async () => {
    const [a, b] = [newKey(), newKey()];
    await incrementSignInFailures(database.db, a, T0, WINDOW);
    await incrementSignInFailures(database.db, b, T0, WINDOW);
    await deleteSignInFailures(database.db, a);
    expect(await getSignInFailures(database.db, a, T0)).toBeUndefined();
    expect(await getSignInFailures(database.db, b, T0)).toEqual({ count: 1, expiresAt: T0 + WINDOW });
  });

  it('pruning deletes the windows that have ended, and only those', async () => {
    const later = T0 + 10 * WINDOW;
    const [ended, live] = [newKey(), newKey()];
    await incrementSignInFailures(database.db, ended, later, WINDOW);
    await incrementSignInFailures(database.db, live, later + 1, WINDOW);
    const before = await queryRows<{ n: number }>(
      database.db,
      `select count(*)::int as n from sign_in_failures where expires_at <= ${later + WINDOW}`,
    );
    expect(await pruneSignInFailures(database.db, later + WINDOW)).toBe(before[0]?.n);
    expect(await getSignInFailures(database.db, ended, later)).toBeUndefined();
    expect(await getSignInFailures(database.db, live, later + WINDOW)).toEqual({
      count: 1,
      expiresAt: later + 1 + WINDOW,
    });
  });

  it("the API's role cannot read or write the counts", async () => {
    const denied = database.db.transaction().execute(async (trx) => {
      await sql`set local role todo_app`.execute(trx);
      await sql`select count(*) from sign_in_failures`.execute(trx);
    });
    await expect(denied).rejects.toThrow(/permission denied/);
  });

  describe.skipIf(driver === 'pglite')('from two connections at once', () => {
    let second: Database;
    beforeAll(() => {
      second = createDatabase(database.config);
    });
    afterAll(() => second?.close());

    it('counts every increment exactly once, each answer a different count', async () => {
      const key = newKey();
      const each = 40;
      const answers = await Promise.all(
        Array.from({ length: each * 2 }, (_, i) =>
          incrementSignInFailures(i % 2 ? second.db : database.db, key, T0, WINDOW),
        ),
      );
      const counts = answers.map((answer) => answer.count).sort((a, b) => a - b);
      expect(counts).toEqual(Array.from({ length: each * 2 }, (_, i) => i + 1));
      expect(await getSignInFailures(second.db, key, T0)).toEqual({
        count: each * 2,
        expiresAt: T0 + WINDOW,
      });
    });

    it('restarts an ended window once: concurrent failures after it count 1, 2, 3… in the new window', async () => {
      const key = newKey();
      for (let i = 0; i < 7; i++) await incrementSignInFailures(database.db, key, T0, WINDOW);
      const now = T0 + WINDOW;
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          incrementSignInFailures(i % 2 ? second.db : database.db, key, now, WINDOW),
        ),
      );
      expect(answers.map((answer) => answer.count).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
      expect(new Set(answers.map((answer) => answer.expiresAt))).toEqual(new Set([now + WINDOW]));
    });
  });

  it('on one connection too, concurrent increments each count once', async () => {
    const key = newKey();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => incrementSignInFailures(database.db, key, T0, WINDOW)),
    );
    expect(answers.map((answer) => answer.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });
});
