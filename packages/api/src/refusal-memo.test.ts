import { describe, expect, it } from 'vitest';
import { RefusalMemo } from './refusal-memo.ts';

const T0 = 1_000_000;

describe('RefusalMemo', () => {
  it('holds a refusal until it ends, and forgets it then or when told', () => {
    const memo = new RefusalMemo();
    memo.remember('a', T0 + 100, T0);
    memo.remember('b', T0 + 100, T0);
    expect(memo.until('a', T0 + 99)).toBe(T0 + 100);
    expect(memo.until('a', T0 + 100)).toBeUndefined();
    expect(memo.size).toBe(1);
    memo.forget('b');
    expect(memo.until('b', T0)).toBeUndefined();
    memo.remember('c', T0, T0);
    expect(memo.size).toBe(0);
  });

  it('holds no more than maxEntries under a flood of keys: ended refusals go first, then the oldest', () => {
    const memo = new RefusalMemo({ maxEntries: 3 });
    memo.remember('ended', T0 + 10, T0);
    memo.remember('a', T0 + 1_000, T0);
    memo.remember('b', T0 + 1_000, T0);
    memo.remember('c', T0 + 1_000, T0 + 20);
    expect(memo.size).toBe(3);
    expect(memo.until('a', T0 + 20)).toBe(T0 + 1_000);
    memo.remember('d', T0 + 1_000, T0 + 20);
    expect(memo.until('a', T0 + 20)).toBeUndefined();
    expect(memo.until('d', T0 + 20)).toBe(T0 + 1_000);
    for (let n = 0; n < 10_000; n++) memo.remember(`flood-${n}`, T0 + 1_000, T0 + 20);
    expect(memo.size).toBe(3);
  });
});
