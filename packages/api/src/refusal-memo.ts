/**
 * The keys this process has seen refused, each until its refusal ends: the in-memory first pass
 * of the rate limiters. A client already over a limit is refused again from here without a
 * database statement; the database stays the one shared count, so the memo only ever refuses
 * what every process would refuse. Bounded like `MemoryFailureStore`: at `maxEntries` it drops
 * refusals that have ended, then the oldest, so a flood of made-up keys cannot grow memory.
 *
 * @example
 * const memo = new RefusalMemo();
 * const until = memo.until(key, Date.now());
 * if (until !== undefined) refuse(until - Date.now());
 * // … after the database refused it until `end`:
 * memo.remember(key, end, Date.now());
 */
export class RefusalMemo {
  readonly #until = new Map<string, number>();
  readonly #maxEntries: number;

  constructor({ maxEntries = 100_000 }: { maxEntries?: number } = {}) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#until.size;
  }

  /** When the refusal of `key` ends (ms since the epoch), if it is still on at `now`. */
  until(key: string, now: number): number | undefined {
    const until = this.#until.get(key);
    if (until === undefined) return undefined;
    if (now < until) return until;
    this.#until.delete(key);
    return undefined;
  }

  remember(key: string, until: number, now: number): void {
    if (until <= now) return;
    if (!this.#until.has(key) && this.#until.size >= this.#maxEntries) this.#prune(now);
    // Re-inserted, so that Map order stays oldest first for #prune.
    this.#until.delete(key);
    this.#until.set(key, until);
  }

  forget(key: string): void {
    this.#until.delete(key);
  }

  #prune(now: number) {
    for (const [key, until] of this.#until) if (now >= until) this.#until.delete(key);
    for (const key of this.#until.keys()) {
      if (this.#until.size < this.#maxEntries) break;
      this.#until.delete(key);
    }
  }
}
