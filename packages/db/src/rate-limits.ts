/**
 * Better Auth's per-address request limits, counted in `rate_limits` (migrations/0010) so that
 * every server process on one database enforces one limit. The auth package hands them over
 * through Better Auth's `rateLimit.customStorage`, with keys already hashed; times are
 * milliseconds since the epoch on the caller's clock.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from './schema.ts';

/** At most `max` requests per key in a window of `windowMs` since the last allowed one. */
export type RateLimitRule = { windowMs: number; max: number };

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

type Row = { count: number | string; last_request: number | string };

/**
 * Records one request under `key` in one statement and says whether it is allowed. The rules
 * are Better Auth's own: a window restarts when `windowMs` has passed since the last allowed
 * request, and a refused request moves nothing, so a client that keeps knocking is let in
 * again when the window runs out. The count goes one past `max` and stops there: that extra
 * one is how the answer says "refused". The upsert locks the row, so concurrent requests from
 * any number of connections are each counted once, and never more than `max` get through.
 *
 * @example
 * const verdict = await consumeRateLimit(db, hashedKey, { windowMs: 60_000, max: 10 }, Date.now());
 */
export async function consumeRateLimit(
  db: Kysely<DB>,
  key: string,
  rule: RateLimitRule,
  now: number,
): Promise<RateLimitVerdict> {
  const ended = now - rule.windowMs;
  const { rows } = await sql<Row>`
    insert into rate_limits as r (key, count, last_request)
    values (${key}, 1, ${now})
    on conflict (key) do update set
      count = case when r.last_request <= ${ended} then 1 else least(r.count + 1, ${rule.max + 1}) end,
      last_request = case
        when r.last_request <= ${ended} or r.count < ${rule.max} then ${now}
        else r.last_request
      end
    returning count, last_request`.execute(db);
  const row = rows[0];
  if (!row) throw new Error('the upsert returned no row');
  // bigint arrives as a number from PGlite and pg (database.ts), as a string by its type.
  if (Number(row.count) <= rule.max) return { allowed: true };
  return { allowed: false, retryAfterMs: Number(row.last_request) + rule.windowMs - now };
}

/**
 * Deletes every row whose last allowed request is older than `before`: with `before` at least
 * the longest window of any rule, only rows that would restart at 1 anyway. Returns how many.
 */
export async function pruneRateLimits(db: Kysely<DB>, before: number): Promise<number> {
  const result = await db
    .deleteFrom('rate_limits')
    .where('last_request', '<', String(before))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
