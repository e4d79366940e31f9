// The workload of CONTRACT.md "Performance", as autocannon requests built one by one: each
// request picks a random seeded user and, by weight, lists, creates or flips one of that
// user's own todos. Requests are prebuilt strings, so the generator costs little CPU on a
// machine it shares with the servers.
import autocannon, { type RequestParams, type Result } from 'autocannon';
import { onCleanup } from './processes.ts';
import type { SeededUser } from './seed.ts';

export type Mix = { list: number; create: number; update: number };
export const CONTRACT_MIX: Mix = { list: 0.8, create: 0.1, update: 0.1 };

export const listPath = (input: Record<string, unknown>) =>
  `/api/trpc/todo.list?input=${encodeURIComponent(JSON.stringify(input))}`;

type Caller = { authorization: string; todos: { id: string; completed: boolean }[] };

/** A request factory over the seeded users; `completed` is tracked so every update flips it. */
export function createWorkload(users: SeededUser[], mix: Mix = CONTRACT_MIX) {
  const callers: Caller[] = users.map((user) => ({
    authorization: `Bearer ${user.token}`,
    todos: user.todos.map((todo) => ({ ...todo })),
  }));
  const list = listPath({ limit: 50 });
  let created = 0;

  return (request: RequestParams): RequestParams => {
    const caller = callers[Math.floor(Math.random() * callers.length)]!;
    const roll = Math.random();
    if (roll < mix.list) {
      request.method = 'GET';
      request.path = list;
      request.headers = { authorization: caller.authorization };
      request.body = undefined;
      return request;
    }
    request.method = 'POST';
    request.headers = { authorization: caller.authorization, 'content-type': 'application/json' };
    if (roll < mix.list + mix.create) {
      request.path = '/api/trpc/todo.create';
      request.body = JSON.stringify({ title: `Benchmark todo ${++created}` });
      return request;
    }
    const todo = caller.todos[Math.floor(Math.random() * caller.todos.length)]!;
    todo.completed = !todo.completed;
    request.path = '/api/trpc/todo.update';
    request.body = JSON.stringify({ id: todo.id, completed: todo.completed });
    return request;
  };
}

export type LoadResult = {
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  requests: number;
  /** Non-2xx answers, connection errors and timeouts together. */
  errors: number;
  statusCodes: Record<string, number>;
  durationSeconds: number;
  /** The server process's CPU time per answered request, in milliseconds (null off Linux). */
  serverCpuMsPerRequest: number | null;
  /** All local PostgreSQL processes' CPU time per answered request (null for a remote database). */
  databaseCpuMsPerRequest: number | null;
};

/** One stretch of load on one server: autocannon's result, every response time, CPU used. */
export type Round = {
  result: Result;
  latenciesMs: number[];
  cpuSeconds: { server: number | null; database: number | null };
};

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const sumOrNull = (values: (number | null)[]) =>
  values.some((value) => value === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);

/** A server's rounds as one measurement: totals over the time measured, exact percentiles. */
export function summarize(rounds: Round[]): LoadResult {
  const requests = rounds.reduce((sum, round) => sum + round.result.requests.total, 0);
  const seconds = rounds.reduce((sum, round) => sum + round.result.duration, 0);
  const latencies = rounds.flatMap((round) => round.latenciesMs).sort((a, b) => a - b);
  const statusCodes: Record<string, number> = {};
  for (const round of rounds) {
    for (const [code, { count }] of Object.entries(round.result.statusCodeStats)) {
      statusCodes[code] = (statusCodes[code] ?? 0) + Number(count);
    }
  }
  const perRequest = (cpu: number | null) =>
    cpu === null || requests === 0 ? null : (cpu * 1_000) / requests;
  return {
    requestsPerSecond: seconds > 0 ? requests / seconds : 0,
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
    },
    requests,
    errors: rounds.reduce((sum, round) => sum + round.result.non2xx + round.result.errors, 0),
    statusCodes,
    durationSeconds: seconds,
    serverCpuMsPerRequest: perRequest(sumOrNull(rounds.map((round) => round.cpuSeconds.server))),
    databaseCpuMsPerRequest: perRequest(sumOrNull(rounds.map((round) => round.cpuSeconds.database))),
  };
}

/**
 * Drives `url` with `connections` keep-alive connections for `seconds`, each request built by
 * `next`. Bounded twice: autocannon's own duration, and a hard stop a little after it.
 */
export function drive(options: {
  url: string;
  connections: number;
  seconds: number;
  next: (request: RequestParams) => RequestParams;
  /** Called with each response's latency in milliseconds. */
  onLatency?: (ms: number) => void;
}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        timeout: 10,
        requests: [{ setupRequest: options.next }],
      },
      (error, result) => {
        clearTimeout(guard);
        if (error) reject(error);
        else resolve(result);
      },
    );
    const { onLatency } = options;
    if (onLatency) {
      instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) =>
        onLatency(ms),
      );
    }
    const guard = setTimeout(() => instance.stop(), (options.seconds + 15) * 1_000);
    onCleanup(async () => {
      clearTimeout(guard);
      instance.stop();
    });
  });
}
