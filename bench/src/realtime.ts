// The realtime workload of CONTRACT.md "Performance": `streams` open todo.changes streams, two
// per seeded user, while autocannon sends the usual mix. Per write (create or update) it times
// the write's answer at the generator to its event at the owner's other stream, matched by the
// todo's id, updatedAt and completed; it counts events that never came, came twice, came out
// of order or reached another user. It also reads the server's memory with the streams idle
// and without them (after a forced full GC), and the mix's throughput with and without them,
// in interleaved rounds: no streams, streams on the process taking the writes, and streams on
// a second process on the same database.
//
// The streams use a lean SSE reader (node:http, one socket each, lines parsed by hand)
// instead of an EventSource per stream, so that 2,000 of them cost the generator little.

import { readFileSync, rmSync } from 'node:fs';
import { type ClientRequest, request as httpRequest } from 'node:http';
import type { RequestParams } from 'autocannon';
import { memoryUsageFile } from './gc-on-signal.ts';
import {
  autocannonDrive,
  createWorkload,
  type LoadResult,
  measureRound,
  type Round,
  summarize,
} from './load.ts';
import { onCleanup, type RunningProcess, sleep } from './processes.ts';
import type { SeededUser } from './seed.ts';

export type RealtimeOptions = {
  /** Open streams, two per user for the first `streams / 2` users. */
  streams: number;
  connections: number;
  /** Measured seconds per case, split into `rounds` interleaved stretches. */
  seconds: number;
  rounds: number;
  warmupSeconds: number;
};

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

export type RealtimeCase = { load: LoadResult; delivery: Delivery | null };

