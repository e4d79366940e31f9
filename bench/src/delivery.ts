// Whether and how fast each write's event reaches every stream of its owner: pairs each write's
// answer with its events, and counts what never came, came twice, out of order, as a reset, or
// at another user's stream, each per stream.
import { sleep } from './processes.ts';
import type { Stream } from './sse-streams.ts';

export type Delivery = {
  /** Answered creates and updates of users whose streams were open. */
  writes: number;
  /** Their events, at each of the owner's streams: writes × streams per user expected. */
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
  /** Events at the owner's other streams that arrived before the write's answer did (timed as 0 ms). */
  beforeAnswer: number;
  /** Events of writes whose answer the generator never read (stopped mid-request at a round's end). */
  unmatched: number;
  /** From the write's answer to its event at each of the owner's other streams: one sample each. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
};

/** Where an event arrived: the stream's user and device (0 writes, the others are timed). */
export type Receiver = Pick<Stream, 'user' | 'device'>;

type Write = {
  /** The writer, known once the write's answer is read. */
  user: number | null;
  answeredAt: number | null;
  /**
   * When the event arrived at each stream. Before the answer a stream of any user may be here;
   * the answer names the writer, and the others' arrivals then count as foreign.
   */
  arrivals: Map<Receiver, number>;
};

export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * Pairs each write's answer with its event at each of the owner's `perUser` streams: device 0's
 * event counts as delivered, every other device's is timed. (One closure over a round's state,
 * longer than most functions here; each of its methods is one short step.)
 *
 * @example
 * const matcher = createMatcher(4);
 * matcher.start();
 * matcher.answered(7, key, performance.now());
 * matcher.arrived(streamOfUser7, key, performance.now());
 * const round = matcher.finish(); // round.latencies: one per device 1..3 of user 7
 */
export function createMatcher(perUser: number) {
  // Every write of the round stays here until finish(), complete or not, so that a repeat that
  // comes after all of its streams had the event still counts as a duplicate.
  let byKey = new Map<string, Write>();
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

  /** An arrival at one of the writer's own streams, once both ends are known. */
  const timeIt = (entry: Write, stream: Receiver, arrivedAt: number) => {
    const answeredAt = entry.answeredAt!;
    counts.delivered++;
    if (stream.device === 0) return;
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
      const entry = byKey.get(key);
      if (!entry) {
        byKey.set(key, { user, answeredAt: at, arrivals: new Map() });
        return;
      }
      entry.user = user;
      entry.answeredAt = at;
      for (const [stream, arrivedAt] of entry.arrivals) {
        if (stream.user === user) timeIt(entry, stream, arrivedAt);
        else {
          counts.foreign++;
          entry.arrivals.delete(stream);
        }
      }
    },
    arrived(stream: Receiver, key: string, at: number) {
      if (!recording) return;
      let entry = byKey.get(key);
      if (!entry) {
        entry = { user: null, answeredAt: null, arrivals: new Map() };
        byKey.set(key, entry);
      } else if (entry.user !== null && entry.user !== stream.user) {
        counts.foreign++;
        return;
      }
      if (entry.arrivals.has(stream)) {
        counts.duplicates++;
        return;
      }
      entry.arrivals.set(stream, at);
      if (entry.answeredAt === null) return;
      timeIt(entry, stream, at);
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
      const waiting = () => {
        for (const entry of byKey.values())
          if (entry.answeredAt !== null && entry.arrivals.size < perUser) return true;
        return false;
      };
      while (waiting() && performance.now() < deadline) await sleep(50);
    },
    /** The round's figures; forgets the round. */
    finish(): Omit<Delivery, 'latencyMs'> & { latencies: number[] } {
      recording = false;
      let missing = 0;
      let unmatched = 0;
      for (const entry of byKey.values()) {
        if (entry.answeredAt === null) unmatched += entry.arrivals.size;
        else missing += perUser - entry.arrivals.size;
      }
      const result = { ...counts, missing, unmatched, latencies };
      byKey = new Map();
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
