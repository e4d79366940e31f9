// The realtime workload of CONTRACT.md "Performance": `streams` open todo.changes streams,
// `streamsPerUser` per seeded user (sse-streams.ts), while autocannon sends the usual mix. A
// user's stream 0 is the device the writes come from, each other one another device. Per write
// (create or update) it times the write's answer at the generator to its event at each of the
// owner's other streams, matched by the todo's id, updatedAt and completed; it counts, per
// stream, events that never came, came twice, came out of order or reached another user
// (delivery.ts). It also reads the server's memory with the streams idle and without them
// (after a forced full GC), and the mix's throughput with and without them, in interleaved
// rounds: no streams, streams on the process taking the writes, and streams on a second process
// on the same database.
import { combine, createMatcher, type Delivery, percentile, type RoundDelivery } from './delivery.ts';
import {
  autocannonDrive,
  createWorkload,
  type Drive,
  type LoadResult,
  measureRound,
  type RequestContext,
  type Round,
  summarize,
} from './load.ts';
import { type RunningProcess, sleep } from './processes.ts';
import type { SeededUser } from './seed.ts';
import { type Memory, settledMemory } from './server-memory.ts';
import { firstResult, type Shape } from './shapes.ts';
import { createStreams, type Handlers } from './sse-streams.ts';

export type RealtimeOptions = {
  /** The mix's requests: as @todo/client sends them, as the web app does. */
  shape: Shape;
  /** Open streams, `streamsPerUser` for each of the first `streams / streamsPerUser` users. */
  streams: number;
  /** From 2 (a writing device and one more) to the server's cap per account. */
  streamsPerUser: number;
  connections: number;
  /** Measured seconds per case, split into `rounds` interleaved stretches. */
  seconds: number;
  rounds: number;
  warmupSeconds: number;
};

export type RealtimeCase = { load: LoadResult; delivery: Delivery | null };

export type RealtimeResult = {
  streams: number;
  streamsPerUser: number;
  /** Users with streams: each of their writes is timed at their streamsPerUser − 1 other streams. */
  users: number;
  /** Seconds to open every stream once, 100 at a time. */
  openSeconds: number;
  /** Process 1 after a full GC, without streams, with them idle, and after closing them. */
  memory: {
    without: Memory;
    with: Memory;
    afterClose: Memory;
    /** RSS with the streams minus without, per stream. */
    perStreamBytes: number;
    heapPerStreamBytes: number;
  } | null;
  without: RealtimeCase;
  oneProcess: RealtimeCase;
  twoProcesses: RealtimeCase;
  /** Streams that ended on their own during a round and reconnected with Last-Event-ID. */
  reconnects: number;
  /** Failed stream opens and error events. */
  streamErrors: number;
};

type Todo = { id: string; updatedAt: string; completed: boolean };
const keyOf = (todo: Todo) => `${todo.id} ${todo.updatedAt} ${todo.completed}`;

const CASES = ['without', 'oneProcess', 'twoProcesses'] as const;
type CaseName = (typeof CASES)[number];

type Streams = ReturnType<typeof createStreams>;
type Matcher = ReturnType<typeof createMatcher>;

/**
 * The contract's mix as load.ts builds it, in `shape`; each request's user and call ride in
 * autocannon's per-request context to the answer, whose body names the todo and its updatedAt.
 * Every round parses its writes' answers, with streams or without, so the generator's work is alike.
 */
function writeTimingDrive(users: SeededUser[], shape: Shape, streamUsers: number, matcher: Matcher): Drive {
  return autocannonDrive(createWorkload(users, shape), (status, body, context: RequestContext) => {
    if (context.call === 'list' || status !== 200) return;
    const at = performance.now();
    const todo = firstResult<Todo>(body);
    if (context.user !== undefined && context.user < streamUsers)
      matcher.answered(context.user, keyOf(todo), at);
  });
}

/** What each stream's events tell the matcher: ids out of order, upserts by their key, resets. */
function deliveryHandlers(matcher: Matcher): Omit<Handlers, 'ended'> {
  return {
    event(stream, id, data, at) {
      if (stream.lastId !== null && Number(id) <= Number(stream.lastId)) matcher.outOfOrder();
      stream.lastId = id;
      const change = JSON.parse(data) as { type: string; todo?: Todo };
      if (change.type === 'upsert' && change.todo) matcher.arrived(stream, keyOf(change.todo), at);
      else if (change.type === 'reset') matcher.reset();
    },
    error() {},
  };
}

