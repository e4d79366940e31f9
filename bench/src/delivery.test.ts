// The delivery matcher with four streams per user, fed answers and arrivals in the orders a
// run sees them: each of the owner's other streams is timed once, whatever came first; a
// repeat and an event at another user's stream are counted, not timed. No server: the matcher
// only pairs times, and these are its inputs.
import { describe, expect, test } from 'vitest';
import { combine, createMatcher } from './delivery.ts';
import { streamPlace } from './sse-streams.ts';

const PER_USER = 4;

/** Two users' streams as the run lays them out: users[u][device]. */
function layout(users: number) {
  const streams = Array.from({ length: users * PER_USER }, (_, i) => streamPlace(i, PER_USER));
  return Array.from({ length: users }, (_, user) => streams.filter((stream) => stream.user === user));
}

function recordingMatcher() {
  const matcher = createMatcher(PER_USER);
  matcher.start();
  return matcher;
}

describe('createMatcher with four streams per user', () => {
  test('lays out four streams per user, device 0 first', () => {
    const [alice, bob] = layout(2);
    expect(alice).toEqual([0, 1, 2, 3].map((device) => ({ user: 0, device })));
    expect(bob!.map((stream) => stream.user)).toEqual([1, 1, 1, 1]);
  });

  test("times the event once at each of the owner's three other streams", () => {
    const [alice] = layout(1);
    const matcher = recordingMatcher();
    matcher.answered(0, 'a', 100);
    for (const stream of alice!) matcher.arrived(stream, 'a', 110 + stream.device);
    const round = matcher.finish();
    expect(round.latencies.sort((x, y) => x - y)).toEqual([11, 12, 13]);
    expect(round).toMatchObject({ writes: 1, delivered: 4, missing: 0, duplicates: 0, foreign: 0 });
  });

  test('times events that arrive before the answer as 0 ms, once each', () => {
    const [alice] = layout(1);
    const matcher = recordingMatcher();
    matcher.arrived(alice![2]!, 'a', 90);
    matcher.arrived(alice![0]!, 'a', 95);
    matcher.answered(0, 'a', 100);
    matcher.arrived(alice![1]!, 'a', 120);
    matcher.arrived(alice![3]!, 'a', 130);
    const round = matcher.finish();
    expect(round.latencies.sort((x, y) => x - y)).toEqual([0, 20, 30]);
    expect(round).toMatchObject({ delivered: 4, beforeAnswer: 1, missing: 0 });
  });

  test('a repeat at one stream counts once as a duplicate and is not timed again', () => {
    const [alice] = layout(1);
    const matcher = recordingMatcher();
    matcher.answered(0, 'a', 100);
    for (const stream of alice!) matcher.arrived(stream, 'a', 105);
    matcher.arrived(alice![2]!, 'a', 150);
    const round = matcher.finish();
    expect(round.duplicates).toBe(1);
    expect(round.latencies).toEqual([5, 5, 5]);
    expect(round.delivered).toBe(4);
  });

  test("an event at another user's stream is foreign, before the answer or after it", () => {
    const [alice, bob] = layout(2);
    const matcher = recordingMatcher();
    // Bob's stream first: the answer, which names Alice, makes it foreign.
    matcher.arrived(bob![1]!, 'a', 101);
    matcher.answered(0, 'a', 100);
    matcher.arrived(bob![2]!, 'a', 102);
    for (const stream of alice!) matcher.arrived(stream, 'a', 110);
    const round = matcher.finish();
    expect(round.foreign).toBe(2);
    expect(round.latencies).toEqual([10, 10, 10]);
    expect(round).toMatchObject({ delivered: 4, missing: 0, duplicates: 0 });
  });

  test('counts missing events per stream, and arrivals of unanswered writes as unmatched', () => {
    const [alice, bob] = layout(2);
    const matcher = recordingMatcher();
    matcher.answered(0, 'a', 100);
    matcher.arrived(alice![0]!, 'a', 101);
    matcher.arrived(alice![3]!, 'a', 103);
    matcher.arrived(bob![1]!, 'b', 104);
    const round = matcher.finish();
    expect(round).toMatchObject({ writes: 1, delivered: 2, missing: 2, unmatched: 1 });
    expect(round.latencies).toEqual([3]);
  });

  test('combine sums the rounds and reads percentiles over every sample', () => {
    const [alice] = layout(1);
    const matcher = recordingMatcher();
    const rounds = [0, 1].map((round) => {
      matcher.start();
      matcher.answered(0, `w${round}`, 0);
      for (const stream of alice!) matcher.arrived(stream, `w${round}`, stream.device * (round + 1));
      return matcher.finish();
    });
    const delivery = combine(rounds);
    expect(delivery).toMatchObject({ writes: 2, delivered: 8, missing: 0 });
    expect(delivery.latencyMs).toEqual({ p50: 2, p90: 6, p99: 6, max: 6 });
  });
});
