import { describe, expect, it } from 'vitest';
import { type FailureStore, MemoryFailureStore, SignInLimiter } from './sign-in-limiter.ts';

/** A MemoryFailureStore that counts how often it is read. */
function readCounting(): FailureStore & { reads: number } {
  const store = new MemoryFailureStore();
  const counting = {
    reads: 0,
    get: (key: string, now: number) => {
      counting.reads++;
      return store.get(key, now);
    },
    increment: store.increment.bind(store),
    delete: store.delete.bind(store),
  };
  return counting;
}

const WINDOW = 15 * 60_000;
const T0 = 1_000_000;
const OWNER = '198.51.100.7';
const STRANGER = '203.0.113.9';

async function fail(limiter: SignInLimiter, account: string, client: string, times: number, now = T0) {
  for (let i = 0; i < times; i++) await limiter.recordFailure(account, client, now);
}

describe('SignInLimiter', () => {
  it("refuses a client after maxFailures for an account, and only that client, with the window's rest as retry-after", async () => {
    const limiter = new SignInLimiter({ maxFailures: 10, windowMs: WINDOW });
    await fail(limiter, 'owner@example.com', STRANGER, 9);
    expect(await limiter.check('owner@example.com', STRANGER, T0)).toEqual({ allowed: true });
    await fail(limiter, 'owner@example.com', STRANGER, 1);
    expect(await limiter.check('owner@example.com', STRANGER, T0 + 60_000)).toEqual({
      allowed: false,
      retryAfterSeconds: 14 * 60,
    });
    expect(await limiter.check('owner@example.com', OWNER, T0)).toEqual({ allowed: true });
    expect(await limiter.check('other@example.com', STRANGER, T0)).toEqual({ allowed: true });
  });

  it('lets the client in again once the window since its first failure has passed', async () => {
    const limiter = new SignInLimiter({ maxFailures: 3, windowMs: WINDOW });
    await fail(limiter, 'a@example.com', STRANGER, 3);
    expect((await limiter.check('a@example.com', STRANGER, T0 + WINDOW - 1)).allowed).toBe(false);
    expect(await limiter.check('a@example.com', STRANGER, T0 + WINDOW)).toEqual({ allowed: true });
    await limiter.recordFailure('a@example.com', STRANGER, T0 + WINDOW);
    expect((await limiter.check('a@example.com', STRANGER, T0 + WINDOW)).allowed).toBe(true);
  });

  it("a success clears that client's count for the account, not another client's", async () => {
    const limiter = new SignInLimiter({ maxFailures: 3, windowMs: WINDOW });
    await fail(limiter, 'a@example.com', OWNER, 2);
    await fail(limiter, 'a@example.com', STRANGER, 3);
    await limiter.recordSuccess('a@example.com', OWNER);
    await fail(limiter, 'a@example.com', OWNER, 2);
    expect((await limiter.check('a@example.com', OWNER, T0)).allowed).toBe(true);
    expect((await limiter.check('a@example.com', STRANGER, T0)).allowed).toBe(false);
  });

  it('past the account-wide ceiling, failing clients get fewer tries; a client without failures is never refused', async () => {
    const limiter = new SignInLimiter({
      maxFailures: 10,
      windowMs: WINDOW,
      accountCeiling: 20,
      maxFailuresUnderAttack: 3,
    });
    for (let n = 0; n < 10; n++) await fail(limiter, 'target@example.com', `203.0.113.${n}`, 2);
    expect((await limiter.check('target@example.com', '203.0.113.0', T0)).allowed).toBe(true);
    await fail(limiter, 'target@example.com', '203.0.113.0', 1);
    // 21 failures in all: the account is under attack, and this client has failed 3 times.
    expect((await limiter.check('target@example.com', '203.0.113.0', T0)).allowed).toBe(false);
    expect((await limiter.check('target@example.com', '203.0.113.1', T0)).allowed).toBe(true);
    expect((await limiter.check('target@example.com', OWNER, T0)).allowed).toBe(true);
    await limiter.recordFailure('target@example.com', OWNER, T0);
    expect((await limiter.check('target@example.com', OWNER, T0)).allowed).toBe(true);
  });

  it('takes the account as typed, trimmed and lowercased, whether or not it exists', () => {
    expect(SignInLimiter.account('  Owner@Example.COM ')).toBe('owner@example.com');
    expect(SignInLimiter.account('not-even-an-email')).toBe('not-even-an-email');
    for (const missing of [undefined, null, '', '   ', 42, { email: 'a@example.com' }]) {
      expect(SignInLimiter.account(missing)).toBeNull();
    }
  });

  it('refuses a client it has seen refused from memory, without reading the store, until the refusal ends', async () => {
    const store = readCounting();
    const limiter = new SignInLimiter({ maxFailures: 3, windowMs: WINDOW, store });
    await fail(limiter, 'a@example.com', STRANGER, 3);
    for (const now of [T0, T0 + 1_000, T0 + WINDOW - 1]) {
      expect(await limiter.check('a@example.com', STRANGER, now)).toEqual({
        allowed: false,
        retryAfterSeconds: Math.ceil((T0 + WINDOW - now) / 1000),
      });
    }
    expect(store.reads).toBe(0);
    expect(await limiter.check('a@example.com', STRANGER, T0 + WINDOW)).toEqual({ allowed: true });
    expect(store.reads).toBe(2);
  });

  it('remembers an under-attack refusal only while the account-wide window lasts', async () => {
    const store = readCounting();
    const limiter = new SignInLimiter({
      maxFailures: 10,
      windowMs: WINDOW,
      accountCeiling: 5,
      maxFailuresUnderAttack: 2,
      store,
    });
    // The account-wide window opens at T0; this client's own at T0 + 1,000.
    await fail(limiter, 'target@example.com', '203.0.113.1', 3, T0);
    await fail(limiter, 'target@example.com', STRANGER, 2, T0 + 1_000);
    expect(await limiter.check('target@example.com', STRANGER, T0 + 2_000)).toMatchObject({ allowed: false });
    const reads = store.reads;
    expect(await limiter.check('target@example.com', STRANGER, T0 + WINDOW - 1)).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
    expect(store.reads).toBe(reads);
    // The attack's window has ended; this client's 2 failures are below maxFailures.
    expect(await limiter.check('target@example.com', STRANGER, T0 + WINDOW)).toEqual({ allowed: true });
  });

  it('keeps accounts and clients apart however their text runs together', async () => {
    const limiter = new SignInLimiter({ maxFailures: 1, windowMs: WINDOW });
    await limiter.recordFailure('a@example.com', '1.2.3.4', T0);
    expect((await limiter.check('a@example.com1', '.2.3.4', T0)).allowed).toBe(true);
    expect((await limiter.check('a@example.com', '1.2.3.4', T0)).allowed).toBe(false);
  });
});

