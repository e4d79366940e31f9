// Faults, against the real server process (src/start.ts) and a PostgreSQL of the test's own
// (initdb into a temporary directory, a free port, pg_ctl to stop and start it at will):
// the database going away under load, the pool exhausted, SIGTERM under load. Run with
// `pnpm test:faults`; needs PostgreSQL's server binaries (initdb, pg_ctl), found under
// /usr/lib/postgresql/*/bin or in PG_BIN. The helpers are in testing-faults.ts.
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signUp } from './testing.ts';
import {
  CONNECT_TIMEOUT_MS,
  create,
  FAIL_FAST_BOUND_MS,
  readyz,
  sleep,
  startLoad,
  startServerProcess,
  storedIds,
  subscriber,
  TestPostgres,
} from './testing-faults.ts';

describe('faults against the real server and its own PostgreSQL', () => {
  const postgres = new TestPostgres();
  let databaseCounter = 0;
  const children: ChildProcess[] = [];

  async function freshDatabase() {
    const name = `faults_${++databaseCounter}`;
    await postgres.query('postgres', `create database ${name}`);
    return name;
  }

  async function serverOn(database: string, env: Record<string, string> = {}) {
    const server = await startServerProcess(postgres.url(database), env);
    children.push(server.child);
    return server;
  }

  beforeAll(() => postgres.init(), 120_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await postgres.dispose();
  });

  it('database stopped and restarted under load: fails fast, recovers by itself, loses nothing acknowledged', async () => {
    const database = await freshDatabase();
    const server = await serverOn(database);
    const { token, cookie } = await signUp(server.url);
    expect((await readyz(server.url)).status).toBe(200);

    // 50 concurrent creates, as in the outage the issue reports.
    const load = startLoad(server.url, token, { workers: 50 });
    await sleep(1_000);
    const downAt = performance.now();
    postgres.stop('immediate');
    await sleep(500);
    const whileDown = await readyz(server.url);
    // A browser (cookie, resolved by Better Auth) and a sign-in during the outage: an error
    // the client can retry, never a 401 that would sign the user out.
    const browserWhileDown = await fetch(`${server.url}/api/trpc/todo.list`, { headers: { cookie } });
    const signInWhileDown = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'correct horse battery' }),
    });
    await sleep(2_000);
    const stillDown = await readyz(server.url);
    await postgres.start();
    const upAt = performance.now();

    let recoveredAfterMs = -1;
    while (performance.now() - upAt < 30_000) {
      if ((await readyz(server.url)).status === 200) {
        recoveredAfterMs = performance.now() - upAt;
        break;
      }
      await sleep(100);
    }
    await sleep(1_000);
    const outcomes = await load.stop();

    expect(whileDown.status).toBe(503);
    // "Come back shortly", which load balancers and clients' retries understand; never a 500.
    expect([browserWhileDown.status, browserWhileDown.headers.get('retry-after')]).toEqual([503, '5']);
    expect([signInWhileDown.status, signInWhileDown.headers.get('retry-after')]).toEqual([503, '5']);
    expect(stillDown.status).toBe(503);
    expect(whileDown.ms).toBeLessThan(FAIL_FAST_BOUND_MS);
    expect(recoveredAfterMs).toBeGreaterThanOrEqual(0);

    const failed = outcomes.filter((outcome) => outcome.status !== 200);
    const acknowledged = outcomes.filter((outcome) => outcome.status === 200);
    const afterRecovery = outcomes.filter((outcome) => outcome.started > upAt + recoveredAfterMs);
    // While down: answered (no dropped sockets, no hangs), quickly, as 503 with Retry-After that
    // names no internals.
    expect(failed.length).toBeGreaterThan(0);
    for (const outcome of failed) {
      expect(outcome.error, JSON.stringify(outcome)).toBeNull();
      expect([outcome.status, outcome.retryAfter], outcome.body).toEqual([503, '5']);
      expect(outcome.body).not.toMatch(/ECONNREFUSED|terminat|postgres|pg_|sql|at \w+ \(/i);
      expect(outcome.ms).toBeLessThan(FAIL_FAST_BOUND_MS);
    }
    // Not a single failure outside the outage window (allowing the bound on both sides).
    for (const outcome of failed) {
      expect(outcome.started).toBeGreaterThan(downAt - FAIL_FAST_BOUND_MS);
      expect(outcome.started).toBeLessThan(upAt + recoveredAfterMs + 1);
    }
    expect(afterRecovery.length).toBeGreaterThan(0);
    expect(afterRecovery.every((outcome) => outcome.status === 200)).toBe(true);

    const stored = await storedIds(postgres, database);
    const lost = acknowledged.filter((outcome) => !stored.has(outcome.id ?? ''));
    expect(lost).toEqual([]);
    console.log(
      `outage: ${outcomes.length} creates, ${acknowledged.length} acknowledged and all stored, ${failed.length} refused ` +
        `(slowest ${Math.round(Math.max(...failed.map((outcome) => outcome.ms)))} ms); ready again ${Math.round(recoveredAfterMs)} ms after restart`,
    );
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);

  it('database restarted under open change streams: every acknowledged write reaches the subscriber exactly once', async () => {
    const database = await freshDatabase();
    // Each process's stream sits out the outage (its session checks fail and are tried again;
    // nothing ends it) and is woken when its feed listens again: it reads what it missed. Process
    // two checks its streams' sessions every 300 ms, so its checks hit the outage too. A stream
    // that does break resumes from its last id (client-changes.test.ts restarts a server).
    const one = await serverOn(database);
    const two = await serverOn(database, { STREAM_SESSION_CHECK_MS: '300' });
    const { token } = await signUp(one.url);
    const subscribers = [subscriber(one.url, token), subscriber(two.url, token)];
    await vi.waitFor(() => expect(subscribers.map((each) => each.streams)).toEqual([1, 1]), {
      timeout: 30_000,
    });

    const before = [];
    for (let n = 0; n < 5; n++) before.push(await create(one.url, token, `before-${n}`));
    await vi.waitFor(
      () => {
        for (const each of subscribers) expect(each.creations().size).toBe(before.length);
      },
      { timeout: 30_000 },
    );

    postgres.stop('immediate');
    const whileDown = [];
    for (let n = 0; n < 5; n++) {
      whileDown.push(await create(one.url, token, `down-${n}`));
      await sleep(200);
    }
    await postgres.start();
    while ((await readyz(one.url)).status !== 200 || (await readyz(two.url)).status !== 200) await sleep(100);

    const after = [];
    for (let n = 0; n < 5; n++) after.push(await create(one.url, token, `after-${n}`));
    // A last write through the other process: once it has arrived, everything before it has.
    const last = await create(two.url, token, 'last');
    const acknowledged = [...before, ...whileDown, ...after, last].filter(
      (outcome) => outcome.status === 200,
    );
    expect(before.every((outcome) => outcome.status === 200)).toBe(true);
    expect(after.every((outcome) => outcome.status === 200)).toBe(true);
    expect(whileDown.map((outcome) => [outcome.status, outcome.retryAfter])).toEqual(
      whileDown.map(() => [503, '5']),
    );

    await vi.waitFor(
      () => {
        for (const each of subscribers) expect(each.creations().has(last.id ?? '')).toBe(true);
      },
      { timeout: 30_000 },
    );
    for (const each of subscribers) await each.stop();

    for (const [n, each] of subscribers.entries()) {
      const creations = each.creations();
      const missing = acknowledged.filter((outcome) => !creations.has(outcome.id ?? ''));
      expect(missing, `subscriber ${n + 1}`).toEqual([]);
      // Exactly once: every event id once, in increasing order, and no todo created twice.
      const ids = each.received.map((event) => BigInt(event.id ?? '-1'));
      expect(
        ids.every((id, at) => at === 0 || id > ids[at - 1]!),
        `subscriber ${n + 1}: ${ids.join(', ')}`,
      ).toBe(true);
      expect([...creations.values()].filter((count) => count !== 1)).toEqual([]);
      expect(each.received.filter((event) => event.change.type === 'reset')).toEqual([]);
    }
    console.log(
      `restart under streams: ${acknowledged.length} acknowledged creates, each received once by both subscribers; ` +
        `streams opened: ${subscribers.map((each) => each.streams).join(' and ')} (1 = survived the restart)`,
    );
    for (const server of [one, two]) {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  }, 120_000);

  it('pool exhausted: requests wait for a connection, then 503 with Retry-After at the connect timeout; /readyz stays 200', async () => {
    const database = await freshDatabase();
    // A statement timeout well above the connect timeout, so that the one connection is still
    // held while the waiting requests give up, however slow the machine is.
    const heldMs = 6_000;
    const server = await serverOn(database, { DB_POOL_MAX: '1', DB_STATEMENT_TIMEOUT_MS: String(heldMs) });
    const { token } = await signUp(server.url);
    expect((await create(server.url, token, 'before')).status).toBe(200);

    // The test holds a lock the server's next statement needs: its one connection waits on it.
    const holder = new pg.Client({ connectionString: postgres.url(database) });
    await holder.connect();
    await holder.query('begin');
    await holder.query('lock table todos in access exclusive mode');

    const blocked = create(server.url, token, 'blocked');
    await sleep(300);
    const [ready, ...waiting] = await Promise.all([
      readyz(server.url),
      ...Array.from({ length: 4 }, (_, n) => create(server.url, token, `waiting-${n}`)),
    ]);
    const first = await blocked;
    await holder.query('rollback');
    await holder.end();

    for (const outcome of waiting) {
      expect(outcome.error, JSON.stringify(outcome)).toBeNull();
      expect([outcome.status, outcome.retryAfter]).toEqual([503, '5']);
      // It waited for a connection (not refused at once), then gave up at the connect timeout.
      expect(outcome.ms).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS * 0.9);
      expect(outcome.ms).toBeLessThan(FAIL_FAST_BOUND_MS);
    }
    // A busy pool is not "not ready": readiness has its own connection, and the database answers.
    expect(ready.status).toBe(200);
    // The statement behind the lock is cut off by statement_timeout, not left hanging: a
    // statement's own failure (57014), not the database away, so 500.
    expect(first.status).toBe(500);
    expect(first.ms).toBeLessThan(heldMs + FAIL_FAST_BOUND_MS);

    const after = await create(server.url, token, 'after');
    expect(after.status).toBe(200);
    expect((await readyz(server.url)).status).toBe(200);
    const titles = (
      await postgres.query<{ title: string }>(database, 'select title from todos order by title')
    ).map((row) => row.title);
    expect(titles).toEqual(['after', 'before']);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 60_000);

  it('SIGTERM under load: in-flight requests finish, nothing acknowledged is lost, the process exits 0', async () => {
    const database = await freshDatabase();
    const server = await serverOn(database);
    const { token } = await signUp(server.url);

    const load = startLoad(server.url, token, { workers: 6, pauseMs: 5 });
    await sleep(800);
    // Requests that are in flight at the signal: held behind a lock the test releases after it.
    const holder = new pg.Client({ connectionString: postgres.url(database) });
    await holder.connect();
    await holder.query('begin');
    await holder.query('lock table todos in share mode');
    const inFlight = Array.from({ length: 4 }, (_, n) => create(server.url, token, `in-flight-${n}`));
    await sleep(300);
    const signalAt = performance.now();
    server.child.kill('SIGTERM');
    await sleep(300);
    await holder.query('commit');
    await holder.end();

    const held = await Promise.all(inFlight);
    const exitCode = await server.exited;
    const exitAfterMs = performance.now() - signalAt;
    const outcomes = await load.stop();

    expect(exitCode).toBe(0);
    // Draining must not wait for the 10 s grace period: keep-alive clients are told to go.
    expect(exitAfterMs).toBeLessThan(5_000);
    for (const outcome of held) expect(outcome.status, JSON.stringify(outcome)).toBe(200);
    // After the signal new connections are refused; nothing is answered with a server error.
    expect(outcomes.filter((outcome) => outcome.status !== null && outcome.status !== 200)).toEqual([]);
    // A request can only be cut off if it was sent on a keep-alive connection at the very
    // moment the server closed it idle (never processed): at most one per connection.
    const cutOff = outcomes.filter((outcome) => outcome.error !== null && outcome.error !== 'ECONNREFUSED');
    expect(cutOff.length).toBeLessThanOrEqual(6);
    console.log(
      `SIGTERM: exit ${Math.round(exitAfterMs)} ms after the signal; ${outcomes.length} creates, ` +
        `${outcomes.filter((outcome) => outcome.error === 'ECONNREFUSED').length} refused after close, ${cutOff.length} cut off (${[...new Set(cutOff.map((outcome) => outcome.error))].join(', ')})`,
    );

    const stored = await storedIds(postgres, database);
    const acknowledged = [...held, ...outcomes].filter((outcome) => outcome.status === 200);
    expect(acknowledged.length).toBeGreaterThan(10);
    expect(acknowledged.filter((outcome) => !stored.has(outcome.id ?? ''))).toEqual([]);
    expect(server.output()).toMatch(/SIGTERM: finishing in-flight requests/);
  }, 60_000);

  it('SIGTERM: /readyz turns 503 first while the process still serves, then requests drain and it exits 0', async () => {
    const database = await freshDatabase();
    const server = await serverOn(database, { SHUTDOWN_DELAY_MS: '5000' });
    const { token } = await signUp(server.url);
    const holder = new pg.Client({ connectionString: postgres.url(database) });
    await holder.connect();
    await holder.query('begin');
    await holder.query('lock table todos in share mode');
    const inFlight = create(server.url, token, 'in flight at SIGTERM');
    expect((await readyz(server.url)).status).toBe(200);

    server.child.kill('SIGTERM');
    // Poll until the signal has been handled: the process answers 503 before it stops accepting.
    let ready = await readyz(server.url);
    while (ready.status === 200) ready = await readyz(server.url);
    expect(ready.status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await holder.query('commit');
    await holder.end();

    expect((await inFlight).status).toBe(200);
    expect(await server.exited).toBe(0);
    expect((await storedIds(postgres, database)).size).toBe(1);
  }, 60_000);
});
