// The workload of CONTRACT.md "Performance", as autocannon requests built one by one: each
// request picks a random seeded user and, by weight, lists, creates or flips one of that
// user's own todos, in one request shape (shapes.ts: as @todo/client sends it, or one call per
// URL). Requests are the shape's recordings with the user's values filled in, so the generator
// costs little CPU on a machine it shares with the servers. wrk.ts sends the same workload from
// Lua; both report a `Load`, which `summarize` turns into one row of the report.
import autocannon, { type Request, type RequestParams } from 'autocannon';
import { databaseCpuBetween, databaseCpuSeconds, onCleanup, type RunningProcess } from './processes.ts';
import type { SeededUser } from './seed.ts';
import { type BuiltRequest, fill, type MIX_CALLS, type Shape } from './shapes.ts';

export type Mix = { list: number; create: number; update: number };
export const CONTRACT_MIX: Mix = { list: 0.8, create: 0.1, update: 0.1 };

/** What the mix names its todos: this and a number, counting up. */
export const TITLE_PREFIX = 'Benchmark todo ';

export const listPath = (input: Record<string, unknown>) =>
  `/api/trpc/todo.list?input=${encodeURIComponent(JSON.stringify(input))}`;

/** What a request was, for whoever reads its answer (autocannon's per-request context). */
export type RequestContext = { call?: keyof typeof MIX_CALLS; user?: number };

/**
 * A request factory over the seeded users in `shape`; `completed` is tracked so every update
 * flips it. Each request's call and user (an index into `users`) go into its context.
 */
export function createWorkload(users: SeededUser[], shape: Shape, mix: Mix = CONTRACT_MIX) {
  const callers = users.map((user) => ({
    token: user.token,
    listId: user.listId,
    // The one request that is the same every time for a user: a page of their shared list.
    list: fill(shape.list, { token: user.token, list: user.listId }),
    todos: user.todos.map((todo) => ({ ...todo })),
  }));
  let created = 0;
  const send = (request: RequestParams, built: BuiltRequest) => {
    request.method = built.method as RequestParams['method'];
    request.path = built.path;
    request.headers = built.headers;
    request.body = built.body ?? undefined;
    return request;
  };

  return (request: RequestParams, context: RequestContext = {}): RequestParams => {
    const user = Math.floor(Math.random() * callers.length);
    const caller = callers[user]!;
    context.user = user;
    const roll = Math.random();
    if (roll < mix.list) {
      context.call = 'list';
      return send(request, caller.list);
    }
    if (roll < mix.list + mix.create) {
      context.call = 'create';
      const title = `${TITLE_PREFIX}${++created}`;
      return send(request, fill(shape.create, { token: caller.token, list: caller.listId, title }));
    }
    context.call = 'update';
    const todo = caller.todos[Math.floor(Math.random() * caller.todos.length)]!;
    todo.completed = !todo.completed;
    const template = shape.update[todo.completed ? 'completed' : 'active'];
    return send(request, fill(template, { token: caller.token, id: todo.id }));
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

/** One stretch of load on one server, as a load generator reports it. */
export type Load = {
  requests: number;
  durationSeconds: number;
  /**
   * Response times in milliseconds, each standing for `weight` responses: every response
   * (autocannon, weight 1), or a round's 1,000 quantiles (wrk, weight requests / 1,000).
   */
  latency: { ms: number[]; weight: number };
  maxLatencyMs: number;
  statusCodes: Record<string, number>;
  /** Non-2xx answers, connection errors and timeouts together. */
  errors: number;
};

/** Drives `url` with `connections` keep-alive connections for `seconds` of the mixed workload. */
export type Drive = (options: { url: string; connections: number; seconds: number }) => Promise<Load>;

/** A Load plus the CPU the server and PostgreSQL used meanwhile. */
export type Round = Load & { cpuSeconds: { server: number | null; database: number | null } };

/** The smallest value with at least `p`% of the total weight at or below it. */
function weightedPercentiles(points: [ms: number, weight: number][], ps: number[]): number[] {
  const sorted = points.sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, weight]) => sum + weight, 0);
  return ps.map((p) => {
    const rank = (p / 100) * total;
    let seen = 0;
    for (const [ms, weight] of sorted) {
      seen += weight;
      if (seen >= rank) return ms;
    }
    return sorted.at(-1)?.[0] ?? Number.NaN;
  });
}