/** Opens every stream on `server` (timed), and reads its memory without, with and after them. */
async function measureMemory(server: RunningProcess, streams: Streams, count: number) {
  const canReadMemory = server.pid !== undefined && process.platform === 'linux';
  const without = canReadMemory ? await settledMemory(server) : null;
  const opening = performance.now();
  await streams.open(server.url);
  const openSeconds = (performance.now() - opening) / 1_000;
  console.log(`realtime: ${count} streams open in ${openSeconds.toFixed(1)} s`);
  if (!without) {
    await streams.close();
    return { openSeconds, memory: null };
  }
  await sleep(2_000);
  const withStreams = await settledMemory(server);
  await streams.close();
  await sleep(1_000);
  const afterClose = await settledMemory(server);
  const perStream = (pick: (memory: Memory) => number) => (pick(withStreams) - pick(without)) / count;
  const memory: RealtimeResult['memory'] = {
    without,
    with: withStreams,
    afterClose,
    perStreamBytes: perStream((m) => m.rssBytes),
    heapPerStreamBytes: perStream((m) => m.heapUsedBytes),
  };
  return { openSeconds, memory };
}

/** The three cases in interleaved rounds, the mix always on `first`, the streams on neither, `first` or `second`. */
async function measureCases(
  [first, second]: [RunningProcess, RunningProcess],
  { drive, streams, matcher }: { drive: Drive; streams: Streams; matcher: Matcher },
  options: RealtimeOptions,
) {
  const rounds = Math.min(options.rounds, options.seconds);
  const roundSeconds = Math.floor(options.seconds / rounds);
  console.log(
    `realtime: ${rounds} rounds of ${roundSeconds} s each without streams, with them on the writes' process, and on a second process`,
  );
  const loads = new Map<CaseName, Round[]>(CASES.map((name) => [name, []]));
  const deliveries = new Map<CaseName, RoundDelivery[]>(CASES.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = Math.floor((round + 1) / 2) % 2 === 0 ? CASES : [...CASES].reverse();
    for (const name of order) {
      const streamsOn = name === 'oneProcess' ? first : name === 'twoProcesses' ? second : null;
      if (streamsOn) {
        await streams.open(streamsOn.url);
        await sleep(500);
        matcher.start();
      }
      const result = await measureRound(first, drive, options.connections, roundSeconds);
      loads.get(name)!.push(result);
      let note = '';
      if (streamsOn) {
        await matcher.settle(10_000);
        const delivery = matcher.finish();
        deliveries.get(name)!.push(delivery);
        await streams.close();
        await sleep(1_000);
        const sorted = [...delivery.latencies].sort((a, b) => a - b);
        note =
          `, ${delivery.writes} writes, events p50 ${percentile(sorted, 50).toFixed(1)} ms` +
          ` p99 ${percentile(sorted, 99).toFixed(1)} ms, ${delivery.missing} missing`;
      }
      console.log(
        `  round ${round + 1} ${name}: ${Math.round(result.requests / result.durationSeconds)} req/s` +
          (result.errors > 0 ? `, ${result.errors} errors` : '') +
          note,
      );
    }
  }
  return (name: CaseName): RealtimeCase => ({
    load: summarize(loads.get(name)!),
    delivery: name === 'without' ? null : combine(deliveries.get(name)!),
  });
}

/**
 * Runs the realtime workload on two fresh project servers that `startServer` starts (node with
 * --expose-gc and gc-on-signal.ts) on the seeded database, and stops them.
 */
export async function benchRealtime(
  users: SeededUser[],
  startServer: () => Promise<RunningProcess>,
  options: RealtimeOptions,
): Promise<RealtimeResult> {
  const perUser = options.streamsPerUser;
  const streamUsers = options.streams / perUser;
  const matcher = createMatcher(perUser);
  const streams = createStreams(users, { count: options.streams, perUser }, deliveryHandlers(matcher));
  const drive = writeTimingDrive(users, options.shape, streamUsers, matcher);

  console.log('realtime: starting two project servers on the same database');
  const first = await startServer();
  const second = await startServer();
  try {
    if (options.warmupSeconds > 0) {
      console.log(`realtime: warming up for ${options.warmupSeconds} s`);
      await drive({ url: first.url, connections: options.connections, seconds: options.warmupSeconds });
    }
    // The stream path's first use (code, JIT) is not the streams' memory.
    for (const server of [first, second]) {
      await streams.open(server.url, Math.min(200, options.streams));
      await streams.close();
    }
    await sleep(1_000);
    const { openSeconds, memory } = await measureMemory(first, streams, options.streams);
    const caseOf = await measureCases([first, second], { drive, streams, matcher }, options);
    return {
      streams: options.streams,
      streamsPerUser: perUser,
      users: streamUsers,
      openSeconds,
      memory,
      without: caseOf('without'),
      oneProcess: caseOf('oneProcess'),
      twoProcesses: caseOf('twoProcesses'),
      reconnects: streams.reconnects,
      streamErrors: streams.errors,
    };
  } finally {
    await streams.close();
    await second.stop();
    await first.stop();
  }
}
