// Whether and how fast each write's event reaches its owner's two streams: pairs each write's
// answer with its events, and counts what never came, came twice, out of order, as a reset, or
// at another user's stream.
import { sleep } from './processes.ts';
import type { Stream } from './sse-streams.ts';

export type Delivery = {
  /** Answered creates and updates of users whose streams were open. */
  writes: number;
  /** Their events, at both of the owner's streams: writes × 2 expected. */
  delivered: number;
  /** Events that never arrived (within 10 s of the round's end). */
  missing: number;
  duplicates: number;
  /** Events that reached a stream of a user who did not make the write. */
  foreign: number;
  /** Events whose id was not above the stream's previous one. */
  outOfOrder: number;
  /**
   * `reset` events (refetch everything): the mix changes one row per statement, so each one
   * stands for events the stream did not send one by one, which then count as missing.
   */
  resets: number;
  /** Events at the other stream that arrived before the write's answer did (timed as 0 ms). */
  beforeAnswer: number;
  /** Events of writes whose answer the generator never read (stopped mid-request at a round's end). */
  unmatched: number;
  /** From the write's answer to its event at the owner's other stream. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
};

type Pending = {
  /** The writer, or (for an event that came first) the stream's user. */
  user: number;
  answeredAt: number | null;
  arrivedAt: [number | null, number | null];
};

export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * Pairs each write's answer with its event at each of the owner's two streams. (One closure over
 * a round's state, longer than most functions here; each of its methods is one short step.)
 */
export function createMatcher() {
  let pending = new Map<string, Pending>();
  let recording = false;
  const empty = () => ({
    writes: 0,
    delivered: 0,
    duplicates: 0,
    foreign: 0,
    outOfOrder: 0,
    beforeAnswer: 0,
    resets: 0,
  });
  let counts = empty();
  let latencies: number[] = [];

  const timeIt = (entry: Pending, role: 0 | 1) => {
    const answeredAt = entry.answeredAt!;
    const arrivedAt = entry.arrivedAt[role]!;
    counts.delivered++;
    if (role === 0) return;
    if (arrivedAt < answeredAt) counts.beforeAnswer++;
    latencies.push(Math.max(0, arrivedAt - answeredAt));
  };

  return {
    start() {
      recording = true;
    },
    answered(user: number, key: string, at: number) {
      if (!recording) return;
      counts.writes++;
      const entry = pending.get(key);
      if (!entry) {
        pending.set(key, { user, answeredAt: at, arrivedAt: [null, null] });
        return;
      }
      if (entry.user !== user) counts.foreign++;
      entry.answeredAt = at;
      for (const role of [0, 1] as const) if (entry.arrivedAt[role] !== null) timeIt(entry, role);
      if (entry.arrivedAt[0] !== null && entry.arrivedAt[1] !== null) pending.delete(key);
    },
    arrived(stream: Stream, key: string, at: number) {
      if (!recording) return;
      let entry = pending.get(key);
      if (!entry) {
        entry = { user: stream.user, answeredAt: null, arrivedAt: [null, null] };
        pending.set(key, entry);
      } else if (entry.user !== stream.user) {
        counts.foreign++;
        return;
      }
      if (entry.arrivedAt[stream.role] !== null) {
        counts.duplicates++;
        return;
      }
      entry.arrivedAt[stream.role] = at;
      if (entry.answeredAt === null) return;
      timeIt(entry, stream.role);
      if (entry.arrivedAt[0] !== null && entry.arrivedAt[1] !== null) pending.delete(key);
    },
    outOfOrder() {
      if (recording) counts.outOfOrder++;
    },
    reset() {
      if (recording) counts.resets++;
    },
    /** Waits until every answered write's events arrived, or `timeoutMs` passed. */
    async settle(timeoutMs: number) {
      const deadline = performance.now() + timeoutMs;
      const waiting = () =>
        [...pending.values()].some(
          (entry) =>
            entry.answeredAt !== null && (entry.arrivedAt[0] === null || entry.arrivedAt[1] === null),
        );
      while (waiting() && performance.now() < deadline) await sleep(50);
    },
    /** The round's figures; forgets the round. */
    finish(): Omit<Delivery, 'latencyMs'> & { latencies: number[] } {
      recording = false;
      let missing = 0;
      let unmatched = 0;
      for (const entry of pending.values()) {
        const arrived = entry.arrivedAt.filter((at) => at !== null).length;
        if (entry.answeredAt === null) unmatched += arrived;
        else missing += 2 - arrived;
      }
      const result = { ...counts, missing, unmatched, latencies };
      pending = new Map();
      counts = empty();
      latencies = [];
      return result;
    },
  };
}

export type RoundDelivery = ReturnType<ReturnType<typeof createMatcher>['finish']>;

export function combine(parts: RoundDelivery[]): Delivery {
  const sum = (pick: (part: (typeof parts)[number]) => number) =>
    parts.reduce((total, part) => total + pick(part), 0);
  const sorted = parts.flatMap((part) => part.latencies).sort((a, b) => a - b);
  return {
    writes: sum((part) => part.writes),
    delivered: sum((part) => part.delivered),
    missing: sum((part) => part.missing),
    duplicates: sum((part) => part.duplicates),
    foreign: sum((part) => part.foreign),
    outOfOrder: sum((part) => part.outOfOrder),
    resets: sum((part) => part.resets),
    beforeAnswer: sum((part) => part.beforeAnswer),
    unmatched: sum((part) => part.unmatched),
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? Number.NaN,
    },
  };
}
