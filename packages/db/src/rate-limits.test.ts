// Better Auth's per-address limits in PostgreSQL (rate-limits.ts) on every driver: Better
// Auth's window rules in one statement, refusals that move nothing, and never more than `max`
// allowed however many connections ask at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from './database.ts';
import { consumeRateLimit, pruneRateLimits } from './rate-limits.ts';
import { createTestDatabase, queryRows, type TestDatabase, testDrivers } from './testing.ts';

const RULE = { windowMs: 60_000, max: 3 };
const T0 = 1_700_000_000_000;
let keys = 0;
const newKey = () => `test-${++keys}`;

describe.each(testDrivers)('rate limits (%s)', (driver) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database?.dispose());

  const consume = (key: string, now: number) => consumeRateLimit(database.db, key, RULE, now);

  it('allows max requests in a window, then refuses until the window since the last allowed one ends', async () => {
    const key = newKey();
    for (const now of [T0, T0 + 1_000, T0 + 2_000])
      expect(await consume(key, now)).toEqual({ allowed: true });
    expect(await consume(key, T0 + 3_000)).toEqual({ allowed: false, retryAfterMs: 59_000 });
    // A refusal moves nothing: knocking on does not push the window out.
    expect(await consume(key, T0 + 30_000)).toEqual({ allowed: false, retryAfterMs: 32_000 });
    expect(await consume(key, T0 + 61_999)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(await consume(key, T0 + 62_000)).toEqual({ allowed: true });
    const rows = await queryRows(
      database.db,
      `select count, last_request from rate_limits where key = '${key}'`,
    );
    expect(rows.map((row) => ({ count: Number(row.count), last: Number(row.last_request) }))).toEqual([
      { count: 1, last: T0 + 62_000 },
    ]);
  });

  it('keys are counted apart', async () => {
    const [a, b] = [newKey(), newKey()];
    for (let n = 0; n < 3; n++) await consume(a, T0);
    expect((await consume(a, T0)).allowed).toBe(false);
    expect(await consume(b, T0)).toEqual({ allowed: true });
  });

  it('pruning deletes the rows older than the cut-off, and only those', async () => {
    const [old, recent] = [newKey(), newKey()];
    await consume(old, T0 - 120_000);
    await consume(recent, T0);
    const cutOff = T0 - 60_000;
    const before = await queryRows<{ n: number }>(
      database.db,
      `select count(*)::int as n from rate_limits where last_request < ${cutOff}`,
    );
    expect(await pruneRateLimits(database.db, cutOff)).toBe(before[0]?.n);
    const left = await queryRows<{ key: string }>(
      database.db,
      `select key from rate_limits where key in ('${old}', '${recent}')`,
    );
    expect(left).toEqual([{ key: recent }]);
  });

  describe.skipIf(driver === 'pglite')('from two connections at once', () => {
    let second: Database;
    beforeAll(() => {
      second = createDatabase(database.config);
    });
    afterAll(() => second?.close());

    it('lets exactly max through, whichever connection asks', async () => {
      const key = newKey();
      const verdicts = await Promise.all(
        Array.from({ length: 60 }, (_, n) =>
          consumeRateLimit(n % 2 ? second.db : database.db, key, { windowMs: 60_000, max: 25 }, T0),
        ),
      );
      expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(25);
    });
  });
});
