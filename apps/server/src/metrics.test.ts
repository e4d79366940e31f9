// /metrics over a real server and database: who may read it, and that requests move its series.
import { defaultTestDriver, testDrivers } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Session, signUp, startTestServer, type TestServer, trpc } from './testing.ts';
import { changesUrl, openEventStream } from './testing-sse.ts';

const TOKEN = 'metrics-token-for-the-scraper-0123';

type Sample = { name: string; labels: Record<string, string>; value: number };

/** The exposition text's samples (`name{a="b",…} value`). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
      );
      return { name: match[1] ?? '', labels, value: Number(match[3]) };
    });
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);

/**
 * A GET read to its end, as a browser reads it: the server counts a request when its response
 * has closed, which for a streamed file can be after fetch has resolved with the headers.
 */
async function get(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

describe.each(testDrivers)('/metrics (%s)', (driver) => {
  let server: TestServer;
  let session: Session;
  const scrape = async () => {
    const response = await fetch(`${server.url}/metrics`, { headers: bearer(TOKEN) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(await response.text());
  };

  beforeAll(async () => {
    server = await startTestServer(driver, { METRICS_TOKEN: TOKEN });
    session = await signUp(server.url);
  }, 60_000);
  afterAll(() => server?.stop());

  it('refuses a missing or wrong token with 401, and takes no other method than GET and HEAD', async () => {
    for (const headers of [
      {},
      bearer('metrics-token-for-the-scraper-0124'),
      bearer(`${TOKEN}x`),
      { authorization: TOKEN },
    ]) {
      const response = await fetch(`${server.url}/metrics`, { headers });
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain('http_request_duration_seconds');
    }
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', headers: bearer(TOKEN) });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${server.url}/metrics`, { method: 'HEAD', headers: bearer(TOKEN) });
    expect(head.status).toBe(200);
  });

  it('a todo.list call adds one to route=trpc, procedure=todo.list, status=200', async () => {
    const labels = { route: 'trpc', procedure: 'todo.list', status: '200' };
    const before = value(await scrape(), 'http_request_duration_seconds_count', labels);
    expect((await trpc(server.url, 'todo.list', { headers: bearer(session.token) })).status).toBe(200);
    const after = await scrape();
    expect(value(after, 'http_request_duration_seconds_count', labels)).toBe(before + 1);
    // Its duration went into the buckets and the sum as well.
    expect(value(after, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(before + 1);
    expect(value(after, 'http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
    // Other routes and statuses have series of their own.
    await get(`${server.url}/healthz`);
    expect((await trpc(server.url, 'todo.list')).status).toBe(401);
    const later = await scrape();
    expect(value(later, 'http_request_duration_seconds_count', { route: 'healthz', status: '200' })).toBe(1);
    expect(
      value(later, 'http_request_duration_seconds_count', { ...labels, status: '401' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('a procedure name nobody defined becomes procedure="unknown", never a label of its own', async () => {
    const garbage = ['no.such.thing', 'evil"}\nhacked 1', `x${'y'.repeat(300)}`, 'todo.list.extra'];
    for (const name of garbage) await get(`${server.url}/api/trpc/${encodeURIComponent(name)}`);
    await get(`${server.url}/api/trpc/todo.list,no.such.thing?batch=1&input={}`);
    const samples = await scrape();
    const procedures = new Set(
      samples.filter((s) => s.name === 'http_request_duration_seconds_count').map((s) => s.labels.procedure),
    );
    for (const name of garbage) expect(procedures.has(name), name).toBe(false);
    expect(procedures.has('unknown')).toBe(true);
    expect(procedures.has('batch')).toBe(true);
    const allowed = new Set(['', 'unknown', 'batch', 'todo.list', 'todo.counts', 'me']);
    for (const procedure of procedures) expect(allowed.has(procedure ?? ''), procedure).toBe(true);
  });

  it('labels each request with the route that served it, an unknown /api path as api, not web', async () => {
    const before = await scrape();
    const count = (samples: Sample[], route: string, status: string) =>
      value(samples, 'http_request_duration_seconds_count', { route, status });
    for (const path of ['/api/nothing-here', '/api', '/api/trpc']) {
      expect(await get(`${server.url}${path}`), path).toBe(404);
    }
    expect(await get(`${server.url}/some/client/route`)).toBe(200);
    expect(await get(`${server.url}/api/auth/get-session`)).toBe(200);
    // A request is counted once its response has finished on the server, which on a busy
    // machine may come after the client has read it: the counts are read until they settle.
    const counted = async () => {
      const after = await scrape();
      return {
        api404: count(after, 'api', '404') - count(before, 'api', '404'),
        web404: count(after, 'web', '404') - count(before, 'web', '404'),
        web200: count(after, 'web', '200') - count(before, 'web', '200'),
        auth200: count(after, 'auth', '200') - count(before, 'auth', '200'),
      };
    };
    await expect.poll(counted, { timeout: 10_000 }).toEqual({ api404: 3, web404: 0, web200: 1, auth200: 1 });
  });

  it('counts open event streams, and reports the pool (node-postgres) and the process', async () => {
    const stream = await openEventStream(changesUrl(server.url), { headers: bearer(session.token) });
    try {
      expect(value(await scrape(), 'http_open_event_streams')).toBe(1);
    } finally {
      stream.close();
    }
    await expect.poll(async () => value(await scrape(), 'http_open_event_streams')).toBe(0);
    const samples = await scrape();
    expect(value(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    const names = new Set(samples.map((s) => s.name));
    if (driver === 'pg') {
      expect(value(samples, 'db_pool_connections')).toBeGreaterThanOrEqual(1);
      expect(names.has('db_pool_idle_connections')).toBe(true);
      expect(value(samples, 'db_pool_waiting_requests')).toBe(0);
    } else {
      expect(names.has('db_pool_connections')).toBe(false);
    }
  });
});

describe('without METRICS_TOKEN', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(defaultTestDriver);
  }, 60_000);
  afterAll(() => server?.stop());

  it('/metrics is a path like any other: the web app answers, with or without a bearer', async () => {
    const other = await fetch(`${server.url}/no-such-page`);
    const otherText = await other.text();
    for (const headers of [{}, bearer(TOKEN)]) {
      const response = await fetch(`${server.url}/metrics`, { headers });
      expect(response.status).toBe(other.status);
      expect(await response.text()).toBe(otherText);
    }
  });
});
