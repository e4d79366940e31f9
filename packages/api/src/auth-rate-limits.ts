import { createHash } from 'node:crypto';
import { consumeRateLimit, type DB } from '@todo/db';
import type { BetterAuthRateLimitOptions } from 'better-auth';
import type { Kysely } from 'kysely';
import { RefusalMemo } from './refusal-memo.ts';

export type RateLimitStorage = NonNullable<BetterAuthRateLimitOptions['customStorage']>;

/**
 * Runs one piece of the limiters' database work. The server passes a queue that holds a small
 * share of the pool (p-limit), so that a flood of attempts waits in its own line instead of
 * taking the connections signed-in requests need.
 */
export type LimiterQueue = <T>(work: () => Promise<T>) => Promise<T>;

/** No queue: each statement as it comes (in-process use, tests of the limiter alone). */
export const unqueued: LimiterQueue = (work) => work();

/**
 * Better Auth's per-address limits, kept in `rate_limits` through its `customStorage` option.
 * Its own database storage keys rows on the raw `address|path` (a 3 KB path was a 500: too
 * long for the unique index), spends three statements on a refusal (a read, an update that
 * matches nothing, a read again) and prunes only when the same key comes round. Here:
 * - the key is a SHA-256 hash (43 characters, however long the path; no address stored);
 * - a client this process has seen refused is refused again from memory until its window
 *   ends, and checked again once its turn in the queue comes: of a burst from one address,
 *   only the requests up to the first refusal reach the database;
 * - the rest is one statement (`consumeRateLimit`: Better Auth's window rules, atomically),
 *   in the limiters' queue.
 *
 * @example
 * betterAuth({ rateLimit: { enabled: true, customStorage: rateLimitStorage(db, { queue }) } });
 */
export function rateLimitStorage(
  db: Kysely<DB>,
  { queue = unqueued, memo = new RefusalMemo() }: { queue?: LimiterQueue; memo?: RefusalMemo } = {},
): RateLimitStorage {
  const refused = (until: number, now: number) => ({
    allowed: false,
    retryAfter: Math.max(1, Math.ceil((until - now) / 1000)),
  });
  return {
    async consume(key, rule) {
      const hashed = createHash('sha256').update(key).digest('base64url');
      const known = memo.until(hashed, Date.now());
      if (known !== undefined) return refused(known, Date.now());
      return queue(async () => {
        const now = Date.now();
        // Another request of this client's may have been refused while this one waited.
        const learnt = memo.until(hashed, now);
        if (learnt !== undefined) return refused(learnt, now);
        const verdict = await consumeRateLimit(
          db,
          hashed,
          { windowMs: rule.window * 1000, max: rule.max },
          now,
        );
        if (verdict.allowed) return { allowed: true, retryAfter: null };
        memo.remember(hashed, now + verdict.retryAfterMs, now);
        return refused(now + verdict.retryAfterMs, now);
      });
    },
  };
}
