// One user's list latency, alone on the server (one connection): the first page and a deep
// page of a 50-todo list of one member and of a 100,000-todo list of 50 members, in each order
// measured (newest, manual, due). Keyset pagination over an index per order should make every case cost about the same;
// OFFSET, or a sort, would grow with the depth or the list. Timed here with a keep-alive
// node:http client and a float clock: autocannon's histogram counts whole milliseconds.
import { Agent, request } from 'node:http';
import { listPath } from './load.ts';
import type { Options, Target } from './options.ts';
import { type RunningProcess, withTimeout } from './processes.ts';
import type { BenchDatabase } from './seed.ts';

/** todo.list's `order`; undefined sends none (the default, newest), as the baseline server takes. */
export type ListOrder = 'newest' | 'oldest' | 'manual' | 'due' | 'priority' | undefined;

export type LatencyCase = {
  name: string;
  order: ListOrder;
  /** Rows before the measured page. */
  depth: number;
  items: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number };
  errors: number;
};

type Page = { result?: { data?: { items: unknown[]; nextCursor: string | null } } };

async function getPage(url: string, token: string, input: Record<string, unknown>) {
  const response = await fetch(url + listPath(input), {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as Page;
  const data = body.result?.data;
  if (!response.ok || !data)
    throw new Error(`todo.list answered ${response.status}: ${JSON.stringify(body)}`);
  return data;
}

/** The cursor that starts the page after `depth` rows, found by paging through the API itself. */
async function cursorAt(
  url: string,
  token: string,
  listId: string,
  depth: number,
  order: ListOrder,
): Promise<string> {
  let cursor: string | null = null;
  for (let seen = 0; seen < depth; ) {
    const limit = Math.min(100, depth - seen);
    const page = await getPage(url, token, {
      listId,
      ...orderInput(order),
      limit,
      ...(cursor ? { cursor } : {}),
    });
    if (!page.nextCursor) throw new Error(`the list ended after ${seen + page.items.length} rows`);
    cursor = page.nextCursor;
    seen += page.items.length;
  }
  return cursor!;
}

const orderInput = (order: ListOrder) => (order ? { order } : {});

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** Sends the same GET back to back for `seconds`; returns each request's milliseconds and the failures. */
async function timeRequests(url: string, path: string, token: string, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  const once = () =>
    new Promise<{ ms: number; ok: boolean }>((resolve, reject) => {
      const started = performance.now();
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path,
          agent,
          headers: { authorization: `Bearer ${token}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ ms: performance.now() - started, ok: res.statusCode === 200 }));
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end();
    });
  const samples: number[] = [];
  let errors = 0;
  try {
    for (let i = 0; i < 20; i++) await once(); // warm-up: JIT, plan cache, buffers
    const end = performance.now() + seconds * 1_000;
    while (performance.now() < end) {
      const { ms, ok } = await once().catch(() => ({ ms: 0, ok: false }));
      if (ok) samples.push(ms);
      else errors++;
    }
  } finally {
    agent.destroy();
  }
  return { samples: samples.sort((a, b) => a - b), errors, seconds };
}

export async function measureListLatency(options: {
  url: string;
  seconds: number;
  cases: { name: string; token: string; listId: string; depth: number; order?: ListOrder }[];
}): Promise<LatencyCase[]> {
  const results: LatencyCase[] = [];
  for (const { name, token, listId, depth, order } of options.cases) {
    const cursor =
      depth > 0
        ? // About 1,000 requests for the deep page: minutes on a busy machine.
          await withTimeout(
            `paging to row ${depth}`,
            600_000,
            cursorAt(options.url, token, listId, depth, order),
          )
        : null;
    const input = { listId, ...orderInput(order), limit: 50, ...(cursor ? { cursor } : {}) };
    const { items } = await getPage(options.url, token, input);
    const { samples, errors } = await timeRequests(options.url, listPath(input), token, options.seconds);
    results.push({
      name,
      order,
      depth,
      items: items.length,
      requestsPerSecond: samples.length / options.seconds,
      latencyMs: { p50: percentile(samples, 50), p90: percentile(samples, 90), p99: percentile(samples, 99) },
      errors,
    });
  }
  return results;
}

/** The cases for one order: the first page and a deep page, of the short and of the deep list. */
function casesIn(order: ListOrder, database: BenchDatabase, options: Options) {
  const { shallowUser, deepUser } = database;
  const half = Math.floor(options.todosPerUser / 2);
  const deep = options.deepTodos.toLocaleString('en-US');
  const named = (name: string) => `${order ?? 'newest'}, ${name}`;
  const shallow = { token: shallowUser.token, listId: shallowUser.listId };
  const deepList = { token: deepUser.token, listId: deepUser.listId };
  return [
    { name: named(`${options.todosPerUser} todos, 1 member, first page`), ...shallow, depth: 0, order },
    {
      name: named(`${options.todosPerUser} todos, 1 member, after row ${half}`),
      ...shallow,
      depth: half,
      order,
    },
    { name: named(`${deep} todos, 50 members, first page`), ...deepList, depth: 0, order },
    {
      name: named(
        `${deep} todos, 50 members, after row ${(options.deepTodos - 1_000).toLocaleString('en-US')}`,
      ),
      ...deepList,
      depth: options.deepTodos - 1_000,
      order,
    },
  ];
}

/** One user's list latency on each server, one after another, in each order the server reads. */
export async function measureLatencies(
  servers: Map<Target, RunningProcess>,
  database: BenchDatabase,
  options: Options,
): Promise<Partial<Record<Target, LatencyCase[]>>> {
  const latency: Partial<Record<Target, LatencyCase[]>> = {};
  if (options.latencySeconds === 0) return latency;
  for (const [target, server] of servers) {
    console.log(`measuring one user’s list latency on ${target}`);
    // The baseline server answers in newest order only (it reads no `order`).
    const orders: ListOrder[] = target === 'baseline' ? [undefined] : [undefined, 'manual', 'due'];
    latency[target] = await measureListLatency({
      url: server.url,
      seconds: options.latencySeconds,
      cases: orders.flatMap((order) => casesIn(order, database, options)),
    });
  }
  return latency;
}
