// THE test of "every instance enforces one limit": two server processes (src/start.ts, each its
// own pool) on one PostgreSQL, with sign-in attempts alternating between them. In memory, each
// would have counted half and let the 11th attempt through. Needs TEST_DATABASE_URL (CI has it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, signUp, spawnServersOnOneDatabase, uniqueEmail } from './testing.ts';
import { type Reply, signInFrom } from './testing-clients.ts';

const PASSWORD = 'correct horse battery';
/**
 * Better Auth's sign-in attempts per IP per minute: above the per-account limit (10 failures),
 * so that the 11th attempt for one account reaches our limiter, and low enough to reach itself.
 */
const PER_IP = 20;

describe.runIf(process.env.TEST_DATABASE_URL)('two server processes on one PostgreSQL', () => {
  let pair: Awaited<ReturnType<typeof spawnServersOnOneDatabase>>;
  let servers: [ServerProcess, ServerProcess];

  beforeAll(async () => {
    pair = await spawnServersOnOneDatabase({ AUTH_RATE_LIMIT_PER_MINUTE: String(PER_IP) });
    servers = pair.servers;
  });
  afterAll(() => pair?.stop());

  /** Sign-ins from `from`, attempt n through process n % 2. */
  const alternate = async (from: string, attempts: { email: string; password: string }[]) => {
    const replies: Reply[] = [];
    for (const [n, { email, password }] of attempts.entries()) {
      const server = servers[n % 2] as ServerProcess;
      replies.push(await signInFrom(from, server.url, email, password));
    }
    return replies;
  };

  it('refuse the 11th failed sign-in for one account from one client, through either process', async () => {
    const [one, two] = servers;
    expect(one.process.pid).not.toBe(two.process.pid);
    const owner = await signUp(one.url, { email: uniqueEmail('shared'), password: PASSWORD });
    const attacker = '127.30.0.1';
    const guesses = Array.from({ length: 12 }, (_, n) => ({ email: owner.email, password: `guess ${n}` }));
    const replies = await alternate(attacker, guesses);
    expect(replies.map((reply) => reply.status)).toEqual([...Array(10).fill(401), 429, 429]);
    // Our limiter's refusal (Better Auth's per-IP limit is not reached yet), on both processes.
    for (const refused of replies.slice(10))
      expect(refused.body).toMatch(/too many failed sign-in attempts/i);
    for (const server of servers) {
      expect((await signInFrom(attacker, server.url, owner.email, PASSWORD)).status).toBe(429);
    }
    // The owner, from their own client, signs in through either.
    for (const server of servers) {
      expect((await signInFrom('127.30.0.2', server.url, owner.email, PASSWORD)).status).toBe(200);
    }
  });

  it("and Better Auth's per-IP limit spans both: attempt PER_IP + 1 from one address is refused", async () => {
    const from = '127.30.0.3';
    // A different (unknown) email each time: the per-account limit never applies.
    const attempts = Array.from({ length: PER_IP + 2 }, () => ({
      email: uniqueEmail('ip'),
      password: 'wrong',
    }));
    const replies = await alternate(from, attempts);
    expect(replies.map((reply) => reply.status)).toEqual([...Array(PER_IP).fill(401), 429, 429]);
    for (const refused of replies.slice(PER_IP)) {
      expect(refused.body).not.toMatch(/failed sign-in/i);
      expect(Number(refused.headers['x-retry-after'])).toBeGreaterThan(0);
    }
    // Another address is unaffected, through either process.
    for (const server of servers) {
      expect((await signInFrom('127.30.0.4', server.url, uniqueEmail('ip'), 'wrong')).status).toBe(401);
    }
  });
});
