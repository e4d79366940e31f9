// WEB_CONCURRENCY=2 with real processes on a real PostgreSQL (TEST_DATABASE_URL; skipped
// without): both workers serve, a killed worker is replaced, /metrics covers the cluster, and
// SIGTERM drains a request in flight before the primary exits 0.
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import { createTestDatabase, type TestDatabase } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartBackoff } from './cluster.ts';
import {
  ServerExitedError,
  type ServerProcess,
  signUp,
  spawnServer,
  TEST_SECRET,
  waitFor,
} from './testing.ts';

const METRICS_TOKEN = 'cluster-metrics-token-0123456789';

type Line = { msg?: string; pid?: number; reqId?: string; worker?: number; path?: string };

/** A GET on a connection of its own (so the primary hands each to the next worker in turn). */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; requestId: string }>((resolve, reject) => {
    request(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, requestId: String(res.headers['x-request-id']) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('restartBackoff', () => {
  it('doubles the delay with each death within a minute, up to 30 s, and starts over after a quiet minute', () => {
    let now = 0;
    const next = restartBackoff(() => now);
    const delays = Array.from({ length: 9 }, () => next());
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    now += 61_000;
    expect(next()).toBe(500);
  });
});

describe('WEB_CONCURRENCY on the embedded database', () => {
  it('is refused at start with one clear line: PGlite lives in one process', async () => {
    const error = await spawnServer({
      env: {
        NODE_ENV: 'production',
        PGLITE_DIR: 'memory',
        BETTER_AUTH_SECRET: TEST_SECRET,
        WEB_CONCURRENCY: '2',
      },
    }).then(
      () => expect.fail('the server started'),
      (thrown: unknown) => thrown,
    );
    if (!(error instanceof ServerExitedError)) throw error;
    expect(error.code).toBe(1);
    expect(error.stderr.filter(Boolean)).toEqual([
      'invalid configuration:',
      '  WEB_CONCURRENCY: more than 1 worker needs a PostgreSQL server (DATABASE_URL); the embedded PGlite lives in one process',
    ]);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('WEB_CONCURRENCY=2 on PostgreSQL', () => {
  let database: TestDatabase;
  let child: ServerProcess;
  // stdout, then stderr (where lines at error level go).
  const lines = () =>
    [...child.stdout, ...child.stderr]
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Line);
  /** The worker that answered a request: the pid on its log line. */
  const pidOf = (requestId: string) =>
    waitFor(() => lines().find((line) => line.reqId === requestId)?.pid, `the log line of ${requestId}`);
  /** Requests on fresh connections until `want` distinct workers have answered. */
  async function workersServing(want: (pids: Set<number>) => boolean) {
    const pids = new Set<number>();
    for (let n = 0; n < 40 && !want(pids); n++) {
      const answer = await get(`${child.url}/healthz`);
      expect(answer.status).toBe(200);
      pids.add(await pidOf(answer.requestId));
    }
    return pids;
  }

  beforeAll(async () => {
    // Not migrated: the primary migrates, once, before the workers start.
    database = await createTestDatabase('pg', { migrated: false });
    child = await spawnServer({
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: database.url ?? '',
        MIGRATE_ON_START: 'true',
        BETTER_AUTH_SECRET: TEST_SECRET,
        AUTH_RATE_LIMIT_PER_MINUTE: '0',
        WEB_CONCURRENCY: '2',
        LOG_REQUESTS: 'true',
        METRICS_TOKEN,
        // On SIGTERM every worker answers /readyz 503 this long before it stops accepting.
        SHUTDOWN_DELAY_MS: '1500',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await child?.stop('SIGKILL');
    await database?.dispose();
  });

  it('announces two workers, and both serve: two pids answer, neither the primary', async () => {
    expect(child.stdout.find((line) => line.startsWith('todo server on'))).toMatch(/, 2 workers\)$/);
    const pids = await workersServing((seen) => seen.size >= 2);
    expect(pids.size).toBe(2);
    expect(pids.has(child.process.pid ?? 0)).toBe(false);
    // The app works across them: a session made through one is good on the other.
    const session = await signUp(child.url);
    for (let n = 0; n < 4; n++) {
      const me = await get(`${child.url}/api/trpc/me`, { authorization: `Bearer ${session.token}` });
      expect(me.status).toBe(200);
    }
  });

  it('a scrape through any worker covers the whole cluster', async () => {
    /** The count of 200s from /healthz, whatever order the labels come in. */
    const count = (text: string) =>
      text
        .split('\n')
        .filter(
          (line) =>
            line.startsWith('http_request_duration_seconds_count{') &&
            line.includes('route="healthz"') &&
            line.includes('status="200"'),
        )
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    const before = count(
      (await get(`${child.url}/metrics`, { authorization: `Bearer ${METRICS_TOKEN}` })).body,
    );
    const pids = new Set<number>();
    for (let n = 0; n < 6; n++) pids.add(await pidOf((await get(`${child.url}/healthz`)).requestId));
    expect(pids.size).toBe(2);
    // Each scrape lands on one worker, which alone saw about half of those six.
    for (let n = 0; n < 2; n++) {
      const scrape = await get(`${child.url}/metrics`, { authorization: `Bearer ${METRICS_TOKEN}` });
      expect(scrape.status).toBe(200);
      expect(count(scrape.body)).toBe(before + 6);
    }
  });

  it('a worker killed with SIGKILL is replaced, and the new one serves', async () => {
    const [victim] = await workersServing((seen) => seen.size >= 1);
    if (victim === undefined) throw new Error('no worker answered');
    const before = new Set(lines().flatMap((line) => (line.msg === 'worker serving' ? [line.worker] : [])));
    process.kill(victim, 'SIGKILL');
    const died = await waitFor(
      () => lines().find((line) => line.msg === 'worker died; starting another' && line.worker === victim),
      'the primary to notice',
    );
    expect(died).toBeDefined();
    const replacement = await waitFor(
      () =>
        lines().find(
          (line) => line.msg === 'worker serving' && line.worker !== victim && !before.has(line.worker ?? 0),
        )?.worker,
      'a new worker',
    );
    const pids = await workersServing((seen) => seen.has(replacement) && seen.size >= 2);
    expect(pids.has(replacement)).toBe(true);
    expect(pids.has(victim)).toBe(false);
  });

  it('SIGTERM: /readyz turns 503 in every worker, a request still arriving finishes with 200, then the primary exits 0', async () => {
    const session = await signUp(child.url);
    const body = JSON.stringify({ title: 'finished after SIGTERM, in a worker' });
    const req = request(`${child.url}/api/trpc/todo.create`, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${session.token}`,
      },
    });
    const response = once(req, 'response');
    req.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.process.kill('SIGTERM');
    await waitFor(() => lines().find((line) => line.msg?.startsWith('SIGTERM: ')), 'SIGTERM');
    // Whichever worker gets them, new connections hear "not ready" while the drain begins.
    for (let n = 0; n < 2; n++) expect((await get(`${child.url}/readyz`)).status).toBe(503);
    expect(child.process.exitCode).toBeNull();
    req.end(body.slice(10));
    const [res] = (await response) as [IncomingMessage];
    let text = '';
    for await (const chunk of res) text += chunk;
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(text)).toMatchObject({
      result: { data: { title: 'finished after SIGTERM, in a worker' } },
    });
    expect(await child.exit).toBe(0);
    // Both workers closed; nobody was replaced during the shutdown.
    expect(lines().filter((line) => line.msg === 'worker died; starting another')).toHaveLength(1);
  }, 60_000);
});
