// The siege's victim, in a process of its own so that the flood's client work is not counted
// in its timings: one signed-in account calling todo.list (50 todos) one call at a time, from
// its own loopback address, for SIEGE_MS; prints one JSON line with its latencies.
import { Agent, request } from 'node:http';

const url = new URL(process.env.SIEGE_URL ?? '');
const token = process.env.SIEGE_TOKEN ?? '';
const localAddress = process.env.SIEGE_LOCAL_ADDRESS ?? '127.0.0.2';
const durationMs = Number(process.env.SIEGE_MS ?? '10000');
const path = `/api/trpc/todo.list?input=${encodeURIComponent(JSON.stringify({ limit: 50 }))}`;
const agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress });

/** One call: its milliseconds, and its status (0: no answer within 10 s, or a cut connection). */
function call(): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status: number) => resolve({ ms: performance.now() - started, status });
    const req = request(
      { host: url.hostname, port: url.port, path, agent, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
        res.on('error', () => done(0));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', () => done(0));
    req.end();
  });
}

const times: number[] = [];
const failures: Record<string, number> = {};
const end = performance.now() + durationMs;
while (performance.now() < end) {
  const { ms, status } = await call();
  times.push(ms);
  if (status !== 200) failures[String(status)] = (failures[String(status)] ?? 0) + 1;
}
times.sort((a, b) => a - b);
const at = (p: number) =>
  times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? Number.NaN;
console.log(
  JSON.stringify({
    calls: times.length,
    p50: at(50),
    p99: at(99),
    max: times.at(-1) ?? Number.NaN,
    failures,
  }),
);
agent.destroy();