export type RealtimeResult = {
  streams: number;
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

type Stream = {
  user: number;
  /** 0: the device the writes come from; 1: the owner's other device, which latency is timed at. */
  role: 0 | 1;
  token: string;
  lastId: string | null;
  request: ClientRequest | null;
};

type Handlers = {
  event(stream: Stream, id: string, data: string, at: number): void;
  error(): void;
  /** The response ended although nobody closed it. */
  ended(stream: Stream): void;
};

/**
 * GET todo.changes as `stream`'s user, resuming after its last id; resolves on the `connected`
 * event, rejects on any other answer than a 200 event stream.
 */
function connect(target: URL, stream: Stream, on: Handlers): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${stream.token}`,
      accept: 'text/event-stream',
    };
    if (stream.lastId !== null) headers['last-event-id'] = stream.lastId;
    let connected = false;
    const request = httpRequest({
      host: target.hostname,
      port: target.port,
      path: '/api/trpc/todo.changes',
      headers,
      agent: false,
    });
    stream.request = request;
    request.on('error', (error) => {
      if (!connected) reject(error);
    });
    request.on('response', (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`todo.changes answered ${response.statusCode}`));
        return;
      }
      response.on('error', () => {}); // a reset; 'close' follows
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          let event = '';
          let data = '';
          let id = '';
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue; // a comment, or not a field
            const value = line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
            const field = line.slice(0, colon);
            if (field === 'event') event = value;
            else if (field === 'data') data = data === '' ? value : `${data}\n${value}`;
            else if (field === 'id') id = value;
          }
          if (event === 'connected') {
            connected = true;
            resolve();
          } else if (event === '' && data !== '') on.event(stream, id, data, at);
          else if (event === 'serialized-error') on.error();
        }
      });
      response.on('close', () => {
        if (!connected) reject(new Error('todo.changes ended before it connected'));
        else if (stream.request === request) on.ended(stream);
      });
    });
    request.end();
  });
}

/** `count` streams, two per user, opened and closed together against one server at a time. */
function createStreams(users: SeededUser[], count: number, on: Omit<Handlers, 'ended'>) {
  const streams: Stream[] = [];
  for (let i = 0; i < count; i++) {
    const user = Math.floor(i / 2);
    streams.push({ user, role: (i % 2) as 0 | 1, token: users[user]!.token, lastId: null, request: null });
  }
  let target: URL | null = null;
  let reconnects = 0;
  let errors = 0;

  const open = async (stream: Stream) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await connect(target!, stream, handlers);
      } catch (error) {
        errors++;
        stream.request?.destroy();
        if (attempt === 5 || target === null) throw error;
        await sleep(500);
      }
    }
  };
  const handlers: Handlers = {
    ...on,
    error() {
      errors++;
      on.error();
    },
    ended(stream) {
      // Not closed by us: reconnect with Last-Event-ID, as a client would; its events replay.
      stream.request = null;
      if (target === null) return;
      reconnects++;
      void sleep(100).then(() => (target === null ? undefined : open(stream).catch(() => {})));
    },
  };

  const close = async () => {
    target = null;
    for (const stream of streams) {
      const request = stream.request;
      stream.request = null;
      stream.lastId = null;
      request?.destroy();
    }
  };
  onCleanup(close);

  return {
    get reconnects() {
      return reconnects;
    },
    get errors() {
      return errors;
    },
    /** Opens the first `limit` streams against `url`, 100 at a time; resolves when all connected. */
    async open(url: string, limit = streams.length) {
      target = new URL(url);
      let next = 0;
      const worker = async () => {
        while (next < limit) await open(streams[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(100, limit) }, worker));
    },
    close,
  };
}

type Pending = {
  /** The writer, or (for an event that came first) the stream's user. */
  user: number;
  answeredAt: number | null;
  arrivedAt: [number | null, number | null];
};

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Pairs each write's answer with its event at each of the owner's two streams. */
function createMatcher() {
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

function combine(parts: ReturnType<ReturnType<typeof createMatcher>['finish']>[]): Delivery {
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

/** VmRSS of a Linux process, in bytes. */
function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1_024;
}

type Memory = { rssBytes: number; heapUsedBytes: number; externalBytes: number };

/** The server's memory after two full GCs (gc-on-signal.ts) and a pause for them and their sweeps. */
async function settledMemory(server: RunningProcess): Promise<Memory> {
  const file = memoryUsageFile(server.pid!);
  for (let i = 0; i < 2; i++) {
    process.kill(server.pid!, 'SIGUSR2');
    await sleep(1_500);
  }
  const usage = JSON.parse(readFileSync(file, 'utf8')) as NodeJS.MemoryUsage;
  rmSync(file, { force: true });
  return {
    rssBytes: residentBytes(server.pid!),
    heapUsedBytes: usage.heapUsed,
    externalBytes: usage.external,
  };
}

type Todo = { id: string; updatedAt: string; completed: boolean };
const keyOf = (todo: Todo) => `${todo.id} ${todo.updatedAt} ${todo.completed}`;

const CASES = ['without', 'oneProcess', 'twoProcesses'] as const;

/**
 * Runs the realtime workload on two fresh project servers that `startServer` starts (node with
 * --expose-gc and gc-on-signal.ts) on the seeded database, and stops them.
 */
export async function benchRealtime(
  users: SeededUser[],
  startServer: () => Promise<RunningProcess>,
  options: RealtimeOptions,
): Promise<RealtimeResult> {
  if (options.streams < 2 || options.streams % 2 !== 0 || options.streams > 2 * users.length) {
    throw new Error(`BENCH_STREAMS must be even, from 2 to ${2 * users.length} (two per user)`);
  }
  const streamUsers = options.streams / 2;
  const userByAuthorization = new Map(users.map((user, index) => [`Bearer ${user.token}`, index]));
  const matcher = createMatcher();
  const streams = createStreams(users, options.streams, {
    event(stream, id, data, at) {
      if (stream.lastId !== null && Number(id) <= Number(stream.lastId)) matcher.outOfOrder();
      stream.lastId = id;
      const change = JSON.parse(data) as { type: string; todo?: Todo };
      if (change.type === 'upsert' && change.todo) matcher.arrived(stream, keyOf(change.todo), at);
      else if (change.type === 'reset') matcher.reset();
    },
    error() {},
  });

  // The contract's mix as load.ts builds it; each request's caller rides in autocannon's
  // per-request context to the answer, whose body names the todo and its updatedAt. Every
  // round parses its writes' answers, with streams or without, so the generator's work is alike.
  const next = createWorkload(users);
  const drive = autocannonDrive(
    (request: RequestParams, context: Record<string, unknown>) => {
      const built = next(request);
      context.authorization = built.headers?.authorization;
      context.write = built.method === 'POST';
      return built;
    },
    (status, body, context) => {
      if (context.write !== true || status !== 200) return;
      const at = performance.now();
      const user = userByAuthorization.get(context.authorization as string);
      const todo = (JSON.parse(body) as { result: { data: Todo } }).result.data;
      if (user !== undefined && user < streamUsers) matcher.answered(user, keyOf(todo), at);
    },
  );

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

    let memory: RealtimeResult['memory'] = null;
    const canReadMemory = first.pid !== undefined && process.platform === 'linux';
    const without = canReadMemory ? await settledMemory(first) : null;
    const opening = performance.now();
    await streams.open(first.url);
    const openSeconds = (performance.now() - opening) / 1_000;
    console.log(`realtime: ${options.streams} streams open in ${openSeconds.toFixed(1)} s`);
    if (without) {
      await sleep(2_000);
      const withStreams = await settledMemory(first);
      await streams.close();
      await sleep(1_000);
      const afterClose = await settledMemory(first);
      const perStream = (pick: (memory: Memory) => number) =>
        (pick(withStreams) - pick(without)) / options.streams;
      memory = {
        without,
        with: withStreams,
        afterClose,
        perStreamBytes: perStream((m) => m.rssBytes),
        heapPerStreamBytes: perStream((m) => m.heapUsedBytes),
      };
    } else {
      await streams.close();
    }

    const rounds = Math.min(options.rounds, options.seconds);
    const roundSeconds = Math.floor(options.seconds / rounds);
    console.log(
      `realtime: ${rounds} rounds of ${roundSeconds} s each without streams, with them on the writes' process, and on a second process`,
    );
    const loads = new Map<(typeof CASES)[number], Round[]>(CASES.map((name) => [name, []]));
    const deliveries = new Map<(typeof CASES)[number], ReturnType<typeof matcher.finish>[]>(
      CASES.map((name) => [name, []]),
    );
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
    const caseOf = (name: (typeof CASES)[number]): RealtimeCase => ({
      load: summarize(loads.get(name)!),
      delivery: name === 'without' ? null : combine(deliveries.get(name)!),
    });
    return {
      streams: options.streams,
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
