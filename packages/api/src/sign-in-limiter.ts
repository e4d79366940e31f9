import { createHash } from 'node:crypto';
import type { FailureCount } from '@todo/db';
import { RefusalMemo } from './refusal-memo.ts';

/**
 * Where failure counts live. The server keeps them in PostgreSQL (`signInFailureStore` of
 * @todo/db: one upsert that increments, or restarts an ended window), so every instance shares
 * them; `MemoryFailureStore` counts per process.
 */
export interface FailureStore {
  /** The live count under `key`; undefined when there is none or its window has ended. */
  get(key: string, now: number): Promise<FailureCount | undefined>;
  /** Adds one failure, opening a window of `windowMs` when there is no live one. */
  increment(key: string, now: number, windowMs: number): Promise<FailureCount>;
  delete(key: string): Promise<void>;
}

/**
 * Counts in a Map, per process, like Better Auth's default rate-limit store: behind several
 * instances each counts on its own. At `maxEntries` it drops ended windows, then the oldest
 * entries, so a flood of made-up emails or addresses cannot grow memory without bound.
 */
export class MemoryFailureStore implements FailureStore {
  readonly #counts = new Map<string, FailureCount>();
  readonly #maxEntries: number;

  constructor({ maxEntries = 100_000 }: { maxEntries?: number } = {}) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#counts.size;
  }

  async get(key: string, now: number): Promise<FailureCount | undefined> {
    return this.#live(key, now);
  }

  async increment(key: string, now: number, windowMs: number): Promise<FailureCount> {
    const entry = this.#live(key, now);
    if (entry) {
      entry.count++;
      return { ...entry };
    }
    if (this.#counts.size >= this.#maxEntries) this.#prune(now);
    const fresh = { count: 1, expiresAt: now + windowMs };
    this.#counts.set(key, fresh);
    return { ...fresh };
  }

  async delete(key: string): Promise<void> {
    this.#counts.delete(key);
  }

  #live(key: string, now: number): FailureCount | undefined {
    const entry = this.#counts.get(key);
    if (entry && now >= entry.expiresAt) {
      this.#counts.delete(key);
      return undefined;
    }
    return entry;
  }

  #prune(now: number) {
    for (const [key, entry] of this.#counts) {
      if (now >= entry.expiresAt) this.#counts.delete(key);
    }
    // Map iteration follows insertion order: the oldest windows go first.
    for (const key of this.#counts.keys()) {
      if (this.#counts.size < this.#maxEntries) break;
      this.#counts.delete(key);
    }
  }
}

export type SignInLimiterOptions = {
  /** Failures for one account from one client before that client is refused for it. */
  maxFailures: number;
  windowMs: number;
  /**
   * Failures for one account from all clients together above which the account is under attack:
   * then each client that has failed `maxFailuresUnderAttack` times for it is refused. A client
   * with fewer failures of its own (the owner's, usually none) still gets in.
   */
  accountCeiling?: number;
  maxFailuresUnderAttack?: number;
  store?: FailureStore;
};

export type SignInVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Failed sign-ins counted per account (the submitted email, trimmed and lowercased) *and* client
 * (its IP address, as Better Auth's per-IP limit normalises it). After `maxFailures` failures
 * within `windowMs` the account refuses sign-ins from that client only, the right password
 * included, until the window ends; the owner signing in from another client is unaffected, so a
 * stranger cannot lock anyone out. A success clears that client's count for the account.
 *
 * Across all clients, an account past `accountCeiling` failures tightens every client's
 * allowance for it to `maxFailuresUnderAttack`: a distributed guesser gets fewer tries per
 * address, the owner's own client (with no failures of its own) is still never refused.
 *
 * Keys are the email as typed whether or not an account exists, so the answer reveals nothing
 * about which emails are registered; the store sees only hashes of them.
 *
 * A refusal is also remembered in this process until it ends (`RefusalMemo`): a client that
 * keeps trying is refused again without a statement. The store keeps the one shared count, and
 * the memo refuses only what the store would.
 *
 * @example
 * const limiter = new SignInLimiter({ maxFailures: 10, windowMs: 15 * 60_000 });
 * const verdict = await limiter.check(email, ip);
 * if (!verdict.allowed) refuse(verdict.retryAfterSeconds);
 * else if (failed) await limiter.recordFailure(email, ip);
 * else await limiter.recordSuccess(email, ip);
 */
export class SignInLimiter {
  readonly #store: FailureStore;
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #accountCeiling: number;
  readonly #maxFailuresUnderAttack: number;
  readonly #refused = new RefusalMemo();

  constructor(options: SignInLimiterOptions) {
    this.#maxFailures = options.maxFailures;
    this.#windowMs = options.windowMs;
    this.#accountCeiling = options.accountCeiling ?? options.maxFailures * 10;
    this.#maxFailuresUnderAttack = Math.min(
      options.maxFailuresUnderAttack ?? Math.ceil(options.maxFailures / 3),
      options.maxFailures,
    );
    this.#store = options.store ?? new MemoryFailureStore();
  }

  /** The account an attempt is for: the email as typed, trimmed and lowercased; null if none. */
  static account(email: unknown): string | null {
    return typeof email === 'string' && email.trim().length > 0 ? email.trim().toLowerCase() : null;
  }

  async check(account: string, client: string, now = Date.now()): Promise<SignInVerdict> {
    const key = pairKey(account, client);
    const remembered = this.#refused.until(key, now);
    if (remembered !== undefined) return refusal(remembered, now);
    const [pair, all] = await Promise.all([
      this.#store.get(key, now),
      this.#store.get(accountKey(account), now),
    ]);
    const until = this.#refusedUntil(pair, all);
    if (until === undefined) return { allowed: true };
    this.#refused.remember(key, until, now);
    return refusal(until, now);
  }

  async recordFailure(account: string, client: string, now = Date.now()): Promise<void> {
    const key = pairKey(account, client);
    const [pair, all] = await Promise.all([
      this.#store.increment(key, now, this.#windowMs),
      this.#store.increment(accountKey(account), now, this.#windowMs),
    ]);
    const until = this.#refusedUntil(pair, all);
    if (until !== undefined) this.#refused.remember(key, until, now);
  }

  /** Clears this client's count for the account; the account-wide count runs out on its own. */
  async recordSuccess(account: string, client: string): Promise<void> {
    const key = pairKey(account, client);
    this.#refused.forget(key);
    await this.#store.delete(key);
  }

  /**
   * Until when these counts refuse the client, or undefined. Under attack the tighter limit
   * holds only while the account-wide window lasts; after it, the client's own count is
   * measured against `maxFailures` again.
   */
  #refusedUntil(pair: FailureCount | undefined, all: FailureCount | undefined): number | undefined {
    if (!pair) return undefined;
    if (pair.count >= this.#maxFailures) return pair.expiresAt;
    const underAttack = all !== undefined && all.count >= this.#accountCeiling;
    if (underAttack && pair.count >= this.#maxFailuresUnderAttack) {
      return Math.min(pair.expiresAt, all.expiresAt);
    }
    return undefined;
  }
}

const refusal = (until: number, now: number): SignInVerdict => ({
  allowed: false,
  retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
});

// Hashed so that the store holds no email addresses and every key has the same short length
// (an email as typed can be long); the JSON array keeps the two parts from running together.
const hash = (parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
const pairKey = (account: string, client: string) => `client:${hash([account, client])}`;
const accountKey = (account: string) => `account:${hash([account])}`;
