/**
 * Failed sign-ins counted per account (the submitted email, lowercased), whoever sends them:
 * Better Auth's own limit is per IP, which an attacker with many addresses spreads thin. After
 * `maxFailures` failures within `windowMs` the account refuses every sign-in, the right
 * password included, until the window has passed since the first failure; a success clears
 * the count. The key is the email as typed, whether or not an account exists, so the answer
 * reveals nothing about which emails are registered.
 *
 * In memory, per process, like Better Auth's default rate-limit store: behind several
 * instances each counts on its own (see SECURITY.md).
 *
 * @example
 * const limiter = new SignInLimiter({ maxFailures: 10, windowMs: 15 * 60_000 });
 * if (limiter.isBlocked(email)) refuse(); else if (failed) limiter.recordFailure(email);
 */
export class SignInLimiter {
  readonly #failures = new Map<string, { count: number; since: number }>();
  readonly #maxEntries: number;

  constructor(private readonly options: { maxFailures: number; windowMs: number; maxEntries?: number }) {
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  static key(email: unknown): string | null {
    return typeof email === 'string' && email.length > 0 ? email.trim().toLowerCase() : null;
  }

  #current(key: string, now: number) {
    const entry = this.#failures.get(key);
    if (entry && now - entry.since >= this.options.windowMs) {
      this.#failures.delete(key);
      return undefined;
    }
    return entry;
  }

  isBlocked(key: string, now = Date.now()): boolean {
    return (this.#current(key, now)?.count ?? 0) >= this.options.maxFailures;
  }

  /** Seconds until the account accepts sign-ins again (0 when it does now). */
  retryAfterSeconds(key: string, now = Date.now()): number {
    const entry = this.#current(key, now);
    return entry ? Math.max(0, Math.ceil((entry.since + this.options.windowMs - now) / 1000)) : 0;
  }

  recordFailure(key: string, now = Date.now()): void {
    const entry = this.#current(key, now);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.#failures.size >= this.#maxEntries) this.#prune(now);
    this.#failures.set(key, { count: 1, since: now });
  }

  recordSuccess(key: string): void {
    this.#failures.delete(key);
  }

  /** Drops expired entries, then the oldest, so a flood of made-up emails cannot grow memory without bound. */
  #prune(now: number) {
    for (const [key, entry] of this.#failures) {
      if (now - entry.since >= this.options.windowMs) this.#failures.delete(key);
    }
    for (const key of this.#failures.keys()) {
      if (this.#failures.size < this.#maxEntries) break;
      this.#failures.delete(key);
    }
  }
}
