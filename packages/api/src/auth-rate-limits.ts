import { createHash } from 'node:crypto';
import { consumeRateLimit, type DB } from '@todo/db';
import type { BetterAuthRateLimitOptions } from 'better-auth';
import type { Kysely } from 'kysely';

export type RateLimitStorage = NonNullable<BetterAuthRateLimitOptions['customStorage']>;

/**
 * Better Auth's per-address limits, kept in `rate_limits` through its `customStorage` option.
 * Its own database storage keys rows on the raw `address|path` (a 3 KB path was a 500: too
 * long for the unique index), spends three statements on a refusal (a read, an update that
 * matches nothing, a read again) and prunes only when the same key comes round. Here each
 * request is one statement (`consumeRateLimit`: Better Auth's window rules, atomically), the
 * key is a SHA-256 hash (43 characters, however long the path; no address stored), and the
 * server prunes on its timer.
 *
 * @example
 * betterAuth({ rateLimit: { enabled: true, customStorage: rateLimitStorage(db) } });
 */
export function rateLimitStorage(db: Kysely<DB>): RateLimitStorage {
  return {
    async consume(key, rule) {
      const verdict = await consumeRateLimit(
        db,
        createHash('sha256').update(key).digest('base64url'),
        { windowMs: rule.window * 1000, max: rule.max },
        Date.now(),
      );
      if (verdict.allowed) return { allowed: true, retryAfter: null };
      return { allowed: false, retryAfter: Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)) };
    },
  };
}
