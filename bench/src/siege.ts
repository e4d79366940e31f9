// BENCH_ONLY=siege: what a flood from one client costs another. The production build on the
// seeded PostgreSQL database, with the production limits on; a victim (siege-victim.ts, its own
// process, its own loopback address 127.0.0.2) calls todo.list one call at a time, first alone,
// then under each flood from 127.0.0.1 in this process:
// - sign-ins: 400 concurrent wrong passwords for one account, each with a forged
//   X-Forwarded-For (which the server must not believe: no TRUSTED_PROXIES);
// - streams: 3,000 concurrent `todo.changes` requests without a session.
// Each flood's clients send their next request as soon as one is answered; after a failed
// connection (a refused or cut socket) a client waits 50 ms, as a retrying client would.
// Reports the victim's p50, p99, max and failures per phase, and what the flood got back.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Options } from './options.ts';
import { sleep, withTimeout } from './processes.ts';
import type { BenchDatabase } from './seed.ts';
import { startTarget } from './targets.ts';

export type VictimResult = {
  calls: number;
  p50: number;
  p99: number;
  max: number;
  failures: Record<string, number>;
};
export type SiegePhase = {
  name: string;
  victim: VictimResult;
  flood: { requests: number; answers: Record<string, number> } | null;
};

const VICTIM = fileURLToPath(new URL('./siege-victim.ts', import.meta.url));

function runVictim(url: string, token: string, ms: number): Promise<VictimResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', VICTIM], {
      env: { ...process.env, SIEGE_URL: url, SIEGE_TOKEN: token, SIEGE_MS: String(ms) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as VictimResult);
      } catch {
        reject(new Error(`the victim exited with ${code}: ${out}`));
      }
    });
  });
}

type Flood = {
  concurrency: number;
  method: 'GET' | 'POST';
  path: string;
  headers: () => Record<string, string>;
  body?: string;
};

/** `concurrency` clients sending `flood`'s request back to back until `stop` resolves. */
async function runFlood(url: string, flood: Flood, until: Promise<unknown>) {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: flood.concurrency, localAddress: '127.0.0.1' });
  const answers: Record<string, number> = {};
  let requests = 0;
  let running = true;
  void until.then(() => {
    running = false;
  });
  const once = () =>
    new Promise<string>((resolve) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: flood.method,
          path: flood.path,
          agent,
          headers: flood.headers(),
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.statusCode)));
          res.on('error', () => resolve('cut'));
        },
      );
      req.setTimeout(15_000, () => req.destroy(new Error('timed out')));
      req.on('error', () => resolve('error'));
      req.end(flood.body);
    });
  await Promise.all(
    Array.from({ length: flood.concurrency }, async () => {
      while (running) {
        const answer = await once();
        requests++;
        answers[answer] = (answers[answer] ?? 0) + 1;
        if (answer === 'error' || answer === 'cut') await sleep(50);
      }
    }),
  );
  agent.destroy();
  return { requests, answers };
}

const forgedAddress = () => `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

export async function benchSiege(database: BenchDatabase, options: Options): Promise<SiegePhase[]> {
  // The production limits: sign-in rate limits as shipped, MAX_CONNECTIONS_PER_IP's default.
  const server = await startTarget('project', database, options, [], { AUTH_RATE_LIMIT_PER_MINUTE: '10' });
  const ms = options.siegeSeconds * 1000;
  const victim = database.users[0]!;
  const floods: [string, Flood][] = [
    [
      '400 wrong sign-ins, forged X-Forwarded-For',
      {
        concurrency: 400,
        method: 'POST',
        path: '/api/auth/sign-in/email',
        headers: () => ({
          'content-type': 'application/json',
          origin: server.url,
          'x-forwarded-for': forgedAddress(),
        }),
        body: JSON.stringify({ email: 'shallow@example.com', password: 'not the password at all' }),
      },
    ],
    [
      '3,000 anonymous todo.changes streams',
      {
        concurrency: 3_000,
        method: 'GET',
        path: `/api/trpc/todo.changes?input=${encodeURIComponent('{}')}`,
        headers: () => ({ accept: 'text/event-stream' }),
      },
    ],
  ];
  const phases: SiegePhase[] = [];
  try {
    console.log(`siege: the victim alone for ${options.siegeSeconds} s`);
    phases.push({ name: 'alone', victim: await runVictim(server.url, victim.token, ms), flood: null });
    for (const [name, flood] of floods) {
      console.log(`siege: ${name}, ${options.siegeSeconds} s`);
      const victimDone = runVictim(server.url, victim.token, ms);
      const flooded = await withTimeout(name, ms + 60_000, runFlood(server.url, flood, victimDone));
      phases.push({ name, victim: await victimDone, flood: flooded });
      await sleep(2_000); // the flood's sockets close before the next phase
    }
  } finally {
    await server.stop();
  }
  printSiege(phases);
  return phases;
}

function printSiege(phases: SiegePhase[]) {
  const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');
  console.log(
    '\nsiege: the victim’s todo.list (one call at a time, from 127.0.0.2) under each flood (from 127.0.0.1)',
  );
  console.log(
    `${'phase'.padEnd(44)} ${'calls'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}  failures  flood answers`,
  );
  for (const { name, victim, flood } of phases) {
    const failures =
      Object.entries(victim.failures)
        .map(([status, count]) => `${status}×${count}`)
        .join(' ') || '0';
    const answers = flood
      ? `${flood.requests} requests: ${Object.entries(flood.answers)
          .map(([status, count]) => `${status}×${count}`)
          .join(' ')}`
      : '';
    console.log(
      `${name.padEnd(44)} ${String(victim.calls).padStart(6)} ${ms(victim.p50).padStart(8)} ${ms(victim.p99).padStart(8)} ${ms(victim.max).padStart(8)}  ${failures.padEnd(8)}  ${answers}`,
    );
  }
}