describe('MemoryFailureStore', () => {
  it('holds no more than maxEntries: ended windows go first, then the oldest', async () => {
    const store = new MemoryFailureStore({ maxEntries: 3 });
    await store.increment('old', T0, 10);
    await store.increment('a', T0, WINDOW);
    await store.increment('b', T0, WINDOW);
    await store.increment('c', T0 + 10, WINDOW);
    expect(store.size).toBe(3);
    expect(await store.get('old', T0 + 10)).toBeUndefined();
    expect(await store.get('a', T0 + 10)).toEqual({ count: 1, expiresAt: T0 + WINDOW });

    await store.increment('d', T0 + 10, WINDOW);
    expect(store.size).toBe(3);
    expect(await store.get('a', T0 + 10)).toBeUndefined();
    expect(await store.get('d', T0 + 10)).toEqual({ count: 1, expiresAt: T0 + 10 + WINDOW });
  });

  it('stays bounded under a flood of made-up accounts from many clients', async () => {
    const store = new MemoryFailureStore({ maxEntries: 50 });
    const limiter = new SignInLimiter({ maxFailures: 10, windowMs: WINDOW, store });
    for (let n = 0; n < 500; n++)
      await limiter.recordFailure(`nobody-${n}@example.com`, `10.0.${n % 7}.1`, T0);
    expect(store.size).toBeLessThanOrEqual(50);
  });

  it('counts within a window and starts a new one after it ends', async () => {
    const store = new MemoryFailureStore();
    expect(await store.increment('k', T0, 100)).toEqual({ count: 1, expiresAt: T0 + 100 });
    expect(await store.increment('k', T0 + 99, 100)).toEqual({ count: 2, expiresAt: T0 + 100 });
    expect(await store.increment('k', T0 + 100, 100)).toEqual({ count: 1, expiresAt: T0 + 200 });
    await store.delete('k');
    expect(await store.get('k', T0 + 100)).toBeUndefined();
  });
});
