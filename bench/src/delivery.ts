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

/** The nearest-rank `p`th percentile of ascending `sorted`; NaN when it is empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const noCounts = () => ({
  writes: 0,
  delivered: 0,
  duplicates: 0,
  foreign: 0,
  outOfOrder: 0,
  beforeAnswer: 0,
  resets: 0,
});

/**
 * One round's pairing of answers and events (see createMatcher). Every write of the round stays
 * in `byKey` until finish(), complete or not, so that a repeat that comes after all of its
 * streams had the event still counts as a duplicate.
 */
class DeliveryMatcher {
  #byKey = new Map<string, Write>();
  #recording = false;
  #counts = noCounts();
  #latencies: number[] = [];

  constructor(readonly perUser: number) {}

  start() {
    this.#recording = true;
  }

  /** The answer to the write `key`, made by `user`: arrivals so far are timed, or foreign. */
  answered(user: number, key: string, at: number) {
    if (!this.#recording) return;
    this.#counts.writes++;
    const entry = this.#byKey.get(key);
    if (!entry) {
      this.#byKey.set(key, { user, answeredAt: at, arrivals: new Map() });
      return;
    }
    entry.user = user;
    entry.answeredAt = at;
    for (const [stream, arrivedAt] of entry.arrivals) {
      if (stream.user === user) this.#time(entry, stream, arrivedAt);
      else {
        this.#counts.foreign++;
        entry.arrivals.delete(stream);
      }
    }
  }

  /** The event of the write `key` at `stream`: timed once the answer is known. */
  arrived(stream: Receiver, key: string, at: number) {
    if (!this.#recording) return;
    let entry = this.#byKey.get(key);
    if (!entry) {
      entry = { user: null, answeredAt: null, arrivals: new Map() };
      this.#byKey.set(key, entry);
    } else if (entry.user !== null && entry.user !== stream.user) {
      this.#counts.foreign++;
      return;
    }
    if (entry.arrivals.has(stream)) {
      this.#counts.duplicates++;
      return;
    }
    entry.arrivals.set(stream, at);
    if (entry.answeredAt === null) return;
    this.#time(entry, stream, at);
  }

  outOfOrder() {
    if (this.#recording) this.#counts.outOfOrder++;
  }

  reset() {
    if (this.#recording) this.#counts.resets++;
  }

  /** Waits until every answered write's events arrived, or `timeoutMs` passed. */
  async settle(timeoutMs: number) {
    const deadline = performance.now() + timeoutMs;
    const waiting = () => {
      for (const entry of this.#byKey.values())
        if (entry.answeredAt !== null && entry.arrivals.size < this.perUser) return true;
      return false;
    };
    while (waiting() && performance.now() < deadline) await sleep(50);
  }

  /** The round's figures; forgets the round. */
  finish(): Omit<Delivery, 'latencyMs'> & { latencies: number[] } {
    this.#recording = false;
    let missing = 0;
    let unmatched = 0;
    for (const entry of this.#byKey.values()) {
      if (entry.answeredAt === null) unmatched += entry.arrivals.size;
      else missing += this.perUser - entry.arrivals.size;
    }
    const result = { ...this.#counts, missing, unmatched, latencies: this.#latencies };
    this.#byKey = new Map();
    this.#counts = noCounts();
    this.#latencies = [];
    return result;
  }

  /** An arrival at one of the writer's own streams, once both ends are known. */
  #time(entry: Write, stream: Receiver, arrivedAt: number) {
    const answeredAt = entry.answeredAt as number;
    this.#counts.delivered++;
    if (stream.device === 0) return;
    if (arrivedAt < answeredAt) this.#counts.beforeAnswer++;
    this.#latencies.push(Math.max(0, arrivedAt - answeredAt));
  }
}

/**
 * Pairs each write's answer with its event at each of the owner's `perUser` streams: device 0's
 * event counts as delivered, every other device's is timed.
 *
 * @example
 * const matcher = createMatcher(4);
 * matcher.start();
 * matcher.answered(7, key, performance.now());
 * matcher.arrived(streamOfUser7, key, performance.now());
 * const round = matcher.finish(); // round.latencies: one per device 1..3 of user 7
 */
export const createMatcher = (perUser: number) => new DeliveryMatcher(perUser);

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