const sumOrNull = (values: (number | null)[]) =>
  values.some((value) => value === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);

/** A server's rounds as one measurement: totals over the time measured, percentiles over all rounds. */
export function summarize(rounds: Round[]): LoadResult {
  const requests = rounds.reduce((sum, round) => sum + round.requests, 0);
  const seconds = rounds.reduce((sum, round) => sum + round.durationSeconds, 0);
  const points = rounds.flatMap((round) =>
    round.latency.ms.map((ms): [number, number] => [ms, round.latency.weight]),
  );
  const [p50 = Number.NaN, p90 = Number.NaN, p99 = Number.NaN] = weightedPercentiles(points, [50, 90, 99]);
  const statusCodes: Record<string, number> = {};
  for (const round of rounds) {
    for (const [code, count] of Object.entries(round.statusCodes)) {
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
    }
  }
  const perRequest = (cpu: number | null) =>
    cpu === null || requests === 0 ? null : (cpu * 1_000) / requests;
  return {
    requestsPerSecond: seconds > 0 ? requests / seconds : 0,
    latencyMs: { p50, p90, p99, max: Math.max(...rounds.map((round) => round.maxLatencyMs)) },
    requests,
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    statusCodes,
    durationSeconds: seconds,
    serverCpuMsPerRequest: perRequest(sumOrNull(rounds.map((round) => round.cpuSeconds.server))),
    databaseCpuMsPerRequest: perRequest(sumOrNull(rounds.map((round) => round.cpuSeconds.database))),
  };
}

/** Drives `server` for `seconds` with `drive`, recording the CPU it and PostgreSQL used. */
export async function measureRound(
  server: RunningProcess,
  drive: Drive,
  connections: number,
  seconds: number,
): Promise<Round> {
  const before = { server: server.cpuSeconds(), database: databaseCpuSeconds() };
  const load = await drive({ url: server.url, connections, seconds });
  const after = { server: server.cpuSeconds(), database: databaseCpuSeconds() };
  const serverCpu = before.server === null || after.server === null ? null : after.server - before.server;
  return {
    ...load,
    cpuSeconds: { server: serverCpu, database: databaseCpuBetween(before.database, after.database) },
  };
}

/**
 * autocannon over the workload `next` builds, every response's latency recorded. Bounded
 * twice: autocannon's own duration, and a hard stop a little after it. `onResponse` sees each
 * answer's body, with the context `next` was given for its request (realtime.ts).
 */
export function autocannonDrive(
  next: NonNullable<Request['setupRequest']>,
  onResponse?: Request['onResponse'],
): Drive {
  return (options) =>
    new Promise((resolve, reject) => {
      const latencies: number[] = [];
      const instance = autocannon(
        {
          url: options.url,
          connections: options.connections,
          duration: options.seconds,
          timeout: 10,
          requests: [onResponse ? { setupRequest: next, onResponse } : { setupRequest: next }],
        },
        (error, result) => {
          clearTimeout(guard);
          if (error) return reject(error);
          const statusCodes: Record<string, number> = {};
          for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
            statusCodes[code] = Number(count);
          }
          resolve({
            requests: result.requests.total,
            durationSeconds: result.duration,
            latency: { ms: latencies, weight: 1 },
            maxLatencyMs: latencies.reduce((max, ms) => Math.max(max, ms), 0),
            statusCodes,
            errors: result.non2xx + result.errors,
          });
        },
      );
      instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) =>
        latencies.push(ms),
      );
      const guard = setTimeout(() => instance.stop(), (options.seconds + 15) * 1_000);
      onCleanup(async () => {
        clearTimeout(guard);
        instance.stop();
      });
    });
}
