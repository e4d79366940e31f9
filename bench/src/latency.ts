// One user's list latency, alone on the server (one connection): the first page and a deep
// page of a 50-todo list and of a 100,000-todo list. Keyset pagination should make all four
// cost about the same; OFFSET would grow with the depth. Timed here with a keep-alive
// node:http client and a float clock: autocannon's histogram counts whole milliseconds.
import { Agent, request } from 'node:http';
import { listPath } from './load.ts';
import { withTimeout } from './processes.ts';

export type LatencyCase = {
  name: string;
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
async function cursorAt(url: string, token: string, depth: number): Promise<string> {
  let cursor: string | null = null;
  for (let seen = 0; seen < depth; ) {
    const limit = Math.min(100, depth - seen);
    const page = await getPage(url, token, cursor ? { limit, cursor } : { limit });
    if (!page.nextCursor) throw new Error(`the list ended after ${seen + page.items.length} rows`);
    cursor = page.nextCursor;
    seen += page.items.length;
  }
  return cursor!;
}

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
  cases: { name: string; token: string; depth: number }[];
}): Promise<LatencyCase[]> {
  const results: LatencyCase[] = [];
  for (const { name, token, depth } of options.cases) {
    const cursor =
      depth > 0
        ? await withTimeout(`paging to row ${depth}`, 120_000, cursorAt(options.url, token, depth))
        : null;
    const input = cursor ? { limit: 50, cursor } : { limit: 50 };
    const { items } = await getPage(options.url, token, input);
    const { samples, errors } = await timeRequests(options.url, listPath(input), token, options.seconds);
    results.push({
      name,
      depth,
      items: items.length,
      requestsPerSecond: samples.length / options.seconds,
      latencyMs: { p50: percentile(samples, 50), p90: percentile(samples, 90), p99: percentile(samples, 99) },
      errors,
    });
  }
  return results;
}
